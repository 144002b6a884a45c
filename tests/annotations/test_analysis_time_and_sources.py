"""Timelines (an actor's quotes and stances, coverage per outlet), top sources and the
overview dashboard, each figure checked against one counted by hand: stances from
`world.made`, quotes and articles from plain ORM rows (what exists), periods computed here
(Monday weeks, first of the month), never by the code under test."""

import csv
import io
import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from annotations.models import ArticleReview, Assignment, AssignmentMode, AssignmentRound, Quote
from annotations.selectors import analysis
from annotations.selectors.analysis import AnalysisFilters
from annotations.selectors.browse import ArticleFilters
from annotations.selectors.overview import overview_for
from articles.models import Article, Origin, ReviewStatus
from tests.annotations.analysis_world import SENTENCE, AnalysisWorld, build
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    OutletFactory,
    QuoteFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INTERVALS = ["day", "week", "month"]
SIDE = {1: "support", -1: "oppose", 0: "other"}


@dataclass(frozen=True)
class QuoteRow:
    pk: int
    speaker: int | None
    article: int
    outlet: int | None
    story: int | None
    published: datetime | None
    origin: str
    status: str


def quote_rows() -> list[QuoteRow]:
    """Every quote that exists, read with a plain ORM query: the ground truth."""
    return [
        QuoteRow(*row)
        for row in Quote.objects.values_list(
            "pk",
            "speaker_id",
            "article_id",
            "article__outlet_id",
            "article__story_id",
            "article__published_at",
            "origin",
            "status",
        )
    ]


def in_layer(rows: list[QuoteRow], layer: str) -> list[QuoteRow]:
    """The layer rule the analysis section documents, applied by hand."""
    kept = [r for r in rows if r.status != ReviewStatus.REJECTED]
    if layer == "suggestions":
        return [r for r in kept if r.origin == Origin.MACHINE]
    if layer == "confirmed":
        return [r for r in kept if r.status == ReviewStatus.CONFIRMED and r.origin != Origin.GOLD]
    if layer == "gold":
        return [r for r in kept if r.origin == Origin.GOLD]
    return [r for r in kept if r.origin != Origin.GOLD]


def period(moment: datetime, interval: str) -> date:
    day = timezone.localtime(moment).date()
    if interval == "day":
        return day
    if interval == "week":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def last_day(start: date, interval: str) -> date:
    if interval == "day":
        return start
    if interval == "week":
        return start + timedelta(days=6)
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def series_of(series: list[analysis.Series]) -> dict[str, dict[date, int]]:
    return {s.key: dict(s.points) for s in series}


@pytest.fixture
def world() -> AnalysisWorld:
    """The small analysis world, its quotes in every layer: the machine's suggestion of
    each article (some confirmed, some rejected), analysts' own, gold; one quote without a
    speaker, one in an article never published and one in a fourth outlet."""
    world = build(articles=8, stances_per_article=3)
    actors = world.actors
    second = len(SENTENCE)
    for index, article in enumerate(world.articles):
        machine = Quote.objects.get(article=article)
        other = next(a for a in actors[index % 7 :] + actors if a.pk != machine.speaker_id)
        span = {"article": article, "start": second, "end": second * 2 - 1, "speaker": other}
        if index % 4 == 0:
            Quote.objects.filter(pk=machine.pk).update(status=ReviewStatus.CONFIRMED)
        elif index % 4 == 1:
            Quote.objects.filter(pk=machine.pk).update(status=ReviewStatus.REJECTED)
            QuoteFactory(
                **span, origin=Origin.ANALYST, status="confirmed", created_by=world.analyst_a
            )
        elif index % 4 == 2:
            QuoteFactory(**span, origin=Origin.GOLD, status="confirmed")
        else:
            QuoteFactory(
                **span, origin=Origin.ANALYST, status="confirmed", created_by=world.analyst_b
            )
    QuoteFactory(
        article=world.articles[0], start=second * 2, end=second * 3 - 1, speaker=None,
        origin=Origin.MACHINE, status="suggested",
    )  # fmt: skip
    unpublished = ArticleFactory(
        body=f"{SENTENCE * 2}(Unpublished.)",
        outlet=world.outlets[0],
        story=world.stories[0],
        published_at=None,
    )
    QuoteFactory(
        article=unpublished, start=0, end=second - 1, speaker=actors[0], origin=Origin.MACHINE
    )
    lone = EntityFactory(name="Lone Voice")
    fourth = ArticleFactory(
        body=f"{SENTENCE * 2}(Outlet D.)",
        outlet=OutletFactory(name="Outlet D"),
        published_at=datetime(2026, 3, 4, 12, tzinfo=UTC),
    )
    QuoteFactory(article=fourth, start=0, end=second - 1, speaker=lone, origin=Origin.MACHINE)
    return world


