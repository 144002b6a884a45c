"""Team work's pages: My work (the queue, progress per article and overall, done and
reopen), the bulk assignment of an article list's selection, and the lead's page of
rounds and loads with unassign and reassign; who may see them; query counts that do not
grow with rows."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import Assignment, AssignmentRound, QuoteDecision
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    ImportBatchFactory,
    ImportFileFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MY_WORK = reverse("my-work")
NEW = reverse("assignment-new")
LIST = reverse("assignment-list")


@pytest.fixture
def ana():
    return UserFactory(username="ana", role=roles.ANALYST, password=None)


@pytest.fixture
def ben():
    return UserFactory(username="ben", role=roles.ANALYST, password=None)


@pytest.fixture
def lead():
    user = UserFactory(username="lee", role=roles.ANALYST, password=None)
    user.groups.add(Group.objects.get(name=roles.LEAD))
    return user


def assign(article, analyst, **fields):
    return Assignment.objects.create(article=article, analyst=analyst, **fields)


def queue_ids(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="assignment-(\d+)"', response.content.decode())]


def test_my_work_lists_open_work_first_by_due_date_with_progress(client, ana, ben):
    now = timezone.now()
    later = assign(ArticleFactory(title="Later"), ana, due_at=now + timedelta(days=5))
    sooner = assign(ArticleFactory(title="Sooner"), ana, due_at=now + timedelta(days=1))
    done = assign(ArticleFactory(title="Finished"), ana, done_at=now)
    assign(ArticleFactory(title="Returned"), ana, returned_at=now)
    assign(ArticleFactory(title="Ben's"), ben)
    # On "Sooner": two machine quotes and a machine stance, one quote decided by ana, one
    # by ben; ana's own quote and stance; someone else's quote.
    article = sooner.article
    first = QuoteFactory(article=article, origin="machine", status="suggested")
    QuoteFactory(article=article, origin="machine", status="suggested")
    StanceFactory(article=article, origin="machine", status="suggested")
    QuoteDecision.objects.create(quote=first, analyst=ana, verdict="confirmed")
    QuoteDecision.objects.create(quote=first, analyst=ben, verdict="rejected")
    QuoteFactory(article=article, created_by=ana)
    StanceFactory(article=article, created_by=ana)
    QuoteFactory(article=article, created_by=ben)
    client.force_login(ana)
    response = client.get(MY_WORK)
    assert response.status_code == 200
    assert queue_ids(response) == [sooner.pk, later.pk, done.pk]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
    assert "1 of 3 articles done · 2 open" in text
    assert "2 items of your own · 1 of 3 suggestions decided" in text
    assert "Mark done" in text
    assert "Reopen" in text
    assert "Blind" in text
    assert 'src="/static/js/work.js"' in response.content.decode()


def test_an_empty_queue_says_so(client, ana):
    client.force_login(ana)
    assert "Nothing is assigned to you." in client.get(MY_WORK).content.decode()


def test_mark_done_and_reopen_from_the_page(client, ana):
    row = assign(ArticleFactory(title="One"), ana)
    client.force_login(ana)
    done = reverse("assignment-done", args=[row.pk])
    response = client.post(done, {"next": f"{MY_WORK}#assignment-{row.pk}"})
    assert response.status_code == 302
    assert response["Location"] == f"{MY_WORK}#assignment-{row.pk}"
    page = client.get(MY_WORK).content.decode()
    # The page's own forms: done goes back to the queue (which moves on to the next open
    # article), reopen to the reopened one.
    assert f'name="next" value="{MY_WORK}#assignment-{row.pk}"' in page
    row.refresh_from_db()
    assert row.state == "done"
    client.post(reverse("assignment-reopen", args=[row.pk]))
    row.refresh_from_db()
    assert row.state == "open"


def test_another_analysts_work_is_not_yours_to_mark_done(client, ana, ben):
    row = assign(ArticleFactory(), ana)
    client.force_login(ben)
    assert client.post(reverse("assignment-done", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.state == "open"
    assert client.post(reverse("assignment-done", args=[999999])).status_code == 404


def test_marking_done_without_the_csrf_token_is_refused(ana):
    row = assign(ArticleFactory(), ana)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ana)
    assert browser.post(reverse("assignment-done", args=[row.pk])).status_code == 403
    row.refresh_from_db()
    assert row.state == "open"


def test_an_offsite_next_is_not_followed(client, ana):
    row = assign(ArticleFactory(), ana)
    client.force_login(ana)
    response = client.post(
        reverse("assignment-done", args=[row.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == MY_WORK


@pytest.mark.parametrize("n", [2, 25])
def test_my_work_costs_the_same_queries_for_2_or_25_articles(
    client, ana, django_assert_num_queries, n
):
    for i in range(n):
        article = ArticleFactory()
        QuoteFactory(article=article, origin="machine", status="suggested")
        QuoteFactory(article=article, created_by=ana)
        assign(article, ana, done_at=timezone.now() if i % 2 else None)
    client.force_login(ana)
    # 1 session, 2 user, 3 the queue with article, outlet and round joined and every
    # figure as a subquery, 4 the user's groups (is_lead: the link to everyone's work).
    with django_assert_num_queries(4):
        response = client.get(MY_WORK)
    assert len(queue_ids(response)) == n


# --- leads --------------------------------------------------------------------------------


def test_the_article_list_offers_leads_to_assign_its_selection(client, lead, ana):
    story = StoryFactory()
    ArticleFactory(story=story)
    client.force_login(lead)
    response = client.get(reverse("home"), {"story": story.pk})
    assert f'href="{NEW}?story={story.pk}"' in response.content.decode()
    client.force_login(ana)
    assert NEW not in client.get(reverse("home")).content.decode()


def test_the_list_filters_by_import_batch(client, ana):
    batch = ImportBatchFactory()
    inside = ArticleFactory(title="From the batch")
    ImportFileFactory(batch=batch, article=inside)
    ArticleFactory(title="From elsewhere")
    client.force_login(ana)
    text = client.get(reverse("home"), {"batch": batch.pk}).content.decode()
    assert "From the batch" in text
    assert "From elsewhere" not in text
    assert "Import:" in text


def test_a_lead_assigns_a_selection_from_the_form(client, lead, ana, ben):
    story = StoryFactory()
    articles = [ArticleFactory(story=story) for _ in range(4)]
    ArticleFactory()  # not in the story
    client.force_login(lead)
    url = f"{NEW}?story={story.pk}"
    page = client.get(url).content.decode()
    assert re.search(r"The selection holds <strong>4</strong> articles", page)
    assert f'<span class="chip-what">Story:</span> {story.label}' in page
    assert 'name="analysts"' in page
    form = {
        "analysts": [ana.pk, ben.pk],
        "k": 1,
        "overlap_percent": 50,
        "overlap_analysts": 2,
        "strategy": "round_robin",
        "seed": 3,
        "mode": "blind",
        "return_after_days": "",
        "label": "Week 1",
    }
    response = client.post(url, form, follow=True)
    made = Assignment.objects.filter(article__in=articles)
    assert made.count() == 6
    round_ = AssignmentRound.objects.get()
    assert round_.selection == f"story={story.pk}"
    assert round_.overlap_share == 0.5
    text = re.sub(r"\s+", " ", response.content.decode())
    assert "Week 1: 6 assignments over 4 articles (2 with overlap); none skipped." in text
    # Again: every pair is live already.
    response = client.post(url, form, follow=True)
    assert made.count() == 6
    assert "6 skipped: those analysts had those articles already." in response.content.decode()
    assert AssignmentRound.objects.count() == 2


def test_a_bad_form_says_why_and_assigns_nothing(client, lead, ana):
    ArticleFactory()
    client.force_login(lead)
    form = {"analysts": [ana.pk], "k": 2, "overlap_percent": 0, "overlap_analysts": 2,
            "strategy": "random", "seed": 0, "mode": "blind"}  # fmt: skip
    response = client.post(NEW, form)
    assert response.status_code == 200
    assert "From 1 to the number of analysts picked (1), not 2." in response.content.decode()
    assert not Assignment.objects.exists()
    assert not AssignmentRound.objects.exists()


@pytest.mark.parametrize("url", [NEW, LIST])
def test_analysts_who_do_not_lead_may_not_assign(client, ana, url):
    client.force_login(ana)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code in (403, 405)
    assert not AssignmentRound.objects.exists()


def test_the_leads_page_shows_loads_rounds_and_unassigns_and_reassigns(client, lead, ana, ben):
    round_ = AssignmentRound.objects.create(label="Week 1", created_by=lead)
    first = assign(ArticleFactory(title="First"), ana, round=round_)
    second = assign(ArticleFactory(title="Second"), ana, round=round_)
    assign(ArticleFactory(title="Third"), ben, round=round_, done_at=timezone.now())
    client.force_login(lead)
    text = re.sub(r"\s+", " ", client.get(LIST).content.decode())
    assert "Week 1" in text
    assert "First" in text
    assert "Third" not in text  # done: nothing to unassign
    response = client.post(reverse("assignment-unassign", args=[first.pk]), {"next": LIST})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "returned"
    client.post(reverse("assignment-reassign", args=[second.pk]), {"analyst": ben.pk})
    second.refresh_from_db()
    assert second.state == "returned"
    assert Assignment.objects.get(article=second.article, returned_at__isnull=True).analyst == ben


def test_the_leads_page_refuses_to_unassign_done_work_with_a_message(client, lead, ana):
    row = assign(ArticleFactory(), ana, done_at=timezone.now())
    client.force_login(lead)
    response = client.post(reverse("assignment-unassign", args=[row.pk]), follow=True)
    assert "reopen it first to unassign it" in response.content.decode()
    row.refresh_from_db()
    assert row.state == "done"


@pytest.mark.parametrize("n", [2, 20])
def test_the_leads_page_costs_the_same_queries_for_2_or_20_assignments(
    client, lead, ana, ben, django_assert_num_queries, n
):
    round_ = AssignmentRound.objects.create(label="Week", created_by=lead)
    for i in range(n):
        assign(ArticleFactory(), ana if i % 2 else ben, round=round_)
    client.force_login(lead)
    # 1 session, 2 user, 3 the user's groups (is_lead), 4 open assignments with article,
    # outlet and analyst, 5 the analysts (to reassign to), 6 each analyst's load, 7 the
    # rounds with their counts.
    with django_assert_num_queries(7):
        response = client.get(LIST)
    assert response.content.decode().count('action="/assignments/') == 2 * n
