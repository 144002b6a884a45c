"""Krippendorff's alpha for unitizing (alpha_u): how far coders agree on WHERE the units
are on a continuum (here: the characters of an article body), not only on what they say.

Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological
Methodology 25: 47-76. Krippendorff, K. (2004). Content Analysis, 2nd ed., section 11.6
(pp. 251-256). Written here from those formulas:

- The continuum is [begin, begin + length). For each coder and category, the coder's
  units of that category and the gaps between them (the stretches the coder left
  uncoded) cut the continuum into contiguous segments.
- The distance between a segment g of coder i and a segment h of coder j that share some
  of the continuum (2004, p. 253):
  both units:              (b_g - b_h)**2 + (e_g - e_h)**2  (the squared differences of
                                                           their starts and of their ends)
  a unit inside a gap:     l_unit**2                        (wholly missed by the other)
  anything else:           0                                (a gap against a gap; a unit
                                                           that only partly falls in a
                                                           gap is paid for by the units)
- Observed disagreement of category c, m coders, continuum length L:
      D_o = sum over ordered pairs of coders i != j, of segments g of i and h of j,
            of delta**2(g, h), divided by m(m - 1) L**2.
- Expected disagreement: the same distance over every way the coded units and gaps
  could have been placed on the continuum (2004, p. 254):
      D_e = (2 / L) * sum over units u of c of
              [ (N_c - 1)/3 * (2 l_u**3 - 3 l_u**2 + l_u)
                + l_u**2 * sum over gaps g of c (any coder) with l_g >= l_u of (l_g - l_u + 1) ]
            / [ m L (m L - 1) - sum over units u of c of l_u (l_u - 1) ]
  with N_c the number of units of c of all coders.
- alpha_c = 1 - D_o/D_e; over several categories, alpha_u = 1 - mean(D_o)/mean(D_e).

The measure supposes that one coder's units of one category do not overlap. Annotation
layers break that (two stances on one quote share their evidence span; a quote inside a
quote), so `alpha_u` first merges each coder's overlapping units of a category into
their union (`merged` says how many were folded in): the question alpha_u answers is
"did the coders mark the same stretches of text", not "the same number of rows".
Integers are exact in Python, so the sums are exact until the last division.
"""

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

DEFAULT_CATEGORY = "span"


class Segment(NamedTuple):
    """A unit (`category` set) or a gap (`category` None) of one coder's section. Tuples,
    not dataclasses: a report over a corpus makes hundreds of thousands of them."""

    start: int
    end: int
    category: Hashable | None

    @property
    def length(self) -> int:
        return self.end - self.start


class CodedSpan(NamedTuple):
    """One coder's unit: [start, end) of the continuum, of a category."""

    coder: Hashable
    start: int
    end: int
    category: Hashable = DEFAULT_CATEGORY


@dataclass(frozen=True)
class CategoryScore:
    category: Hashable
    observed: float  # D_o
    expected: float  # D_e
    alpha: float | None  # None when D_e is 0: nothing to tell agreement from chance by
    units: int  # N_c, after merging


@dataclass(frozen=True)
class UnitizingResult:
    alpha: float | None
    observed: float
    expected: float
    coders: int
    length: int
    units: int
    merged: int  # units folded into an overlapping one of the same coder and category
    categories: tuple[CategoryScore, ...] = field(default_factory=tuple)


def distance(a: Segment, b: Segment) -> int:
    """delta**2 between two segments of different coders that share part of the continuum
    (Krippendorff 2004, p. 253); 0 for segments that do not overlap."""
    if a.start >= b.end or b.start >= a.end:
        return 0
    if a.category is not None and b.category is not None:
        return (a.start - b.start) ** 2 + (a.end - b.end) ** 2
    if a.category is not None and b.category is None:
        return a.length**2 if b.start <= a.start and a.end <= b.end else 0
    if a.category is None and b.category is not None:
        return b.length**2 if a.start <= b.start and b.end <= a.end else 0
    return 0


def merge_overlapping(spans: Iterable[tuple[int, int]]) -> tuple[list[tuple[int, int]], int]:
    """One coder's spans of one category with overlapping ones merged into their union;
    spans that only touch stay apart (they are two units). And how many were folded in."""
    merged: list[tuple[int, int]] = []
    folded = 0
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            folded += 1
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged, folded


