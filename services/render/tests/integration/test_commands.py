"""The `newsroom-render` command: migrate, replay (fresh target, progress, refusal), build-pages
and asyncapi."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, select

from newsroom.render.adapters.migrate import alembic_config
from newsroom.render.adapters.orm import ArticlePageRow
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.render.entrypoints.article_html import article_pages_for
from newsroom.render.entrypoints.caching import gzip_form
from newsroom.shared.settings import RenderSettings
from render_test_support import read_model_snapshot

pytestmark = pytest.mark.integration

COMMAND = str(Path(sys.executable).with_name("newsroom-render"))


def run(*args, redis_url, database_url=None):
    env = {**os.environ, "REDIS_URL": redis_url}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run(
        [COMMAND, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


async def test_replay_command_rebuilds_the_model_and_refuses_to_overwrite(
    seed, publisher, redis_url, tmp_path
):
    v1, v2 = seed.v1(), seed.v2()
    events = [v1, seed.enriched(v1), v2, seed.enriched(v2)]
    await publisher(*events)
    target = f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}"

    done = run("replay", "--database-url", target, redis_url=redis_url)
    assert done.returncode == 0, done.stderr
    assert "replayed 4 entries: 4 applied" in done.stdout
    assert "4/4" in done.stdout  # the progress bar's last state

    # The rebuilt model is what projecting the same events directly gives.
    reference_url = f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}"
    assert run("migrate", redis_url=redis_url, database_url=reference_url).returncode == 0
    reference = open_read_model(reference_url)
    # The command's pages are rendered for the site its environment describes: so are these.
    site = RenderSettings(redis_url=redis_url)
    await Projection(
        reference, public_base_url="x", emit_pages=False, article_pages=article_pages_for(site)
    ).project.apply(events)
    rebuilt = open_read_model(target)
    async with rebuilt.sessions() as a, reference.sessions() as b:
        without_pages = await read_model_snapshot(a)
        expected = await read_model_snapshot(b)
    # The replay stores no page; `build-pages` stores them, as the projector would have.
    assert without_pages == {**expected, "article_pages": []}
    built = run("build-pages", "--database-url", target, redis_url=redis_url)
    assert built.returncode == 0, built.stderr
    assert "stored 1 pages (1 stories had none of this build)" in built.stdout
    assert "1/1" in built.stdout
    async with rebuilt.sessions() as a:
        assert await read_model_snapshot(a) == expected
    again = run("build-pages", "--database-url", target, redis_url=redis_url)
    assert "stored 0 pages (0 stories had none of this build)" in again.stdout
    await rebuilt.dispose()
    await reference.dispose()

    refused = run("replay", "--database-url", target, redis_url=redis_url)
    assert refused.returncode == 2
    assert "--replace" in refused.stderr
    replaced = run("replay", "--database-url", target, "--replace", redis_url=redis_url)
    assert replaced.returncode == 0, replaced.stderr


async def test_build_pages_brings_a_read_model_of_an_older_schema_to_its_own_first(
    seed, publisher, redis_url, tmp_path
):
    """A deploy whose pages need a new column (0010: their gzip form) may run build-pages
    before any server of the new build has migrated the read model."""
    v1 = seed.v1()
    await publisher(v1, seed.enriched(v1))
    target = f"sqlite+aiosqlite:///{tmp_path / 'older.db'}"
    assert run("replay", "--database-url", target, redis_url=redis_url).returncode == 0
    older = open_read_model(target)
    async with older.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(alembic_config(sync), "0009"))
        columns = await connection.run_sync(
            lambda sync: {c["name"] for c in inspect(sync).get_columns("article_pages")}
        )
    assert "gzipped" not in columns

    built = run("build-pages", "--database-url", target, redis_url=redis_url)
    assert built.returncode == 0, built.stderr
    assert "stored 1 pages" in built.stdout
    async with older.sessions() as session:
        page = (await session.scalars(select(ArticlePageRow))).one()
    assert page.gzipped == gzip_form(page.html)
    await older.dispose()


def test_asyncapi_command_prints_the_same_document_every_time(redis_url):
    first, second = run("asyncapi", redis_url=redis_url), run("asyncapi", redis_url=redis_url)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    document = json.loads(first.stdout)
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == {"newsroom:articles:0", "newsroom:enriched:0", "newsroom:pages:0"}
    assert "newsroom.page.changed.v1" in first.stdout
    assert "newsroom.article.withdrawn.v1" in first.stdout


async def test_replay_refuses_the_live_database(seed, publisher, redis_url, tmp_path):
    await publisher(seed.v1())
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    assert run("migrate", redis_url=redis_url, database_url=live).returncode == 0

    # No target at all: it would have been the live DATABASE_URL.
    missing = run("replay", "--replace", redis_url=redis_url, database_url=live)
    assert missing.returncode == 2
    assert "--database-url" in missing.stderr

    # The live database spelled another way is still the live database.
    same_file = f"sqlite+aiosqlite:///{tmp_path / '.' / 'live.db'}"
    refused = run(
        "replay", "--database-url", same_file, "--replace", redis_url=redis_url, database_url=live
    )
    assert refused.returncode == 2
    assert "refusing to replay into DATABASE_URL" in refused.stderr


async def test_replay_refuses_a_trimmed_log_and_leaves_the_target_alone(
    seed, publisher, redis_url, tmp_path
):
    from redis.asyncio import Redis

    from newsroom.shared.streams import articles_stream

    v1, v2 = seed.v1(), seed.v2()
    await publisher(v1, seed.enriched(v1), v2)
    redis = Redis.from_url(redis_url)
    await redis.xtrim(articles_stream(), maxlen=1, approximate=False)
    await redis.aclose()
    target = tmp_path / "rebuilt.db"

    refused = run("replay", "--database-url", f"sqlite+aiosqlite:///{target}", redis_url=redis_url)
    assert refused.returncode == 3
    assert "newsroom:articles:0 lost 1 entries" in refused.stderr
    assert not target.exists()
