"""Blind double coding through the API: what an analyst coding an article blind sees
(the machine's suggestions with their own decisions, and their own work) on every read
path, and what their reviews and corrections change (their own decision, never the
suggestion others see). Every refusal leaves the data as it was."""

import csv
import io
import json

import pytest
from django.utils import timezone

from annotations.models import Assignment, Quote, QuoteDecision, Stance, StanceDecision
from tests.api.world import People, World, snapshot, span
from tests.factories import NoteFactory, QuoteFactory, StanceFactory, polarity

pytestmark = pytest.mark.django_db


def _blind(world: World, user) -> Assignment:
    return Assignment.objects.create(article=world.article, analyst=user, mode="blind")


@pytest.fixture
def coded(world: World, people: People):
    """Analysts A and B both code the article blind; A's quote, stance and note (the
    world's) and B's own quote, stance and note."""
    a, b = people.users["analyst_a"], people.users["analyst_b"]
    _blind(world, a), _blind(world, b)
    b_quote = QuoteFactory(
        article=world.article,
        text="opposed any new sanctions",
        speaker=world.keller,
        cue="said",
        kind="indirect",
        origin="analyst",
        status="confirmed",
        created_by=b,
    )
    b_stance = StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.keller,
        target_text="the talks",
        polarity=polarity("support"),
        created_by=b,
    )
    b_note = NoteFactory(article=world.article, text="Check Keller's title.", created_by=b)
    return {"quote": b_quote, "stance": b_stance, "note": b_note}


def _ids(client, path: str) -> set[int]:
    answer = client.get(path)
    assert answer.status_code == 200, answer.content
    return {row["id"] for row in answer.json()["results"]}


def test_blind_analyst_lists_only_the_machine_and_their_own(world, people, coded):
    b = people.client("analyst_b")
    assert _ids(b, "/api/v1/quotes/") == {world.machine_quote.pk, coded["quote"].pk}
    assert _ids(b, "/api/v1/stances/") == {coded["stance"].pk}
    assert _ids(b, "/api/v1/notes/") == {coded["note"].pk}
    a = people.client("analyst_a")
    assert _ids(a, "/api/v1/quotes/") == {world.machine_quote.pk, world.own_quote.pk}
    # Admins and api-clients see every layer.
    for role in ("admin", "api_client"):
        assert _ids(people.client(role), "/api/v1/quotes/") == {
            world.machine_quote.pk,
            world.own_quote.pk,
            coded["quote"].pk,
        }


def test_blind_analyst_gets_404_for_another_analysts_items(world, people, coded):
    b = people.client("analyst_b")
    for path in (
        f"/api/v1/quotes/{world.own_quote.pk}/",
        f"/api/v1/stances/{world.own_stance.pk}/",
        f"/api/v1/notes/{world.own_note.pk}/",
        f"/api/v1/annotations/quote-{world.own_quote.pk}/",
        f"/api/v1/annotations/stance-{world.own_stance.pk}/",
        f"/api/v1/annotations/note-{world.own_note.pk}/",
    ):
        assert b.get(path).status_code == 404, path
    assert b.get(f"/api/v1/annotations/quote-{coded['quote'].pk}/").status_code == 200
    assert b.get(f"/api/v1/annotations/quote-{world.machine_quote.pk}/").status_code == 200