@pytest.fixture
def api(world) -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role="api-client"))
    return client


def by_side(made, holder: int, interval: str) -> dict[str, Counter]:
    out: dict[str, Counter] = defaultdict(Counter)
    for m in made:
        if m.holder == holder:
            out[SIDE[m.sign]][period(m.published, interval)] += 1
    return out


# --- the actor timeline -----------------------------------------------------------------


@pytest.mark.parametrize("interval", INTERVALS)
@pytest.mark.parametrize("layer", ["all", "suggestions", "confirmed", "gold"])
def test_an_actors_timeline_counts_quotes_and_stances_per_period_and_side(world, interval, layer):
    quotes = in_layer(quote_rows(), layer)
    made = world.layer(layer)
    for actor in world.actors:
        got = series_of(analysis.actor_timeline(AnalysisFilters(layer=layer), actor.pk, interval))
        said = Counter(
            period(q.published, interval)
            for q in quotes
            if q.speaker == actor.pk and q.published is not None
        )
        sides = by_side(made, actor.pk, interval)
        assert got == {
            "quotes": dict(said),
            "support": dict(sides["support"]),
            "oppose": dict(sides["oppose"]),
            "other": dict(sides["other"]),
        }, (actor.name, layer, interval)


def test_timeline_periods_start_on_monday_and_on_the_first_of_the_month(world):
    actor = Counter(m.holder for m in world.layer("all")).most_common(1)[0][0]
    for interval, first in (("week", lambda d: d.weekday() == 0), ("month", lambda d: d.day == 1)):
        series = analysis.actor_timeline(AnalysisFilters(), actor, interval)
        starts = [start for s in series for start, _ in s.points]
        assert starts
        assert all(first(start) for start in starts), interval
        for s in series:
            assert [start for start, _ in s.points] == sorted(start for start, _ in s.points)


# --- coverage ---------------------------------------------------------------------------


def coverage_by_hand(story: int | None, interval: str) -> dict[str, dict[date, int]]:
    rows = Article.objects.values_list("outlet_id", "story_id", "published_at")
    counted: dict[str, Counter] = defaultdict(Counter)
    for outlet, of_story, published in rows:
        if published is None or (story is not None and of_story != story):
            continue
        counted[f"outlet-{outlet}"][period(published, interval)] += 1
    return {key: dict(points) for key, points in counted.items()}


@pytest.mark.parametrize("interval", INTERVALS)
def test_coverage_counts_articles_per_outlet_per_period(world, interval):
    got = analysis.coverage_timeline(AnalysisFilters(), interval)
    assert series_of(got) == coverage_by_hand(None, interval)
    names = dict(Article.objects.values_list("outlet_id", "outlet__name"))
    assert [s.label for s in got] == sorted(names[int(s.key[7:])] for s in got)


@pytest.mark.parametrize("interval", ["week", "month"])
def test_a_storys_coverage_is_its_articles_per_outlet(world, interval):
    for story in world.stories:
        filters = AnalysisFilters(articles=ArticleFilters(story=story.pk))
        expected = coverage_by_hand(story.pk, interval)
        assert expected
        assert series_of(analysis.coverage_timeline(filters, interval)) == expected


