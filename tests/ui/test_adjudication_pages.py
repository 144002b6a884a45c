"""The adjudication pages: the queue of articles to settle (worst first) and one article
with every coder's version of each unit; who may open and use them; settling by a pick,
a drop or an edit through the views, refusals that change nothing; query counts that do
not grow with the number of articles or units."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from annotations.models import (
    AdjudicationDecision,
    ArticleAgreement,
    Assignment,
    Quote,
    Stance,
)
from annotations.selectors.adjudication import adjudication_for
from annotations.services.agreement import agreement_refresh
from newsdesk import roles
from tests.annotations.agreement_world import assign, cast, coded_article, lead_user
from tests.factories import ArticleFactory, EntityFactory, QuoteFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = reverse("adjudication-queue")
XSS = "<img src=x onerror=alert(1)>"


def detail(article) -> str:
    return reverse("adjudication-detail", args=[article.pk])


def settle_url(article) -> str:
    return reverse("adjudication-settle", args=[article.pk])


def reopen_url(article) -> str:
    return reverse("adjudication-reopen", args=[article.pk])


@pytest.fixture
def analysts():
    return (
        UserFactory(username="ana", role=roles.ANALYST),
        UserFactory(username="bea", role=roles.ANALYST),
    )


@pytest.fixture
def people():
    return cast()


@pytest.fixture
def article(analysts, people):
    """coded_article's six units: 2 agreed, 4 to settle (see agreement_world)."""
    coded = coded_article(*analysts, people)
    agreement_refresh(article_ids=[coded.pk])
    return coded


@pytest.fixture
def lead(client):
    client.force_login(lead_user(username="lea"))
    return client


def snapshot():
    """Every row an adjudication may write, with its version."""
    return (
        list(Quote.objects.values_list("pk", "updated_at", "origin").order_by("pk")),
        list(Stance.objects.values_list("pk", "updated_at", "origin").order_by("pk")),
        list(AdjudicationDecision.objects.values_list("pk", "how", "updated_at").order_by("pk")),
        AdjudicationDecision.history.count(),
        list(ArticleAgreement.objects.values_list("pk", "adjudicated_at").order_by("pk")),
    )


