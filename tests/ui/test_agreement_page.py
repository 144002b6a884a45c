"""The Agreement page: leads and admins only, the selection in the URL, the figures with
their counts, links to each article's disagreements, and a query count that does not grow
with the number of articles."""

import re

import pytest
from django.urls import reverse

from annotations.models import Quote
from newsdesk import roles
from tests.annotations.agreement_world import cast, coded_article, lead_user
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = reverse("agreement")
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture
def analysts():
    return (
        UserFactory(username="ana", role=roles.ANALYST),
        UserFactory(username="bea", role=roles.ANALYST),
    )


@pytest.fixture
def lead(client):
    client.force_login(lead_user(username="lea"))
    return client


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "status"),
    [("analyst", 403), ("api-client", 403), ("admin", 200), ("lead", 200)],
)
def test_who_may_open_the_page(client, analysts, who, status):
    coded_article(*analysts, cast())
    before = Quote.objects.count()
    user = lead_user() if who == "lead" else UserFactory(role=who)
    response = login(client, user).get(PAGE)
    assert response.status_code == status
    assert Quote.objects.count() == before


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_nav_links_the_page_for_leads_only(client):
    home = reverse("home")
    assert f'href="{PAGE}"' in login(client, lead_user()).get(home).content.decode()
    client.logout()
    analyst_page = login(client, UserFactory(role=roles.ANALYST)).get(home).content.decode()
    assert f'href="{PAGE}"' not in analyst_page


def test_the_page_shows_the_figures_and_links_the_disagreements(lead, analysts):
    story = StoryFactory(label=f"Summit {XSS}")
    article = coded_article(*analysts, cast(), story=story)
    article.title = f"Putin meets Xi {XSS}"
    article.save(update_fields=["title"])
    response = lead.get(PAGE, {"story": story.pk})
    assert response.status_code == 200
    html = response.content.decode()
    # Untrusted text is escaped; nothing inline for the CSP to refuse.
    assert XSS not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r'<[^>]+\sstyle="', html)
    assert "Putin meets Xi &lt;img" in html
    # Overall: 6 units, 2 agreed, 4 disagreed, 2 missing from someone, 33.3%.
    figures = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", html))
    assert figures == {
        "Units": "6",
        "Agreed": "2",
        "Disagreed": "4",
        "Missing from someone": "2",
        "Agreed share": "33.3%",
    }
    # The speaker row: kappa 1/13, alpha 2/23, agreed 25%, 4 units.
    row = re.search(r"Quotes: speaker</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r'<td class="num">(.*?)</td>', row, re.S)
    assert [re.sub(r"<[^>]+>|\s+", " ", c).split()[0] for c in cells] == [
        "—",
        "0.077",
        "0.087",
        "25.0%",
        "4",
        "2",
        "3",
        "2",
    ]
    assert f'href="#disagreements-{article.pk}"' in html
    assert f'id="disagreements-{article.pk}"' in html
    assert f'href="/adjudicate/{article.pk}/"' in html
    assert f"/articles/{article.pk}/#quote-" in html
    assert "ana &amp; bea" in html
    assert "<em>absent</em>" in html
    # The same selection as CSV and JSON.
    assert f"/api/v1/agreement/?story={story.pk}&amp;format=csv" in html


def test_a_selection_without_two_coders_says_so(lead):
    response = lead.get(PAGE, {"article": "999999"})
    assert response.status_code == 200
    assert "No article of this selection has two analysts" in response.content.decode()


def test_bad_filters_are_left_out_and_said(lead, analysts):
    coded_article(*analysts, cast())
    response = lead.get(PAGE, {"story": "x", "from": "soon"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were not understood" in html
    assert "6</dd>" in html  # every article, unfiltered


@pytest.mark.parametrize("n", [2, 8])
def test_the_page_costs_the_same_queries_for_2_or_8_articles(
    lead, analysts, django_assert_num_queries, n
):
    people = cast()
    for _ in range(n):
        coded_article(*analysts, people)
    # 1 session, 2 user, 3 their groups (role and lead, for the view and the nav),
    # 4 the articles selected (story joined), 5 their live finished assignments (analyst
    # joined), 6 the analysts' quotes, 7 the machine quotes they accepted, 8 the
    # analysts' stances, 9 the machine stances they accepted.
    with django_assert_num_queries(9):
        response = lead.get(PAGE)
    assert response.status_code == 200
    assert response.content.decode().count('class="disagreements"') == n
