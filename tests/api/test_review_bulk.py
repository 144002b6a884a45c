"""Reviewing many suggestions at once (POST /api/v1/reviews/) and undoing a review
(POST /api/v1/reviews/{id}/undo/): recorded exactly as the one-at-a-time accept and
reject are (per analyst, blind coding kept), all or nothing, undone to the exact state
before, only by the analyst who acted and only while no one changed the rows since.
Every refusal says why and leaves the data exactly as it was."""

from typing import Any

import pytest
from django.utils import timezone

from annotations.models import (
    Assignment,
    QuoteDecision,
    ReviewAction,
    Stance,
    StanceDecision,
)
from tests.api.world import World, snapshot
from tests.factories import ArticleFactory, MentionFactory, StanceFactory, UserFactory, polarity

pytestmark = pytest.mark.django_db

REVIEWS = "/api/v1/reviews/"


def at(body: str, text: str, nth: int = 0) -> dict[str, int]:
    start = -1
    for _ in range(nth + 1):
        start = body.index(text, start + 1)
    return {"start": start, "end": start + len(text)}


@pytest.fixture
def more(world: World) -> dict[str, Any]:
    """Besides the world's suggestions (a mention of Ushakov, a quote of his): a second
    suggested mention of Ushakov, one of Keller, a machine stance, and a suggested mention
    of Ushakov in another article."""
    body = world.article.body
    other = ArticleFactory(body=body, content_hash="0" * 64)
    return {
        "ushakov_2": MentionFactory(
            article=world.article, entity=world.ushakov, **at(body, "Ushakov", 1)
        ),
        "keller": MentionFactory(
            article=world.article, entity=world.keller, **at(body, "Anna Keller")
        ),
        "stance": StanceFactory(
            article=world.article,
            text="welcomed the talks",
            holder=world.keller,
            target_text="the talks",
            polarity=polarity("support"),
            origin="machine",
            status="suggested",
        ),
        "elsewhere": MentionFactory(article=other, entity=world.ushakov, **at(body, "Ushakov", 1)),
    }


def everything() -> dict[str, Any]:
    """`snapshot()` and what only reviews touch: decisions (with their history) and the
    journal."""
    return {
        **snapshot(),
        "decisions": [
            sorted(QuoteDecision.objects.values_list("pk", "quote_id", "verdict", "updated_at")),
            sorted(StanceDecision.objects.values_list("pk", "stance_id", "verdict", "updated_at")),
            QuoteDecision.history.count(),
            StanceDecision.history.count(),
        ],
        "journal": sorted(ReviewAction.objects.values_list("pk", "undone_at")),
        "stance_status": sorted(Stance.objects.values_list("pk", "status", "reviewed_by_id")),
    }


def review_state(row: Any) -> tuple:
    row.refresh_from_db()
    return (row.status, row.reviewed_by_id, row.reviewed_at)


def ushakov_keys(world: World, more: dict[str, Any]) -> list[str]:
    return [f"mention-{world.machine_mention.pk}", f"mention-{more['ushakov_2'].pk}"]


def bulk(client, world: World, keys: list[str], verdict: str = "accept"):
    return client.post(
        REVIEWS, {"article": world.article.pk, "verdict": verdict, "items": keys}, format="json"
    )


# --- recorded as one at a time would be ------------------------------------------------


def test_bulk_accept_records_each_mention_as_a_single_accept_would(world, people, more):
    a = people.client("analyst_a")
    single = a.post(f"/api/v1/mentions/{more['keller'].pk}/accept/")
    assert single.status_code == 200, single.content
    answer = bulk(a, world, ushakov_keys(world, more))
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["verdict"] == "accept"
    assert body["count"] == 2
    assert body["summary"] == "2 suggested mentions of Yury Ushakov"
    assert body["items"] == ushakov_keys(world, more)
    analyst = people.users["analyst_a"]
    for mention in (world.machine_mention, more["ushakov_2"], more["keller"]):
        mention.refresh_from_db()
        assert (mention.status, mention.reviewed_by) == ("confirmed", analyst)
        assert mention.reviewed_at is not None
        record = mention.history.first()
        assert (record.history_type, record.history_user, record.status) == (
            "~",
            analyst,
            "confirmed",
        )
    # Another article's mention of the same entity is left alone.
    assert review_state(more["elsewhere"]) == ("suggested", None, None)


