"""Keyset pagination on the wire: the `after` / `before` / `per_page` query parameters,
bounded (a 400 or 422 problem, never a 500), and the links to the pages beside this one as
`rel="next"` / `rel="prev"` in the Link header, the JSON `links` and the HTML."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Depends, Query

from newsroom.render.domain.keyset import (
    MAX_CURSOR_LENGTH,
    MAX_PAGE_SIZE,
    InvalidCursor,
    KeysetPage,
    Window,
    decode_cursor,
    encode_cursor,
)

T = TypeVar("T")

CURSOR = r"^[A-Za-z0-9_-]+$"
# The kinds of each list's sort key (domain.keyset.Position).
STORY_KEY = (datetime, str)  # first publication, article id
ENTITY_KEY = (str,)  # entity id
TIMELINE_KEY = (str, str, int)  # period start, article id, position in the story


@dataclass(frozen=True)
class Paging:
    """The page a request asks for, and how to write links to its neighbours."""

    window: Window
    default_size: int

    def links(self, path: str, page: KeysetPage[Any]) -> dict[str, str | None]:
        """`self`, `next` and `prev` (None where there is no such page) as site paths."""
        size = {} if self.window.size == self.default_size else {"per_page": self.window.size}
        here: dict[str, Any] = dict(size)
        if self.window.after is not None:
            here["after"] = encode_cursor(self.window.after)
        elif self.window.before is not None:
            here["before"] = encode_cursor(self.window.before)

        def url(query: dict[str, Any]) -> str:
            return f"{path}?{urlencode(query)}" if query else path

        return {
            "self": url(here),
            "next": url({"after": encode_cursor(page.next), **size}) if page.next else None,
            "prev": url({"before": encode_cursor(page.prev), **size}) if page.prev else None,
        }


def link_header(links: dict[str, str | None], base_url: str) -> dict[str, str]:
    """The Link header (RFC 8288) of a page's neighbours, absolute."""
    values = [
        f'<{base_url}{link}>; rel="{rel}"' for rel in ("next", "prev") if (link := links.get(rel))
    ]
    return {"Link": ", ".join(values)} if values else {}


def paging(kinds: Sequence[type], default_size: int) -> Callable[..., Paging]:
    """A dependency reading the page parameters of a list whose key has these kinds."""

    def read(
        after: Annotated[
            str | None,
            Query(
                max_length=MAX_CURSOR_LENGTH,
                pattern=CURSOR,
                description="the page after this cursor (from a `next` link)",
            ),
        ] = None,
        before: Annotated[
            str | None,
            Query(
                max_length=MAX_CURSOR_LENGTH,
                pattern=CURSOR,
                description="the page before this cursor (from a `prev` link)",
            ),
        ] = None,
        per_page: Annotated[
            int, Query(ge=1, le=MAX_PAGE_SIZE, description="items a page")
        ] = default_size,
    ) -> Paging:
        if after is not None and before is not None:
            raise InvalidCursor("Give `after` or `before`, not both.")
        return Paging(
            Window(
                per_page,
                after=decode_cursor(after, kinds) if after is not None else None,
                before=decode_cursor(before, kinds) if before is not None else None,
            ),
            default_size,
        )

    return read


FrontPaging = Annotated[Paging, Depends(paging(STORY_KEY, 50))]
ArticlesPaging = Annotated[Paging, Depends(paging(STORY_KEY, 20))]
EntityPaging = Annotated[Paging, Depends(paging(STORY_KEY, 50))]
EntitiesPaging = Annotated[Paging, Depends(paging(ENTITY_KEY, 50))]
TimelinePaging = Annotated[Paging, Depends(paging(TIMELINE_KEY, 100))]
