"""Assignments in rounds (annotations.services.assignments): who may make them, the
reproducible plan (round-robin, random, overlap), skipping live pairs, unassign, reassign,
done and reopen, and the periodic return of overdue work. Every refusal changes nothing."""

from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.utils import timezone

from annotations import tasks
from annotations.models import Assignment, AssignmentRound
from annotations.services import assignments as service
from annotations.services.assignments import round_plan
from newsdesk import roles
from newsdesk.guards import NotAllowed, WriteRefused
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def lead_user(**kwargs):
    user = UserFactory(role=roles.ANALYST, password=None, **kwargs)
    user.groups.add(Group.objects.get(name=roles.LEAD))
    return user


@pytest.fixture
def team():
    """A lead, an admin, three analysts (a, b, c), an api-client and eight articles."""
    return {
        "lead": lead_user(username="lead"),
        "admin": UserFactory(username="boss", role=roles.ADMIN, password=None),
        "a": UserFactory(username="ana", role=roles.ANALYST, password=None),
        "b": UserFactory(username="ben", role=roles.ANALYST, password=None),
        "c": UserFactory(username="cat", role=roles.ANALYST, password=None),
        "robot": UserFactory(username="robot", role=roles.API_CLIENT, password=None),
        "articles": [ArticleFactory() for _ in range(8)],
    }


def snapshot() -> dict:
    return {
        "rounds": list(AssignmentRound.objects.values_list("pk")),
        "assignments": list(
            Assignment.objects.order_by("pk").values_list(
                "pk", "analyst_id", "done_at", "returned_at", "updated_at"
            )
        ),
        "history": Assignment.history.count() + AssignmentRound.history.count(),
    }


def make_round(team, user=None, **kwargs):
    kwargs.setdefault("article_ids", [a.pk for a in team["articles"]])
    kwargs.setdefault("analyst_ids", [team["a"].pk, team["b"].pk])
    return service.assignment_round_create(user=user or team["lead"], **kwargs)


# --- the plan ---------------------------------------------------------------------------


def test_round_robin_balances_load_and_gives_each_article_k_analysts():
    pairs, overlap = round_plan(
        article_ids=list(range(1, 11)),
        analyst_ids=[7, 8, 9],
        k=2,
        overlap_share=0,
        overlap_analysts=2,
        strategy="round_robin",
        seed=0,
    )
    assert overlap == 0
    per_article = Counter(article for article, _ in pairs)
    assert set(per_article.values()) == {2}
    assert all(a != b for (x, a), (y, b) in zip(pairs[::2], pairs[1::2], strict=True) if x == y)
    load = Counter(analyst for _, analyst in pairs)
    assert max(load.values()) - min(load.values()) <= 1
    # In turn: the first article to analysts 7 and 8, the second to 9 and 7.
    assert pairs[:4] == [(1, 7), (1, 8), (2, 9), (2, 7)]


@pytest.mark.parametrize("strategy", ["round_robin", "random"])
def test_the_same_inputs_give_the_same_plan_and_overlap_is_round_share_times_n(strategy):
    def plan(seed):
        return round_plan(
            article_ids=list(range(1, 21)),
            analyst_ids=[1, 2, 3, 4],
            k=1,
            overlap_share=0.25,
            overlap_analysts=3,
            strategy=strategy,
            seed=seed,
        )

    first, overlap = plan(42)
    assert (first, overlap) == plan(42)
    assert overlap == 5
    per_article = Counter(article for article, _ in first)
    assert sorted(per_article.values()) == [1] * 15 + [3] * 5
    assert any(plan(seed)[0] != first for seed in range(43, 48))
    load = Counter(analyst for _, analyst in first)
    assert max(load.values()) - min(load.values()) <= 1


def test_random_draws_depend_on_the_seed_not_on_the_order_analysts_are_given_in(team):
    ids = [a.pk for a in team["articles"]]
    analysts = [team["a"].pk, team["b"].pk, team["c"].pk]
    one = make_round(team, analyst_ids=analysts, strategy="random", seed=9)
    made = set(Assignment.objects.filter(round=one.round).values_list("article_id", "analyst_id"))
    Assignment.objects.all().delete()
    again = make_round(team, analyst_ids=analysts[::-1], strategy="random", seed=9)
    assert (
        set(Assignment.objects.filter(round=again.round).values_list("article_id", "analyst_id"))
        == made
    )
    assert len(made) == len(ids)