def test_bulk_review_of_quotes_and_stances_is_each_analysts_own_decision(world, people, more):
    keys = [f"quote-{world.machine_quote.pk}", f"stance-{more['stance'].pk}"]
    answer = bulk(people.client("analyst_b"), world, keys, "reject")
    assert answer.status_code == 201, answer.content
    assert answer.json()["summary"] == "2 suggestions (1 quote, 1 stance)"
    b = people.users["analyst_b"]
    for row in (world.machine_quote, more["stance"]):
        assert review_state(row)[:2] == ("rejected", b.pk)
    assert QuoteDecision.objects.get(quote=world.machine_quote).analyst == b
    assert StanceDecision.objects.get(stance=more["stance"]).verdict == "rejected"
    assert QuoteDecision.history.get().history_user == b


def test_on_a_blind_article_only_the_analysts_decisions_change(world, people, more):
    a = people.users["analyst_a"]
    Assignment.objects.create(article=world.article, analyst=a, mode="blind")
    keys = [f"quote-{world.machine_quote.pk}", f"stance-{more['stance'].pk}"]
    before = [review_state(world.machine_quote), review_state(more["stance"])]
    answer = bulk(people.client("analyst_a"), world, keys)
    assert answer.status_code == 201, answer.content
    assert [review_state(world.machine_quote), review_state(more["stance"])] == before
    assert QuoteDecision.objects.get(quote=world.machine_quote, analyst=a).verdict == "confirmed"
    assert StanceDecision.objects.get(stance=more["stance"], analyst=a).verdict == "confirmed"
    # The same suggestions are still to review for B, who codes it too.
    quote = people.client("analyst_b").get(f"/api/v1/quotes/{world.machine_quote.pk}/").json()
    assert quote["status"] == "suggested"
    # Undo removes A's decisions and nothing else.
    undo = people.client("analyst_a").post(f"{REVIEWS}{answer.json()['id']}/undo/")
    assert undo.status_code == 200, undo.content
    assert not QuoteDecision.objects.exists()
    assert not StanceDecision.objects.exists()
    assert [review_state(world.machine_quote), review_state(more["stance"])] == before


def test_a_blind_coder_may_not_review_the_shared_mentions(world, people, more):
    Assignment.objects.create(
        article=world.article, analyst=people.users["analyst_a"], mode="blind"
    )
    before = everything()
    answer = bulk(people.client("analyst_a"), world, ushakov_keys(world, more))
    assert answer.status_code == 403
    assert "blind" in answer.json()["detail"]
    assert everything() == before


# --- undo ----------------------------------------------------------------------------------


def test_undo_restores_the_exact_state_before(world, people, more):
    a = people.client("analyst_a")
    # Ushakov's first mention was rejected by B before: a single re-review by A through
    # the mention's own endpoint, then undone, gives B's review back exactly.
    b_reject = people.client("analyst_b").post(
        f"/api/v1/mentions/{world.machine_mention.pk}/reject/"
    )
    assert b_reject.status_code == 200
    before = {
        "first": review_state(world.machine_mention),
        "second": review_state(more["ushakov_2"]),
        "quote": review_state(world.machine_quote),
    }
    first = a.post(f"/api/v1/mentions/{world.machine_mention.pk}/accept/")
    assert first.status_code == 200
    assert review_state(world.machine_mention)[:2] == ("confirmed", people.users["analyst_a"].pk)
    action = ReviewAction.objects.filter(analyst=people.users["analyst_a"]).latest("pk")
    assert action.summary == "1 suggested mention of Yury Ushakov"
    undo = a.post(f"{REVIEWS}{action.pk}/undo/")
    assert undo.status_code == 200, undo.content
    assert undo.json()["undone_at"] is not None
    assert review_state(world.machine_mention) == before["first"]
    # And a bulk review of a mention and a quote, undone: both suggestions again, A's
    # decision on the quote gone.
    answer = bulk(a, world, [f"mention-{more['ushakov_2'].pk}", f"quote-{world.machine_quote.pk}"])
    assert answer.status_code == 201
    assert QuoteDecision.objects.count() == 1
    undo = a.post(f"{REVIEWS}{answer.json()['id']}/undo/")
    assert undo.status_code == 200, undo.content
    assert review_state(more["ushakov_2"]) == before["second"]
    assert review_state(world.machine_quote) == before["quote"]
    assert not QuoteDecision.objects.exists()
    # Recorded in the rows' history as A's change.
    assert more["ushakov_2"].history.first().history_user == people.users["analyst_a"]


