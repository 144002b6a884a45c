"""Agreement from the database: each analyst's version built through the models, the
figures checked against a hand computation, and the summary rows refreshed in bulk."""

import pytest

from annotations.models import ArticleAgreement, Quote
from annotations.selectors.agreement import (
    AgreementSelection,
    adjudication_path,
    agreement_for,
    disagreement_links,
)
from annotations.services import agreement_refresh
from newsdesk import roles
from tests.annotations.agreement_world import assign, cast, coded_article
from tests.factories import ArticleFactory, QuoteFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysts():
    a = UserFactory(username="ana", role=roles.ANALYST, password=None)
    b = UserFactory(username="bea", role=roles.ANALYST, password=None)
    return a, b


def field(scope, kind, name):
    return next(f for f in scope.fields if (f.kind, f.field) == (kind, name))


def test_two_analysts_versions_give_the_hand_computed_figures(analysts):
    """Quote speakers, coders ana < bea: units (Ushakov, Ushakov), (Putin, Xi),
    (absent, Putin), (absent, Ushakov): agreed 1, matched 2, missing 2. Cohen's kappa:
    p_o = 1/4; ana's marginals Ushakov 1, Putin 1, absent 2; bea's Ushakov 2, Xi 1,
    Putin 1; p_e = (1*2 + 1*1)/16 = 3/16; kappa = (4/16 - 3/16)/(13/16) = 1/13.
    Krippendorff's alpha: 8 values, 2 coinciding (the Ushakov pair), n_c: Ushakov 3,
    Putin 2, absent 2, Xi 1 (sum of squares 18): alpha = 1 - 7 * 6 / (64 - 18) = 2/23.
    Stance polarities: (oppose, oppose), (support, neutral): kappa = (1/2 - 1/4)/(3/4)
    = 1/3; alpha = 1 - 3 * 2 / (16 - 6) = 0.4."""
    a, b = analysts
    people = cast()
    article = coded_article(a, b, people)
    data = agreement_for(AgreementSelection(ids=(article.pk,)))
    overall = data.report.overall

    speaker = field(overall, "quote", "speaker")
    assert speaker.counts.as_dict() == {
        "units": 4,
        "matched": 2,
        "agreed": 1,
        "disagreed": 3,
        "missing": 2,
    }
    assert speaker.percent == pytest.approx(0.25)
    assert speaker.kappa == pytest.approx(1 / 13)
    assert speaker.kappa_kind == "cohen"
    assert speaker.alpha == pytest.approx(2 / 23)
    # Cue and kind agree wherever both have the unit: only the absences disagree.
    assert field(overall, "quote", "cue").counts.agreed == 2
    assert field(overall, "quote", "kind").counts.disagreed == 2

    polarity = field(overall, "stance", "polarity")
    assert polarity.counts.as_dict() == {
        "units": 2,
        "matched": 2,
        "agreed": 1,
        "disagreed": 1,
        "missing": 0,
    }
    assert polarity.kappa == pytest.approx(1 / 3)
    assert polarity.alpha == pytest.approx(0.4)
    assert field(overall, "stance", "holder").percent == 1
    assert field(overall, "stance", "target").percent == 1

    assert overall.counts.as_dict() == {
        "units": 6,
        "matched": 4,
        "agreed": 2,
        "disagreed": 4,
        "missing": 2,
    }
    quote_spans = next(s for s in overall.spans if s.kind == "quote")
    assert quote_spans.alpha_u is not None
    assert quote_spans.alpha_u < 1
    assert data.coder_names == {a.pk: "ana", b.pk: "bea"}

    found = sorted(((d.kind, d.field, dict(d.values)) for d in data.report.disagreements), key=repr)
    assert found == sorted(
        [
            ("quote", "speaker", {a.pk: "Vladimir Putin", b.pk: "Xi Jinping"}),
            ("quote", "unit", {a.pk: None, b.pk: "Vladimir Putin / met / indirect"}),
            ("quote", "unit", {a.pk: None, b.pk: "Yury Ushakov / told / direct"}),
            ("stance", "polarity", {a.pk: "support", b.pk: "neutral"}),
        ],
        key=repr,
    )
    speaker_row = next(d for d in data.report.disagreements if d.field == "speaker")
    links = disagreement_links(speaker_row)
    own = Quote.objects.get(article=article, created_by=a)
    assert links["reader"][str(a.pk)] == f"/articles/{article.pk}/#quote-{own.pk}"
    assert links["adjudicate"] == adjudication_path(article.pk) == f"/adjudicate/{article.pk}/"


