"""Sync tokens (newsdesk.sync): a pull hands out a token in every format; passing it back
returns every change and every deletion committed since, including those of a
transaction that began before the pull and committed after it, which a time cursor
(`updated_since`) misses for good. The concurrent writers below are real: a second
connection holds its transaction open while the API commits other writes and pulls."""

import base64
import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from urllib import parse

import psycopg
import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.db.models import F
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

from annotations import services
from annotations.models import Deletion, Note, Quote
from annotations.selectors import Position
from annotations.tasks import tombstones_prune
from newsdesk import sync
from tests.api.world import SYNCED_LISTS, People, World, snapshot
from tests.factories import NoteFactory, QuoteFactory, TagFactory

HEADER = "Newsdesk-Sync-Token"
LISTS = SYNCED_LISTS


@contextmanager
def held_open() -> Iterator[psycopg.Connection]:
    """A connection of its own to the test database, whose transaction (begun by its first
    statement) stays open until the test commits it."""
    db = connection.settings_dict
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
    ) as other:
        yield other


def keys(endpoint: str, fmt: str, response) -> list:
    """The rows an answer lists, as (type, id) for annotations and deletions, else ids."""
    if fmt in ("csv", "jsonl"):
        text = b"".join(response.streaming_content).decode()
        rows = list(csv.DictReader(io.StringIO(text))) if fmt == "csv" else []
        if fmt == "jsonl":
            rows = [json.loads(line) for line in text.splitlines()]
    else:
        page = response.json()
        rows = page["items"] if fmt == "jsonld" else page["results"]
    if endpoint == "annotations":
        if fmt == "csv":
            return [(row["kind"], int(row["id"])) for row in rows]
        return [(row["newsdesk"]["type"], row["newsdesk"]["id"]) for row in rows]
    if endpoint == "deleted":
        return [(row["kind"], int(row["object_id"])) for row in rows]
    return [int(row["id"]) for row in rows]


def pull(client, endpoint: str, fmt: str = "json", **params) -> tuple[list, str]:
    """One request of a pull: what it lists, and the token it hands out."""
    response = client.get(f"/api/v1/{endpoint}/", {**params, "format": fmt})
    assert response.status_code == 200, response.content
    token = response[HEADER]
    sync.Token.unsign(token)  # signed by this server
    return keys(endpoint, fmt, response), token


def quote_key(endpoint: str, quote: Quote):
    return ("quote", quote.pk) if endpoint == "annotations" else quote.pk


FORMATS = [
    ("quotes", "json"),
    ("quotes", "csv"),
    ("quotes", "jsonl"),
    ("annotations", "json"),
    ("annotations", "jsonld"),
    ("annotations", "csv"),
    ("annotations", "jsonl"),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("endpoint", "fmt"), FORMATS)
def test_a_change_committed_after_a_pull_began_comes_in_the_next_pull(
    endpoint, fmt, world: World, people: People
):
    client = people.client("api_client")
    # In an article of its own: the late transaction locks nothing the other write needs
    # (each article's review row is locked by the writes to its annotations).
    late_quote = QuoteFactory()
    _, token = pull(client, endpoint, fmt)  # everything, and the token
    with held_open() as late:
        late.execute("UPDATE annotations_quote SET cue = 'late' WHERE id = %s", [late_quote.pk])
        # Meanwhile another write commits, and the client pulls.
        edited = people.client("analyst_a").patch(
            f"/api/v1/quotes/{world.own_quote.pk}/", {"cue": "told"}, format="json"
        )
        assert edited.status_code == 200
        changed, token = pull(client, endpoint, fmt, sync_token=token)
        assert changed == [quote_key(endpoint, world.own_quote)]
        late.commit()
    stamped = dict(Quote.objects.values_list("pk", "updated_at"))
    # Stamped before the other write, committed after the pull: behind a time cursor.
    assert stamped[late_quote.pk] < stamped[world.own_quote.pk]
    since = stamped[world.own_quote.pk].isoformat()
    assert pull(client, endpoint, fmt, updated_since=since)[0] == [
        quote_key(endpoint, world.own_quote)
    ]
    changed, token = pull(client, endpoint, fmt, sync_token=token)
    assert changed == [quote_key(endpoint, late_quote)]
    assert pull(client, endpoint, fmt, sync_token=token)[0] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl"])
