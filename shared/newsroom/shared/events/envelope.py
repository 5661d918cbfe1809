"""The CloudEvents 1.0 envelope every Newsroom event travels in, whole, in the stream entry body."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

DataT = TypeVar("DataT", bound=BaseModel)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Envelope(BaseModel, Generic[DataT]):
    """CloudEvents attributes plus correlation (the wire delivery) and causation (the event
    this one came from). Subclasses pin `type` to one versioned name, e.g.
    `newsroom.article.received.v1`."""

    model_config = ConfigDict(frozen=True)

    TYPE: ClassVar[str]

    specversion: Literal["1.0"] = "1.0"
    id: str
    source: str
    type: str
    subject: str = Field(description="The article id the event is about.")
    time: AwareDatetime = Field(default_factory=utcnow)
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str
    causationid: str | None = None
    data: DataT

    @classmethod
    def create(cls, **attributes: Any) -> Self:
        return cls(type=cls.TYPE, **attributes)

    def to_message(self) -> dict[str, Any]:
        """The JSON-ready body of a stream entry."""
        return self.model_dump(mode="json")
