"""The entity list, the entity page and merging a duplicate into an entity from it."""

import hashlib
import itertools

import pytest
from django.urls import reverse

from annotations.models import Quote, Stance
from articles.models import Entity, EntityAlias, Mention
from newsdesk import roles
from tests.factories import (
    BODY,
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    MentionFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

XSS = "<img src=x onerror=alert(1)>"
BODIES = itertools.count(1)


def article(**kwargs):
    body = f"{BODY} (Report {next(BODIES)}.)"
    return ArticleFactory(
        body=body, content_hash=hashlib.sha256(body.encode()).hexdigest(), **kwargs
    )


def login(client, role):
    client.force_login(UserFactory(role=role))
    return client


@pytest.fixture
def analyst_client(client):
    return login(client, roles.ANALYST)


def actor(name: str, *, mentions: int = 0, quotes: int = 0, stances: int = 0, kind="PERSON"):
    """An entity with its own alias, `mentions` mentions (one article each), `quotes`
    quotes, and `stances` stances held and as many received."""
    entity = EntityFactory(name=name, kind=kind)
    EntityAliasFactory(entity=entity, alias=name)
    for _ in range(mentions):
        MentionFactory(article=article(), entity=entity)
    for _ in range(quotes):
        QuoteFactory(article=article(), speaker=entity)
    other = EntityFactory(name=f"Counterpart of {name}") if stances else None
    for _ in range(stances):
        StanceFactory(article=article(), holder=entity, target_text="the talks")
        StanceFactory(article=article(), holder=other, target_entity=entity)
    return entity


def state():
    """Everything a merge would change, to compare before and after a refusal."""
    return (
        sorted(Entity.objects.values_list("pk", "name")),
        sorted(EntityAlias.objects.values_list("pk", "entity_id")),
        sorted(Mention.objects.values_list("pk", "entity_id")),
        sorted(Quote.objects.values_list("pk", "speaker_id")),
        sorted(Stance.objects.values_list("pk", "holder_id", "target_entity_id")),
    )


# --- the list ---------------------------------------------------------------------------


def test_entity_list_finds_entities_by_name_or_alias_with_mention_counts(analyst_client):
    putin = actor("Vladimir Putin", mentions=3)
    EntityAliasFactory(entity=putin, alias="President Putin")
    actor("Xi Jinping", mentions=1)

    everyone = analyst_client.get(reverse("entity-list")).content.decode()
    by_alias = analyst_client.get(reverse("entity-list"), {"q": "president"}).content.decode()

    assert "Vladimir Putin" in everyone
    assert "Xi Jinping" in everyone
    detail = reverse("entity-detail", args=[putin.pk])
    assert f'<a href="{detail}">Vladimir Putin</a>' in by_alias
    assert '<span class="alias">President Putin</span>' in by_alias
    assert '<td class="num">3</td>' in by_alias
    assert "Xi Jinping" not in by_alias


def test_entity_list_filters_by_kind(analyst_client):
    actor("Vladimir Putin")
    actor("Kremlin", kind="ORG")

    html = analyst_client.get(reverse("entity-list"), {"kind": "ORG"}).content.decode()

    assert "Kremlin" in html
    assert "Vladimir Putin" not in html
    assert '<option value="ORG" selected>' in html


def test_entity_list_orders_by_mentions_and_pages(analyst_client):
    actor("Alpha", mentions=1)
    actor("Beta", mentions=2)

    html = analyst_client.get(reverse("entity-list"), {"sort": "mentions"}).content.decode()

    assert html.index("Beta") < html.index("Alpha")


def test_entity_list_escapes_names(analyst_client):
    entity = actor(XSS)
    EntityAliasFactory(entity=entity, alias=f"alias {XSS}")

    html = analyst_client.get(reverse("entity-list"), {"q": XSS}).content.decode()

    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- the entity page --------------------------------------------------------------------


def test_entity_page_shows_aliases_mentions_quotes_and_stances(analyst_client):
    ushakov = EntityFactory(
        name="Yury Ushakov", kind="PERSON", description="Aide to the Russian president."
    )
    EntityAliasFactory(entity=ushakov, alias="Yuri Ushakov")
    kremlin = EntityFactory(name="Kremlin", kind="ORG")
    reported = article(outlet=OutletFactory(name="TASS"), title="Putin meets Xi")
    MentionFactory(article=reported, entity=ushakov, text="Yury Ushakov")
    MentionFactory(article=reported, entity=ushakov, text="Ushakov")
    quote = QuoteFactory(article=reported, speaker=ushakov)
    held = StanceFactory(article=reported, holder=ushakov, target_text="the joint statement")
    received = StanceFactory(
        article=reported, holder=kremlin, target_entity=ushakov, text="told reporters"
    )

    response = analyst_client.get(reverse("entity-detail", args=[ushakov.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Yury Ushakov</h1>" in html
    assert "Person" in html
    assert "Aide to the Russian president." in html
    assert '<li class="alias">Yuri Ushakov</li>' in html
    assert "<dt>Mentions</dt><dd>2</dd>" in html
    assert "<dt>Articles</dt><dd>1</dd>" in html
    article_url = reverse("article-detail", args=[reported.pk])
    assert f'<a href="{article_url}#quote-{quote.pk}">Putin meets Xi</a>' in html
    assert f'<td class="quote-text">{quote.exact}' in html
    assert "Confirmed" in html
    assert "<td>TASS</td>" in html
    assert f'href="{article_url}#stance-{held.pk}"' in html
    assert "the joint statement" in html
    assert f'href="{article_url}#stance-{received.pk}"' in html
    assert f'<a href="{reverse("entity-detail", args=[kremlin.pk])}">Kremlin</a>' in html
    assert "Support" in html  # the polarity's label


def test_entity_page_escapes_untrusted_text(analyst_client):
    entity = actor(XSS)
    entity.description = f"Described as {XSS}"
    entity.save()
    EntityAliasFactory(entity=entity, alias=f"alias {XSS}")
    reported = article(title=f"Title {XSS}", outlet=OutletFactory(name=f"Outlet {XSS}"))
    QuoteFactory(article=reported, speaker=entity)
    StanceFactory(article=reported, holder=entity, target_text=f"topic {XSS}")

    html = analyst_client.get(reverse("entity-detail", args=[entity.pk])).content.decode()

    assert "<img" not in html
    for escaped in (
        "<h1>&lt;img src=x",
        "Described as &lt;img",
        "alias &lt;img",
        "Title &lt;img",
        "Outlet &lt;img",
        "topic &lt;img",
    ):
        assert escaped in html


def test_entity_page_pages_quotes_by_the_known_total(analyst_client, monkeypatch):
    from annotations.selectors import entities

    monkeypatch.setattr(entities, "QUOTES_PER_PAGE", 2)
    entity = actor("Speaker", quotes=3)
    url = reverse("entity-detail", args=[entity.pk])

    first = analyst_client.get(url).content.decode()
    second = analyst_client.get(url, {"quotes": "2"}).content.decode()

    assert first.count('<td class="quote-text">') == 2
    assert "1\u20132 of 3" in first
    assert second.count('<td class="quote-text">') == 1
    assert "3\u20133 of 3" in second


def test_unknown_entity_is_404(analyst_client):
    assert analyst_client.get(reverse("entity-detail", args=[999999])).status_code == 404


# --- merging ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees_form"),
    [
        (roles.ADMIN, True),
        (roles.ANALYST, True),
        (roles.API_CLIENT, False),
    ],
)
def test_only_admins_and_analysts_see_the_merge_form(client, role, sees_form):
    entity = actor("Vladimir Putin")
    html = login(client, role).get(reverse("entity-detail", args=[entity.pk])).content.decode()
    assert ('id="merge"' in html) is sees_form


def test_merge_search_offers_other_entities_of_any_kind(analyst_client):
    putin = actor("Vladimir Putin")
    org = actor("Putin administration", kind="ORG")

    html = analyst_client.get(
        reverse("entity-detail", args=[putin.pk]), {"merge_q": "putin"}
    ).content.decode()

    assert f'<input type="radio" name="merge" value="{org.pk}"' in html
    assert f'value="{putin.pk}"' not in html  # never itself


def test_merge_confirm_step_states_what_will_move(analyst_client):
    putin = actor("Vladimir Putin")
    duplicate = actor("V. Putin", mentions=2, quotes=3, stances=1)

    html = analyst_client.get(
        reverse("entity-detail", args=[putin.pk]), {"merge": duplicate.pk}
    ).content.decode()

    assert "Merge “V. Putin” into “Vladimir Putin”?" in html
    assert "<strong>2</strong> mentions" in html
    assert "<strong>3</strong> quotes" in html
    assert "<strong>2</strong> stances (1 held, 1 received)" in html
    assert f'action="{reverse("entity-merge", args=[putin.pk])}"' in html
    assert f'<input type="hidden" name="entity" value="{duplicate.pk}">' in html


def test_merge_confirm_step_refuses_the_entity_itself(analyst_client):
    putin = actor("Vladimir Putin")
    html = analyst_client.get(
        reverse("entity-detail", args=[putin.pk]), {"merge": putin.pk}
    ).content.decode()
    assert "cannot be merged here" in html
    assert 'name="entity"' not in html


@pytest.mark.parametrize("role", [roles.ADMIN, roles.ANALYST])
def test_admins_and_analysts_merge_a_duplicate_from_the_page(client, role):
    putin = actor("Vladimir Putin", mentions=1)
    duplicate = actor("V. Putin", mentions=2, quotes=1, stances=1)
    login(client, role)

    response = client.post(
        reverse("entity-merge", args=[putin.pk]), {"entity": duplicate.pk}, follow=True
    )

    assert response.redirect_chain[-1] == (reverse("entity-detail", args=[putin.pk]), 302)
    html = response.content.decode()
    assert "Merged “V. Putin” into “Vladimir Putin”" in html
    assert not Entity.objects.filter(pk=duplicate.pk).exists()
    assert Mention.objects.filter(entity=putin).count() == 3
    assert Quote.objects.filter(speaker=putin).count() == 1
    assert Stance.objects.filter(holder=putin).count() == 1
    assert Stance.objects.filter(target_entity=putin).count() == 1


def test_api_client_may_not_merge(client):
    putin = actor("Vladimir Putin", mentions=1)
    duplicate = actor("V. Putin", mentions=2, quotes=1, stances=1)
    before = state()
    login(client, roles.API_CLIENT)

    response = client.post(reverse("entity-merge", args=[putin.pk]), {"entity": duplicate.pk})

    assert response.status_code == 403
    assert state() == before


def test_merging_an_entity_into_itself_is_refused_with_a_message(analyst_client):
    putin = actor("Vladimir Putin", mentions=2, quotes=1)
    before = state()

    response = analyst_client.post(
        reverse("entity-merge", args=[putin.pk]), {"entity": putin.pk}, follow=True
    )

    assert response.redirect_chain[-1] == (reverse("entity-detail", args=[putin.pk]), 302)
    assert "cannot be merged into itself" in response.content.decode()
    assert state() == before


def test_merging_a_missing_entity_is_refused_with_a_message(analyst_client):
    putin = actor("Vladimir Putin")
    before = state()

    response = analyst_client.post(
        reverse("entity-merge", args=[putin.pk]), {"entity": 999999}, follow=True
    )

    assert "no longer exists" in response.content.decode()
    assert state() == before


def test_merging_into_a_missing_entity_changes_nothing(analyst_client):
    duplicate = actor("V. Putin", mentions=1)
    before = state()

    response = analyst_client.post(reverse("entity-merge", args=[999999]), {"entity": duplicate.pk})

    assert response.status_code == 302
    assert state() == before


def test_merge_is_post_only(analyst_client):
    putin = actor("Vladimir Putin")
    assert analyst_client.get(reverse("entity-merge", args=[putin.pk])).status_code == 405


def test_anonymous_is_sent_to_login_and_merges_nothing(client):
    putin = actor("Vladimir Putin")
    duplicate = actor("V. Putin", mentions=1)
    before = state()
    login_url = reverse("login")

    for response in (
        client.get(reverse("entity-list")),
        client.get(reverse("entity-detail", args=[putin.pk])),
        client.post(reverse("entity-merge", args=[putin.pk]), {"entity": duplicate.pk}),
    ):
        assert response.status_code == 302
        assert response.url.startswith(login_url)
    assert state() == before


# --- query counts -----------------------------------------------------------------------

# Session, user (login), the user's role (groups: the nav's Agreement link is for leads),
# the entity count (paginator), the page of entities (mention counts as a subquery), their
# aliases (one prefetch).
LIST_QUERIES = 6
# Session, user (login), the user's role (groups), the entity with every count as
# subqueries, its aliases and its automatic joins (prefetches), its quotes (article,
# outlet and statement joined), stances held, stances received (holder, target, polarity,
# article, outlet joined).
DETAIL_QUERIES = 9


@pytest.mark.parametrize("n", [1, 6])
def test_entity_list_query_count_does_not_grow(analyst_client, django_assert_num_queries, n):
    for i in range(n):
        entity = actor(f"Person {i}", mentions=n)
        EntityAliasFactory(entity=entity, alias=f"P. {i}")

    with django_assert_num_queries(LIST_QUERIES):
        response = analyst_client.get(reverse("entity-list"), {"q": "p"})

    assert response.content.decode().count('<th scope="row">') == n


@pytest.mark.parametrize("n", [1, 6])
def test_entity_page_query_count_does_not_grow(analyst_client, django_assert_num_queries, n):
    entity = actor("Yury Ushakov", mentions=n, quotes=n, stances=n)
    for i in range(n):
        EntityAliasFactory(entity=entity, alias=f"Y. Ushakov {i}")
    url = reverse("entity-detail", args=[entity.pk])

    with django_assert_num_queries(DETAIL_QUERIES):
        response = analyst_client.get(url)

    assert response.content.decode().count('<td class="quote-text">') == n


@pytest.mark.parametrize("n", [1, 6])
def test_merge_steps_cost_one_query_more_each(analyst_client, django_assert_num_queries, n):
    entity = actor("Vladimir Putin", mentions=n, quotes=n, stances=n)
    for i in range(n):
        actor(f"Putin {i}", mentions=n, quotes=n)
    url = reverse("entity-detail", args=[entity.pk])
    other = Entity.objects.get(name="Putin 0")

    # DETAIL_QUERIES and the candidates found (mention counts as a subquery).
    with django_assert_num_queries(DETAIL_QUERIES + 1):
        analyst_client.get(url, {"merge_q": "putin"})
    # DETAIL_QUERIES and the entity to merge with what would move (counts as subqueries).
    with django_assert_num_queries(DETAIL_QUERIES + 1):
        analyst_client.get(url, {"merge": other.pk})