def test_a_deletion_committed_after_a_pull_began_comes_in_the_next_pull(
    fmt, world: World, people: People
):
    client = people.client("api_client")
    lonely = NoteFactory(created_by=people.users["analyst_a"])  # in an article of its own
    _, token = pull(client, "deleted", fmt)
    with held_open() as late:
        late.execute("DELETE FROM annotations_note WHERE id = %s", [lonely.pk])
        deleted = people.client("analyst_a").delete(f"/api/v1/notes/{world.own_note.pk}/")
        assert deleted.status_code == 204
        gone, token = pull(client, "deleted", fmt, sync_token=token)
        assert gone == [("note", world.own_note.pk)]
        late.commit()
    times = dict(Deletion.objects.values_list("object_id", "deleted_at"))
    assert times[lonely.pk] < times[world.own_note.pk]  # a time cursor would miss it
    gone, token = pull(client, "deleted", fmt, sync_token=token)
    assert gone == [("note", lonely.pk)]
    assert pull(client, "deleted", fmt, sync_token=token)[0] == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("endpoint", ["quotes", "annotations"])
def test_every_page_of_a_pull_hands_out_its_first_page_s_token(endpoint, world, people):
    """A transaction stamps a row before the pull's first page and commits after it:
    the row's new version lands behind the pages' cursor, so this pull never lists it.
    Had page n handed out its own snapshot, which saw that commit, it would be lost; the
    first page's token did not see it, and the next pull returns it."""
    client = people.client("api_client")
    late_quote = QuoteFactory(cue="early")  # in an article of its own
    for _ in range(4):
        QuoteFactory(article=world.article)
    with held_open() as late:
        late.execute("UPDATE annotations_quote SET cue = 'late' WHERE id = %s", [late_quote.pk])
        # Every other quote is changed after that, and committed.
        Quote.objects.exclude(pk=late_quote.pk).update(cue="told")
        only_quotes = {"type": "quote"} if endpoint == "annotations" else {}
        response = client.get(f"/api/v1/{endpoint}/", {"page_size": 3, **only_quotes})
        late.commit()
    pages = [response.json()]
    tokens = {response[HEADER], pages[0]["sync_token"]}
    while pages[-1]["next"]:
        response = client.get(pages[-1]["next"])
        pages.append(response.json())
        tokens |= {response[HEADER], pages[-1]["sync_token"]}
    assert len(pages) == 3
    assert len(tokens) == 1, "one token for every page of the pull"
    listed = [row for page in pages for row in page["results"]]
    cues = [row["newsdesk"]["cue"] if endpoint == "annotations" else row["cue"] for row in listed]
    assert "late" not in cues
    assert "early" in cues
    assert len(listed) == Quote.objects.count()
    changed, _ = pull(client, endpoint, sync_token=tokens.pop())
    assert changed == [quote_key(endpoint, late_quote)]
    assert Quote.objects.get(pk=late_quote.pk).cue == "late"


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", LISTS)
def test_every_list_hands_out_a_token_in_its_body_and_header_in_every_format(
    endpoint, world: World, people: People
):
    client = people.client("api_client")
    page = client.get(f"/api/v1/{endpoint}/")
    keys = ["next", "sync_token", "results"]
    if endpoint != "annotations":
        keys.insert(1, "previous")
    assert list(page.json()) == keys
    assert page.json()["sync_token"] == page[HEADER]
    formats = ["csv", "jsonl"] + (["jsonld"] if endpoint == "annotations" else [])
    for fmt in formats:
        response = client.get(f"/api/v1/{endpoint}/", {"format": fmt})
        assert response.status_code == 200
        sync.Token.unsign(response[HEADER])
        if fmt == "jsonld":
            assert response.json()["sync_token"] == response[HEADER]
    # The token of a pull with a token is accepted again.
    again = client.get(f"/api/v1/{endpoint}/", {"sync_token": page[HEADER]})
    assert again.status_code == 200
    assert again.json()["sync_token"] == again[HEADER]


