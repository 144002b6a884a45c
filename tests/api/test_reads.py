"""Reading the API: filters, incremental sync with updated_since and the deleted feed,
cursor pages that stay put while rows are added, and page sizes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.models import Quote
from tests.api.world import People, World, span
from tests.factories import (
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    MentionFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    polarity,
)

pytestmark = pytest.mark.django_db


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_entity_search_matches_names_and_aliases(world: World, people: People):
    EntityAliasFactory(entity=world.ushakov, alias="Yuri Ushakov")
    client = people.client("api_client")
    assert ids(client.get("/api/v1/entities/?q=yuri")) == [world.ushakov.pk]
    assert ids(client.get("/api/v1/entities/?q=Keller")) == [world.keller.pk]
    assert ids(client.get("/api/v1/entities/?q=nobody")) == []
    aliases = client.get(f"/api/v1/entities/{world.ushakov.pk}/").json()["aliases"]
    assert "Yuri Ushakov" in aliases


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("speaker={keller}", ["own"]),
        ("speaker={ushakov}", ["machine"]),
        ("status=suggested", ["machine"]),
        ("status=confirmed", ["own", "elsewhere"]),
        ("origin=machine", ["machine"]),
        ("origin=analyst", ["own", "elsewhere"]),
        ("created_by=analyst-a", ["own"]),
        ("created_by=analyst-b", []),
        ("kind=indirect", ["own"]),
        ("article={article}", ["machine", "own"]),
        ("article={other_article}", ["elsewhere"]),
        ("outlet={other_outlet}", ["elsewhere"]),
        ("statement={statement}", ["machine"]),
    ],
)
def test_quote_filters(query, expected, world: World, people: People):
    other = ArticleFactory(outlet=OutletFactory(name="Other Outlet"))
    elsewhere = QuoteFactory(article=other)
    names = {
        "machine": world.machine_quote.pk,
        "own": world.own_quote.pk,
        "elsewhere": elsewhere.pk,
    }
    url = "/api/v1/quotes/?" + query.format(
        keller=world.keller.pk,
        ushakov=world.ushakov.pk,
        article=world.article.pk,
        other_article=other.pk,
        other_outlet=other.outlet_id,
        statement=world.statement.pk,
    )
    assert sorted(ids(people.client("analyst_b").get(url))) == sorted(names[n] for n in expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("holder={keller}", ["own"]),
        ("holder={ushakov}", ["ushakov"]),
        ("target={keller}", ["ushakov"]),
        ("polarity=oppose", ["own"]),
        ("polarity=support", ["ushakov"]),
        ("created_by=analyst-a", ["own"]),
        ("target_text=sanctions", ["own"]),
    ],
)
def test_stance_filters(query, expected, world: World, people: People):
    ushakov = StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.ushakov,
        target_entity=world.keller,
        target_text="",
        polarity=polarity("support"),
        created_by=people.users["analyst_b"],
    )
    names = {"own": world.own_stance.pk, "ushakov": ushakov.pk}
    url = "/api/v1/stances/?" + query.format(keller=world.keller.pk, ushakov=world.ushakov.pk)
    assert sorted(ids(people.client("api_client").get(url))) == sorted(names[n] for n in expected)


def test_article_filters_and_no_body_in_the_list(world: World, people: People):
    client = people.client("api_client")
    other = ArticleFactory(published_at=timezone.now() - timedelta(days=30))
    listed = client.get("/api/v1/articles/").json()["results"]
    assert {row["id"] for row in listed} == {world.article.pk, other.pk}
    assert all("body" not in row for row in listed)
    assert ids(client.get(f"/api/v1/articles/?entity={world.ushakov.pk}")) == [world.article.pk]
    assert ids(client.get(f"/api/v1/articles/?story={world.article.story_id}")) == [
        world.article.pk
    ]
    since = (timezone.now() - timedelta(days=40)).isoformat()
    until = (timezone.now() - timedelta(days=20)).isoformat()
    url = f"/api/v1/articles/?published_after={since}&published_before={until}"
    assert ids(client.get(url.replace("+", "%2B"))) == [other.pk]
    detail = client.get(f"/api/v1/articles/{world.article.pk}/").json()
    assert detail["body"] == world.article.body


def test_a_bad_filter_value_is_a_400_naming_it(world: World, people: People):
    client = people.client("api_client")
    for url, field in (
        ("/api/v1/quotes/?updated_since=yesterday", "updated_since"),
        ("/api/v1/quotes/?status=maybe", "status"),
        ("/api/v1/annotations/?updated_since=yesterday", "updated_since"),
        ("/api/v1/annotations/?type=rumour", "type"),
        ("/api/v1/annotations/?page_size=0", "page_size"),
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert field in response.json(), (url, response.json())


def _iso(moment) -> str:
    return moment.isoformat().replace("+", "%2B")


def test_updated_since_returns_what_changed_and_the_deleted_feed_what_went(
    world: World, people: People
):
    client = people.client("api_client")
    mark = timezone.now()
    # After the mark: a review, a new stance and a deletion.
    analyst = people.client("analyst_a")
    assert analyst.post(f"/api/v1/quotes/{world.machine_quote.pk}/accept/").status_code == 200
    created = analyst.post(
        "/api/v1/stances/",
        {
            "article": world.article.pk,
            **span(world.article, "welcomed the talks"),
            "holder": world.keller.pk,
            "target_text": "talks",
            "polarity": "support",
        },
        format="json",
    ).json()
    assert analyst.delete(f"/api/v1/notes/{world.own_note.pk}/").status_code == 204

    assert ids(client.get(f"/api/v1/quotes/?updated_since={_iso(mark)}")) == [
        world.machine_quote.pk
    ]
    assert ids(client.get(f"/api/v1/stances/?updated_since={_iso(mark)}")) == [created["id"]]
    assert ids(client.get(f"/api/v1/notes/?updated_since={_iso(mark)}")) == []
    deleted = client.get(f"/api/v1/deleted/?updated_since={_iso(mark)}").json()["results"]
    assert [(d["kind"], d["object_id"]) for d in deleted] == [("note", world.own_note.pk)]
    feed = client.get(f"/api/v1/annotations/?updated_since={_iso(mark)}").json()["results"]
    assert [(a["newsdesk"]["type"], a["newsdesk"]["id"]) for a in feed] == [
        ("quote", world.machine_quote.pk),
        ("stance", created["id"]),
    ]
    # Nothing before the mark is repeated.
    later = timezone.now()
    assert client.get(f"/api/v1/annotations/?updated_since={_iso(later)}").json()["results"] == []
    assert client.get(f"/api/v1/deleted/?updated_since={_iso(later)}").json()["results"] == []


def test_cursor_pages_neither_skip_nor_repeat_rows_added_while_paging(world: World, people: People):
    article = world.article
    for _ in range(7):
        QuoteFactory(article=article)
    client = people.client("api_client")
    expected = set(Quote.objects.values_list("pk", flat=True))
    seen: list[int] = []
    url = "/api/v1/quotes/?page_size=3"
    added = []
    while url:
        page = client.get(url).json()
        seen.extend(row["id"] for row in page["results"])
        if len(added) < 2:  # a new row lands while the client is paging
            added.append(QuoteFactory(article=article).pk)
        url = page["next"]
    assert len(seen) == len(set(seen)), "no row twice"
    assert expected <= set(seen), "no row that existed when paging began is skipped"
    assert set(added) <= set(seen), "rows added while paging come at the end"


def test_the_annotation_feed_pages_across_kinds_without_gaps_or_repeats(
    world: World, people: People
):
    for n in range(4):
        MentionFactory(
            article=world.article, text="Anna Keller", entity=EntityFactory(name=f"K{n}")
        )
        QuoteFactory(article=world.article)
    client = people.client("api_client")
    everything = client.get("/api/v1/annotations/?page_size=1000").json()
    assert everything["next"] is None
    keys = [a["id"] for a in everything["results"]]
    assert len(keys) == 1 + 2 + 1 + 1 + 8  # mentions, quotes, stance, note, added
    paged: list[str] = []
    url = "/api/v1/annotations/?page_size=2"
    while url:
        page = client.get(url).json()
        paged.extend(a["id"] for a in page["results"])
        url = page["next"]
    assert paged == keys
    modified = [a["modified"] for a in everything["results"]]
    assert modified == sorted(modified), "sync order: oldest change first"
    assert client.get("/api/v1/annotations/?cursor=garbage").status_code == 404


def test_page_size_goes_up_to_1000(world: World, people: People):
    client = people.client("api_client")
    for _ in range(3):
        QuoteFactory(article=world.article)
    assert len(ids(client.get("/api/v1/quotes/?page_size=1"))) == 1
    assert len(ids(client.get("/api/v1/quotes/?page_size=1000"))) == 5
    # Above the maximum, below 1, not a number or given twice: a 400 naming it.
    for bad in ("5000", "0", "ten", "10&page_size=20"):
        response = client.get(f"/api/v1/quotes/?page_size={bad}")
        assert response.status_code == 400, bad
        assert "page_size" in response.json()


def test_ordering_parameter(world: World, people: People):
    client = people.client("api_client")
    ascending = ids(client.get("/api/v1/quotes/?ordering=id"))
    descending = ids(client.get("/api/v1/quotes/?ordering=-id"))
    assert ascending == sorted(ascending)
    assert descending == sorted(ascending, reverse=True)


def test_statements_show_each_variant_with_its_differences(world: World, people: People):
    other = ArticleFactory(
        story=world.article.story,
        body='"A joint statement on international relations entering a new era, on global '
        'sustainable development, has been prepared in advance for the talks," Ushakov said.',
    )
    variant = QuoteFactory(
        article=other,
        text=other.body[: other.body.index('talks,"') + len('talks,"')],
        statement=world.statement,
        speaker=world.ushakov,
    )
    world.statement.reference_text = (
        "A joint statement on international relations entering a new era has been prepared "
        "for the talks"
    )
    world.statement.save()
    row = people.client("api_client").get(f"/api/v1/statements/{world.statement.pk}/").json()
    assert row["speaker"] == {"id": world.ushakov.pk, "name": "Yury Ushakov"}
    by_quote = {v["quote"]: v for v in row["variants"]}
    assert set(by_quote) == {world.machine_quote.pk, variant.pk}
    assert by_quote[world.machine_quote.pk]["text"] == world.machine_quote.exact
    inserted = [d["text"] for d in by_quote[variant.pk]["differences"] if d["op"] == "insert"]
    assert any("sustainable development" in text for text in inserted), by_quote[variant.pk]
    assert "in advance" in inserted
    assert 0.5 < by_quote[variant.pk]["similarity"] < 1.0


def test_vocabulary_lists_the_polarities(people: People):
    slugs = [p["slug"] for p in people.client("api_client").get("/api/v1/vocabulary/").json()]
    assert {"support", "oppose", "neutral", "mixed"} <= set(slugs)


def test_the_entity_named_in_a_mention_is_joined_not_queried(
    world: World, people: People, django_assert_num_queries
):
    EntityFactory(name="Unused")
    # Sign-in with the role, then the mention with its entity joined: no third query.
    with django_assert_num_queries(2):
        response = people.client("api_client").get(f"/api/v1/mentions/{world.machine_mention.pk}/")
    row = response.json()
    assert row["entity"] == {"id": world.ushakov.pk, "name": "Yury Ushakov"}
    assert row["kind"] == "PERSON"


@pytest.mark.parametrize("endpoint", ["quotes", "deleted", "annotations"])
def test_any_offset_python_takes_is_a_time_and_an_impossible_one_a_400(endpoint, people: People):
    client = people.client("api_client")
    # +22:18 is beyond PostgreSQL's offsets; as UTC it is an ordinary time.
    assert (
        client.get(f"/api/v1/{endpoint}/?updated_since=0895-05-09T01:56:41.23%2B22:18").status_code
        == 200
    )
    # Midnight of year 1 five hours east of UTC is in year 0, which has no date.
    response = client.get(f"/api/v1/{endpoint}/?updated_since=0001-01-01T00:00:00%2B05:00")
    assert response.status_code == 400
    assert "updated_since" in response.json()


def test_an_unknown_api_url_is_a_json_404_and_a_site_url_an_html_one(people: People, client):
    api = people.client("api_client")
    for url in (
        "/api/v1/articles/abc/",
        "/api/v1/articles/1234567890123456789/",
        "/api/v1/nothing/",
    ):
        response = api.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}
    client.force_login(people.users["analyst_a"])
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")


def test_a_refusal_is_json_whatever_format_was_asked(people: People):
    response = people.client("api_client").get("/api/v1/quotes/?format=csv&status=maybe")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "status" in response.json()