def _feed_ids(client, fmt: str) -> set[str]:
    answer = client.get("/api/v1/annotations/", {"format": fmt})
    assert answer.status_code == 200
    if fmt == "json":
        return {item["newsdesk"]["type"] + "-" + str(item["newsdesk"]["id"])
                for item in answer.json()["results"]}  # fmt: skip
    if fmt == "jsonld":
        return {item["newsdesk"]["type"] + "-" + str(item["newsdesk"]["id"])
                for item in answer.json()["items"]}  # fmt: skip
    text = b"".join(answer.streaming_content).decode()
    if fmt == "jsonl":
        rows = [json.loads(line)["newsdesk"] for line in text.splitlines() if line]
        return {f"{row['type']}-{row['id']}" for row in rows}
    return {f"{row['kind']}-{row['id']}" for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("fmt", ["json", "jsonld", "jsonl", "csv"])
def test_blind_analyst_feed_leaves_out_others_work_in_every_format(world, people, coded, fmt):
    seen = _feed_ids(people.client("analyst_b"), fmt)
    assert f"quote-{world.machine_quote.pk}" in seen
    assert f"mention-{world.machine_mention.pk}" in seen
    assert {f"quote-{coded['quote'].pk}", f"stance-{coded['stance'].pk}"} <= seen
    others = {
        f"quote-{world.own_quote.pk}",
        f"stance-{world.own_stance.pk}",
        f"note-{world.own_note.pk}",
    }
    assert not others & seen
    assert others <= _feed_ids(people.client("admin"), fmt)


def test_done_analyst_sees_everyone(world, people, coded):
    Assignment.objects.filter(analyst=people.users["analyst_b"]).update(done_at=timezone.now())
    b = people.client("analyst_b")
    assert world.own_quote.pk in _ids(b, "/api/v1/quotes/")
    assert b.get(f"/api/v1/annotations/note-{world.own_note.pk}/").status_code == 200


def test_shared_assignment_hides_nothing(world, people):
    Assignment.objects.create(
        article=world.article, analyst=people.users["analyst_b"], mode="shared"
    )
    assert world.own_quote.pk in _ids(people.client("analyst_b"), "/api/v1/quotes/")


def test_blind_accept_is_the_analysts_own_decision(world, people, coded):
    b, a = people.client("analyst_b"), people.client("analyst_a")
    answer = b.post(f"/api/v1/quotes/{world.machine_quote.pk}/accept/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "confirmed"
    world.machine_quote.refresh_from_db()
    assert world.machine_quote.status == "suggested"  # nobody else sees B's decision
    decision = QuoteDecision.objects.get(quote=world.machine_quote)
    assert (decision.analyst, decision.verdict) == (people.users["analyst_b"], "confirmed")
    assert b.get(f"/api/v1/quotes/{world.machine_quote.pk}/").json()["status"] == "confirmed"
    assert a.get(f"/api/v1/quotes/{world.machine_quote.pk}/").json()["status"] == "suggested"
    assert _ids(b, "/api/v1/quotes/?status=confirmed") >= {world.machine_quote.pk}
    assert world.machine_quote.pk in _ids(a, "/api/v1/quotes/?status=suggested")
    # A rejects it for themself; B's decision stands.
    assert a.post(f"/api/v1/quotes/{world.machine_quote.pk}/reject/").status_code == 200
    assert b.get(f"/api/v1/quotes/{world.machine_quote.pk}/").json()["status"] == "confirmed"
    assert a.get(f"/api/v1/quotes/{world.machine_quote.pk}/").json()["status"] == "rejected"


def test_review_outside_blind_coding_sets_the_status_and_records_the_decision(world, people):
    b = people.client("analyst_b")
    assert b.post(f"/api/v1/quotes/{world.machine_quote.pk}/reject/").status_code == 200
    world.machine_quote.refresh_from_db()
    assert world.machine_quote.status == "rejected"
    assert QuoteDecision.objects.get(quote=world.machine_quote).verdict == "rejected"


def test_blind_correction_is_the_analysts_own_copy(world, people, coded):
    b = people.client("analyst_b")
    before = Quote.objects.values_list("speaker_id", "status", "updated_at").get(
        pk=world.machine_quote.pk
    )
    answer = b.patch(
        f"/api/v1/quotes/{world.machine_quote.pk}/",
        {"speaker": world.keller.pk, "kind": "mixed"},
        format="json",
    )
    assert answer.status_code == 200, answer.content
    copy = Quote.objects.get(pk=answer.json()["id"])
    assert copy.pk != world.machine_quote.pk
    assert (copy.origin, copy.created_by, copy.speaker, copy.kind) == (
        "analyst",
        people.users["analyst_b"],
        world.keller,
        "mixed",
    )
    assert (copy.start, copy.end, copy.exact) == (
        world.machine_quote.start,
        world.machine_quote.end,
        world.machine_quote.exact,
    )
    after = Quote.objects.values_list("speaker_id", "status", "updated_at").get(
        pk=world.machine_quote.pk
    )
    assert after == before
    decision = QuoteDecision.objects.get(quote=world.machine_quote)
    assert (decision.verdict, decision.correction) == ("corrected", copy)
    # B sees the suggestion as rejected (replaced) and their own copy; A sees neither.
    assert b.get(f"/api/v1/quotes/{world.machine_quote.pk}/").json()["status"] == "rejected"
    assert copy.pk not in _ids(people.client("analyst_a"), "/api/v1/quotes/")


def test_blind_stance_correction_is_the_analysts_own_copy(world, people, coded):
    machine = StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.keller,
        target_text="the talks",
        polarity=polarity("support"),
        origin="machine",
        status="suggested",
        created_by=None,
    )
    a = people.client("analyst_a")
    answer = a.patch(f"/api/v1/stances/{machine.pk}/", {"polarity": "mixed"}, format="json")
    assert answer.status_code == 200, answer.content
    copy = Stance.objects.get(pk=answer.json()["id"])
    assert (copy.origin, copy.created_by, copy.polarity.slug) == (
        "analyst",
        people.users["analyst_a"],
        "mixed",
    )
    machine.refresh_from_db()
    assert (machine.polarity.slug, machine.status) == ("support", "suggested")
    assert StanceDecision.objects.get(stance=machine).verdict == "corrected"


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/api/v1/quotes/{own_quote}/accept/", None),
        ("post", "/api/v1/quotes/{own_quote}/reject/", None),
        ("patch", "/api/v1/quotes/{own_quote}/", {"cue": "told"}),
        ("delete", "/api/v1/quotes/{own_quote}/", None),
        ("post", "/api/v1/stances/{own_stance}/reject/", None),
        ("patch", "/api/v1/stances/{own_stance}/", {"polarity": "mixed"}),
        ("delete", "/api/v1/stances/{own_stance}/", None),
        ("patch", "/api/v1/notes/{own_note}/", {"text": "Mine now."}),
        ("delete", "/api/v1/notes/{own_note}/", None),
    ],
)
def test_blind_analyst_cannot_touch_another_analysts_items(
    world, people, coded, method, path, payload
):
    before = snapshot()
    url = path.format(
        own_quote=world.own_quote.pk, own_stance=world.own_stance.pk, own_note=world.own_note.pk
    )
    answer = getattr(people.client("analyst_b"), method)(url, payload, format="json")
    assert answer.status_code == 404  # not even there, for B
    assert snapshot() == before