def test_undo_restores_an_earlier_decision_of_the_analyst(world, people):
    a = people.client("analyst_a")
    quote = world.machine_quote
    assert a.post(f"/api/v1/quotes/{quote.pk}/reject/").status_code == 200
    decision = QuoteDecision.objects.get()
    before = (review_state(quote), decision.verdict, decision.pk)
    assert a.post(f"/api/v1/quotes/{quote.pk}/accept/").status_code == 200
    last = ReviewAction.objects.latest("pk")
    assert a.post(f"{REVIEWS}{last.pk}/undo/").status_code == 200
    decision.refresh_from_db()
    assert (review_state(quote), decision.verdict, decision.pk) == before


def test_undo_is_refused_when_a_row_changed_since(world, people, more):
    a = people.client("analyst_a")
    answer = bulk(a, world, ushakov_keys(world, more))
    # B corrects one of them since (another entity): A's undo would undo B's work.
    fix = people.client("analyst_b").patch(
        f"/api/v1/mentions/{more['ushakov_2'].pk}/", {"entity": world.keller.pk}, format="json"
    )
    assert fix.status_code == 200, fix.content
    before = everything()
    undo = a.post(f"{REVIEWS}{answer.json()['id']}/undo/")
    assert undo.status_code == 412
    message = undo.json()["detail"]
    assert f"mention-{more['ushakov_2'].pk} was changed since" in message
    assert "by analyst-b" in message
    assert "Nothing was undone" in message
    assert everything() == before


def test_undo_twice_is_refused_and_changes_nothing(world, people, more):
    a = people.client("analyst_a")
    answer = bulk(a, world, ushakov_keys(world, more))
    assert a.post(f"{REVIEWS}{answer.json()['id']}/undo/").status_code == 200
    before = everything()
    again = a.post(f"{REVIEWS}{answer.json()['id']}/undo/")
    assert again.status_code == 412
    assert "already undone" in again.json()["detail"]
    assert everything() == before


# --- who may ---------------------------------------------------------------------------

CREATE = {"anonymous": 401, "analyst_a": 201, "analyst_b": 201, "api_client": 403, "admin": 201}
# Only the analyst who acted: everyone else is refused, admins too.
UNDO = {"anonymous": 401, "analyst_a": 200, "analyst_b": 403, "api_client": 403, "admin": 403}


@pytest.mark.parametrize("role", CREATE)
def test_permission_matrix_of_a_bulk_review(role, world, people, more):
    before = everything()
    answer = bulk(people.client(role), world, ushakov_keys(world, more))
    assert answer.status_code == CREATE[role], answer.content
    if answer.status_code >= 400:
        assert everything() == before
    else:
        assert review_state(more["ushakov_2"])[:2] == ("confirmed", people.users[role].pk)


@pytest.mark.parametrize("role", UNDO)
def test_permission_matrix_of_an_undo(role, world, people, more):
    answer = bulk(people.client("analyst_a"), world, ushakov_keys(world, more))
    before = everything()
    undo = people.client(role).post(f"{REVIEWS}{answer.json()['id']}/undo/")
    assert undo.status_code == UNDO[role], undo.content
    if undo.status_code >= 400:
        assert everything() == before
        if role in ("analyst_b", "admin"):
            assert undo.json()["detail"] == "Only the analyst who made a review may undo it."
    else:
        assert review_state(more["ushakov_2"]) == ("suggested", None, None)


def test_an_undo_of_no_review_is_404(world, people):
    before = everything()
    undo = people.client("analyst_a").post(f"{REVIEWS}987654/undo/")
    assert undo.status_code == 404
    assert "no review 987654" in undo.json()["detail"]
    assert everything() == before


# --- bad input: a specific 400 (or 404, 412) and nothing changed ------------------------