def section(units: Sequence[tuple[int, int]], begin: int, end: int, category: Hashable) -> list:
    """A coder's units of a category (sorted, not overlapping) and the gaps between them,
    covering [begin, end)."""
    segments: list[Segment] = []
    position = begin
    for start, stop in units:
        if start > position:
            segments.append(Segment(position, start, None))
        segments.append(Segment(start, stop, category))
        position = stop
    if position < end:
        segments.append(Segment(position, end, None))
    return segments


def _pair_disagreement(first: list[Segment], second: list[Segment]) -> int:
    """Sum of delta**2 over the segments of two sections that overlap (a sweep; the
    distance of `distance`, inlined: this is the report's innermost loop)."""
    total = 0
    i = j = 0
    n_first, n_second = len(first), len(second)
    while i < n_first and j < n_second:
        a_start, a_end, a_category = first[i]
        b_start, b_end, b_category = second[j]
        if a_category is not None:
            if b_category is not None:
                total += (a_start - b_start) ** 2 + (a_end - b_end) ** 2
            elif b_start <= a_start and a_end <= b_end:
                total += (a_end - a_start) ** 2
        elif b_category is not None and a_start <= b_start and b_end <= a_end:
            total += (b_end - b_start) ** 2
        if a_end <= b_end:
            i += 1
        if b_end <= a_end:
            j += 1
    return total


def _expected_numerator(unit_lengths: list[int], gap_lengths: list[int]) -> int:
    n_c = len(unit_lengths)
    gaps = sorted(gap_lengths)
    # suffix[k] = sum of gaps[k:], so the gaps at least as long as a unit are summed once.
    suffix = [0] * (len(gaps) + 1)
    for k in range(len(gaps) - 1, -1, -1):
        suffix[k] = suffix[k + 1] + gaps[k]
    total = 0
    for length in unit_lengths:
        # l(l - 1)(2l - 1) is a multiple of 6: the division by 3 is exact.
        total += (n_c - 1) * (2 * length**3 - 3 * length**2 + length) // 3
        k = bisect_left(gaps, length)
        fitting = len(gaps) - k
        total += length**2 * (suffix[k] - (length - 1) * fitting)
    return total


def alpha_u(
    spans: Iterable[CodedSpan],
    coders: Sequence[Hashable],
    *,
    begin: int = 0,
    length: int,
) -> UnitizingResult:
    """alpha_u of the coders' spans on [begin, begin + length). Every coder in `coders`
    unitized the whole continuum: a coder with no span marked none (all gap). Spans
    outside the continuum are clipped to it; empty ones are dropped."""
    m = len(coders)
    end = begin + length
    raw: dict[Hashable, dict[Hashable, list[tuple[int, int]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for span in spans:
        start, stop = max(span.start, begin), min(span.end, end)
        if span.coder in coders and start < stop:
            raw[span.category][span.coder].append((start, stop))
    merged_count = 0
    scores: list[CategoryScore] = []
    for category in sorted(raw, key=str):
        sections: list[list[Segment]] = []
        unit_lengths: list[int] = []
        gap_lengths: list[int] = []
        for coder in coders:
            units, folded = merge_overlapping(raw[category].get(coder, ()))
            merged_count += folded
            segments = section(units, begin, end, category)
            sections.append(segments)
            for segment in segments:
                (unit_lengths if segment.category is not None else gap_lengths).append(
                    segment.length
                )
        observed_sum = 0
        for i in range(m):
            for j in range(i + 1, m):
                observed_sum += _pair_disagreement(sections[i], sections[j])
        # Both orders of each pair: the distance is symmetric.
        observed = Fraction(2 * observed_sum, m * (m - 1) * length**2) if m > 1 else Fraction(0)
        denominator = m * length * (m * length - 1) - sum(u * (u - 1) for u in unit_lengths)
        if m > 1 and denominator > 0:
            expected = (
                Fraction(2, length) * _expected_numerator(unit_lengths, gap_lengths) / denominator
            )
        else:
            expected = Fraction(0)
        scores.append(
            CategoryScore(
                category=category,
                observed=float(observed),
                expected=float(expected),
                alpha=float(1 - observed / expected) if expected else None,
                units=len(unit_lengths),
            )
        )
    if scores:
        mean_observed = sum(Fraction(s.observed) for s in scores) / len(scores)
        mean_expected = sum(Fraction(s.expected) for s in scores) / len(scores)
    else:
        mean_observed = mean_expected = Fraction(0)
    return UnitizingResult(
        alpha=float(1 - mean_observed / mean_expected) if mean_expected else None,
        observed=float(mean_observed),
        expected=float(mean_expected),
        coders=m,
        length=length,
        units=sum(s.units for s in scores),
        merged=merged_count,
        categories=tuple(scores),
    )
