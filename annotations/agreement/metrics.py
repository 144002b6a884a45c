"""Agreement on one field of matched units (a quote's speaker, a stance's polarity, ...):
percent agreement, Cohen's kappa (two coders) or Fleiss' kappa (more), and
Krippendorff's alpha (nominal), each with the counts behind it.

A coder who coded the article but has no item in a unit holds the value ABSENT there:
a category of its own, so an unmatched unit is a disagreement in every field and lowers
every score. A coder who did not code the article at all holds no value (a missing value
to alpha; kappa needs the same coders on every unit, see `field_agreement`).

The coefficients come from statsmodels (cohens_kappa, fleiss_kappa, aggregate_raters)
and the `krippendorff` package. Those build dense tables: categories x categories for
Cohen, units x categories for Fleiss, units x categories x categories for alpha. Over a
whole corpus (tens of thousands of units, thousands of speakers) such a table does not
fit in memory, so past CELL_BUDGET cells the same coefficient is computed from its
textbook formula over sparse counts (`_cohen`, `_fleiss`, `_alpha_nominal`); the tests
check the two paths give the same figures.
"""

import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import krippendorff
import numpy as np
from statsmodels.stats.inter_rater import aggregate_raters, cohens_kappa, fleiss_kappa

# Cells of the dense table a library would build, past which the sparse formula is used.
CELL_BUDGET = 2_000_000


class _Absent:
    """The value of a coder who has no item in a unit."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Counts:
    """units: units scored; matched: units where every coder has an item; agreed: matched
    units where every coder gives the same value; disagreed: the others (units - agreed);
    missing: units where some coder is absent (units - matched)."""

    units: int = 0
    matched: int = 0
    agreed: int = 0
    disagreed: int = 0
    missing: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def astuple(counts: Counts) -> tuple[int, ...]:
    return (counts.units, counts.matched, counts.agreed, counts.disagreed, counts.missing)


@dataclass(frozen=True)
class FieldAgreement:
    kind: str  # quote | stance
    field: str
    counts: Counts
    percent: float | None  # agreed / units
    kappa: float | None  # None: undefined (one category only) or not applicable
    kappa_kind: str  # cohen | fleiss | "" (coders differ between units)
    alpha: float | None  # Krippendorff's alpha, nominal

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "field": self.field,
            **self.counts.as_dict(),
            "percent": self.percent,
            "kappa": self.kappa,
            "kappa_kind": self.kappa_kind,
            "alpha": self.alpha,
        }


Row = Mapping[int, Hashable]  # coder -> value (ABSENT when the coder has no item)


def count(rows: Sequence[Row]) -> Counts:
    units = len(rows)
    matched = agreed = 0
    for row in rows:
        values = row.values()
        # `in` tries identity first: ABSENT is found without comparing values.
        if ABSENT in values:
            continue
        matched += 1
        if len(values) >= 2 and len(set(values)) == 1:
            agreed += 1
    return Counts(units, matched, agreed, units - agreed, units - matched)


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def _codes(rows: Sequence[Row]) -> dict[Hashable, int]:
    codes: dict[Hashable, int] = {}
    for row in rows:
        for value in row.values():
            codes.setdefault(value, len(codes))
    return codes


# --- kappa ------------------------------------------------------------------------------


def _cohen(pairs: Sequence[tuple[int, int]]) -> float | None:
    """Cohen (1960): (p_o - p_e) / (1 - p_e), p_e from each coder's own marginals."""
    n = len(pairs)
    if not n:
        return None
    p_o = sum(a == b for a, b in pairs) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    p_e = sum(first[c] * second.get(c, 0) for c in first) / (n * n)
    return None if p_e >= 1 else (p_o - p_e) / (1 - p_e)


