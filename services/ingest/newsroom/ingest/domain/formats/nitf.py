"""Placeholder until implemented."""

from __future__ import annotations

from lxml import etree

from newsroom.ingest.domain.errors import UnsupportedFormat
from newsroom.shared.article import Article


def parse_nitf(root: etree._Element, body: bytes, *, source: str, default_timezone: str) -> list[Article]:
    raise UnsupportedFormat("nitf is not supported yet")
