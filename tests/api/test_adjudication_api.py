"""/api/v1/adjudications/: the queue, an article's units, and settling them into gold,
for leads and admins; analysts are refused and every refusal changes nothing; the gold
comes out of `?layer=gold`. Query counts do not grow with the articles or units."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from annotations.models import AdjudicationDecision, Assignment, Quote, QuoteDecision
from annotations.services.agreement import agreement_refresh
from newsdesk import roles
from tests.api.world import token_client
from tests.factories import ArticleFactory, EntityFactory, QuoteFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = "Minister Ana Ortiz said the quota talks had stalled, and Rui Prado called it unfair."


def _coded_article(ana, ben, ortiz, prado, n=0):
    article = ArticleFactory(body=BODY + " x" * n)
    for analyst in (ana, ben):
        Assignment.objects.create(
            article=article, analyst=analyst, mode="blind", done_at=timezone.now()
        )
    machine = QuoteFactory(
        article=article, text="the quota talks had stalled", speaker=ortiz,
        origin="machine", status="suggested",
    )  # fmt: skip
    QuoteDecision.objects.create(quote=machine, analyst=ana, verdict="confirmed")
    QuoteDecision.objects.create(quote=machine, analyst=ben, verdict="confirmed")
    for by, speaker in ((ana, prado), (ben, ortiz)):
        QuoteFactory(
            article=article, text="called it unfair", speaker=speaker, origin="analyst",
            status="confirmed", created_by=by,
        )  # fmt: skip
    return article


@pytest.fixture
def team():
    ana = UserFactory(username="ana", role=roles.ANALYST, password=None)
    ben = UserFactory(username="ben", role=roles.ANALYST, password=None)
    lead = UserFactory(username="lea", role=roles.ANALYST, password=None)
    lead.groups.add(Group.objects.get(name=roles.LEAD))
    admin = UserFactory(username="boss", role=roles.ADMIN, password=None)
    robot = UserFactory(username="robot", role=roles.API_CLIENT, password=None)
    ortiz, prado = EntityFactory(name="Ana Ortiz"), EntityFactory(name="Rui Prado")
    article = _coded_article(ana, ben, ortiz, prado)
    agreement_refresh(article_ids=[article.pk])
    return locals()


def _state():
    return (
        list(Quote.objects.values_list("pk", "updated_at").order_by("pk")),
        list(AdjudicationDecision.objects.values_list("pk", "how").order_by("pk")),
    )


READS = {"anonymous": 401, "ana": 403, "lead": 200, "admin": 200, "robot": 200}
WRITES = {"anonymous": 401, "ana": 403, "lead": 200, "admin": 200, "robot": 403}


@pytest.mark.parametrize("who", list(READS))
def test_who_reads_and_who_settles(team, who):
    client = token_client(team.get(who) if who != "anonymous" else None)
    article = team["article"].pk
    assert client.get("/api/v1/adjudications/").status_code == READS[who]
    answer = client.get(f"/api/v1/adjudications/{article}/")
    assert answer.status_code == READS[who]
    key = next(
        u["key"] for u in token_client(team["admin"]).get(
            f"/api/v1/adjudications/{article}/"
        ).json()["units"] if not u["agreed"]
    )  # fmt: skip
    before = _state()
    answer = client.post(
        f"/api/v1/adjudications/{article}/settle/",
        {"unit": key, "kind": "quote", "pick": team["ben"].pk, "reason": "Ortiz said it."},
        format="json",
    )
    assert answer.status_code == WRITES[who], answer.content
    if WRITES[who] != 200:
        assert _state() == before
        return
    settled = next(u for u in answer.json()["units"] if u["key"] == key)
    assert settled["decision"]["how"] == "picked"
    assert settled["decision"]["reason"] == "Ortiz said it."
    gold = token_client(team["robot"]).get("/api/v1/quotes/", {"layer": "gold"}).json()
    assert [q["speaker"]["name"] for q in gold["results"]] == ["Ana Ortiz"]


def test_bad_settlements_are_400_and_change_nothing(team):
    client, article = token_client(team["lead"]), team["article"].pk
    units = client.get(f"/api/v1/adjudications/{article}/").json()["units"]
    key = next(u["key"] for u in units if not u["agreed"])
    before = _state()
    for body, field in (
        ({"unit": "quote-9:9", "kind": "quote", "pick": team["ana"].pk}, "unit"),
        ({"unit": key, "kind": "quote"}, "pick"),
        ({"unit": key, "kind": "quote", "pick": team["admin"].pk}, "pick"),
        ({"unit": key, "kind": "quote", "pick": team["ana"].pk, "drop": True}, "drop"),
        ({"unit": key, "kind": "quote", "pick": team["ana"].pk, "changes": {"kind": "x"}}, "kind"),
        ({"unit": key, "kind": "stance", "pick": team["ana"].pk}, "unit"),
    ):
        answer = client.post(f"/api/v1/adjudications/{article}/settle/", body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert field in answer.json(), answer.json()
    answer = client.post("/api/v1/adjudications/999999/settle/", {"unit": key}, format="json")
    assert answer.status_code == 404
    assert _state() == before


def test_merge_then_settle_takes_the_article_off_the_queue(team):
    client, article = token_client(team["lead"]), team["article"].pk
    merged = client.post(f"/api/v1/adjudications/{article}/merge/").json()
    assert merged["settled"] == 1
    assert merged["open"] == 1
    key = next(u["key"] for u in merged["units"] if u["decision"] is None)
    client.post(
        f"/api/v1/adjudications/{article}/settle/",
        {"unit": key, "kind": "quote", "drop": True},
        format="json",
    )
    assert client.get("/api/v1/adjudications/").json()["count"] == 0
    reopened = client.post(
        f"/api/v1/adjudications/{article}/reopen/", {"unit": key}, format="json"
    ).json()
    assert reopened["open"] == 1
    assert client.get("/api/v1/adjudications/").json()["count"] == 1


@pytest.mark.parametrize("extra", [0, 6])
def test_queue_and_units_cost_the_same_queries(team, django_assert_num_queries, extra):
    for n in range(1, extra + 1):
        article = _coded_article(team["ana"], team["ben"], team["ortiz"], team["prado"], n)
        agreement_refresh(article_ids=[article.pk])
    client = token_client(team["lead"])
    # 1 token with user and role, 2 lead group, 3 count, 4 the page (articles, outlets,
    # settled counts joined).
    with django_assert_num_queries(4):
        assert client.get("/api/v1/adjudications/").status_code == 200
    # 1 token, 2 lead group, 3 the lead's own blind assignment on it (none), 4 the
    # article, 5 its coders, 6-11 their versions (articles, assignments, analysts'
    # quotes, accepted machine quotes, the same for stances), 12 decisions, 13 their gold
    # quotes (no gold stances: no query for none).
    token_client(team["lead"]).post(f"/api/v1/adjudications/{team['article'].pk}/merge/")
    with django_assert_num_queries(13):
        assert client.get(f"/api/v1/adjudications/{team['article'].pk}/").status_code == 200


def test_a_lead_coding_the_article_blind_may_not_adjudicate_it_yet(team):
    lead, article = team["lead"], team["article"]
    assignment = Assignment.objects.create(article=article, analyst=lead, mode="blind")
    client = token_client(lead)
    assert client.get("/api/v1/adjudications/").json()["count"] == 0
    assert client.get(f"/api/v1/adjudications/{article.pk}/").status_code == 403
    before = _state()
    assert client.post(f"/api/v1/adjudications/{article.pk}/merge/").status_code == 403
    assert _state() == before
    assignment.done_at = timezone.now()
    assignment.save()
    assert client.get("/api/v1/adjudications/").json()["count"] == 1
    assert client.get(f"/api/v1/adjudications/{article.pk}/").status_code == 200