def signed(**changes) -> str:
    """A token this server signs, taken now, with `changes` (an issue time, say)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text, statement_timestamp()")
        snapshot, now = cursor.fetchone()
    return sync.Token(**{"snapshot": snapshot, "issued_at": now, **changes}).sign()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "csv", "jsonl"])
@pytest.mark.parametrize("endpoint", ["quotes", "annotations", "deleted"])
def test_a_token_older_than_the_retention_is_gone(endpoint, fmt, world, people):
    client = people.client("api_client")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        (now,) = cursor.fetchone()
    days = settings.SYNC_RETENTION_DAYS
    fresh = signed(issued_at=now - timedelta(days=days) + timedelta(minutes=5))
    assert (
        client.get(f"/api/v1/{endpoint}/", {"sync_token": fresh, "format": fmt}).status_code == 200
    )
    before = snapshot()
    stale = signed(issued_at=now - timedelta(days=days, minutes=5))
    response = client.get(f"/api/v1/{endpoint}/", {"sync_token": stale, "format": fmt})
    assert response.status_code == 410
    assert response["Content-Type"].startswith("application/json")
    assert "Resync from scratch" in response.json()["detail"]
    assert HEADER not in response
    with override_settings(SYNC_RETENTION_DAYS=days + 1):
        assert client.get(f"/api/v1/{endpoint}/", {"sync_token": stale}).status_code == 200
    with override_settings(SYNC_RETENTION_DAYS=1):
        old = signed(issued_at=now - timedelta(days=2))
        assert client.get(f"/api/v1/{endpoint}/", {"sync_token": old}).status_code == 410
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", LISTS)
def test_a_garbled_or_forged_token_is_a_400_that_changes_nothing(endpoint, world, people):
    client = people.client("api_client")
    good = client.get(f"/api/v1/{endpoint}/")[HEADER]
    payload, _, signature = good.rpartition(":")
    forged_payload = signing.Signer(salt=sync.SALT).sign_object(
        ["1:2:", "2000-01-01T00:00:00+00:00"]
    )
    other_salt = signing.Signer().sign_object(["1:2:", "2000-01-01T00:00:00+00:00"])
    before = snapshot()
    for bad in (
        "garbage",
        good[:-1] + ("A" if good[-1] != "A" else "B"),  # a changed signature
        f"{payload}x:{signature}",  # a changed payload
        forged_payload.rpartition(":")[0] + ":" + signature,  # another payload, our signature
        other_salt,  # signed by this server, but not as a token
        signing.Signer(salt=sync.SALT).sign_object(["not a snapshot", "2000-01-01T00:00:00+00:00"]),
        " ",
    ):
        for fmt in ("json", "csv"):
            response = client.get(f"/api/v1/{endpoint}/", {"sync_token": bad, "format": fmt})
            assert response.status_code == 400, (bad, fmt)
            assert response["Content-Type"].startswith("application/json")
            assert "sync_token" in response.json(), response.json()
    twice = client.get(f"/api/v1/{endpoint}/?sync_token={good}&sync_token={good}")
    assert twice.status_code == 400
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["quotes", "annotations"])
def test_a_cursor_whose_token_was_tampered_with_is_refused(endpoint, world, people):
    client = people.client("api_client")
    first = client.get(f"/api/v1/{endpoint}/", {"page_size": 1}).json()
    assert first["next"]
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    token = first["sync_token"]
    other = signing.Signer(salt="another").sign_object(["1:2:", "2000-01-01T00:00:00+00:00"])
    if endpoint == "annotations":
        position = Position.decode(cursor)
        bad = Position(position.updated_at, position.rank, position.id, other).encode()
    else:
        tokens = parse.parse_qs(base64.b64decode(parse.unquote(cursor)).decode())
        assert tokens["s"] == [token]
        tokens["s"] = [other]
        bad = base64.b64encode(parse.urlencode(tokens, doseq=True).encode()).decode()
    response = client.get(f"/api/v1/{endpoint}/", {"page_size": 1, "cursor": bad})
    assert response.status_code == 404
    assert "Invalid cursor" in response.json()["detail"]


def backdate(object_ids: list[int], days: float) -> None:
    """Make the tombstones of these notes `days` older."""
    tombstones = Deletion.objects.filter(kind="note", object_id__in=object_ids)
    tombstones.update(deleted_at=F("deleted_at") - timedelta(days=days))


@pytest.mark.django_db
def test_pruning_removes_the_tombstones_past_the_retention_and_keeps_the_rest(world, people):
    notes = [NoteFactory(created_by=people.users["analyst_a"]).pk for _ in range(4)]
    Note.objects.filter(pk__in=notes).delete()
    assert Deletion.objects.count() == 4
    days = settings.SYNC_RETENTION_DAYS
    backdate(notes[:2], days + 1)
    backdate(notes[2:3], days - 1)
    assert services.tombstones_prune() == 2
    kept = sorted(Deletion.objects.values_list("object_id", flat=True))
    assert kept == notes[2:]
    assert services.tombstones_prune() == 0  # twice changes nothing more
    assert tombstones_prune.apply().get() == 0  # the scheduled task runs the same service
    assert settings.CELERY_BEAT_SCHEDULE["prune-tombstones"]["task"] == tombstones_prune.name
    with override_settings(SYNC_RETENTION_DAYS=days - 2):
        assert tombstones_prune.apply().get() == 1
    assert list(Deletion.objects.values_list("object_id", flat=True)) == [notes[3]]


@pytest.fixture
def horizon():
    """The pruning horizon is not a model's table: a transactional test's flush leaves it
    as the test left it, and it is put back here."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pruned_max FROM newsdesk_sync_horizon")
        (before,) = cursor.fetchone()
    yield
    with connection.cursor() as cursor:
        cursor.execute("UPDATE newsdesk_sync_horizon SET pruned_max = %s", [before])


