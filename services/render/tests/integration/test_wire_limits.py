"""The read model holds whatever ingest and enrich accept: a 200-character version (ingest's
limit), long entity ids, on PostgreSQL, where a too-narrow VARCHAR raises instead of storing;
and a database created by an older revision is widened by `migrate`."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Connection

from newsroom.render.adapters.migrate import alembic_config, migrate
from newsroom.render.adapters.queries import ReadModelQueries
from newsroom.render.bootstrap import Projection, open_read_model
from newsroom.render.domain.keyset import Window
from newsroom.shared.events import EnrichedEntity, EntityMention
from newsroom.shared.ids import article_event_id

pytestmark = pytest.mark.integration

LONG_VERSION = "9" * 150 + "v" * 50  # ingest accepts up to 200 characters


def _long_version_events(seed):
    article = seed.v1_article.model_copy(update={"version": LONG_VERSION})
    received = seed.received(article)
    received = received.model_copy(
        update={"id": article_event_id("demo", article.uri, LONG_VERSION)}
    )
    enriched = seed.enriched(received)
    name = "Yulia Peresild " + "of the long name " * 25
    long_entity = EnrichedEntity(
        id="person/" + "x" * 400,
        name=name,
        type="person",
        mentions=[EntityMention(field="headline", start=0, end=3, text=article.headline[:3])],
        mention_count=1,
        salience=0.1,
    )
    data = enriched.data.model_copy(update={"entities": [*enriched.data.entities, long_entity]})
    return received, enriched.model_copy(update={"data": data})


async def _assert_holds_long_strings(url, seed):
    database = open_read_model(url)
    try:
        received, enriched = _long_version_events(seed)
        projection = Projection(database, public_base_url="http://render.test")
        result = await projection.project.apply([received, enriched])
        assert result.applied == 2
        queries = ReadModelQueries(database)
        stored = await queries.article_by_id(seed.article_id)
        assert stored is not None
        assert stored.state.current is not None
        assert stored.state.current.version == LONG_VERSION
        entity = await queries.entity(
            "person/" + "x" * 400, received.data.article.versioncreated, Window(10)
        )
        assert entity is not None
    finally:
        await database.dispose()


async def test_a_200_character_version_is_stored_on_postgresql(seed, postgres_url):
    database = open_read_model(postgres_url)
    await migrate(database.engine)
    await database.dispose()
    await _assert_holds_long_strings(postgres_url, seed)


async def test_migrate_widens_a_database_created_by_revision_0001(seed, postgres_url):
    def to_0001(connection: Connection) -> None:
        command.upgrade(alembic_config(connection), "0001")

    database = open_read_model(postgres_url)
    async with database.engine.begin() as connection:
        await connection.run_sync(to_0001)
    await migrate(database.engine)
    await database.dispose()
    await _assert_holds_long_strings(postgres_url, seed)
