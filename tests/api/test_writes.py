"""Writes through the API: payloads, offsets checked against the body, ETag / If-Match,
review of suggestions, and history. Every refusal leaves the data as it was."""

import pytest

from annotations.models import Note, Quote, Stance
from articles.models import Mention
from newsdesk.guards import etag_of
from tests.api.world import People, World, snapshot, span

pytestmark = pytest.mark.django_db


def test_an_analyst_tags_a_quote_with_its_speaker_and_the_server_keeps_the_selector(
    world: World, people: People
):
    text = "her government welcomed the talks but opposed any new sanctions"
    payload = {
        "article": world.article.pk,
        **span(world.article, text),
        "speaker": world.keller.pk,
        "cue": "said",
        "kind": "indirect",
    }
    response = people.client("analyst_a").post("/api/v1/quotes/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    quote = Quote.objects.get(pk=body["id"])
    assert world.article.body[quote.start : quote.end] == text
    assert quote.prefix == world.article.body[max(0, quote.start - 32) : quote.start]
    assert quote.suffix == world.article.body[quote.end : quote.end + 32]
    assert (quote.origin, quote.status, quote.created_by) == (
        "analyst",
        "confirmed",
        people.users["analyst_a"],
    )
    assert body["speaker"] == {"id": world.keller.pk, "name": "Anna Keller"}
    assert body["created_by"] == "analyst-a"
    assert response["ETag"]
    assert quote.history.get().history_user == people.users["analyst_a"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": 5, "end": 5}, "end"),  # start >= end
        ({"start": 10, "end": 4}, "end"),
        ({"end": 100_000}, "end"),  # past the end of the body
        ({"start": -1}, "start"),
        ({"exact": "something else entirely"}, "exact"),  # not the text at start-end
        ({"exact": ""}, "exact"),
        ({"article": 999_999}, "article"),
        ({"speaker": 999_999}, "speaker"),
        ({"kind": "rumour"}, "kind"),
        ({"speaker_start": 3}, "speaker_start"),  # one end of the speaker's span
        ({"speaker_start": 3, "speaker_end": 100_000}, "speaker_end"),
    ],
)
def test_a_bad_quote_payload_is_a_400_naming_the_field_and_stores_nothing(
    change, field, world: World, people: People
):
    payload = {"article": world.article.pk, **span(world.article, "welcomed the talks"), **change}
    if "exact" not in change and {"start", "end"} & set(change):
        payload["exact"] = "welcomed the talks"
    before = snapshot()
    response = people.client("analyst_a").post("/api/v1/quotes/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert snapshot() == before


def test_exact_whitespace_is_kept_and_checked(world: World, people: People):
    selection = span(world.article, " welcomed the talks ")
    response = people.client("analyst_a").post(
        "/api/v1/quotes/", {"article": world.article.pk, **selection}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["exact"] == " welcomed the talks "
    stripped = {**selection, "exact": "welcomed the talks"}
    response = people.client("analyst_a").post(
        "/api/v1/quotes/", {"article": world.article.pk, **stripped}, format="json"
    )
    assert response.status_code == 400
    assert "exact" in response.json()


def test_a_stance_needs_a_vocabulary_polarity_and_a_target(world: World, people: People):
    base = {
        "article": world.article.pk,
        **span(world.article, "welcomed the talks"),
        "holder": world.keller.pk,
    }
    client = people.client("analyst_a")
    before = snapshot()
    response = client.post(
        "/api/v1/stances/", {**base, "polarity": "adore", "target_text": "talks"}, format="json"
    )
    assert response.status_code == 400
    assert "support" in response.json()["polarity"][0]  # says what the vocabulary offers
    response = client.post("/api/v1/stances/", {**base, "polarity": "support"}, format="json")
    assert response.status_code == 400
    assert "target" in response.json()
    assert snapshot() == before

    response = client.post(
        "/api/v1/stances/",
        {**base, "polarity": "support", "target": world.ushakov.pk, "note": "Warm words."},
        format="json",
    )
    assert response.status_code == 201, response.content
    stance = response.json()
    assert stance["holder"] == {"id": world.keller.pk, "name": "Anna Keller"}
    assert stance["target"] == {"id": world.ushakov.pk, "name": "Yury Ushakov"}
    assert (stance["polarity"], stance["note"]) == ("support", "Warm words.")
    created = Stance.history.get(id=stance["id"])
    assert (created.history_type, created.history_user) == ("+", people.users["analyst_a"])
    assert created.polarity_id == Stance.objects.get(pk=stance["id"]).polarity_id


def test_one_stance_per_analyst_per_quote(world: World, people: People):
    payload = {
        "article": world.article.pk,
        **span(world.article, "welcomed the talks"),
        "holder": world.keller.pk,
        "target_text": "the talks",
        "polarity": "support",
        "quote": world.own_quote.pk,
    }
    assert (
        people.client("analyst_a").post("/api/v1/stances/", payload, format="json").status_code
        == 201
    )
    before = snapshot()
    again = people.client("analyst_a").post("/api/v1/stances/", payload, format="json")
    assert again.status_code == 400
    assert again.json()["quote"] == ["You already recorded a stance on this quote."]
    assert snapshot() == before
    # Another analyst has a stance of their own on the same quote.
    assert (
        people.client("analyst_b").post("/api/v1/stances/", payload, format="json").status_code
        == 201
    )


def test_patch_changes_only_what_it_names(world: World, people: People):
    stance = world.own_stance
    response = people.client("analyst_a").patch(
        f"/api/v1/stances/{stance.pk}/", {"polarity": "mixed"}, format="json"
    )
    assert response.status_code == 200
    stance.refresh_from_db()
    assert stance.polarity.slug == "mixed"
    assert (stance.holder_id, stance.target_text, stance.exact) == (
        world.keller.pk,
        "new sanctions",
        "opposed any new sanctions",
    )


def test_moving_a_span_needs_start_end_and_exact_together(world: World, people: People):
    before = snapshot()
    response = people.client("analyst_a").patch(
        f"/api/v1/quotes/{world.own_quote.pk}/", {"start": 3, "end": 9}, format="json"
    )
    assert response.status_code == 400
    assert "exact" in response.json()
    assert snapshot() == before
    moved = span(world.article, "her government welcomed the talks but opposed")
    response = people.client("analyst_a").patch(
        f"/api/v1/quotes/{world.own_quote.pk}/", moved, format="json"
    )
    assert response.status_code == 200
    assert response.json()["exact"] == moved["exact"]


def test_a_stale_write_gets_412_and_changes_nothing(world: World, people: People):
    client = people.client("analyst_a")
    url = f"/api/v1/quotes/{world.own_quote.pk}/"
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    changed = client.patch(url, {"cue": "told"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag

    before = snapshot()
    stale = client.patch(url, {"cue": "warned"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "changed since you read it" in stale.json()["detail"]
    assert client.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert (
        client.post(
            f"/api/v1/quotes/{world.machine_quote.pk}/accept/", HTTP_IF_MATCH=etag
        ).status_code
        == 412
    )
    assert snapshot() == before
    assert Quote.objects.get(pk=world.own_quote.pk).cue == "told"

    fresh = client.delete(url, HTTP_IF_MATCH=changed["ETag"])
    assert fresh.status_code == 204


def test_accept_and_reject_review_a_suggestion_and_record_who(world: World, people: People):
    analyst = people.users["analyst_b"]
    client = people.client("analyst_b")
    accepted = client.post(f"/api/v1/quotes/{world.machine_quote.pk}/accept/")
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["reviewed_by"]) == ("confirmed", "analyst-b")
    rejected = client.post(f"/api/v1/mentions/{world.machine_mention.pk}/reject/")
    assert rejected.status_code == 200
    mention = Mention.objects.get(pk=world.machine_mention.pk)
    assert (mention.status, mention.reviewed_by) == ("rejected", analyst)
    assert mention.history.first().history_user == analyst
    quote = Quote.objects.get(pk=world.machine_quote.pk)
    latest = quote.history.first()
    assert (latest.history_user, latest.status) == (analyst, "confirmed")


def test_correcting_a_suggestion_confirms_it_in_the_correctors_name(world: World, people: People):
    response = people.client("analyst_b").patch(
        f"/api/v1/quotes/{world.machine_quote.pk}/", {"speaker": world.keller.pk}, format="json"
    )
    assert response.status_code == 200
    quote = Quote.objects.get(pk=world.machine_quote.pk)
    assert (quote.speaker, quote.status, quote.origin) == (world.keller, "confirmed", "machine")
    assert quote.reviewed_by == people.users["analyst_b"]
    change = quote.history.first().diff_against(quote.history.all()[1]).changes
    assert {c.field for c in change} >= {"speaker", "status"}


def test_a_note_on_a_span_and_on_a_quote(world: World, people: People):
    client = people.client("analyst_a")
    response = client.post(
        "/api/v1/notes/",
        {
            "article": world.article.pk,
            "text": "Ushakov repeats the TASS line.",
            **span(world.article, "Ushakov said"),
            "quote": world.machine_quote.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    note = Note.objects.get(pk=response.json()["id"])
    assert (note.exact, note.quote_id) == ("Ushakov said", world.machine_quote.pk)
    before = snapshot()
    other = client.post(
        "/api/v1/notes/",
        {"article": world.article.pk, "text": "x", "quote": 999_999},
        format="json",
    )
    assert other.status_code == 400
    assert "quote" in other.json()
    blank = client.post(
        "/api/v1/notes/", {"article": world.article.pk, "text": "  "}, format="json"
    )
    assert blank.status_code == 400
    assert snapshot() == before


def test_deleting_records_the_deletion_in_history_and_the_deleted_feed(
    world: World, people: People
):
    client = people.client("analyst_a")
    stance_id = world.own_stance.pk
    assert client.delete(f"/api/v1/stances/{stance_id}/").status_code == 204
    assert not Stance.objects.filter(pk=stance_id).exists()
    record = Stance.history.filter(id=stance_id).first()
    assert (record.history_type, record.history_user) == ("-", people.users["analyst_a"])
    feed = client.get("/api/v1/deleted/?kind=stance").json()["results"]
    assert [(d["kind"], d["object_id"], d["article_id"]) for d in feed] == [
        ("stance", stance_id, world.article.pk)
    ]


def test_a_write_answers_the_times_and_etag_the_database_stored(world: World, people: People):
    client = people.client("analyst_a")
    created = client.post(
        "/api/v1/notes/",
        {"article": world.article.pk, "text": "One clock.", **span(world.article, "Moscow")},
        format="json",
    )
    assert created.status_code == 201
    note = Note.objects.get(pk=created.json()["id"])
    assert created["ETag"] == etag_of(note)
    assert (
        created.json()["created_at"] == client.get(f"/api/v1/notes/{note.pk}/").json()["created_at"]
    )
    url = f"/api/v1/notes/{note.pk}/"
    assert client.get(url, HTTP_IF_NONE_MATCH=created["ETag"]).status_code == 304
    changed = client.patch(url, {"text": "Two."}, format="json", HTTP_IF_MATCH=created["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] == etag_of(Note.objects.get(pk=note.pk)) != created["ETag"]
    for endpoint, payload in (
        ("quotes", {"article": world.article.pk, **span(world.article, "Ushakov said")}),
        (
            "stances",
            {
                "article": world.article.pk,
                **span(world.article, "welcomed the talks"),
                "holder": world.keller.pk,
                "target_text": "talks",
                "polarity": "support",
            },
        ),
    ):
        response = client.post(f"/api/v1/{endpoint}/", payload, format="json")
        assert response.status_code == 201, response.content
        again = client.get(f"/api/v1/{endpoint}/{response.json()['id']}/")
        assert response["ETag"] == again["ETag"]
        assert response.json()["updated_at"] == again.json()["updated_at"]