def unit_of(article, kind, field):
    """The one unit of this kind whose versions differ on this field."""
    (unit,) = [
        u
        for u in adjudication_for(article.pk).units
        if u.kind == kind and field in u.differs and u.decision is None
    ]
    return unit


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who may ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, article):
    for url in (QUEUE, detail(article)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    before = snapshot()
    response = client.post(settle_url(article), {"kind": "quote", "unit": "x", "drop": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("who", "status"),
    [("analyst", 403), ("api-client", 403), ("lead", 200), ("admin", 200)],
)
def test_only_leads_and_admins_open_the_pages(client, article, who, status):
    user = lead_user() if who == "lead" else UserFactory(role=who)
    client.force_login(user)
    before = snapshot()
    assert client.get(QUEUE).status_code == status
    response = client.get(detail(article))
    assert response.status_code == status
    if status == 403:
        # Not even the merge of agreed units: nothing written.
        assert snapshot() == before


@pytest.mark.parametrize("who", ["analyst", "api-client"])
def test_others_may_not_settle_or_reopen(client, article, who):
    unit = unit_of(article, "quote", "speaker")
    client.force_login(UserFactory(role=who))
    before = snapshot()
    data = {"kind": "quote", "unit": unit.key, "pick": unit.versions[0].coder.id}
    assert client.post(settle_url(article), data).status_code == 403
    assert client.post(reopen_url(article), {"unit": unit.key}).status_code == 403
    assert snapshot() == before


def test_the_nav_links_the_queue_for_leads_only(client):
    home = reverse("home")
    client.force_login(lead_user())
    assert f'href="{QUEUE}"' in client.get(home).content.decode()
    client.force_login(UserFactory(role=roles.ANALYST))
    assert f'href="{QUEUE}"' not in client.get(home).content.decode()


def test_writes_need_the_csrf_token(article):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(lead_user())
    unit = unit_of(article, "quote", "speaker")
    before = snapshot()
    data = {"kind": "quote", "unit": unit.key, "drop": "1"}
    assert browser.post(settle_url(article), data).status_code == 403
    assert browser.post(reopen_url(article), {"unit": unit.key}).status_code == 403
    assert snapshot() == before


def test_settle_and_reopen_take_posts_only(lead, article):
    assert lead.get(settle_url(article)).status_code == 405
    assert lead.get(reopen_url(article)).status_code == 405


def test_an_unknown_article_is_not_found(lead):
    assert lead.get(reverse("adjudication-detail", args=[999999])).status_code == 404


# --- the queue ----------------------------------------------------------------------------


def test_the_queue_lists_articles_worst_first_with_their_figures(lead, analysts, people):
    worse = coded_article(*analysts, people)
    worse.title = f"Summit {XSS}"
    worse.save(update_fields=["title"])
    # One more disagreement on the worse one: a quote only bea has.
    QuoteFactory(
        article=worse, text="Russian President", speaker=people.putin, created_by=analysts[1],
        origin="analyst", cue="met", kind="indirect",
    )  # fmt: skip
    better = coded_article(*analysts, people)
    alone = ArticleFactory(title="Coded by one analyst only")
    assign(alone, analysts[0])
    agreement_refresh(article_ids=[worse.pk, better.pk, alone.pk])

    html = lead.get(QUEUE).content.decode()
    assert XSS not in html
    assert "Summit &lt;img" in html
    ids = [int(pk) for pk in re.findall(r'id="queue-(\d+)"', html)]
    assert ids == [worse.pk, better.pk]
    row = html[html.index(f'id="queue-{worse.pk}"') : html.index(f'id="queue-{better.pk}"')]
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", row))
    assert figures == {"Coders": "2", "Units": "7", "Disagreed": "5", "Settled so far": "0"}
    assert f'href="{detail(worse)}"' in row
    assert "2 articles to adjudicate." in html


def test_an_empty_queue_says_so(lead):
    assert "Nothing to adjudicate" in lead.get(QUEUE).content.decode()


@pytest.mark.parametrize("n", [2, 8])
def test_the_queue_costs_the_same_queries_for_2_or_8_articles(
    lead, analysts, people, django_assert_num_queries, n
):
    ids = [coded_article(*analysts, people).pk for _ in range(n)]
    agreement_refresh(article_ids=ids)
    # 1 session, 2 user, 3 their groups (role and lead, for the view and the nav),
    # 4 the paginator's COUNT of the queue, 5 the page of agreement rows with article and
    # outlet joined and the decisions so far counted.
    with django_assert_num_queries(5):
        response = lead.get(QUEUE)
    assert response.content.decode().count("data-queue-item") == n


# --- one article --------------------------------------------------------------------------


def test_the_article_shows_every_version_and_merges_the_agreed_units(lead, article, people):
    people.xi.name = f"Xi {XSS}"
    people.xi.save(update_fields=["name"])
    article.title = f"Putin meets Xi {XSS}"
    article.save(update_fields=["title"])

    response = lead.get(detail(article))
    assert response.status_code == 200
    html = response.content.decode()
    assert XSS not in html
    assert "Putin meets Xi &lt;img" in html
    assert "Xi &lt;img" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r'<[^>]+\sstyle="', html)
    # The two agreed units are merged into gold by the visit, shown collapsed.
    agreed = AdjudicationDecision.objects.filter(article=article, how="agreed")
    assert agreed.count() == 2
    assert Quote.objects.filter(article=article, origin="gold").count() == 1
    assert Stance.objects.filter(article=article, origin="gold").count() == 1
    assert html.count("<summary>Merged: all coders agree</summary>") == 2
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures["Units"] == "6"
    assert figures["Agreed and merged"] == "2"
    assert figures["To settle"] == "4"
    # The coders with the keys that pick their versions, and their done dates.
    assert re.search(r"<kbd>1</kbd> <strong>ana</strong> <span class=\"meta\">done", html)
    assert re.search(r"<kbd>2</kbd> <strong>bea</strong>", html)
    # Differences are said in words, and an absent version plainly.
    assert "≠ differs" in html
    assert "Differs: Span, Speaker" in html
    assert "Absent from ana" in html
    assert "<strong>Absent:</strong> ana has no such unit." in html
    assert 'data-state="open"' in html
    # Four forms to settle, each with a pick per present version and a drop.
    assert html.count(f'action="{settle_url(article)}"') == 4
    assert html.count("data-drop") == 4
    assert "Use bea’s" in html  # noqa: RUF001
    # A second visit merges nothing more.
    before = snapshot()
    lead.get(detail(article))
    assert snapshot() == before


def test_a_lone_coders_work_is_not_merged(lead, analysts, people):
    article = coded_article(*analysts, people)
    Assignment.objects.filter(article=article, analyst=analysts[1]).update(done_at=None)
    before = snapshot()
    html = lead.get(detail(article)).content.decode()
    assert "Only one analyst has finished this article" in html
    assert "data-unit" not in html
    assert snapshot() == before


def test_a_pick_settles_the_unit_and_goes_to_the_next_one(lead, article, analysts, people):
    lead.get(detail(article))
    unit = unit_of(article, "quote", "speaker")
    units = [u for u in adjudication_for(article.pk).units if u.decision is None]
    following = units[units.index(next(u for u in units if u.key == unit.key)) + 1]
    response = lead.post(
        settle_url(article),
        {
            "kind": "quote",
            "unit": unit.key,
            "pick": str(analysts[1].pk),
            "reason": "Xi is the one speaking <here>",
            "next_unit": following.key,
            # The edit fields come along with every submission; a pick ignores them.
            "speaker": str(people.putin.pk),
            "cue": "whatever",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{detail(article)}#unit-{following.key}"
    decision = AdjudicationDecision.objects.get(article=article, how="picked")
    assert (decision.picked_analyst, decision.reason) == (
        analysts[1],
        "Xi is the one speaking <here>",
    )
    assert decision.gold_quote.speaker == people.xi
    assert decision.gold_quote.cue == "met"
    assert decision.history.first().history_user.username == "lea"

    html = lead.get(detail(article)).content.decode()
    settled = html[html.index(f'id="unit-{unit.key}"') :]
    settled = settled[: settled.index("</li>")]
    assert "Picked bea&#x27;s version</strong> by lea" in settled
    assert "Xi is the one speaking &lt;here&gt;" in settled
    assert "data-reopen" in settled
    assert 'data-state="settled"' in settled


def test_a_drop_leaves_no_gold_unit(lead, article, analysts):
    lead.get(detail(article))
    unit = next(
        u for u in adjudication_for(article.pk).units if "absent" in u.differs and u.kind == "quote"
    )
    before = Quote.objects.filter(origin="gold").count()
    response = lead.post(settle_url(article), {"kind": "quote", "unit": unit.key, "drop": "1"})
    assert response.status_code == 302
    decision = AdjudicationDecision.objects.get(article=article, how="dropped")
    assert decision.gold_quote is None
    assert Quote.objects.filter(origin="gold").count() == before
    assert "No gold unit" in lead.get(detail(article)).content.decode()


def test_an_edit_makes_its_own_gold_version(lead, article, analysts, people):
    lead.get(detail(article))
    unit = unit_of(article, "quote", "speaker")
    other = EntityFactory(name="Dmitry Peskov")
    response = lead.post(
        settle_url(article),
        {
            "kind": "quote",
            "unit": unit.key,
            "edit": "1",
            "base": str(analysts[0].pk),
            "speaker": str(people.xi.pk),
            "speaker_id": str(other.pk),  # a typed number wins over the menu
            "cue": "  announced ",
            "quote_kind": "mixed",
            "reason": "Neither had it right.",
        },
    )
    assert response.status_code == 302
    decision = AdjudicationDecision.objects.get(article=article, how="edited")
    gold = decision.gold_quote
    assert (gold.speaker, gold.cue, gold.kind, gold.origin) == (other, "announced", "mixed", "gold")
    # The span is ana's, the version the edit started from.
    ana_row = next(v for v in unit.versions if v.coder.id == analysts[0].pk)
    assert (gold.start, gold.end) == (ana_row.start, ana_row.end)
    assert decision.reason == "Neither had it right."


def test_an_edited_stance_takes_a_polarity_from_the_vocabulary(lead, article, analysts, people):
    lead.get(detail(article))
    unit = unit_of(article, "stance", "polarity")
    response = lead.post(
        settle_url(article),
        {
            "kind": "stance",
            "unit": unit.key,
            "edit": "1",
            "base": str(analysts[1].pk),
            "holder": str(people.putin.pk),
            "target": "",
            "target_text": "the new era",
            "polarity": "oppose",
        },
    )
    assert response.status_code == 302
    gold = AdjudicationDecision.objects.get(article=article, how="edited").gold_stance
    assert (gold.holder, gold.target_entity, gold.target_text, gold.polarity.slug) == (
        people.putin,
        None,
        "the new era",
        "oppose",
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"unit": "quote-1:2", "pick": "1"}, id="no-longer-a-unit"),
        pytest.param({"pick": "OTHER"}, id="coder-without-a-version"),
        pytest.param({}, id="no-action"),
        pytest.param({"pick": "ANA", "drop": "1"}, id="pick-and-drop"),
        pytest.param({"edit": "1", "base": "ANA", "speaker_id": "Putin"}, id="entity-not-a-number"),
        pytest.param({"edit": "1", "base": "ANA", "speaker": "999999"}, id="no-such-entity"),
        pytest.param({"edit": "1", "base": "ANA", "quote_kind": "shouted"}, id="bad-kind"),
        pytest.param({"kind": "stance", "pick": "ANA"}, id="wrong-kind"),
    ],
)
def test_a_refused_settlement_says_why_and_changes_nothing(lead, article, analysts, data):
    lead.get(detail(article))
    unit = unit_of(article, "quote", "speaker")
    ids = {"ANA": str(analysts[0].pk), "OTHER": str(UserFactory(role=roles.ANALYST).pk)}
    posted = {"kind": "quote", "unit": unit.key, "cue": "met", "quote_kind": "indirect"}
    posted.update({name: ids.get(value, value) for name, value in data.items()})
    before = snapshot()
    response = lead.post(settle_url(article), posted, follow=True)
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert message.startswith("Not settled: ")
    # Back on the article, at the unit when it still is one.
    path, fragment = response.redirect_chain[-1][0].split("#")
    assert path == detail(article)
    assert fragment == f"unit-{posted['unit']}"
    assert snapshot() == before


