"""Who may do what, endpoint by endpoint and method by method.

Rows: anonymous, analyst A (who owns the analyst items of `world`), analyst B, an
api-client and an admin. Every refusal also leaves the data exactly as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.api.world import ROLES, SYNCED_LISTS, People, World, snapshot, span, token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict[str, int]
    payload: Callable[[World], dict[str, Any]] | None = None


def every(status: int) -> dict[str, int]:
    return {"anonymous": 401, "analyst_a": status, "analyst_b": status, "api_client": status,
            "admin": status}  # fmt: skip


READ = every(200)
# Analysts and admins write their own; the api-client reads only.
CREATE = {**every(201), "api_client": 403}
OWN = {**every(200), "analyst_b": 403, "api_client": 403}
OWN_DELETE = {**every(204), "analyst_b": 403, "api_client": 403}
REVIEW = {**every(200), "api_client": 403}
# A machine suggestion is no one's: any analyst corrects it, only an admin deletes it.
MACHINE_DELETE = {**every(403), "admin": 204}
# The corpus is read-only for everyone: a write is not a method these endpoints have.
NO_METHOD = every(405)


def _quote_payload(w: World) -> dict[str, Any]:
    return {
        "article": w.article.pk,
        **span(w.article, "the talks but opposed"),
        "speaker": w.keller.pk,
        "cue": "said",
        "kind": "indirect",
    }


def _stance_payload(w: World) -> dict[str, Any]:
    return {
        "article": w.article.pk,
        **span(w.article, "welcomed the talks"),
        "holder": w.keller.pk,
        "target_text": "the talks",
        "polarity": "support",
    }


CASES = [
    # Reads: every role but anonymous, on every resource.
    *[
        Case(f"list {name}", "get", lambda w, name=name: f"/api/v1/{name}/", READ)
        for name in (*SYNCED_LISTS, "vocabulary")
    ],
    Case("article detail", "get", lambda w: f"/api/v1/articles/{w.article.pk}/", READ),
    Case("entity detail", "get", lambda w: f"/api/v1/entities/{w.ushakov.pk}/", READ),
    Case("story detail", "get", lambda w: f"/api/v1/stories/{w.article.story_id}/", READ),
    Case("mention detail", "get", lambda w: f"/api/v1/mentions/{w.machine_mention.pk}/", READ),
    Case("quote detail", "get", lambda w: f"/api/v1/quotes/{w.own_quote.pk}/", READ),
    Case("statement detail", "get", lambda w: f"/api/v1/statements/{w.statement.pk}/", READ),
    Case("stance detail", "get", lambda w: f"/api/v1/stances/{w.own_stance.pk}/", READ),
    Case("note detail", "get", lambda w: f"/api/v1/notes/{w.own_note.pk}/", READ),
    Case(
        "annotation detail",
        "get",
        lambda w: f"/api/v1/annotations/quote-{w.own_quote.pk}/",
        READ,
    ),
    Case("polarity detail", "get", lambda w: "/api/v1/vocabulary/support/", READ),
    # Quotes.
    Case("create quote", "post", lambda w: "/api/v1/quotes/", CREATE, _quote_payload),
    Case(
        "change own quote",
        "patch",
        lambda w: f"/api/v1/quotes/{w.own_quote.pk}/",
        OWN,
        lambda w: {"cue": "told"},
    ),
    Case("delete own quote", "delete", lambda w: f"/api/v1/quotes/{w.own_quote.pk}/", OWN_DELETE),
    Case(
        "correct a machine quote",
        "patch",
        lambda w: f"/api/v1/quotes/{w.machine_quote.pk}/",
        REVIEW,
        lambda w: {"speaker": w.keller.pk},
    ),
    Case(
        "delete a machine quote",
        "delete",
        lambda w: f"/api/v1/quotes/{w.machine_quote.pk}/",
        MACHINE_DELETE,
    ),
    Case("accept quote", "post", lambda w: f"/api/v1/quotes/{w.machine_quote.pk}/accept/", REVIEW),
    Case("reject quote", "post", lambda w: f"/api/v1/quotes/{w.machine_quote.pk}/reject/", REVIEW),
    # An analyst's own quote or stance is theirs to review, as it is theirs to change.
    *[
        Case(
            f"{verb} another analyst's {noun}",
            "post",
            lambda w, noun=noun, verb=verb: (
                f"/api/v1/{noun}s/{getattr(w, f'own_{noun}').pk}/{verb}/"
            ),
            OWN,
        )
        for noun in ("quote", "stance")
        for verb in ("accept", "reject")
    ],
    # Stances.
    Case("create stance", "post", lambda w: "/api/v1/stances/", CREATE, _stance_payload),
    Case(
        "change own stance",
        "patch",
        lambda w: f"/api/v1/stances/{w.own_stance.pk}/",
        OWN,
        lambda w: {"polarity": "mixed", "note": "Hedged."},
    ),
    Case(
        "delete own stance", "delete", lambda w: f"/api/v1/stances/{w.own_stance.pk}/", OWN_DELETE
    ),
    # Notes.
    Case(
        "create note",
        "post",
        lambda w: "/api/v1/notes/",
        CREATE,
        lambda w: {"article": w.article.pk, "text": "Check the date."},
    ),
    Case(
        "change own note",
        "patch",
        lambda w: f"/api/v1/notes/{w.own_note.pk}/",
        OWN,
        lambda w: {"text": "Compare the Xinhua readout."},
    ),
    Case("delete own note", "delete", lambda w: f"/api/v1/notes/{w.own_note.pk}/", OWN_DELETE),
    # Mentions: reviewed and corrected (test_mention_corrections.py), not created here.
    Case(
        "accept mention",
        "post",
        lambda w: f"/api/v1/mentions/{w.machine_mention.pk}/accept/",
        REVIEW,
    ),
    Case(
        "reject mention",
        "post",
        lambda w: f"/api/v1/mentions/{w.machine_mention.pk}/reject/",
        REVIEW,
    ),
    # The corpus and the feeds are read-only.
    Case(
        "create article",
        "post",
        lambda w: "/api/v1/articles/",
        NO_METHOD,
        lambda w: {"title": "x", "body": "y"},
    ),
    # Entities are added, renamed and merged (test_entity_writes.py), never deleted; the
    # api-client, who may write nothing there, is refused before the method is looked at.
    Case(
        "delete entity",
        "delete",
        lambda w: f"/api/v1/entities/{w.ushakov.pk}/",
        {**NO_METHOD, "api_client": 403},
    ),
    Case("delete story", "delete", lambda w: f"/api/v1/stories/{w.article.story_id}/", NO_METHOD),
    Case(
        "create annotation",
        "post",
        lambda w: "/api/v1/annotations/",
        NO_METHOD,
        lambda w: {"type": "Annotation"},
    ),
    Case(
        "delete statement",
        "delete",
        lambda w: f"/api/v1/statements/{w.statement.pk}/",
        NO_METHOD,
    ),
    Case(
        "add polarity",
        "post",
        lambda w: "/api/v1/vocabulary/",
        NO_METHOD,
        lambda w: {"slug": "x", "label": "X"},
    ),
    Case("empty deleted feed", "delete", lambda w: "/api/v1/deleted/", NO_METHOD),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_permission_matrix(case: Case, role: str, world: World, people: People):
    before = snapshot()
    client = people.client(role)
    payload = case.payload(world) if case.payload else None
    response = getattr(client, case.method)(case.url(world), payload, format="json")
    expected = case.expected[role]
    assert response.status_code == expected, (case.name, role, response.content[:300])
    if expected >= 400 or case.method == "get":
        assert snapshot() == before, f"{case.name} as {role} changed the data"
    else:
        assert snapshot() != before, f"{case.name} as {role} changed nothing"


@pytest.mark.parametrize("role", ["analyst_a", "api_client", "admin"])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_a_row_that_does_not_exist_is_404_for_every_role(method, role, world, people):
    before = snapshot()
    response = getattr(people.client(role), method)("/api/v1/quotes/999999/", {}, format="json")
    expected = 404 if method == "get" or role != "api_client" else 403
    assert response.status_code == expected
    assert snapshot() == before


def test_a_user_without_a_role_reads_nothing(world):
    client = token_client(UserFactory(username="nobody"))
    for url in (
        "/api/v1/articles/",
        "/api/v1/annotations/",
        f"/api/v1/quotes/{world.own_quote.pk}/",
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "no role" in response.json()["detail"]