# --- rounds -----------------------------------------------------------------------------


def test_a_lead_assigns_with_overlap_and_due_dates_and_history(team):
    before = timezone.now()
    result = make_round(
        team, k=1, overlap_share=0.5, overlap_analysts=2, return_after_days=3, label="March"
    )
    assert (result.articles, result.overlap_articles) == (8, 4)
    assert (result.assigned, result.skipped) == (12, 0)
    assert result.per_analyst == {team["a"].pk: 6, team["b"].pk: 6}
    rows = Assignment.objects.filter(round=result.round)
    assert rows.count() == 12
    row = rows.first()
    assert row.mode == "blind"
    assert row.assigned_by == team["lead"]
    assert before + timedelta(days=3) <= row.due_at <= timezone.now() + timedelta(days=3)
    assert Assignment.history.filter(history_user=team["lead"]).count() == 12
    assert result.round.history.first().history_user == team["lead"]
    assert str(result.round) == "March"


def test_an_admin_may_assign_too(team):
    assert make_round(team, user=team["admin"]).assigned == 8


def test_pairs_already_live_are_skipped_and_counted(team):
    make_round(team, article_ids=[a.pk for a in team["articles"][:2]])
    result = make_round(team)
    assert result.skipped == 2
    assert result.assigned == 6
    assert Assignment.objects.filter(returned_at__isnull=True).count() == 8


