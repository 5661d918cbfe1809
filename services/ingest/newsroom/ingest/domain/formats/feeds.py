"""Placeholder until implemented."""

from __future__ import annotations

from lxml import etree

from newsroom.ingest.domain.errors import UnsupportedFormat
from newsroom.shared.article import Article


def parse_feeds(root: etree._Element, body: bytes, *, source: str, default_timezone: str) -> list[Article]:
    raise UnsupportedFormat("feeds is not supported yet")
