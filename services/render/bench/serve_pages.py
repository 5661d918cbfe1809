"""One HTTP server process for the scale benchmark, on the stack render serves with (uvicorn,
one process, its defaults): either render's pages from a read model, or the baseline, a
minimal ASGI app answering the same bytes from memory (or their gzip forms, made before it
serves: the baseline of a client that takes gzip).

    python serve_pages.py render <database_url> <port>
    python serve_pages.py baseline <bodies.json> <port>   # {"/path": [content type, body]}
    python serve_pages.py baseline-gzip <bodies.json> <port>"""

from __future__ import annotations

import gzip
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def baseline(bodies: dict[str, tuple[str, bytes]], encoding: bytes | None = None) -> Any:
    """The least an ASGI app can do: look the path (and query) up, send the bytes (in
    `encoding`, if given: the bodies are sent as they are, already encoded)."""
    extra = [(b"content-encoding", encoding)] if encoding is not None else []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        query = scope.get("query_string", b"").decode()
        key = scope["path"] + (f"?{query}" if query else "")
        content_type, body = bodies.get(key, ("text/plain", b"not found"))
        await send(
            {
                "type": "http.response.start",
                "status": 200 if key in bodies else 404,
                "headers": [(b"content-type", content_type.encode()), *extra],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app


def render_app(database_url: str) -> Any:
    from newsroom.render.bootstrap import RenderRuntime, build_app
    from newsroom.shared.settings import RenderSettings

    settings = RenderSettings(database_url=database_url, redis_url="redis://127.0.0.1:1")
    return build_app(RenderRuntime(settings), serve_streams=False)


def main(kind: str, source: str, port: int) -> None:
    if kind in ("baseline", "baseline-gzip"):
        with open(source, encoding="utf-8") as file:
            loaded = json.load(file)
        bodies = {path: (kind_, body.encode()) for path, (kind_, body) in loaded.items()}
        if kind == "baseline":
            app = baseline(bodies)
        else:
            app = baseline(
                {
                    path: (kind_, gzip.compress(body, 6, mtime=0))
                    for path, (kind_, body) in bodies.items()
                },
                encoding=b"gzip",
            )
    else:
        from newsroom.render.entrypoints.startup_heap import freeze_startup_heap

        app = render_app(source)
        freeze_startup_heap()  # as `newsroom-render serve` does
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
