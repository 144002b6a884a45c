"""The agreement package, without a database: matching, kappa and alpha per field with
their counts, and alpha_u checked against published worked examples."""

import random

import pytest

from annotations.agreement import (
    ABSENT,
    ArticleVersions,
    CodedSpan,
    Item,
    alpha_u,
    build_report,
    field_agreement,
    match_units,
    metrics,
)
from annotations.agreement.unitizing import Segment, distance

# --- matching ---------------------------------------------------------------------------


def quote(id_, coder, start, end, speaker=1, cue="said", kind="direct"):
    return Item(id_, coder, start, end, {"speaker": speaker, "cue": cue, "kind": kind})


def stance(id_, coder, start, end, holder=1, target=("entity", 9), polarity="support"):
    return Item(id_, coder, start, end, {"holder": holder, "target": target, "polarity": polarity})


def pairs_of(units):
    return sorted(tuple(sorted(x.id for x in u.items.values())) for u in units)


def test_matching_maximises_total_overlap_not_the_best_pair_first():
    # Jaccard: A1-B1 0.9, A1-B2 0.5, A2-B1 4/9, A2-B2 0. Taking the best pair first
    # (A1-B1) leaves A2 and B2 unmatched (total 0.9); the assignment matches both pairs
    # (0.5 + 0.444 = 0.944).
    a1, a2 = quote(1, 10, 0, 10), quote(2, 10, 0, 4)
    b1, b2 = quote(3, 20, 0, 9), quote(4, 20, 5, 10)
    units = match_units([a1, a2, b1, b2], [10, 20])
    assert pairs_of(units) == [(1, 4), (2, 3)]


def test_spans_that_only_touch_never_match():
    units = match_units([quote(1, 10, 0, 5), quote(2, 20, 5, 10)], [10, 20])
    assert pairs_of(units) == [(1,), (2,)]


def test_an_item_without_a_partner_is_a_unit_of_its_own():
    units = match_units([quote(1, 10, 0, 5), quote(2, 10, 20, 30), quote(3, 20, 1, 6)], [10, 20])
    assert pairs_of(units) == [(1, 3), (2,)]
    assert [sorted(u.items) for u in units] == [[10, 20], [10]]


def test_equal_spans_are_matched_by_their_fields():
    # Two stances on one quote (one evidence span) by each coder: the targets pair them.
    items = [
        stance(1, 10, 0, 20, target=("entity", 5)),
        stance(2, 10, 0, 20, target=("topic", "sanctions")),
        stance(3, 20, 0, 20, target=("topic", "sanctions")),
        stance(4, 20, 0, 20, target=("entity", 5)),
    ]
    units = match_units(items, [10, 20], ("holder", "target", "polarity"))
    assert pairs_of(units) == [(1, 4), (2, 3)]


def test_three_coders_give_each_unit_at_most_one_item_per_coder():
    items = [
        quote(1, 10, 0, 10),
        quote(2, 20, 0, 10),
        # Coder 30 split the quote in two: one half joins the unit, the other is alone.
        quote(3, 30, 0, 6),
        quote(4, 30, 6, 10),
        quote(5, 30, 50, 60),
    ]
    units = match_units(items, [10, 20, 30])
    assert pairs_of(units) == [(1, 2, 3), (4,), (5,)]
    for unit in units:
        assert len(unit.items) == len({x.coder for x in unit.items.values()})


def test_items_of_coders_not_asked_for_are_left_out():
    units = match_units([quote(1, 10, 0, 5), quote(2, 99, 0, 5)], [10, 20])
    assert pairs_of(units) == [(1,)]


# --- kappa and alpha, hand-computed ----------------------------------------------------------


def rows_of(pairs, coders=(1, 2)):
    return [dict(zip(coders, values, strict=True)) for values in pairs]


def two_by_two():
    """The 2 x 2 table of Cohen's kappa's usual example (yes/yes 20, yes/no 5, no/yes 10,
    no/no 15): p_o = 0.7, p_e = (25*30 + 25*20)/50**2 = 0.5, kappa = 0.4. Krippendorff's
    alpha by hand: n = 100 values, sum o_cc = 70, n_yes = 55, n_no = 45;
    alpha = 1 - 99 * 30 / (100**2 - 55**2 - 45**2) = 1 - 2970/4950 = 0.4."""
    return rows_of([("y", "y")] * 20 + [("y", "n")] * 5 + [("n", "y")] * 10 + [("n", "n")] * 15)


