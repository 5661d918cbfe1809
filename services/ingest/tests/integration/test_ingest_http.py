"""Ingest over real HTTP (uvicorn on a free port), real Redis (private server), SQLite inbox,
the real wire-format parser."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from ingest_test_support import (
    WIRE_OLD_SECRET,
    WIRE_SECRET,
    events_before_sentinel,
    make_settings,
    serve_over_http,
    signed,
    signed_superdesk,
    wait_for_stream,
)
from newsroom.ingest.bootstrap import create_app
from newsroom.shared.events import ArticleReceived, ArticleUpdated, ArticleWithdrawn, decode_event
from newsroom.shared.ids import article_id

pytestmark = pytest.mark.integration

PROBLEM = "application/problem+json"
MAX_BODY = 256 * 1024


@pytest.fixture
def ingest(sqlite_url: str, redis_url: str) -> Iterator[httpx.Client]:
    settings = make_settings(sqlite_url, redis_url, max_body_bytes=MAX_BODY)
    with (
        serve_over_http(create_app(settings, relay_poll_interval=0.1)) as base_url,
        httpx.Client(base_url=base_url, timeout=30) as client,
    ):
        yield client


def seed(corpus_dir: Path, name: str = "space-race-2.v1.ninjs.json") -> bytes:
    return (corpus_dir / "seed" / name).read_bytes()


def post(
    client: httpx.Client, body: bytes, headers: dict[str, str] | None = None, source: str = "wire"
) -> httpx.Response:
    return client.post(f"/v1/sources/{source}/items", content=body, headers=headers or signed(body))


def assert_problem(response: httpx.Response, status: int, problem: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(f"/problems/{problem}")
    assert body["status"] == status
    assert body["instance"] == response.request.url.path
    return body


def test_seed_story_is_accepted_and_its_event_is_in_the_stream(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = seed(corpus_dir)
    headers = signed(body, msg_id="msg_seed_v1")
    response = post(ingest, body, headers)
    assert response.status_code == 202, response.text
    answer = response.json()
    expected_id = article_id("wire", "urn:newsroom:example:space-race-2")
    assert answer["article_id"] == expected_id
    assert answer["version"] == "1"
    assert answer["status"] == "accepted"
    assert answer["links"] == {
        "page": "http://render.test/articles/"
        f"space-race-2-russia-gets-the-go-ahead-to-shoot-the-first-film-in-orbit-{expected_id[:8]}",
        "api": f"http://render.test/api/articles/{expected_id}",
    }
    [(message, headers_seen)] = wait_for_stream(redis_url, 1)
    event = decode_event(message)
    assert isinstance(event, ArticleReceived)
    assert event.id == answer["event_id"]
    assert headers_seen["message_id"] == event.id
    assert event.correlationid == "msg_seed_v1"
    assert headers_seen["correlation_id"] == "msg_seed_v1"
    assert event.source == "/sources/wire"
    assert event.subject == expected_id
    assert event.data.article.headline.startswith("Space Race 2")
    assert "Yulia Peresild" in event.data.article.body_text
    assert answer["links"]["page"].endswith(event.data.slug)
    assert ingest.get("/readyz").status_code == 200


def test_forged_signature_is_refused_and_nothing_published(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = seed(corpus_dir)
    forged = signed(body, secret="whsec_Zm9yZ2VkIGJ5IHNvbWVvbmUgZWxzZQ==")
    assert_problem(post(ingest, body, forged), 401, "invalid-signature")
    # A signature of another body does not carry over.
    tampered = body.replace(b"Space Race 2", b"Space Race 3")
    assert_problem(post(ingest, tampered, signed(body)), 401, "invalid-signature")
    assert events_before_sentinel(ingest, corpus_dir, redis_url) == []


def test_stale_timestamp_is_refused(ingest: httpx.Client, corpus_dir: Path) -> None:
    body = seed(corpus_dir)
    problem = assert_problem(
        post(ingest, body, signed(body, timestamp=int(time.time()) - 600)), 401, "stale-timestamp"
    )
    assert problem["pointer"] == "header:webhook-timestamp"
    assert_problem(
        post(ingest, body, signed(body, timestamp=int(time.time()) + 600)), 401, "stale-timestamp"
    )


@pytest.mark.parametrize(
    "raw_timestamp",
    # Latin-1 "²" (str.isdigit() is True, int() raises), and too many digits for int().
    [b"\xb2", b"9" * 5000],
    ids=["superscript-two", "huge"],
)
def test_garbled_timestamp_is_a_401_problem_not_a_500(
    ingest: httpx.Client, corpus_dir: Path, raw_timestamp: bytes
) -> None:
    body = seed(corpus_dir)
    headers: dict[str, Any] = {**signed(body), "webhook-timestamp": raw_timestamp}
    problem = assert_problem(post(ingest, body, headers), 401, "invalid-signature")
    assert problem["pointer"] == "header:webhook-timestamp"


def test_rotated_secrets_are_both_accepted(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    v1, v2 = seed(corpus_dir), seed(corpus_dir, "space-race-2.v2.ninjs.json")
    assert post(ingest, v1, signed(v1, secret=WIRE_OLD_SECRET)).status_code == 202
    assert post(ingest, v2, signed(v2, secret=WIRE_SECRET)).status_code == 202
    events = [decode_event(message) for message, _ in wait_for_stream(redis_url, 2)]
    assert [type(event) for event in events] == [ArticleReceived, ArticleUpdated]
    assert isinstance(events[1], ArticleUpdated)
    assert events[1].data.is_correction


def test_replayed_webhook_id_is_a_duplicate_not_published_again(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = seed(corpus_dir)
    first = post(ingest, body, signed(body, msg_id="msg_once"))
    assert first.status_code == 202
    replay = post(ingest, body, signed(body, msg_id="msg_once"))
    assert replay.status_code == 200
    assert replay.json()["status"] == "duplicate"
    assert replay.json()["event_id"] == first.json()["event_id"]
    assert len(events_before_sentinel(ingest, corpus_dir, redis_url)) == 1


def test_reused_webhook_id_with_another_body_is_a_conflict_recording_nothing(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    first_body = seed(corpus_dir)
    assert post(ingest, first_body, signed(first_body, msg_id="msg_reused")).status_code == 202
    other = seed(corpus_dir, "space-race-2.v2.ninjs.json")
    reused = post(ingest, other, signed(other, msg_id="msg_reused"))
    problem = assert_problem(reused, 409, "delivery-id-reused")
    assert problem["pointer"] == "header:webhook-id"
    # Nothing of the second body was recorded: only the first story's event went out.
    assert len(events_before_sentinel(ingest, corpus_dir, redis_url)) == 1
    # The sender's retry of the first delivery is still a duplicate.
    retry = post(ingest, first_body, signed(first_body, msg_id="msg_reused"))
    assert retry.status_code == 200
    assert retry.json()["status"] == "duplicate"


def test_same_version_in_a_new_delivery_is_a_duplicate(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = seed(corpus_dir)
    assert post(ingest, body).status_code == 202
    again = post(ingest, body)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert len(events_before_sentinel(ingest, corpus_dir, redis_url)) == 1


def seed_as(corpus_dir: Path, **changes: object) -> bytes:
    """The seed story v1 with some fields changed, version number kept."""
    item = json.loads(seed(corpus_dir))
    item.update(changes)
    return json.dumps(item).encode()


def test_same_version_kill_is_published_as_a_withdrawal(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    # Some wires kill a story without bumping its version number.
    story = post(ingest, seed(corpus_dir))
    kill_body = seed_as(corpus_dir, pubstatus="canceled", ednote="Withdrawn for legal reasons")
    kill = post(ingest, kill_body)
    assert kill.status_code == 202, kill.text
    assert kill.json()["status"] == "accepted"
    assert kill.json()["version"] == "1"
    assert kill.json()["event_id"] != story.json()["event_id"]
    # The kill re-sent, and a late copy of the story from before it: nothing more.
    for late in (kill_body, seed(corpus_dir)):
        again = post(ingest, late)
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "duplicate"
    events = [decode_event(message) for message, _ in wait_for_stream(redis_url, 2)]
    assert [type(event) for event in events] == [ArticleReceived, ArticleWithdrawn]
    withdrawn = events[1]
    assert isinstance(withdrawn, ArticleWithdrawn)
    assert withdrawn.id == kill.json()["event_id"]
    assert withdrawn.data.version == "1"
    assert withdrawn.data.ednote == "Withdrawn for legal reasons"
    assert len(events_before_sentinel(ingest, corpus_dir, redis_url)) == 2


def test_same_version_embargo_lift_is_published_as_an_update(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    held = post(ingest, seed_as(corpus_dir, embargoed=True))
    assert held.status_code == 202, held.text
    lifted = post(ingest, seed_as(corpus_dir, embargoed=False))
    assert lifted.status_code == 202, lifted.text
    assert lifted.json()["event_id"] != held.json()["event_id"]
    events = [decode_event(message) for message, _ in wait_for_stream(redis_url, 2)]
    assert [type(event) for event in events] == [ArticleReceived, ArticleUpdated]
    first, update = events
    assert isinstance(first, ArticleReceived)
    assert isinstance(update, ArticleUpdated)
    assert first.data.article.embargo is not None
    assert update.data.article.embargo is None
    assert update.data.article.version == "1"
    assert update.id == lifted.json()["event_id"]
    # Numbered by the inbox: the order of the copies does not rest on any clock.
    assert (first.data.sequence, update.data.sequence) == (1, 2)


def test_late_held_copy_of_a_released_version_does_not_hide_the_story_again(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    # The lifted copy arrives first; the embargoed copy of the same version comes late (a
    # webhook retry). An embargo is lifted, never put back: nothing is published.
    lifted = post(ingest, seed_as(corpus_dir, embargoed=False))
    assert lifted.status_code == 202, lifted.text
    late = post(ingest, seed_as(corpus_dir, embargoed=True))
    assert late.status_code == 200, late.text
    assert late.json()["status"] == "duplicate"
    assert late.json()["event_id"] == lifted.json()["event_id"]
    [only] = [decode_event(m) for m, _ in events_before_sentinel(ingest, corpus_dir, redis_url)]
    assert isinstance(only, ArticleReceived)
    assert only.data.article.embargo is None


def test_identical_resend_of_a_version_stays_a_duplicate_with_the_first_event_id(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = seed(corpus_dir)
    first = post(ingest, body)
    assert first.status_code == 202
    # Same article in other bytes (key order, whitespace): still the same content.
    reformatted = json.dumps(json.loads(body), indent=2, sort_keys=True).encode()
    for resend in (body, reformatted):
        again = post(ingest, resend)
        assert again.status_code == 200, again.text
        assert again.json()["status"] == "duplicate"
        assert again.json()["event_id"] == first.json()["event_id"]
    assert len(events_before_sentinel(ingest, corpus_dir, redis_url)) == 1


def test_oversize_body_is_413_before_parsing(ingest: httpx.Client) -> None:
    # Not JSON at all: a 400 would mean it was parsed.
    body = b"<" * (MAX_BODY + 1)
    assert_problem(post(ingest, body), 413, "body-too-large")

    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY // 1024 + 2):
            yield b"<" * 1024

    response = ingest.post("/v1/sources/wire/items", content=chunks(), headers=signed(b"x"))
    assert response.request.headers.get("transfer-encoding") == "chunked"
    assert_problem(response, 413, "body-too-large")


def test_malformed_json_is_400(ingest: httpx.Client) -> None:
    body = b'{"uri": "urn:x", "headline": '
    assert_problem(post(ingest, body), 400, "malformed-body")


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<nitf><head><title>&lol9;</title><docdata><doc-id id-string="laughs-1"/></docdata></head>
<body><body.head><hedline><hl1>&lol9;</hl1></hedline></body.head>
<body.content><p>&lol9;</p></body.content></body></nitf>
"""