def test_reopen_undoes_a_settlement_and_refuses_an_open_unit(lead, article, analysts):
    lead.get(detail(article))
    unit = unit_of(article, "quote", "speaker")
    data = {"kind": "quote", "unit": unit.key, "pick": analysts[0].pk}
    lead.post(settle_url(article), data, follow=True)
    assert AdjudicationDecision.objects.filter(how="picked").exists()
    response = lead.post(reopen_url(article), {"unit": unit.key})
    assert response["Location"] == f"{detail(article)}#unit-{unit.key}"
    lead.get(response["Location"])  # reads the message
    assert not AdjudicationDecision.objects.filter(how="picked").exists()
    assert AdjudicationDecision.history.filter(how="picked", history_type="-").exists()

    before = snapshot()
    response = lead.post(reopen_url(article), {"unit": unit.key}, follow=True)
    assert messages_of(response) == ["Not reopened: This unit is not settled."]
    assert snapshot() == before


def test_once_every_unit_is_settled_the_page_says_so_and_links_the_next(
    lead, article, analysts, people
):
    second = coded_article(*analysts, people)
    agreement_refresh(article_ids=[second.pk])
    lead.get(detail(article))
    for unit in [u for u in adjudication_for(article.pk).units if u.decision is None]:
        data = {"kind": unit.kind, "unit": unit.key, "drop": "1"}
        response = lead.post(settle_url(article), data, follow=True)
    # The last one goes to the summary.
    assert response.redirect_chain[-1][0] == f"{detail(article)}#summary"
    html = lead.get(detail(article)).content.decode()
    assert "Every unit is settled" in html
    next_href = f"{reverse('adjudication-next')}?after={article.pk}"
    assert f'href="{next_href}"' in html
    assert ArticleAgreement.objects.get(article=article).adjudicated_at is not None
    # The next article is the other one; with none left, the queue.
    assert lead.get(next_href)["Location"] == detail(second)
    response = lead.get(f"{reverse('adjudication-next')}?after={second.pk}", follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    assert messages_of(response) == ["No other article is waiting for adjudication."]


def disagreeing_article(a, b, people, n):
    """An article with n quotes a and b tagged with different speakers (n units to
    settle), and one they agree on (merged into gold on the first visit)."""
    body = " ".join(f"Envoy {i} said the talks on item {i} had stalled." for i in range(n))
    article = ArticleFactory(body=f"{body} The summit ends on Friday, they said.")
    for analyst in (a, b):
        QuoteFactory(
            article=article, text="The summit ends on Friday", speaker=people.ushakov,
            created_by=analyst, origin="analyst", cue="said", kind="direct",
        )  # fmt: skip
    for i in range(n):
        for analyst, speaker in ((a, people.putin), (b, people.xi)):
            QuoteFactory(
                article=article, text=f"the talks on item {i} had stalled", speaker=speaker,
                created_by=analyst, origin="analyst", cue="said", kind="indirect",
            )  # fmt: skip
    assign(article, a)
    assign(article, b)
    agreement_refresh(article_ids=[article.pk])
    return article


@pytest.mark.parametrize("n", [2, 8])
def test_the_article_costs_the_same_queries_for_2_or_8_units(
    lead, analysts, people, django_assert_num_queries, n
):
    article = disagreeing_article(*analysts, people, n)
    lead.get(detail(article))  # merged: nothing agreed left to write on the counted visit
    # 1 session, 2 user, 3 their groups (role and lead, for the view and the nav),
    # 4 the lead's own blind assignment on it (none);
    # 5-14 adjudication_for's ten (article and outlet, coders, the six queries of their
    # versions, decisions with who decided, gold quotes with speaker; no gold stance, no
    # query); the merge of agreed units, with nothing left to merge (so no third read):
    # 15 savepoint, 16 the lead's blind assignment again (the service's own check),
    # 17-22 agreement_refresh's six (articles, finished assignments, analysts' quotes,
    # accepted quotes, analysts' stances, accepted stances), 23 its upsert of the
    # agreement row, 24 the article still there, 25 the row's get_or_create, 26 its lock
    # (select for update), 27-36 adjudication_for's ten again, 37 release the savepoint.
    # No polarity query: the article has no stance.
    with django_assert_num_queries(37):
        response = lead.get(detail(article))
    html = response.content.decode()
    assert html.count('data-state="open"') == n
    assert html.count('data-state="agreed"') == 1