def test_cohens_kappa_and_alpha_of_a_hand_computed_table():
    score = field_agreement("quote", "kind", two_by_two())
    assert score.kappa == pytest.approx(0.4)
    assert score.kappa_kind == "cohen"
    assert score.alpha == pytest.approx(0.4)
    assert score.percent == pytest.approx(0.7)
    assert score.counts.as_dict() == {
        "units": 50,
        "matched": 50,
        "agreed": 35,
        "disagreed": 15,
        "missing": 0,
    }


# Fleiss (1971) as Wikipedia's "Fleiss' kappa" worked example gives it: 10 subjects,
# 14 raters, 5 categories; P-bar = 0.378, P_e = 0.213, kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def fleiss_rows():
    rows = []
    for counts in FLEISS_TABLE:
        values = [category for category, k in enumerate(counts) for _ in range(k)]
        rows.append(dict(enumerate(values)))
    return rows


def test_fleiss_kappa_of_the_textbook_example():
    score = field_agreement("stance", "polarity", fleiss_rows())
    assert score.kappa_kind == "fleiss"
    assert score.kappa == pytest.approx(0.210, abs=0.0005)


# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", section C: four
# observers, twelve units, nominal values with gaps; alpha = 0.743.
KRIPPENDORFF_2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def krippendorff_rows():
    rows = []
    for unit in range(12):
        rows.append(
            {
                coder: values[unit]
                for coder, values in enumerate(KRIPPENDORFF_2011.values())
                if values[unit] is not None
            }
        )
    return rows


def test_krippendorffs_alpha_of_his_worked_example():
    score = field_agreement("quote", "speaker", krippendorff_rows())
    assert score.alpha == pytest.approx(0.743, abs=0.0005)
    # Coders differ from unit to unit: no kappa.
    assert score.kappa is None
    assert score.kappa_kind == ""


def test_an_unmatched_unit_lowers_every_score():
    agreed = rows_of([("a", "a"), ("b", "b"), ("a", "a"), ("c", "c"), ("a", "b")])
    before = field_agreement("quote", "speaker", agreed)
    after = field_agreement("quote", "speaker", [*agreed, {1: "b", 2: ABSENT}])
    assert after.percent < before.percent
    assert after.kappa < before.kappa
    assert after.alpha < before.alpha
    assert after.counts.units == before.counts.units + 1
    assert after.counts.missing == 1
    assert after.counts.disagreed == before.counts.disagreed + 1
    assert after.counts.matched == before.counts.matched


def test_perfect_agreement_on_one_value_has_no_chance_corrected_score():
    score = field_agreement("quote", "kind", rows_of([("direct", "direct")] * 4))
    assert score.percent == 1
    assert score.kappa is None  # p_e = 1: undefined, not 1 and not 0
    assert score.alpha is None
    assert score.counts.agreed == 4


def test_no_units_no_scores():
    score = field_agreement("stance", "holder", [])
    assert (score.percent, score.kappa, score.alpha) == (None, None, None)
    assert score.counts.units == 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sparse_formulas_give_the_libraries_figures(monkeypatch, seed):
    """Past CELL_BUDGET the coefficients come from their formulas over sparse counts; on
    data that fits both ways they must agree with statsmodels and krippendorff."""
    rng = random.Random(seed)
    values = ["a", "b", "c", "d", ABSENT]
    pair_rows = [{1: rng.choice(values), 2: rng.choice(values)} for _ in range(80)]
    trio_rows = [{c: rng.choice(values) for c in (1, 2, 3)} for _ in range(80)]
    holey = [{c: rng.choice(values) for c in (1, 2, 3, 4) if rng.random() < 0.7} for _ in range(80)]
    with_libraries = [
        field_agreement("quote", "speaker", rows) for rows in (pair_rows, trio_rows, holey)
    ]
    monkeypatch.setattr(metrics, "CELL_BUDGET", 0)
    by_formula = [
        field_agreement("quote", "speaker", rows) for rows in (pair_rows, trio_rows, holey)
    ]
    for library, formula in zip(with_libraries, by_formula, strict=True):
        assert formula.kappa_kind == library.kappa_kind
        if library.kappa is None:
            assert formula.kappa is None
        else:
            assert formula.kappa == pytest.approx(library.kappa, abs=1e-9)
        assert formula.alpha == pytest.approx(library.alpha, abs=1e-9)