@pytest.mark.parametrize("who", ["a", "robot"])
def test_only_leads_and_admins_assign(team, who):
    before = snapshot()
    with pytest.raises(NotAllowed):
        make_round(team, user=team[who])
    assert snapshot() == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"article_ids": []}, "articles"),
        ({"article_ids": [999999]}, "articles"),
        ({"analyst_ids": []}, "analysts"),
        ({"analyst_ids": [999999]}, "analysts"),
        ({"k": 3}, "k"),
        ({"k": 0}, "k"),
        ({"overlap_share": 1.5}, "overlap_share"),
        ({"overlap_share": 0.5, "overlap_analysts": 3}, "overlap_analysts"),
        ({"overlap_analysts": 1}, "overlap_analysts"),
        ({"strategy": "lottery"}, "strategy"),
        ({"mode": "open"}, "mode"),
        ({"return_after_days": 0}, "return_after_days"),
        ({"label": "x" * 201}, "label"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_changes_nothing(team, changes, field):
    before = snapshot()
    with pytest.raises(WriteRefused) as refused:
        make_round(team, **changes)
    assert refused.value.field == field
    assert snapshot() == before


@pytest.mark.parametrize("who", ["robot", "admin"])
def test_only_analysts_are_assigned_work(team, who):
    # A lead is an analyst too, and may be given work like any other.
    before = snapshot()
    with pytest.raises(WriteRefused) as refused:
        make_round(team, analyst_ids=[team["a"].pk, team[who].pk])
    assert refused.value.field == "analysts"
    assert snapshot() == before


# --- one assignment -----------------------------------------------------------------------


@pytest.fixture
def assigned(team):
    make_round(team, article_ids=[team["articles"][0].pk], analyst_ids=[team["a"].pk])
    return Assignment.objects.get()


def test_the_analyst_marks_done_and_reopens_their_own(team, assigned):
    done = service.assignment_done(user=team["a"], assignment_id=assigned.pk)
    assert done.state == "done"
    # Done twice is done once.
    again = service.assignment_done(user=team["a"], assignment_id=assigned.pk)
    assert again.done_at == done.done_at
    reopened = service.assignment_reopen(user=team["a"], assignment_id=assigned.pk)
    assert reopened.state == "open"
    assert [h.history_user for h in assigned.history.all()[:2]] == [team["a"], team["a"]]


def test_a_lead_marks_done_for_an_analyst(team, assigned):
    assert service.assignment_done(user=team["lead"], assignment_id=assigned.pk).done_at


@pytest.mark.parametrize("who", ["b", "robot"])
def test_another_analyst_may_not_mark_it_done(team, assigned, who):
    before = snapshot()
    with pytest.raises(NotAllowed):
        service.assignment_done(user=team[who], assignment_id=assigned.pk)
    assert snapshot() == before


def test_unassign_keeps_the_row_returned_and_frees_the_article(team, assigned):
    service.assignment_unassign(user=team["lead"], assignment_id=assigned.pk)
    assigned.refresh_from_db()
    assert assigned.state == "returned"
    again = make_round(team, article_ids=[assigned.article_id], analyst_ids=[team["a"].pk])
    assert (again.assigned, again.skipped) == (1, 0)


def test_done_work_is_not_unassigned_silently(team, assigned):
    service.assignment_done(user=team["a"], assignment_id=assigned.pk)
    before = snapshot()
    with pytest.raises(WriteRefused, match="reopen it first to unassign it"):
        service.assignment_unassign(user=team["lead"], assignment_id=assigned.pk)
    with pytest.raises(WriteRefused, match="reopen it first"):
        service.assignment_reassign(
            user=team["lead"], assignment_id=assigned.pk, analyst_id=team["b"].pk
        )
    assert snapshot() == before


def test_an_analyst_may_not_unassign_even_their_own(team, assigned):
    before = snapshot()
    with pytest.raises(NotAllowed):
        service.assignment_unassign(user=team["a"], assignment_id=assigned.pk)
    assert snapshot() == before


def test_reassign_returns_the_old_one_and_gives_a_new_one_the_same_round_mode_and_due(
    team, assigned
):
    new = service.assignment_reassign(
        user=team["lead"], assignment_id=assigned.pk, analyst_id=team["b"].pk
    )
    assigned.refresh_from_db()
    assert assigned.state == "returned"
    assert (new.analyst, new.round_id, new.mode, new.due_at) == (
        team["b"],
        assigned.round_id,
        assigned.mode,
        assigned.due_at,
    )
    assert new.state == "open"


@pytest.mark.parametrize("target", ["a", "robot", "missing"])
def test_reassign_to_the_same_or_a_non_analyst_is_refused(team, assigned, target):
    before = snapshot()
    analyst_id = 999999 if target == "missing" else team[target].pk
    with pytest.raises(WriteRefused) as refused:
        service.assignment_reassign(
            user=team["lead"], assignment_id=assigned.pk, analyst_id=analyst_id
        )
    assert refused.value.field == "analyst"
    assert snapshot() == before


def test_reassign_to_an_analyst_who_has_it_already_is_refused(team, assigned):
    make_round(team, article_ids=[assigned.article_id], analyst_ids=[team["b"].pk])
    before = snapshot()
    with pytest.raises(WriteRefused, match="ben already has this article"):
        service.assignment_reassign(
            user=team["lead"], assignment_id=assigned.pk, analyst_id=team["b"].pk
        )
    assert snapshot() == before


def test_returned_work_cannot_be_done_or_reopened(team, assigned):
    service.assignment_unassign(user=team["lead"], assignment_id=assigned.pk)
    before = snapshot()
    for act in (service.assignment_done, service.assignment_reopen):
        with pytest.raises(WriteRefused):
            act(user=team["a"], assignment_id=assigned.pk)
    with pytest.raises(WriteRefused):
        service.assignment_unassign(user=team["lead"], assignment_id=assigned.pk)
    assert snapshot() == before


def test_an_assignment_that_does_not_exist(team):
    with pytest.raises(Assignment.DoesNotExist):
        service.assignment_done(user=team["a"], assignment_id=999999)


# --- the periodic return ------------------------------------------------------------------


def test_overdue_open_work_is_returned_once_and_done_work_is_kept(team):
    make_round(team, return_after_days=2)
    rows = list(Assignment.objects.order_by("pk"))
    service.assignment_done(user=team["a"], assignment_id=rows[0].pk)
    later = timezone.now() + timedelta(days=2, minutes=1)
    assert service.assignments_return_overdue(now=timezone.now()) == 0
    assert service.assignments_return_overdue(now=later) == 7
    assert service.assignments_return_overdue(now=later) == 0
    assert Assignment.objects.filter(returned_at=later).count() == 7
    assert Assignment.objects.get(pk=rows[0].pk).state == "done"
    assert Assignment.history.filter(history_change_reason="past due").count() == 7


def test_the_task_returns_overdue_work_and_is_on_the_schedule(team, settings):
    make_round(team, return_after_days=1)
    Assignment.objects.update(due_at=timezone.now() - timedelta(seconds=1))
    with override_settings(CELERY_TASK_ALWAYS_EAGER=True):
        assert tasks.assignments_return.delay().get() == 8
    entry = settings.CELERY_BEAT_SCHEDULE["return-overdue-assignments"]
    assert entry["task"] == tasks.assignments_return.name
    assert entry["schedule"] == settings.ASSIGNMENT_RETURN_SECONDS == 3600