def test_blind_analyst_may_not_tie_a_note_or_stance_to_anothers_quote(world, people, coded):
    before = snapshot()
    b = people.client("analyst_b")
    answer = b.post(
        "/api/v1/notes/",
        {"article": world.article.pk, "text": "On A's quote.", "quote": world.own_quote.pk},
        format="json",
    )
    assert answer.status_code == 400, answer.content
    answer = b.post(
        "/api/v1/stances/",
        {
            "article": world.article.pk,
            **span(world.article, "welcomed the talks"),
            "holder": world.keller.pk,
            "target_text": "the talks",
            "polarity": "support",
            "quote": world.own_quote.pk,
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("post", "/api/v1/mentions/{mention}/accept/", None),
        ("post", "/api/v1/mentions/{mention}/reject/", None),
        ("patch", "/api/v1/mentions/{mention}/", {"entity": "keller"}),
    ],
)
def test_blind_analyst_leaves_the_shared_mentions_alone_until_done(
    world, people, coded, method, path, payload
):
    url = path.format(mention=world.machine_mention.pk)
    if payload:
        payload = {"entity": world.keller.pk}
    before = snapshot()
    answer = getattr(people.client("analyst_b"), method)(url, payload, format="json")
    assert answer.status_code == 403, answer.content
    assert "blind" in answer.json()["detail"]
    assert snapshot() == before
    Assignment.objects.filter(analyst=people.users["analyst_b"]).update(done_at=timezone.now())
    answer = getattr(people.client("analyst_b"), method)(url, payload, format="json")
    assert answer.status_code == 200, answer.content


@pytest.mark.parametrize("fmt", ["json", "jsonld", "jsonl", "csv"])
def test_blind_analysts_feed_shows_their_own_decisions(world, people, coded, fmt):
    b = people.client("analyst_b")
    assert b.post(f"/api/v1/quotes/{world.machine_quote.pk}/reject/").status_code == 200

    def status_in(client, **params) -> dict[str, str]:
        answer = client.get("/api/v1/annotations/", {"format": fmt, **params})
        if fmt in ("json", "jsonld"):
            key = "results" if fmt == "json" else "items"
            rows = [item["newsdesk"] for item in answer.json()[key]]
            rows = [{**row, "kind": row["type"]} for row in rows]
        else:
            text = b"".join(answer.streaming_content).decode()
            if fmt == "jsonl":
                rows = [json.loads(line)["newsdesk"] for line in text.splitlines() if line]
                rows = [{**row, "kind": row["type"]} for row in rows]
            else:
                rows = list(csv.DictReader(io.StringIO(text)))
        return {f"{row['kind']}-{row['id']}": row["status"] for row in rows}

    key = f"quote-{world.machine_quote.pk}"
    assert status_in(b)[key] == "rejected"
    assert key in status_in(b, status="rejected")
    assert key not in status_in(b, status="suggested")
    assert status_in(people.client("analyst_a"))[key] == "suggested"
    assert status_in(people.client("admin"))[key] == "suggested"
    one = b.get(f"/api/v1/annotations/{key}/").json()
    assert one["newsdesk"]["status"] == "rejected"