def _bad_cases(world: World, more: dict[str, Any]) -> list[tuple[dict, int, str, str]]:
    good = ushakov_keys(world, more)
    article = world.article.pk
    many = [f"mention-{i}" for i in range(1, 1002)]
    elsewhere = f"mention-{more['elsewhere'].pk}"
    return [
        ({"verdict": "accept", "items": good}, 400, "article", "required"),
        ({"article": "one", "verdict": "accept", "items": good}, 400, "article", "integer"),
        ({"article": article, "verdict": "maybe", "items": good}, 400, "verdict", "not a valid"),
        ({"article": article, "verdict": "accept"}, 400, "items", "required"),
        ({"article": article, "verdict": "accept", "items": []}, 400, "items", "at least one"),
        ({"article": article, "verdict": "accept", "items": "mention-1"}, 400, "items", "A list"),
        ({"article": article, "verdict": "accept", "items": [12]}, 400, "items", "0: Not a valid"),
        (
            {"article": article, "verdict": "accept", "items": [*good, "note-3"]},
            400,
            "items",
            "2: 'note-3' is not a suggestion's key",
        ),
        (
            {"article": article, "verdict": "accept", "items": [good[0], good[0]]},
            400,
            "items",
            "Listed twice",
        ),
        (
            {"article": article, "verdict": "accept", "items": many},
            400,
            "items",
            "At most 1000 suggestions at once",
        ),
        (
            {"article": article, "verdict": "accept", "items": [*good, elsewhere]},
            400,
            "items",
            f"{elsewhere}: not in article {article}",
        ),
        (
            {"article": article, "verdict": "accept", "items": [*good, "quote-987654"]},
            404,
            "detail",
            "There is no quote-987654",
        ),
    ]  # fmt: skip


def words_of(said: Any) -> str:
    """An error's messages as one text (a list's are keyed by position)."""
    if isinstance(said, dict):
        return " ".join(f"{key}: {words_of(value)}" for key, value in said.items())
    if isinstance(said, list):
        return " ".join(words_of(value) for value in said)
    return str(said)


def test_bad_input_is_refused_in_words_and_changes_nothing(world, people, more):
    client = people.client("analyst_a")
    for payload, status, field, words in _bad_cases(world, more):
        before = everything()
        answer = client.post(REVIEWS, payload, format="json")
        assert answer.status_code == status, (payload, answer.content)
        said = words_of(answer.json()[field])
        assert words in said, (payload, said)
        assert everything() == before, payload


def test_a_suggestion_reviewed_since_the_reader_showed_it_refuses_them_all(world, people, more):
    people.client("analyst_b").post(f"/api/v1/mentions/{more['ushakov_2'].pk}/reject/")
    before = everything()
    answer = bulk(people.client("analyst_a"), world, ushakov_keys(world, more))
    assert answer.status_code == 412
    assert answer.json()["detail"].startswith(
        f"1 of these 2 are no longer suggestions: mention-{more['ushakov_2'].pk} "
        "(rejected by analyst-b)."
    )
    assert everything() == before
    assert review_state(world.machine_mention) == ("suggested", None, None)


def test_the_journal_keeps_an_analysts_latest_fifty(world, people):
    analyst = people.users["analyst_a"]
    old = [
        ReviewAction(
            analyst=analyst, article=world.article, verdict="confirmed", summary="x", rows=[]
        )
        for _ in range(55)
    ]
    ReviewAction.objects.bulk_create(old)
    other = ReviewAction.objects.create(
        analyst=people.users["analyst_b"], article=world.article, verdict="confirmed", summary="y",
        rows=[], created_at=timezone.now(),
    )  # fmt: skip
    answer = people.client("analyst_a").post(f"/api/v1/mentions/{world.machine_mention.pk}/accept/")
    assert answer.status_code == 200
    assert ReviewAction.objects.filter(analyst=analyst).count() == 50
    assert ReviewAction.objects.filter(analyst=analyst).latest("pk").summary.startswith("1 ")
    assert ReviewAction.objects.filter(pk=other.pk).exists()


def test_the_endpoints_are_in_the_openapi_schema(client):
    client.force_login(UserFactory(role="analyst"))
    schema = client.get("/api/v1/schema/", headers={"Accept": "application/json"}).json()
    create = schema["paths"]["/api/v1/reviews/"]["post"]
    assert create["summary"] == "Accept or reject many suggestions of one article at once"
    assert {"201", "400", "403", "404", "412"} <= set(create["responses"])
    undo = schema["paths"]["/api/v1/reviews/{id}/undo/"]["post"]
    assert {"200", "403", "404", "412"} <= set(undo["responses"])
    request = schema["components"]["schemas"]["ReviewRequest"]
    assert request["properties"]["items"]["maxItems"] == 1000
    assert set(request["required"]) == {"article", "verdict", "items"}
