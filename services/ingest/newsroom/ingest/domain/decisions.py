"""What an accepted wire item means for its article (pure, no I/O).

Given the versions of an article ingest has already recorded, a new item is one of:
- a duplicate: this (source, uri, version) is recorded already with the same content, or
  recorded as a kill → no event;
- a withdrawal: pubstatus canceled (a kill) → ArticleWithdrawn, whatever came before;
- the first version seen → ArticleReceived, which fixes the article's slug;
- any other version → ArticleUpdated, a correction when the wire says so.

Some wires re-send a version without bumping its number: NITF takes it from du-key/date.issue,
and a kill or an embargo lift may keep it. So a version already recorded is only a duplicate
when its content is the same (`content_hash`, over the parsed article). A re-sent version
that is now canceled is a withdrawal, one with other content an update; their event ids are
derived from the version plus "#canceled" / "#<content hash>", so they differ from the first
delivery's and stay the same when they are re-sent in turn. Once a version was recorded
canceled, later re-sends of it change nothing: a late copy of the story from before the kill
must not bring it back. Release is just as final: an embargo is lifted, never put back, so a
held copy of a version recorded released (a late webhook retry of the embargoed copy) is a
duplicate too, and the story stays visible.

A version older than one already recorded (by `version_order_key`) is still recorded and
published: consumers keep the highest version they applied, so it changes nothing there, but
the log stays complete. That is also why a correction arriving after its kill leaves the story
withdrawn: the kill is the newer version.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from newsroom.shared.article import Article, PubStatus, version_order_key
from newsroom.shared.events import (
    ArticleReceived,
    ArticleReceivedData,
    ArticleUpdated,
    ArticleUpdatedData,
    ArticleWithdrawn,
    ArticleWithdrawnData,
)
from newsroom.shared.ids import article_event_id, article_id, article_slug


class Outcome(StrEnum):
    RECEIVED = "received"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class RecordedVersion:
    version: str
    versioncreated: datetime
    pubstatus: PubStatus
    # None for rows recorded before ingest kept it: then only the pubstatus tells re-sends
    # apart.
    content_hash: str | None = None
    event_id: str | None = None
    # Whether that copy carried an embargo; None on rows recorded before ingest kept it.
    embargoed: bool | None = None

    @property
    def released(self) -> bool:
        return self.embargoed is False and self.pubstatus is not PubStatus.CANCELED


@dataclass(frozen=True)
class ArticleHistory:
    """What ingest has recorded of one article: its fixed slug and every version seen."""

    article_id: str
    slug: str
    versions: Sequence[RecordedVersion]


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    article_id: str
    slug: str
    event_id: str
    version: str
    content_hash: str
    is_correction: bool = False
    # A newer version of the article was recorded before this one arrived.
    superseded: bool = False
    # This copy's place among the copies recorded of the article (1 for the first); decided
    # under the article's lock, so two ingest processes never give out the same number.
    sequence: int = 1


# "Corrects to add the launch site.", "CORRECTION: …", "corrected version", "Correcting …".
_CORRECTION_NOTE = re.compile(r"\bcorrect(?:s|ed|ing|ion|ions|ive)?\b", re.IGNORECASE)


def is_correction(article: Article) -> bool:
    """The wire signals a correction (NewsML-G2 `sig:correction`, Superdesk signals) or its
    editorial note says so."""
    if any("correct" in signal.lower() for signal in article.signals):
        return True
    return bool(article.ednote and _CORRECTION_NOTE.search(article.ednote))


def content_hash(article: Article) -> str:
    """SHA-256 (hex) of what a reader or the pipeline would see change: status, embargo and the
    text, whitespace-folded. Only these, so an ingest upgrade that parses an identical re-send a
    little differently (a sanitiser change, a new field) does not turn it into "other content"."""
    meaningful = {
        "pubstatus": article.pubstatus.value,
        "embargo": article.embargo.model_dump(mode="json") if article.embargo else None,
        "urgency": article.urgency,
        "headline": _folded(article.headline),
        "standfirst": _folded(article.standfirst),
        "byline": _folded(article.byline),
        "body": _folded(article.body_text),
        "ednote": _folded(article.ednote),
        "signals": sorted(article.signals),
    }
    encoded = json.dumps(meaningful, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


def _folded(text: str | None) -> str | None:
    return " ".join(text.split()) if text is not None else None


def _same_content(recorded: RecordedVersion, article: Article, article_hash: str) -> bool:
    if recorded.content_hash is None:
        return recorded.pubstatus is article.pubstatus
    return recorded.content_hash == article_hash


def decide(source: str, article: Article, history: ArticleHistory | None) -> Decision:
    the_article_id = article_id(source, article.uri)
    slug = history.slug if history is not None else article_slug(article.headline, the_article_id)
    versions = history.versions if history is not None else ()
    the_hash = content_hash(article)
    resent = [recorded for recorded in versions if recorded.version == article.version]
    event_id = article_event_id(source, article.uri, article.version)
    if resent:
        # Identical to a recorded copy, killed already, or a held copy of a version already
        # released: nothing changes.
        standing = next(
            (recorded for recorded in resent if _same_content(recorded, article, the_hash)),
            None,
        ) or next(
            (recorded for recorded in resent if recorded.pubstatus is PubStatus.CANCELED), None
        )
        if standing is None and article.embargo is not None:
            standing = next((recorded for recorded in resent if recorded.released), None)
        if standing is not None:
            return Decision(
                Outcome.DUPLICATE,
                the_article_id,
                slug,
                standing.event_id or event_id,
                article.version,
                the_hash,
            )
        # Same version, new content: an id of its own, the same for each re-send of it.
        suffix = "canceled" if article.pubstatus is PubStatus.CANCELED else the_hash
        event_id = article_event_id(source, article.uri, f"{article.version}#{suffix}")
    key = version_order_key(article.versioncreated, article.version)
    superseded = any(
        version_order_key(recorded.versioncreated, recorded.version) > key for recorded in versions
    )
    if article.pubstatus is PubStatus.CANCELED:
        outcome = Outcome.WITHDRAWN
    elif history is None:
        outcome = Outcome.RECEIVED
    else:
        outcome = Outcome.UPDATED
    return Decision(
        outcome,
        the_article_id,
        slug,
        event_id,
        article.version,
        the_hash,
        is_correction=outcome is Outcome.UPDATED and is_correction(article),
        superseded=superseded,
        sequence=len(versions) + 1,
    )


ArticleEventModel = ArticleReceived | ArticleUpdated | ArticleWithdrawn


def build_event(
    decision: Decision, article: Article, *, source: str, correlation_id: str
) -> ArticleEventModel:
    """The event an accepted (non-duplicate) item publishes. Envelope `source` is the wire
    source as a URI reference; `subject` is the article id."""
    attributes = {
        "id": decision.event_id,
        "source": f"/sources/{source}",
        "subject": decision.article_id,
        "correlationid": correlation_id,
    }
    if decision.outcome is Outcome.RECEIVED:
        return ArticleReceived.create(
            **attributes,
            data=ArticleReceivedData(
                article_id=decision.article_id,
                slug=decision.slug,
                article=article,
                sequence=decision.sequence,
            ),
        )
    if decision.outcome is Outcome.UPDATED:
        return ArticleUpdated.create(
            **attributes,
            data=ArticleUpdatedData(
                article_id=decision.article_id,
                slug=decision.slug,
                article=article,
                is_correction=decision.is_correction,
                sequence=decision.sequence,
            ),
        )
    if decision.outcome is Outcome.WITHDRAWN:
        return ArticleWithdrawn.create(
            **attributes,
            data=ArticleWithdrawnData(
                article_id=decision.article_id,
                slug=decision.slug,
                source=source,
                uri=article.uri,
                version=article.version,
                versioncreated=article.versioncreated,
                ednote=article.ednote,
                sequence=decision.sequence,
            ),
        )
    raise ValueError("a duplicate publishes no event")