def test_the_coverage_api_says_its_totals_and_links_each_point_to_its_articles(world, api):
    story = world.stories[0]
    body = api.get(
        reverse("api-analysis-timeline"), {"story": story.pk, "interval": "month"}
    ).json()
    expected = coverage_by_hand(story.pk, "month")
    assert {s["key"]: {p["period"]: p["count"] for p in s["points"]} for s in body["series"]} == {
        key: {start.isoformat(): n for start, n in points.items()}
        for key, points in expected.items()
    }
    for series in body["series"]:
        for point in series["points"]:
            link = urlsplit(point["evidence"])
            start = date.fromisoformat(point["period"])
            assert link.path == reverse("home")
            assert parse_qs(link.query) == {
                "story": [str(story.pk)],
                "outlet": [series["key"].removeprefix("outlet-")],
                "from": [start.isoformat()],
                "to": [last_day(start, "month").isoformat()],
            }
    total = sum(sum(points.values()) for points in expected.values())
    per_outlet = {s["label"]: sum(expected[s["key"]].values()) for s in body["series"]}
    months = sorted({p for points in expected.values() for p in points})
    assert body["summary"].startswith(
        f"{len(months)} months from {months[0].isoformat()} to {months[-1].isoformat()} "
        f"across {len(expected)} outlets ("
    )
    for label, n in per_outlet.items():
        assert f"{label}: {n}" in body["summary"]
    assert sum(per_outlet.values()) == total


# --- the timeline API -------------------------------------------------------------------


def test_the_actor_timeline_api_narrows_each_points_link_to_its_period(world, api):
    made = world.layer("all")
    actor = Counter(m.holder for m in made).most_common(1)[0][0]
    published = sorted(m.published for m in made if m.holder == actor)
    # From the day of their first stance to the day of their last: mid-week, most likely,
    # so that the first and last weeks' links are narrowed to part of the week.
    start = timezone.localtime(published[0]).date()
    end = timezone.localtime(published[-1]).date()
    params = {"actor": actor, "interval": "week", "from": start.isoformat(), "to": end.isoformat()}
    response = api.get(reverse("api-analysis-timeline"), params)
    assert response.status_code == 200
    body = response.json()
    assert body["actor"] == actor
    assert body["interval"] == "week"

    def within(moment: datetime | None) -> bool:
        return moment is not None and start <= timezone.localtime(moment).date() <= end

    quotes = [
        q for q in in_layer(quote_rows(), "all") if q.speaker == actor and within(q.published)
    ]
    expected = {
        "quotes": Counter(period(q.published, "week") for q in quotes),
        **by_side([m for m in made if within(m.published)], actor, "week"),
    }
    got = {s["key"]: {p["period"]: p["count"] for p in s["points"]} for s in body["series"]}
    assert got == {
        key: {p.isoformat(): n for p, n in expected.get(key, Counter()).items()}
        for key in ("quotes", "support", "oppose", "other")
    }
    for series in body["series"]:
        for point in series["points"]:
            week = date.fromisoformat(point["period"])
            narrowed_from = max(week, start).isoformat()
            narrowed_to = min(week + timedelta(days=6), end).isoformat()
            link = urlsplit(point["evidence"])
            query = parse_qs(link.query)
            assert query["from"] == [narrowed_from]
            assert query["to"] == [narrowed_to]
            if series["key"] == "quotes":
                assert link.path == reverse("analysis-quotes")
                assert query == {
                    "from": [narrowed_from],
                    "to": [narrowed_to],
                    "quoted": [str(actor)],
                }
                continue
            assert link.path == reverse("analysis-evidence")
            assert query == {
                "from": [narrowed_from],
                "to": [narrowed_to],
                "holder": [f"e{actor}"],
                "side": [series["key"]],
            }
            # The link's selection, asked of the event list: exactly the stances counted.
            events = api.get(reverse("api-analysis-events"), {**query, "format": "jsonl"})
            lines = b"".join(events.streaming_content).decode().splitlines()
            ids = {json.loads(line)["statement"] for line in lines}
            assert ids == {
                m.pk
                for m in made
                if m.holder == actor
                and SIDE[m.sign] == series["key"]
                and period(m.published, "week") == week
                and within(m.published)
            }
            assert len(ids) == point["count"]


