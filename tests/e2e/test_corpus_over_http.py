"""Every real wire item, sent as a partner would: accepted, or refused with a specific 4xx."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from newsroom.shared.streams import articles_stream, enriched_stream
from support.streams import consumers_caught_up
from support.system import RunningSystem, poll

pytestmark = pytest.mark.e2e

FOLDERS = ("seed", "ninjs", "newsml-g2", "nitf", "rss-atom")
# Read from the files themselves: what a careful wire partner would agree is not a story.
REFUSED = {
    "seed/space-race-2.scraped.txt": 415,  # plain text scraped from the web, not a wire format
    "ninjs/iptc-1.6-002_renditions_example.json": 422,  # fragment: no versioncreated, no text
    "ninjs/iptc-2.2-002_renditions_example.json": 422,
    "ninjs/iptc-3.1-002_renditions_example.json": 422,
    "ninjs/iptc-1.6-006_photo_only.json": 422,  # picture items: no text to publish
    "ninjs/iptc-2.2-006_photo_only.json": 422,
    "ninjs/iptc-3.1-006_photo_only.json": 422,
    "ninjs/ninjs3.json": 422,  # a picture with a caption
    "ninjs/iptc-3.1-008_event.json": 422,  # a planned event, not a story
    "ninjs/ap_media_text_item.json": 422,  # the story is only a rendition link to download
    "newsml-g2/LISTING_1_A_NewsML-G2_News_Item.xml": 422,  # body is only a comment
    "newsml-g2/LISTING_24_News_Message_conveying_a_complete_News_Package.xml": 422,  # placeholders
    "newsml-g2/LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml": 422,  # fragment
}
REUTERS = "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_{}"
CORRECTION, KILL = REUTERS.format("978556838"), REUTERS.format("1542761538")


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        for path in (corpus_dir / folder).iterdir()
        if path.is_file() and not path.name.startswith("LICENSE")
    )


def outcomes(system: RunningSystem, files: list[Path]) -> dict[Path, tuple[int, str]]:
    sent = system.send(*files)
    results: dict[Path, tuple[int, str]] = {}
    for line in sent.stdout.splitlines():
        status, path, *rest = line.split(maxsplit=2)
        results[Path(path)] = (int(status), rest[0] if rest else "")
    assert set(results) == set(files), sent.stdout + sent.stderr
    return results


def test_every_corpus_file_is_accepted_or_refused_with_a_specific_reason(
    system: RunningSystem, corpus_dir: Path
) -> None:
    files = corpus_files(corpus_dir)
    results = outcomes(system, files)
    for path, (status, summary) in results.items():
        name = str(path.relative_to(corpus_dir))
        if name in REFUSED:
            assert status == REFUSED[name], (name, status, summary)
            assert summary, f"{name}: refused without a reason"
        else:
            # 200 when an earlier file carried the very same (uri, version): a duplicate.
            assert status in (200, 202), (name, status, summary)


@pytest.mark.parametrize("order", ["correction-then-kill", "kill-then-correction"])
def test_reuters_kill_wins_in_either_order(
    system: RunningSystem, corpus_dir: Path, order: str
) -> None:
    files = [corpus_dir / CORRECTION, corpus_dir / KILL]
    if order == "kill-then-correction":
        files.reverse()
    results = outcomes(system, files)
    assert all(status == 202 for status, _ in results.values()), results
    page_url = next(
        word
        for _, summary in results.values()
        for word in summary.split()
        if word.startswith(system.render_url)
    )
    deadline = time.monotonic() + 60
    while httpx.get(page_url, timeout=5).status_code != 410:
        assert time.monotonic() < deadline, f"{page_url} never answered 410 Gone"
        time.sleep(0.3)
    # And it stays gone once every event (both versions, their enrichments) is applied.
    streams = [articles_stream(), enriched_stream()]
    poll(lambda: consumers_caught_up(system.redis_url, streams), until=bool)
    assert httpx.get(page_url, timeout=5).status_code == 410
