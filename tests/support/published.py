"""A running newsroom with real content: the seed story and every corpus wire item, sent as a
partner would, projected and enriched, so pages, feeds and JSON show what readers will see."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from support.system import RunningSystem, poll

SEED = "seed/space-race-2.v1.ninjs.json"
CORPUS_FOLDERS = ("ninjs", "newsml-g2", "nitf", "rss-atom")
# Accepted (202) but, by what the files say, never shown: held or withdrawn by their source.
HELD = "newsml-g2/scoop.xml"  # an empty <embargoed/>
WITHDRAWN = (
    "nitf/nitf-fishing.xml",  # management-status="canceled"
    "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_1542761538",  # a Reuters kill
)
# Enriching every corpus story with spaCy takes a while on a shared 2-core machine.
ENRICHED_WITHIN = 240.0


@dataclass(frozen=True)
class Published:
    seed_page: str  # the seed story's page URL
    withdrawn_page: str  # a story its source killed: 410 Gone
    pages: tuple[str, ...]  # every visible story's page URL


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        path
        for folder in CORPUS_FOLDERS
        for path in (corpus_dir / folder).iterdir()
        if path.is_file() and not path.name.startswith("LICENSE")
    )


def publish_seed_and_corpus(system: RunningSystem, corpus_dir: Path) -> Published:
    """Sends the seed story and the corpus; returns once every accepted story is shown (or gone,
    for those held or withdrawn) and enriched at its latest version."""
    sent = system.send(corpus_dir / SEED, *corpus_files(corpus_dir))
    pages_of: dict[str, list[str]] = {}  # a feed carries several stories
    for line in sent.stdout.splitlines():
        status, path, *summary = line.split(maxsplit=2)
        if status in ("200", "202"):
            pages_of[str(Path(path).relative_to(corpus_dir))] = [
                word.rstrip(",") for word in summary[0].split() if word.startswith("http")
            ]
    assert SEED in pages_of, sent.stdout + sent.stderr
    hidden = {url for name in (HELD, *WITHDRAWN) for url in pages_of[name]}
    visible = sorted({url for urls in pages_of.values() for url in urls} - hidden)
    slugs = {url.rsplit("/", 1)[-1] for url in visible}
    # Waits on the stories still differing: expected but not yet listed and enriched, or listed
    # though held or withdrawn.
    poll(
        lambda: slugs ^ _listed_and_enriched(system.render_url),
        lambda diff: not diff,
        ENRICHED_WITHIN,
    )
    [gone] = pages_of[WITHDRAWN[1]]
    poll(lambda: httpx.get(gone, timeout=5).status_code, lambda status: status == 410)
    return Published(seed_page=pages_of[SEED][0], withdrawn_page=gone, pages=tuple(visible))


def _listed_and_enriched(render_url: str) -> set[str]:
    """The slugs render lists whose latest version has been enriched."""
    with httpx.Client(base_url=render_url, timeout=10) as client:
        listing = client.get("/api/articles", params={"per_page": 100}).json()
        return {
            item["slug"]
            for item in listing["items"]
            if (client.get(item["links"]["api"]).json().get("enrichment") or {}).get("version")
            == item["version"]
        }