# --- the report over articles -------------------------------------------------------------


def test_the_report_of_one_article_by_hand():
    """Coder 1: quotes A [0,10) speaker 5, B [20,30) speaker 6. Coder 2: A' [1,10)
    speaker 5, B' [21,31) speaker 7, C [50,60) speaker 8. Units: A-A', B-B', C alone.
    Speaker: agreed 1 of 3, missing 1; Cohen's kappa: p_o = 1/3, p_e = 1/9 (only 5 is
    used by both), kappa = (1/3 - 1/9)/(8/9) = 0.25; alpha: n = 6 values, sum o_cc = 2,
    sum n_c**2 = 4+1+1+1+1 = 8, alpha = 1 - 5 * 4 / (36 - 8) = 2/7."""
    article = ArticleVersions(
        article_id=7,
        length=100,
        coders=(1, 2),
        items={
            "quote": [
                quote(1, 1, 0, 10, speaker=5),
                quote(2, 1, 20, 30, speaker=6),
                quote(3, 2, 1, 10, speaker=5),
                quote(4, 2, 21, 31, speaker=7),
                quote(5, 2, 50, 60, speaker=8),
            ]
        },
        story_id=3,
    )
    report = build_report([article])
    speaker = next(f for f in report.overall.fields if f.field == "speaker")
    assert speaker.counts.as_dict() == {
        "units": 3,
        "matched": 2,
        "agreed": 1,
        "disagreed": 2,
        "missing": 1,
    }
    assert speaker.kappa == pytest.approx(0.25)
    assert speaker.alpha == pytest.approx(2 / 7)
    cue = next(f for f in report.overall.fields if f.field == "cue")
    assert cue.counts.agreed == 2  # the unmatched unit is still a disagreement
    assert report.overall.counts.as_dict() == {
        "units": 3,
        "matched": 2,
        "agreed": 1,
        "disagreed": 2,
        "missing": 1,
    }
    assert [(d.field, d.start, d.end, dict(d.values)) for d in report.disagreements] == [
        ("speaker", 20, 31, {1: "6", 2: "7"}),
        ("unit", 50, 60, {1: None, 2: "8 / said / direct"}),
    ]
    spans = next(s for s in report.overall.spans if s.kind == "quote")
    # Where the spans are: no unit has the very same span for both; one is B's only.
    assert spans.counts.as_dict() == {
        "units": 3,
        "matched": 2,
        "agreed": 0,
        "disagreed": 3,
        "missing": 1,
    }
    assert 0 < spans.alpha_u < 1
    assert [s.key for s in report.stories] == [3]
    assert [s.key for s in report.pairs] == [(1, 2)]
    assert report.articles[0].counts == report.overall.counts


def test_articles_come_worst_first_and_single_coded_ones_are_counted_apart():
    good = ArticleVersions(1, 50, (1, 2), {"quote": [quote(1, 1, 0, 9), quote(2, 2, 0, 9)]})
    bad = ArticleVersions(2, 50, (1, 2), {"quote": [quote(3, 1, 0, 9), quote(4, 2, 20, 29)]})
    alone = ArticleVersions(3, 50, (1,), {"quote": [quote(5, 1, 0, 9)]})
    report = build_report([good, bad, alone])
    assert [s.key for s in report.articles] == [2, 1]
    same_span = next(s for s in report.articles[1].spans if s.kind == "quote")
    assert (same_span.counts.agreed, same_span.percent, same_span.alpha_u) == (1, 1.0, 1.0)
    assert report.single_coded == 1
    assert report.overall.articles == 2


def test_a_pair_in_a_three_coder_article_is_matched_between_the_two_alone():
    article = ArticleVersions(
        1,
        100,
        (1, 2, 3),
        {"quote": [quote(1, 1, 0, 10), quote(2, 2, 0, 10), quote(3, 3, 40, 50)]},
    )
    report = build_report([article])
    pairs = {s.key: s for s in report.pairs}
    assert pairs[(1, 2)].counts.agreed == 1
    assert pairs[(1, 2)].counts.units == 1
    assert pairs[(1, 3)].counts.units == 2
    assert pairs[(1, 3)].counts.agreed == 0
    assert next(f for f in report.overall.fields if f.field == "kind").kappa_kind == "fleiss"


# --- alpha_u --------------------------------------------------------------------------------


