"""/api/v1/assignments/: who may do what (anonymous, analyst A whose work it is, analyst B,
an api-client, a lead, an admin), each refusal leaving the data as it was; rounds from
ids or from the article list's query string; the filters, the exports and the query
count of the list."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from annotations.models import Assignment, AssignmentRound
from newsdesk import roles
from tests.api.world import token_client
from tests.factories import (
    ArticleFactory,
    ImportBatchFactory,
    ImportFileFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "analyst_a", "analyst_b", "api_client", "lead", "admin")
URL = "/api/v1/assignments/"


@dataclass
class Team:
    users: dict[str, Any]
    articles: list[Any]
    a_open: Assignment
    a_done: Assignment

    def client(self, role: str):
        return token_client(self.users[role])


@pytest.fixture
def team(db) -> Team:
    lead = UserFactory(username="lead", role=roles.ANALYST, password=None)
    lead.groups.add(Group.objects.get(name=roles.LEAD))
    users = {
        "anonymous": None,
        "analyst_a": UserFactory(username="analyst-a", role=roles.ANALYST, password=None),
        "analyst_b": UserFactory(username="analyst-b", role=roles.ANALYST, password=None),
        "api_client": UserFactory(username="robot", role=roles.API_CLIENT, password=None),
        "lead": lead,
        "admin": UserFactory(username="boss", role=roles.ADMIN, password=None),
    }
    articles = [ArticleFactory() for _ in range(4)]
    a = users["analyst_a"]
    a_open = Assignment.objects.create(article=articles[0], analyst=a, assigned_by=lead)
    a_done = Assignment.objects.create(
        article=articles[1], analyst=a, assigned_by=lead, done_at=timezone.now()
    )
    return Team(users, articles, a_open, a_done)


def snapshot() -> dict[str, Any]:
    return {
        "rounds": list(AssignmentRound.objects.values_list("pk")),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "analyst_id", "done_at", "returned_at", "updated_at"
            )
        ),
        "history": Assignment.history.count() + AssignmentRound.history.count(),
    }


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    url: Callable[[Team], str]
    expected: dict[str, int]
    payload: Callable[[Team], dict[str, Any]] | None = None


def every(status: int, **others: int) -> dict[str, int]:
    return {"anonymous": 401, **dict.fromkeys(ROLES[1:], status), **others}


def _round(t: Team) -> dict[str, Any]:
    return {
        "articles": [t.articles[2].pk, t.articles[3].pk],
        "analysts": [t.users["analyst_a"].pk, t.users["analyst_b"].pk],
        "k": 1,
    }


def _detail(name: str, suffix: str = "") -> Callable[[Team], str]:
    return lambda t: f"{URL}{getattr(t, name).pk}/{suffix}"


# A's own work: B does not see it (404); the api-client reads it but changes nothing.
OWN = every(200, analyst_b=404, api_client=403)
LEAD_ONLY = every(403, analyst_b=404, lead=200, admin=200)
CASES = [
    Case("list", "get", lambda t: URL, every(200)),
    Case("detail", "get", _detail("a_open"), every(200, analyst_b=404)),
    Case("create a round", "post", lambda t: URL, every(403, lead=201, admin=201), _round),
    Case("mark done", "post", _detail("a_open", "done/"), OWN),
    Case("reopen", "post", _detail("a_done", "reopen/"), OWN),
    Case(
        "reassign",
        "post",
        _detail("a_open", "reassign/"),
        {**LEAD_ONLY, "lead": 201, "admin": 201},
        lambda t: {"analyst": t.users["analyst_b"].pk},
    ),
    Case("unassign", "delete", _detail("a_open"), {**LEAD_ONLY, "lead": 204, "admin": 204}),
    Case(
        "unassign done work", "delete", _detail("a_done"), {**LEAD_ONLY, "lead": 400, "admin": 400}
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_permission_matrix(case: Case, role: str, team: Team):
    before = snapshot()
    payload = case.payload(team) if case.payload else None
    response = getattr(team.client(role), case.method)(case.url(team), payload, format="json")
    expected = case.expected[role]
    assert response.status_code == expected, (case.name, role, response.content[:300])
    if expected >= 400 or case.method == "get":
        assert snapshot() == before, f"{case.name} as {role} changed the data"
    else:
        assert snapshot() != before, f"{case.name} as {role} changed nothing"


@pytest.mark.parametrize(
    ("role", "seen"),
    [("analyst_a", 2), ("analyst_b", 0), ("api_client", 2), ("lead", 2), ("admin", 2)],
)
def test_analysts_list_their_own_and_leads_everyones(team, role, seen):
    rows = team.client(role).get(URL).json()["results"]
    assert len(rows) == seen
    if seen:
        assert {row["analyst"] for row in rows} == {"analyst-a"}


def test_a_lead_assigns_an_article_list_selection_and_gets_the_counts(team):
    story = StoryFactory()
    batch = ImportBatchFactory()
    picked = [ArticleFactory(story=story) for _ in range(4)]
    ImportFileFactory(batch=batch, article=picked[0])
    ImportFileFactory(batch=batch, article=picked[1])
    ArticleFactory(story=story)  # outside the batch
    body = {
        "selection": f"story={story.pk}&batch={batch.pk}&sort=oldest",
        "analysts": [team.users["analyst_a"].pk, team.users["analyst_b"].pk],
        "k": 1,
        "overlap_share": 0.5,
        "strategy": "random",
        "seed": 7,
        "mode": "shared",
        "return_after_days": 5,
        "label": "Calibration",
    }
    response = team.client("lead").post(URL, body, format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["articles"] == 2
    assert answer["overlap_articles"] == 1
    assert answer["assigned"] == 3
    assert answer["skipped"] == 0
    assert answer["selection"] == body["selection"]
    assert answer["created_by"] == "lead"
    assert sum(answer["per_analyst"].values()) == 3
    made = Assignment.objects.filter(round_id=answer["id"])
    assert set(made.values_list("article_id", flat=True)) == {picked[0].pk, picked[1].pk}
    assert set(made.values_list("mode", flat=True)) == {"shared"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"k": 3}, "k"),
        ({"analysts": []}, "analysts"),
        ({"articles": [999999]}, "articles"),
        ({"selection": "story=1"}, "articles"),  # both given
        ({"overlap_share": 2}, "overlap_share"),
        ({"strategy": "lottery"}, "strategy"),
    ],
)
def test_a_bad_round_is_a_400_naming_the_field_and_changes_nothing(team, changes, field):
    before = snapshot()
    response = team.client("lead").post(URL, {**_round(team), **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert snapshot() == before


@pytest.mark.parametrize("role", ["analyst_a", "api_client"])
def test_a_non_lead_is_refused_whatever_the_body(team, role):
    before = snapshot()
    response = team.client(role).post(URL, {"k": "many"}, format="json")
    assert response.status_code == 403
    assert snapshot() == before


def test_a_selection_that_selects_nothing_is_refused(team):
    before = snapshot()
    body = {**_round(team), "selection": "q=nowhere-to-be-found"}
    del body["articles"]
    response = team.client("lead").post(URL, body, format="json")
    assert response.status_code == 400
    assert "no article" in response.json()["articles"][0]
    assert snapshot() == before


def test_filters_by_state_analyst_and_round(team):
    client = team.client("lead")
    a = team.users["analyst_a"].pk

    def ids(**params):
        return [row["id"] for row in client.get(URL, params).json()["results"]]

    assert ids(state="open") == [team.a_open.pk]
    assert ids(state="done") == [team.a_done.pk]
    assert ids(state="returned") == []
    assert ids(analyst=a) == [team.a_open.pk, team.a_done.pk]
    assert ids(article=team.articles[1].pk) == [team.a_done.pk]
    assert client.get(URL, {"state": "lost"}).status_code == 400


def test_csv_and_jsonl_stream_every_row(team):
    client = team.client("lead")
    csv = client.get(URL, {"format": "csv"})
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,article,article_title,analyst_id,analyst,")
    assert len(lines) == 3
    jsonl = client.get(URL, {"format": "jsonl"})
    assert len(b"".join(jsonl.streaming_content).splitlines()) == 2


@pytest.mark.parametrize("n", [2, 30])
def test_the_list_costs_the_same_queries_for_2_or_30_assignments(
    team, django_assert_num_queries, n
):
    for article in [ArticleFactory() for _ in range(n - 2)]:
        Assignment.objects.create(article=article, analyst=team.users["analyst_b"])
    client = team.client("lead")
    # 1 the token with its user and role groups, 2 the lead's groups (is_lead), 3 the page
    # of assignments with analyst, assigner and article joined.
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert len(response.json()["results"]) == n
