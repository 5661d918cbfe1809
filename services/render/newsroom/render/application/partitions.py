"""Partitions of a parallel replay: each worker projects the articles of its partition only.

An article's events all go to one partition (by a stable hash of its id, the same in every
process and run, unlike Python's salted `hash`), so the workers never write the same rows:
an article's row, its index rows and its events' inbox rows belong to one worker."""

from __future__ import annotations

import zlib
from dataclasses import dataclass


def partition_of(article_id: str, partitions: int) -> int:
    return zlib.crc32(article_id.encode()) % partitions


@dataclass(frozen=True)
class Partition:
    index: int
    count: int

    def owns(self, article_id: str | None) -> bool:
        """Whether this partition projects the article's events. An entry whose article is
        unknown (it does not parse) is the first partition's, so it is still counted (and
        skipped) exactly once."""
        if article_id is None:
            return self.index == 0
        return partition_of(article_id, self.count) == self.index


WHOLE_LOG = Partition(0, 1)