def span(coder, start, length, category="x"):
    return CodedSpan(coder, start, start + length, category)


def segment(start, length, category):
    return Segment(start, start + length, category)


def test_distance_of_dkpro_statistics_krippendorff_2004_examples():
    """DKPro Statistics, Krippendorff2004Test.testDistanceMetric1 and testDistanceMetric2
    (dkpro-statistics-agreement/src/test/java/org/dkpro/statistics/agreement/unitizing/),
    from Krippendorff (2004), Content Analysis, 2nd ed., pp. 251-256: (offset, length)."""
    gap, unit = None, "X"
    assert (
        distance(segment(2, 3, gap), segment(2, 2, unit))
        + distance(segment(5, 6, unit), segment(4, 7, gap))
        == 40
    )
    assert distance(segment(5, 6, unit), segment(4, 2, unit)) == 26
    assert distance(segment(5, 6, unit), segment(5, 2, unit)) == 16
    assert distance(segment(5, 6, unit), segment(6, 2, unit)) == 10
    assert distance(segment(5, 6, unit), segment(7, 2, unit)) == 8
    assert distance(segment(5, 6, unit), segment(6, 4, unit)) == 2
    assert distance(segment(5, 6, unit), segment(5, 6, unit)) == 0
    assert distance(segment(225, 70, "c"), segment(220, 80, "c")) == 50
    assert distance(segment(370, 30, "c"), segment(355, 20, "c")) == 850
    assert distance(segment(400, 50, gap), segment(400, 20, "c")) == 400


def test_alpha_u_of_krippendorff_2004_example():
    """Krippendorff (2004), Content Analysis, 2nd ed., p. 254: two coders on the
    continuum [150, 450), categories c and k; as DKPro Statistics'
    Krippendorff2004Test.testAgreement and testCategoryAgreement check it:
    c: D_o 0.0144, D_e 0.0532, alpha 0.7286; k: D_o 0, D_e 0.0490, alpha 1;
    alpha_u over both 0.8591."""
    spans = [
        span(0, 225, 70, "c"),
        span(0, 370, 30, "c"),
        span(1, 220, 80, "c"),
        span(1, 355, 20, "c"),
        span(1, 400, 20, "c"),
        span(0, 180, 60, "k"),
        span(0, 300, 50, "k"),
        span(1, 180, 60, "k"),
        span(1, 300, 50, "k"),
    ]
    result = alpha_u(spans, [0, 1], begin=150, length=300)
    by = {c.category: c for c in result.categories}
    assert by["c"].observed == pytest.approx(0.0144, abs=0.0001)
    assert by["c"].expected == pytest.approx(0.0532, abs=0.0001)
    assert by["c"].alpha == pytest.approx(0.7286, abs=0.0001)
    assert by["k"].observed == pytest.approx(0.0, abs=0.0001)
    assert by["k"].expected == pytest.approx(0.0490, abs=0.0001)
    assert by["k"].alpha == pytest.approx(1.0, abs=0.0001)
    assert result.alpha == pytest.approx(0.8591, abs=0.0005)