def test_billion_laughs_is_400(ingest: httpx.Client, redis_url: str, corpus_dir: Path) -> None:
    response = post(ingest, BILLION_LAUGHS, signed(BILLION_LAUGHS, content_type="application/xml"))
    assert_problem(response, 400, "malformed-body")
    assert b"lollollol" not in response.content
    assert events_before_sentinel(ingest, corpus_dir, redis_url) == []


def test_external_entity_never_leaks_the_file(
    ingest: httpx.Client, redis_url: str, tmp_path: Path, corpus_dir: Path
) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOP-SECRET-CONTENT-4711")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file://{secret_file}">]>
<nitf><head><title>XXE</title><docdata><doc-id id-string="xxe-1"/></docdata></head>
<body><body.head><hedline><hl1>Leak &xxe;</hl1></hedline></body.head>
<body.content><p>Leak &xxe;</p></body.content></body></nitf>
""".encode()
    response = post(ingest, body, signed(body, content_type="application/nitf+xml"))
    assert_problem(response, 400, "malformed-body")
    assert b"TOP-SECRET-CONTENT-4711" not in response.content
    published = [m for m, _ in events_before_sentinel(ingest, corpus_dir, redis_url)]
    assert published == []
    assert "TOP-SECRET" not in json.dumps(published)


def test_script_injection_is_sanitised_before_the_event(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    item = json.loads(seed(corpus_dir))
    item["uri"] = "urn:newsroom:test:injection"
    item["body_html"] = (
        '<p onclick="steal()">Hello <script>alert("x")</script>'
        '<a href="javascript:alert(1)">link</a><img src="x.png" onerror="steal()"></p>'
    )
    body = json.dumps(item).encode()
    assert post(ingest, body).status_code == 202
    [(message, _)] = wait_for_stream(redis_url, 1)
    html = message["data"]["article"]["body_html"]
    assert "Hello" in html
    for forbidden in ("<script", "alert(", "onclick", "onerror", "javascript:"):
        assert forbidden not in html


def test_seed_versions_in_reverse_order_end_withdrawn(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    names = [
        "space-race-2.v3-kill.ninjs.json",
        "space-race-2.v2.ninjs.json",
        "space-race-2.v1.ninjs.json",
    ]
    for name in names:
        assert post(ingest, seed(corpus_dir, name)).status_code == 202
    events = [decode_event(message) for message, _ in wait_for_stream(redis_url, 3)]
    assert [type(event) for event in events] == [ArticleWithdrawn, ArticleUpdated, ArticleUpdated]
    assert len({event.data.slug for event in events}) == 1
    newest = max(events, key=_order_key)
    assert isinstance(newest, ArticleWithdrawn)


def _order_key(event: Any) -> tuple[Any, ...]:
    data = event.data
    article = getattr(data, "article", data)
    return (article.versioncreated, article.version)


REUTERS = "newsml-g2/tag_reuters.com_2016_newsml_L1N14N0FF_version_{}"


@pytest.mark.parametrize(
    "versions",
    [("978556838", "1542761538"), ("1542761538", "978556838")],
    ids=["correction-then-kill", "kill-then-correction"],
)
def test_reuters_correction_and_kill_end_withdrawn_in_either_order(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str, versions: tuple[str, str]
) -> None:
    for version in versions:
        body = (corpus_dir / REUTERS.format(version)).read_bytes()
        response = post(
            ingest, body, signed(body, content_type="application/vnd.iptc.g2.newsmessage+xml")
        )
        assert response.status_code == 202, response.text
    events = [decode_event(message) for message, _ in wait_for_stream(redis_url, 2)]
    assert len(events) == 2
    newest = max(events, key=_order_key)
    assert isinstance(newest, ArticleWithdrawn)
    assert newest.data.version == "1542761538"
    corrections = [event for event in events if isinstance(event, ArticleUpdated)]
    assert all(event.data.is_correction for event in corrections)


def test_superdesk_push_is_accepted_with_its_sha1_signature(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    body = (corpus_dir / "ninjs" / "ninjs1.json").read_bytes()
    response = post(ingest, body, dict(signed_superdesk(body)), source="superdesk")
    assert response.status_code == 202, response.text
    [(message, _)] = wait_for_stream(redis_url, 1)
    assert message["source"] == "/sources/superdesk"
    forged = {"x-superdesk-signature": "sha1=" + "0" * 40, "content-type": "application/json"}
    assert_problem(post(ingest, body, forged, source="superdesk"), 401, "invalid-signature")


def test_every_corpus_file_is_accepted_or_refused_with_a_specific_4xx(
    ingest: httpx.Client, corpus_dir: Path, redis_url: str
) -> None:
    files = sorted(
        path
        for path in corpus_dir.glob("*/*")
        if path.is_file()
        and not path.name.startswith(("LICENSE", "README"))
        and path.suffix != ".txt"
    )
    assert len(files) > 40
    accepted = 0
    for path in files:
        body = path.read_bytes()
        content_type = "application/json" if path.suffix == ".json" else "application/xml"
        response = post(ingest, body, signed(body, content_type=content_type))
        if response.status_code in (200, 202):
            answer = response.json()
            items = answer.get("items", [answer])
            accepted += sum(item["status"] == "accepted" for item in items)
        else:
            # Refusals a wire partner can act on: a problem naming what is wrong, never a 5xx.
            assert response.status_code in (400, 413, 415, 422), (path, response.text)
            assert response.headers["content-type"] == PROBLEM
            assert response.json()["detail"]
    assert accepted > 20
    assert len(events_before_sentinel(ingest, corpus_dir, redis_url)) == accepted
