"""Placeholder until implemented."""

from __future__ import annotations

from lxml import etree

from newsroom.ingest.domain.errors import UnsupportedFormat
from newsroom.shared.article import Article


def parse_newsml_g2(root: etree._Element, body: bytes, *, source: str, default_timezone: str) -> list[Article]:
    raise UnsupportedFormat("newsml_g2 is not supported yet")