def _value_counts(
    units: Sequence[Sequence[int]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sparse value counts: for each (unit, value) present, the unit's index, the value's
    code and how many coders gave it; and each unit's number of values."""
    sizes = np.fromiter((len(u) for u in units), dtype=np.int64, count=len(units))
    rows = np.repeat(np.arange(len(units), dtype=np.int64), sizes)
    values = np.fromiter((v for u in units for v in u), dtype=np.int64, count=int(sizes.sum()))
    width = int(values.max()) + 1 if len(values) else 1
    keys, counts = np.unique(rows * width + values, return_counts=True)
    return keys // width, keys % width, counts, sizes


def _fleiss(units: Sequence[Sequence[int]]) -> float | None:
    """Fleiss (1971): every unit rated by the same number m of raters."""
    n = len(units)
    if not n:
        return None
    m = len(units[0])
    _, values, counts, _ = _value_counts(units)
    p_bar = float((counts * counts).sum() - n * m) / (n * m * (m - 1))
    totals = np.bincount(values, weights=counts)
    p_e = float(((totals / (n * m)) ** 2).sum())
    return None if p_e >= 1 else (p_bar - p_e) / (1 - p_e)


def kappa(rows: Sequence[Row], codes: Mapping[Hashable, int]) -> tuple[float | None, str]:
    """Cohen's kappa when every unit has the same two coders, Fleiss' when every unit has
    the same number of coders (more than two, or two that change from unit to unit, as
    over a corpus where pairs of analysts share the articles); else not applicable."""
    if not rows:
        return None, ""
    coder_sets = {tuple(sorted(row)) for row in rows}
    sizes = {len(coders) for coders in coder_sets}
    if len(sizes) != 1 or min(sizes) < 2:
        return None, ""
    categories = len(codes)
    if len(coder_sets) == 1 and min(sizes) == 2:
        a, b = next(iter(coder_sets))
        pairs = [(codes[row[a]], codes[row[b]]) for row in rows]
        if categories < 2:
            return None, "cohen"
        if categories * categories <= CELL_BUDGET:
            table = np.zeros((categories, categories))
            for x, y in pairs:
                table[x, y] += 1
            with np.errstate(divide="ignore", invalid="ignore"):
                value = cohens_kappa(table, return_results=False)
            return _finite(value), "cohen"
        return _finite(_cohen(pairs)), "cohen"
    units = [[codes[v] for _, v in sorted(row.items())] for row in rows]
    if categories < 2:
        return None, "fleiss"
    if len(units) * categories <= CELL_BUDGET:
        table, _ = aggregate_raters(np.asarray(units), n_cat=categories)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = fleiss_kappa(table, method="fleiss")
        return _finite(value), "fleiss"
    return _finite(_fleiss(units)), "fleiss"


# --- Krippendorff's alpha, nominal --------------------------------------------------------


def _alpha_nominal(rows: Sequence[Row], codes: Mapping[Hashable, int]) -> float | None:
    """Krippendorff (2011, "Computing Krippendorff's alpha-reliability"), nominal:
    alpha = 1 - (n - 1) (n - sum_c o_cc) / (n**2 - sum_c n_c**2), over the coincidences
    o of the pairable values (units with at least two values) and their marginals n_c."""
    units = [[codes[v] for v in row.values()] for row in rows]
    rows_of, values, counts, sizes = _value_counts(units)
    pairable = sizes[rows_of] >= 2
    counts = counts[pairable]
    diagonal = float((counts * (counts - 1) / (sizes[rows_of[pairable]] - 1)).sum())
    marginals = np.bincount(values[pairable], weights=counts)
    n = float(marginals.sum())
    denominator = n * n - float((marginals * marginals).sum())
    if n < 2 or denominator <= 0:
        return None
    return 1 - (n - 1) * (n - diagonal) / denominator


def alpha_nominal(
    rows: Sequence[Row], codes: Mapping[Hashable, int], coders: Sequence[int]
) -> float | None:
    """Krippendorff's alpha (nominal) with the `krippendorff` package; the coders who did
    not code a unit's article are its missing values. None when undefined (fewer than two
    values in all, or no unit with two values)."""
    categories = len(codes)
    if categories < 2 or not any(len(row) >= 2 for row in rows):
        return None
    # The package builds units x coders x categories and units x categories**2 arrays.
    if len(rows) * categories * max(categories, len(coders)) > CELL_BUDGET:
        return _finite(_alpha_nominal(rows, codes))
    position = {coder: k for k, coder in enumerate(coders)}
    data = np.full((len(coders), len(rows)), np.nan)
    for col, row in enumerate(rows):
        for coder, value in row.items():
            data[position[coder], col] = codes[value]
    with np.errstate(divide="ignore", invalid="ignore"):
        value = krippendorff.alpha(
            reliability_data=data,
            value_domain=np.arange(categories, dtype=float),
            level_of_measurement="nominal",
        )
    return _finite(value)


def field_agreement(kind: str, field: str, rows: Sequence[Row]) -> FieldAgreement:
    """The scores of one field over units given as `{coder: value}` rows."""
    counts = count(rows)
    codes = _codes(rows)
    coders = sorted({coder for row in rows for coder in row})
    k, k_kind = kappa(rows, codes)
    return FieldAgreement(
        kind=kind,
        field=field,
        counts=counts,
        percent=counts.agreed / counts.units if counts.units else None,
        kappa=k,
        kappa_kind=k_kind,
        alpha=alpha_nominal(rows, codes, coders),
    )