def test_the_timeline_csv_is_one_row_per_point(world, api):
    actor = world.actors[0].pk
    body = api.get(reverse("api-analysis-timeline"), {"actor": actor, "interval": "month"}).json()
    response = api.get(
        reverse("api-analysis-timeline"), {"actor": actor, "interval": "month", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="timeline.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["series", "label", "period", "count"]
    assert sorted(rows[1:]) == sorted(
        [s["key"], s["label"], p["period"], str(p["count"])]
        for s in body["series"]
        for p in s["points"]
    )
    assert len(rows) - 1 == sum(len(s["points"]) for s in body["series"])


def test_an_empty_timeline_csv_is_its_header_and_says_so(world, api):
    params = {"q": "nothingmatchesthisword", "interval": "week"}
    body = api.get(reverse("api-analysis-timeline"), params).json()
    assert body["summary"] == "Nothing in this selection to put on a timeline."
    assert body["series"] == []
    response = api.get(reverse("api-analysis-timeline"), {**params, "format": "csv"})
    lines = response.content.decode().splitlines()
    assert lines[0] == "series,label,period,count"
    assert all(set(line) <= {","} for line in lines[1:])


def test_the_actor_timeline_summary_says_each_series_total(world, api):
    made = world.layer("all")
    actor = Counter(m.holder for m in made).most_common(1)[0][0]
    body = api.get(reverse("api-analysis-timeline"), {"actor": actor, "interval": "month"}).json()
    quotes = [
        q for q in in_layer(quote_rows(), "all") if q.speaker == actor and q.published is not None
    ]
    sides = Counter(SIDE[m.sign] for m in made if m.holder == actor)
    months = sorted(
        {period(q.published, "month") for q in quotes}
        | {period(m.published, "month") for m in made if m.holder == actor}
    )
    summary = body["summary"]
    assert summary.startswith(f"{len(months)} months from {months[0].isoformat()} to ")
    assert f"Stances: support: {sides['support']}" in summary or not sides["support"]
    assert f"Stances: oppose: {sides['oppose']}" in summary or not sides["oppose"]
    if quotes:
        assert f"Quotes: {len(quotes)}" in summary


# --- top sources ------------------------------------------------------------------------


def sources_by_hand(layer: str, outlet: int | None = None) -> dict[int, Counter]:
    counted: dict[int, Counter] = defaultdict(Counter)
    for q in in_layer(quote_rows(), layer):
        if q.speaker is None or (outlet is not None and q.outlet != outlet):
            continue
        counted[q.speaker][q.outlet] += 1
    return counted


def outlet_names() -> dict[int, str]:
    return dict(Article.objects.values_list("outlet_id", "outlet__name"))


@pytest.mark.parametrize("layer", ["all", "suggestions", "confirmed"])
def test_top_sources_count_quotes_per_speaker_and_outlet(world, api, layer):
    expected = sources_by_hand(layer)
    names = outlet_names()
    body = api.get(reverse("api-analysis-sources"), {"layer": layer, "limit": 200}).json()
    totals = {speaker: sum(c.values()) for speaker, c in expected.items()}
    assert [s["entity_id"] for s in body["speakers"]] == sorted(
        totals, key=lambda pk: (-totals[pk], pk)
    )
    for speaker in body["speakers"]:
        counts = expected[speaker["entity_id"]]
        assert speaker["quotes"] == sum(counts.values())
        assert {name: n for name, n in speaker["outlets"].items() if n} == {
            names[pk]: n for pk, n in counts.items()
        }
        assert speaker["url"] == reverse("entity-detail", args=[speaker["entity_id"]])
        link = urlsplit(speaker["evidence"])
        assert link.path == reverse("analysis-quotes")
        assert parse_qs(link.query)["quoted"] == [str(speaker["entity_id"])]
    assert body["quotes"] == sum(totals.values())
    assert body["speakers_total"] == len(totals)
    quoted_in = {pk for counts in expected.values() for pk in counts}
    assert [o["name"] for o in body["outlets"]] == sorted(names[pk] for pk in quoted_in)
    top = body["speakers"][0]
    assert body["summary"] == (
        f"{sum(totals.values())} attributed quotes from {len(totals)} speakers in "
        f"{len(quoted_in)} outlets; most quoted: {top['name']} ({top['quotes']})."
    )


def test_the_selectors_sources_equal_the_counts_by_hand(world):
    expected = sources_by_hand("confirmed")
    found = analysis.top_sources(AnalysisFilters(layer="confirmed"), limit=200)
    assert {s.entity_id: dict(s.outlets.items()) for s in found.speakers} == {
        speaker: dict(counts) for speaker, counts in expected.items()
    }
    assert found.quotes == sum(sum(c.values()) for c in expected.values())


def test_sources_of_one_outlet(world, api):
    outlet = world.outlets[1]
    expected = sources_by_hand("all", outlet.pk)
    body = api.get(reverse("api-analysis-sources"), {"outlet": outlet.pk}).json()
    assert {s["entity_id"]: s["quotes"] for s in body["speakers"]} == {
        speaker: sum(c.values()) for speaker, c in expected.items()
    }
    assert body["outlets"] == [{"id": outlet.pk, "name": outlet.name}]
    assert body["quotes"] == sum(sum(c.values()) for c in expected.values())
    for speaker in body["speakers"]:
        assert parse_qs(urlsplit(speaker["evidence"]).query) == {
            "outlet": [str(outlet.pk)],
            "quoted": [str(speaker["entity_id"])],
        }


def test_the_limit_keeps_the_most_quoted_and_the_totals_of_the_selection(world, api):
    expected = sources_by_hand("all")
    totals = {speaker: sum(c.values()) for speaker, c in expected.items()}
    body = api.get(reverse("api-analysis-sources"), {"limit": 2}).json()
    assert [s["entity_id"] for s in body["speakers"]] == sorted(
        totals, key=lambda pk: (-totals[pk], pk)
    )[:2]
    assert body["quotes"] == sum(totals.values())
    assert body["speakers_total"] == len(totals)
    names = outlet_names()
    shown = {pk for s in body["speakers"] for pk in expected[s["entity_id"]]}
    assert {o["name"] for o in body["outlets"]} == {names[pk] for pk in shown}


def test_the_sources_summary_counts_every_outlet_of_the_selection_under_a_limit(world, api):
    expected = sources_by_hand("all")
    outlets = {pk for counts in expected.values() for pk in counts}
    body = api.get(reverse("api-analysis-sources"), {"limit": 1}).json()
    assert f" speakers in {len(outlets)} outlets;" in body["summary"]


def test_the_sources_csv_is_one_row_per_speaker_and_outlet(world, api):
    body = api.get(reverse("api-analysis-sources"), {"limit": 3}).json()
    response = api.get(reverse("api-analysis-sources"), {"limit": 3, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="sources.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "speaker", "speaker_id", "outlet", "outlet_id", "quotes", "speaker_quotes",
    ]  # fmt: skip
    assert len(rows) == len(body["speakers"]) * len(body["outlets"])
    for speaker in body["speakers"]:
        mine = [r for r in rows if r["speaker_id"] == str(speaker["entity_id"])]
        assert {r["outlet"]: int(r["quotes"]) for r in mine} == speaker["outlets"]
        assert {int(r["speaker_quotes"]) for r in mine} == {speaker["quotes"]}


def test_no_attributed_quotes_says_so(world, api):
    body = api.get(reverse("api-analysis-sources"), {"layer": "gold", "q": "nothingmatches"})
    assert body.json()["summary"] == "No attributed quotes in this selection."
    assert body.json()["speakers"] == []


# --- the overview dashboard -------------------------------------------------------------


def test_the_dashboard_counts_review_progress_and_the_most_active_holders(world):
    admin = UserFactory(role="admin")
    context = overview_for(admin)
    statuses = Counter(ArticleReview.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    assert total == Article.objects.count()
    assert context["review"]["total"] == total
    assert {row["status"]: row["count"] for row in context["review"]["rows"]} == {
        status: statuses.get(status, 0) for status in ("untouched", "in_progress", "done")
    }
    for row in context["review"]["rows"]:
        assert row["percent"] == round(100 * row["count"] / total, 1)
    made = world.layer("all")
    holders = Counter(m.holder for m in made)
    expected = sorted(holders, key=lambda pk: (-holders[pk], pk))[:10]
    assert [side.entity_id for side in context["top_holders"]] == expected
    for side in context["top_holders"]:
        sides = Counter(SIDE[m.sign] for m in made if m.holder == side.entity_id)
        assert (side.support, side.oppose, side.other) == (
            sides["support"],
            sides["oppose"],
            sides["other"],
        )
    quotes = quote_rows()
    assert context["quotes"]["total"] == len(quotes)
    for status in ("suggested", "confirmed", "rejected"):
        assert context["quotes"][status] == sum(q.status == status for q in quotes)
    assert context["stances"] == len(world.made)
    assert context["coverage"] == {
        "articles": Article.objects.count(),
        "outlets": len({o for o in Article.objects.values_list("outlet_id", flat=True) if o}),
        "stories": len({s for s in Article.objects.values_list("story_id", flat=True) if s}),
    }


def test_the_dashboard_page_says_the_review_progress(world, client):
    client.force_login(UserFactory(role="admin"))
    html = client.get(reverse("overview")).content.decode()
    statuses = Counter(ArticleReview.objects.values_list("status", flat=True))
    total = sum(statuses.values())
    for status, label in (("untouched", "untouched"), ("in_progress", "in progress")):
        n = statuses.get(status, 0)
        word = "article" if n == 1 else "articles"
        assert f"{n} {word} {label} ({round(100 * n / total, 1)}%)" in html


def test_a_blind_coders_dashboard_leaves_out_their_unfinished_blind_articles(world):
    coder = world.analyst_a
    blind = {a.pk for a in world.articles[:3]}
    round_ = AssignmentRound.objects.create(label="Round")
    for pk in blind:
        Assignment.objects.create(
            round=round_, article_id=pk, analyst=coder, mode=AssignmentMode.BLIND
        )
    holders = Counter(m.holder for m in world.layer("all") if m.article not in blind)
    context = overview_for(coder)
    assert {side.entity_id: side.total for side in context["top_holders"]} == dict(holders)


# --- following a point's link -----------------------------------------------------------


def listed(client, link: str) -> int:
    """How many articles the article list shows at a point's link."""
    response = client.get(link)
    assert response.status_code == 200
    return response.context["listing"].page.paginator.count


def test_a_coverage_points_link_lists_the_articles_it_counts(world, api, client):
    client.force_login(UserFactory(role="admin"))
    body = api.get(reverse("api-analysis-timeline"), {"interval": "month"}).json()
    assert body["series"]
    for series in body["series"]:
        for point in series["points"]:
            assert listed(client, point["evidence"]) == point["count"], (series, point)


def test_the_no_outlet_points_have_no_link_the_article_list_could_not_honour(world, api):
    # The article list has no "without an outlet" filter: a link would list every outlet.
    ArticleFactory(
        body=f"{SENTENCE}(No outlet.)",
        outlet=None,
        published_at=world.articles[0].published_at,
    )
    body = api.get(reverse("api-analysis-timeline"), {"interval": "month"}).json()
    series = next(s for s in body["series"] if s["key"] == "outlet-none")
    assert series["label"] == "Outlet unknown"
    assert [p["count"] for p in series["points"]] == [1]
    assert series["points"][0]["evidence"] is None


def quoted(client, link: str) -> int:
    """How many quotes the quotes page shows at a link."""
    response = client.get(link)
    assert response.status_code == 200
    return response.context["page"].paginator.count


def test_a_quotes_points_link_lists_the_quotes_it_counts_in_its_layer(world, api, client):
    actor = EntityFactory(name="Gold Speaker")
    moment = world.articles[0].published_at
    for n, origin in enumerate((Origin.MACHINE, Origin.GOLD)):
        article = ArticleFactory(
            body=f"{SENTENCE}(Gold speaker {n}.)", outlet=world.outlets[0], published_at=moment
        )
        QuoteFactory(
            article=article, start=0, end=len(SENTENCE) - 1, speaker=actor, origin=origin,
            status="confirmed" if origin == Origin.GOLD else "suggested",
        )  # fmt: skip
    client.force_login(UserFactory(role="admin"))
    for layer, count in (("all", 1), ("gold", 1), ("suggestions", 1), ("confirmed", 0)):
        params = {"actor": actor.pk} | ({"layer": layer} if layer != "all" else {})
        body = api.get(reverse("api-analysis-timeline"), params).json()
        points = next(s for s in body["series"] if s["key"] == "quotes")["points"]
        assert sum(p["count"] for p in points) == count, layer
        for point in points:
            assert quoted(client, point["evidence"]) == point["count"], layer
    sources = api.get(reverse("api-analysis-sources"), {"layer": "gold"}).json()
    source = next(s for s in sources["speakers"] if s["entity_id"] == actor.pk)
    assert quoted(client, source["evidence"]) == source["quotes"] == 1


# --- blind coders -----------------------------------------------------------------------


def test_a_blind_coders_timeline_and_sources_leave_out_their_blind_articles(world):
    coder = world.analyst_b
    blind = {a.pk for a in world.articles[:4]}
    round_ = AssignmentRound.objects.create(label="Round")
    for pk in blind:
        Assignment.objects.create(
            round=round_, article_id=pk, analyst=coder, mode=AssignmentMode.BLIND
        )
    client = APIClient()
    client.force_authenticate(coder)
    made = [m for m in world.layer("all") if m.article not in blind]
    actor = Counter(m.holder for m in made).most_common(1)[0][0]
    body = client.get(reverse("api-analysis-timeline"), {"actor": actor}).json()
    got = {s["key"]: sum(p["count"] for p in s["points"]) for s in body["series"]}
    sides = Counter(SIDE[m.sign] for m in made if m.holder == actor)
    quotes = [
        q
        for q in in_layer(quote_rows(), "all")
        if q.speaker == actor and q.article not in blind and q.published is not None
    ]
    assert got == {
        "quotes": len(quotes),
        "support": sides["support"],
        "oppose": sides["oppose"],
        "other": sides["other"],
    }
    sources = client.get(reverse("api-analysis-sources"), {"limit": 200}).json()
    kept = [q for q in in_layer(quote_rows(), "all") if q.speaker and q.article not in blind]
    assert sources["quotes"] == len(kept)
    coverage = client.get(reverse("api-analysis-timeline")).json()
    counted = sum(p["count"] for s in coverage["series"] for p in s["points"])
    assert counted == Article.objects.exclude(pk__in=blind).exclude(published_at=None).count()


# --- summaries of one -------------------------------------------------------------------


def test_summaries_of_one_read_in_the_singular():
    speaker = EntityFactory(name="Solo")
    article = ArticleFactory(
        body=f"{SENTENCE}(Solo.)",
        outlet=OutletFactory(name="Only Outlet"),
        published_at=datetime(2026, 3, 4, 12, tzinfo=UTC),
    )
    QuoteFactory(article=article, start=0, end=len(SENTENCE) - 1, speaker=speaker)
    client = APIClient()
    client.force_authenticate(UserFactory(role="api-client"))
    timeline = client.get(reverse("api-analysis-timeline"), {"actor": speaker.pk}).json()
    assert timeline["summary"].startswith("1 week from 2026-03-02 to 2026-03-02 across 1 series")
    sources = client.get(reverse("api-analysis-sources")).json()
    assert sources["summary"] == (
        "1 attributed quote from 1 speaker in 1 outlet; most quoted: Solo (1)."
    )