@pytest.mark.django_db(transaction=True)
def test_a_token_that_may_not_have_seen_a_pruned_deletion_is_gone(world, people, horizon):
    """Pruning by time alone could drop a tombstone whose transaction began long ago but
    committed after a token still inside the retention was issued; the horizon makes
    that token a 410 instead of a silent miss."""
    client = people.client("api_client")
    note = NoteFactory(created_by=people.users["analyst_a"])
    _, before_deletion = pull(client, "deleted")
    note.delete()
    Deletion.objects.update(deleted_at=Deletion.objects.get().deleted_at - timedelta(days=400))
    assert services.tombstones_prune() == 1
    response = client.get("/api/v1/deleted/", {"sync_token": before_deletion})
    assert response.status_code == 410
    assert "were pruned" in response.json()["detail"]
    assert client.get("/api/v1/quotes/", {"sync_token": before_deletion}).status_code == 410
    # A token whose snapshot saw every pruned deletion committed is still good. (Made
    # here: one taken by a pull may have seen another session's older transaction
    # running, on a server other tests share.)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pruned_max::text FROM newsdesk_sync_horizon")
        (pruned,) = cursor.fetchone()
    after = signed(snapshot=f"{int(pruned) + 1}:{int(pruned) + 1}:")
    assert pull(client, "deleted", sync_token=after)[0] == []


def test_the_schema_documents_the_token_the_header_and_410_on_every_synced_list():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for endpoint in LISTS:
        operation = schema["paths"][f"/api/v1/{endpoint}/"]["get"]
        assert "sync_token" in [p["name"] for p in operation["parameters"]], endpoint
        assert HEADER in operation["responses"]["200"]["headers"], endpoint
        assert "410" in operation["responses"], endpoint
    vocabulary = schema["paths"]["/api/v1/vocabulary/"]["get"]
    assert "410" not in vocabulary["responses"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("endpoint", ["quotes", "stances"])
def test_tagging_renaming_and_untagging_come_in_the_next_pull(endpoint, world, people):
    """Tags live in link tables with no sync column of their own: adding one (as the admin
    does), renaming it and taking it off each make the annotation a change of its own."""
    client = people.client("api_client")
    row = world.own_quote if endpoint == "quotes" else world.own_stance
    tag = TagFactory(slug="ceasefire", label="Ceasefire")
    _, token = pull(client, endpoint)

    row.tags.add(tag)
    changed, token = pull(client, endpoint, sync_token=token)
    assert changed == [row.pk]

    tag.slug = "truce"
    tag.save()
    changed, token = pull(client, endpoint, sync_token=token)
    assert changed == [row.pk]
    if endpoint == "quotes":
        listed = client.get(f"/api/v1/quotes/{row.pk}/").json()
        assert listed["tags"] == ["truce"]

    row.tags.remove(tag)
    changed, token = pull(client, endpoint, sync_token=token)
    assert changed == [row.pk]
    assert pull(client, endpoint, sync_token=token)[0] == []
