"""A synthetic archive for the scale benchmark: N stories, one a minute, each naming about
10 entities drawn from a Zipf-like popularity (a few entities are named in 10 %+ of stories)
and dated by 5 timeline entries; the scale benchmark writes their events into an event store,
and `newsroom-render replay` reads them back."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from newsroom.render.domain.projection import RenderEvent
from newsroom.shared.article import Article
from newsroom.shared.events import (
    ArticleEnriched,
    ArticleEnrichedData,
    ArticleReceived,
    ArticleReceivedData,
    EnrichedEntity,
    EntityMention,
    TimelineEntry,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug, derived_event_id

START = datetime(2019, 1, 1, tzinfo=UTC)
ENTITIES_PER_STORY = 10
DATES_PER_STORY = 5
VOCABULARY = 50_000  # distinct entities
TYPES = ("person", "organisation", "place")
BODY = (
    "Officials met on Monday to discuss the plan. The agency said the launch would go ahead "
    "as scheduled, and that the crew had completed its training. Critics said the cost was "
    "too high. A spokesperson declined to comment on the timetable. The next meeting is set "
    "for the autumn, when the partners will review the budget."
)


def entity_names(vocabulary: int = VOCABULARY) -> list[tuple[str, str, str]]:
    """(id, name, type) of each entity, the most popular first."""
    names = []
    for rank in range(vocabulary):
        kind = TYPES[rank % len(TYPES)]
        name = f"Entity {rank:05d}"
        names.append((f"{kind}/entity-{rank:05d}", name, kind))
    return names


class Archive:
    """The events of `stories` stories (deterministic for a seed)."""

    def __init__(self, stories: int, seed: int = 11) -> None:
        self.stories = stories
        self.random = random.Random(seed)
        self.names = entity_names()
        # Zipf (s = 1): weight of rank r is 1 / r.
        self.cumulative = list(itertools.accumulate(1 / (rank + 1) for rank in range(VOCABULARY)))
        self.base = Article(
            source="bench",
            uri="urn:bench:0",
            version="1",
            versioncreated=START,
            firstcreated=START,
            urgency=5,
            language="en",
            headline="Story",
            standfirst="What happened, in one line.",
            body_html="".join(f"<p>{sentence}.</p>" for sentence in BODY.split(". ")),
            body_text=BODY,
        )
        self.mention = EntityMention(field="body", start=0, end=9, text=BODY[:9])
        self.entity_models: dict[str, EnrichedEntity] = {}

    def _entities(self) -> list[tuple[str, str, str]]:
        chosen: dict[int, None] = {}
        while len(chosen) < ENTITIES_PER_STORY:
            for rank in self.random.choices(
                range(VOCABULARY), cum_weights=self.cumulative, k=ENTITIES_PER_STORY
            ):
                chosen.setdefault(rank)
        return [self.names[rank] for rank in list(chosen)[:ENTITIES_PER_STORY]]

    def _entity(self, entity_id: str, name: str, kind: str) -> EnrichedEntity:
        # Built once each (50,000 at most): validating them anew for every story was most of
        # the time taken to write a large archive. Read-only, so one object can be shared.
        entity = self.entity_models.get(entity_id)
        if entity is None:
            entity = self.entity_models[entity_id] = EnrichedEntity(
                id=entity_id,
                name=name,
                type=kind,  # type: ignore[arg-type]
                mentions=[self.mention],
                mention_count=1,
                salience=0.1,
            )
        return entity

    def _dates(self, moment: datetime) -> list[tuple[str, str]]:
        day = moment.date()
        later = day + timedelta(days=self.random.randint(1, 60))
        iso = later.isocalendar()
        return [
            (day.isoformat(), "day"),
            (later.isoformat(), "day"),
            (f"{later:%Y-%m}", "month"),
            (f"{iso.year}-W{iso.week:02d}", "week"),
            (f"{day.year}", "year"),
        ]

    def story(self, n: int) -> tuple[ArticleReceived, ArticleEnriched]:
        moment = START + timedelta(minutes=n)
        article = self.base.model_copy(
            update={
                "uri": f"urn:bench:{n}",
                "headline": f"Story {n}: the plan goes ahead",
                "versioncreated": moment,
                "firstcreated": moment,
            }
        )
        aid = article_id("bench", article.uri)
        received = ArticleReceived.create(
            id=article_event_id("bench", article.uri, "1"),
            source="/bench",
            subject=aid,
            correlationid=f"bench-{n}",
            time=moment,
            data=ArticleReceivedData(
                article_id=aid, slug=article_slug(article.headline, aid), article=article
            ),
        )
        entities = [self._entity(*named) for named in self._entities()]
        timeline = [
            TimelineEntry(
                value=value,
                type="DATE",
                granularity=granularity,  # type: ignore[arg-type]
                text=value,
                field="body",
                start=0,
                end=9,
                sentence="The next meeting is set for the autumn.",
                entity_ids=[entities[i % len(entities)].id],
            )
            for i, (value, granularity) in enumerate(self._dates(moment))
        ]
        enriched = ArticleEnriched.create(
            id=derived_event_id("enriched", received.id),
            source="/bench",
            subject=aid,
            correlationid=f"bench-{n}",
            causationid=received.id,
            time=moment,
            data=ArticleEnrichedData(
                article_id=aid,
                version="1",
                versioncreated=moment,
                model="bench",
                entities=entities,
                timeline=timeline,
            ),
        )
        return received, enriched

    def events(self) -> Iterator[RenderEvent]:
        for n in range(self.stories):
            yield from self.story(n)