def test_only_finished_live_assignments_make_coders(analysts):
    a, b = analysts
    people = cast()
    article = coded_article(a, b, people)
    unfinished = UserFactory(role=roles.ANALYST)
    returned = UserFactory(role=roles.ANALYST)
    assign(article, unfinished, done=False)
    assign(article, returned, returned=True)
    QuoteFactory(article=article, text="on Friday", origin="analyst", created_by=unfinished)
    QuoteFactory(article=article, text="on Friday", origin="analyst", created_by=returned)
    # An analyst's work on an article they were not assigned is nobody's version.
    elsewhere = ArticleFactory()
    QuoteFactory(article=elsewhere, origin="analyst", created_by=a)

    data = agreement_for(AgreementSelection(ids=(article.pk, elsewhere.pk)))
    assert data.coders_of == {article.pk: (a.pk, b.pk), elsewhere.pk: ()}
    assert data.report.overall.counts.units == 6
    assert data.report.single_coded == 1

    with_open = agreement_for(AgreementSelection(ids=(article.pk,), include_open=True))
    assert with_open.coders_of[article.pk] == (a.pk, b.pk, unfinished.pk)
    assert field(with_open.report.overall, "quote", "kind").kappa_kind == "fleiss"


def test_the_selection_filters_by_story_analyst_and_round(analysts):
    a, b = analysts
    people = cast()
    first = coded_article(a, b, people)
    second = coded_article(a, b, people)
    c = UserFactory(role=roles.ANALYST)
    third = coded_article(a, c, people)
    by_story = agreement_for(AgreementSelection(articles=_filters(story=first.story_id)))
    assert [s.key for s in by_story.report.articles] == [first.pk]
    by_analyst = agreement_for(AgreementSelection(analyst=c.pk))
    assert [s.key for s in by_analyst.report.articles] == [third.pk]
    everything = agreement_for(AgreementSelection())
    assert {s.key for s in everything.report.articles} == {first.pk, second.pk, third.pk}
    assert sorted(s.key for s in everything.report.pairs) == sorted(
        [tuple(sorted((a.pk, b.pk))), tuple(sorted((a.pk, c.pk)))]
    )


def _filters(**kwargs):
    from annotations.selectors.browse import ArticleFilters

    return ArticleFilters(**kwargs)


def test_refresh_writes_the_summary_rows_in_bulk(analysts, django_assert_num_queries):
    a, b = analysts
    people = cast()
    articles = [coded_article(a, b, people) for _ in range(3)]
    alone = ArticleFactory()
    assign(alone, a)
    ids = [x.pk for x in articles] + [alone.pk]
    # 1-6 the selector's six queries (articles, assignments, analysts' quotes, accepted
    # machine quotes, the same for stances), 7 the upsert.
    with django_assert_num_queries(7):
        written = agreement_refresh(article_ids=ids)
    assert written == 4
    rows = {r.article_id: r for r in ArticleAgreement.objects.all()}
    for article in articles:
        row = rows[article.pk]
        assert (row.coders, row.units, row.agreed, row.disagreed) == (2, 6, 2, 4)
    assert (rows[alone.pk].coders, rows[alone.pk].units) == (1, 0)

    # Finished work changes: the row follows, and a refresh again does not duplicate it.
    Quote.objects.filter(article=articles[0], created_by=b, exact="in Beijing on Friday").delete()
    agreement_refresh(article_ids=[articles[0].pk])
    row = ArticleAgreement.objects.get(article=articles[0])
    assert (row.units, row.agreed, row.disagreed) == (5, 2, 3)
    assert ArticleAgreement.objects.count() == 4
    assert agreement_refresh(article_ids=[]) == 0