def krippendorff_1995(stretch: float, category: str):
    """Krippendorff (1995), "On the reliability of unitizing continuous data",
    Sociological Methodology 25, p. 57: four pairs of coders (A Bertha/Bill, B John/Jill,
    C Gerret/Gill, D Heather/Hill) on a continuum of 24, stretched as DKPro Statistics'
    Krippendorff1995Test.createExample does (offsets and lengths truncated to integers)."""
    units = {
        "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        "B": [
            *[(0, 18, 0)],
            *[(0, 2, 1), (2, 1, 1), (3, 1, 1), (4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
        ],
        "C": [
            *[(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0)],
            *[(0, 2, 1), (4, 4, 1), (10, 4, 1), (16, 2, 1), (20, 2, 1)],
        ],
        "D": [
            *[(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0)],
            *[(0, 4, 1), (4, 4, 1), (8, 7, 1), (15, 2, 1), (17, 7, 1)],
        ],
    }[category]
    spans = [span(coder, int(o * stretch), int(n * stretch)) for o, n, coder in units]
    return alpha_u(spans, [0, 1], length=int(24 * stretch))


@pytest.mark.parametrize(
    ("category", "observed"),
    [("A", 0.03125), ("B", 2.26736), ("C", 0.02777), ("D", 0.38715)],
)
def test_observed_disagreement_of_krippendorff_1995_examples(category, observed):
    """DKPro Statistics, Krippendorff1995Test.testAgreement: D_o at stretch 1."""
    assert krippendorff_1995(1, category).observed == pytest.approx(observed, abs=0.00001)


@pytest.mark.parametrize(
    ("category", "expected", "alpha"),
    [("A", 0.06990, 0.553), ("B", 1.17731, -0.926), ("C", 0.08642, 0.679), ("D", 0.41445, 0.066)],
)
def test_expected_disagreement_and_alpha_of_krippendorff_1995_examples(category, expected, alpha):
    """DKPro Statistics, Krippendorff1995Test.testAgreement: D_e and alpha_u at stretch
    1,200,000/24 (the paper's figures suppose a continuum long enough for lengths to
    count as continuous), within DKPro's tolerances (0.005 and 0.02): the paper's D_e has
    a small slip (DKPro's comment: "l_ik + l_hj + 1" where a minus is meant)."""
    result = krippendorff_1995(1_200_000 / 24, category)
    assert result.expected == pytest.approx(expected, abs=0.005)
    assert result.alpha == pytest.approx(alpha, abs=0.02)


def test_krippendorff_1995_example_c_at_half_length():
    """DKPro Statistics, Krippendorff1995Test.testVaryingLengths, stretch 12/24:
    D_o 0.02777, D_e 0.05494 (both to 1e-5), alpha 0.494."""
    result = krippendorff_1995(12 / 24, "C")
    assert result.observed == pytest.approx(0.02777, abs=0.00001)
    assert result.expected == pytest.approx(0.05494, abs=0.00001)
    assert result.alpha == pytest.approx(0.494, abs=0.02)


def test_alpha_u_of_dkpro_unitizing_agreement_example():
    """DKPro Statistics, UnitizingAgreementTest.testAgreement: continuum 10, coder 0
    -11111111-, coder 1 --1-1-1---: D_o 0.9100 (by hand: (37 + 25 + 29) * 2 / 200),
    D_e 0.5351, alpha -0.7003."""
    result = alpha_u(
        [span(0, 1, 8), span(1, 2, 1), span(1, 4, 1), span(1, 6, 1)], [0, 1], length=10
    )
    assert result.observed == pytest.approx(0.9100, abs=0.0001)
    assert result.expected == pytest.approx(0.5351, abs=0.0001)
    assert result.alpha == pytest.approx(-0.7003, abs=0.0001)


def test_alpha_u_by_hand():
    """Continuum 4. Same spans [0,2): D_o 0; D_e = (2/4) * 2 * (1/3 * 6 + 4 * (1 + 1))
    / (2*4*7 - 2 - 2) = 10/52; alpha 1. Coder 1 at [1,3) instead: delta**2 = 1 + 1,
    D_o = 2 * 2 / (2 * 1 * 16) = 1/8; only coder 0's gap [2,4) fits a unit of 2, so
    D_e = (2/4) * 2 * (2 + 4 * 1) / 52 = 3/26; alpha = 1 - (1/8)/(3/26) = -1/12."""
    same = alpha_u([span(0, 0, 2), span(1, 0, 2)], [0, 1], length=4)
    assert same.observed == 0
    assert same.expected == pytest.approx(10 / 52)
    assert same.alpha == 1
    shifted = alpha_u([span(0, 0, 2), span(1, 1, 2)], [0, 1], length=4)
    assert shifted.observed == pytest.approx(1 / 8)
    assert shifted.expected == pytest.approx(3 / 26)
    assert shifted.alpha == pytest.approx(-1 / 12)


def test_a_span_one_coder_missed_lowers_alpha_u():
    both = [span(0, 10, 20), span(1, 11, 20), span(0, 60, 10), span(1, 60, 10)]
    missed = [*both, span(0, 100, 15)]
    assert alpha_u(missed, [0, 1], length=200).alpha < alpha_u(both, [0, 1], length=200).alpha


def test_overlapping_spans_of_one_coder_are_merged():
    # Two stances on one quote share the evidence span: one stretch of text, once.
    result = alpha_u(
        [span(0, 0, 10), span(0, 0, 10), span(0, 5, 10), span(1, 0, 15)], [0, 1], length=30
    )
    assert result.merged == 2
    assert result.units == 2
    assert result.alpha == 1


def test_alpha_u_undefined_without_any_span():
    result = alpha_u([], [0, 1], length=30)
    assert result.alpha is None
