"""Units across coders: which of one coder's quotes (or stances) is the same annotation as
which of another's, by the overlap of their spans.

Two coders: a one-to-one matching that maximises the total overlap (Jaccard: shared
characters over the characters either covers), solved as an assignment problem
(scipy.optimize.linear_sum_assignment). Pairs that share no character never match.

More coders: the same, one coder at a time (coders in the order given, by id from the
selector): the first coder's items are the units; each next coder's items are assigned
one-to-one to the units so far, scored by their mean Jaccard with the unit's items
(zero when they overlap none of them); what stays unassigned opens a unit of its own.
So a unit never holds two items of one coder, and the result is deterministic for a
given coder order (not the best over every order: that problem is NP-hard for three
coders and more).

Equal spans tie (two stances on one quote share the evidence span): the score then
prefers the item that agrees on more fields, by a tie-break too small (1e-6 per unit of
agreement) to outweigh one character of overlap on any real span.

A unit where some coder has no item is a disagreement with that coder "absent"; it is
kept, and counts in every score (metrics.ABSENT).
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

TIE_BREAK = 1e-6


@dataclass(frozen=True, slots=True)
class Item:
    """One coder's annotation: its span, and the values of the fields compared."""

    id: int
    coder: int
    start: int
    end: int
    values: Mapping[str, Hashable]
    # How each value reads to a person (an entity's name for its id); values by default.
    labels: Mapping[str, str] = field(default_factory=dict)

    def label(self, name: str) -> str:
        if name in self.labels:
            return self.labels[name]
        value = self.values.get(name)
        return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class Unit:
    """The items of several coders taken for one annotation; at most one per coder."""

    items: Mapping[int, Item]

    @property
    def start(self) -> int:
        return min(item.start for item in self.items.values())

    @property
    def end(self) -> int:
        return max(item.end for item in self.items.values())

    @property
    def spans(self) -> dict[int, tuple[int, int]]:
        return {coder: (item.start, item.end) for coder, item in self.items.items()}


def jaccard(
    starts_a: Sequence[int], ends_a: Sequence[int], starts_b: Sequence[int], ends_b: Sequence[int]
) -> np.ndarray:
    """The Jaccard index of every span of a (rows) with every span of b (columns)."""
    sa, ea = np.asarray(starts_a)[:, None], np.asarray(ends_a)[:, None]
    sb, eb = np.asarray(starts_b)[None, :], np.asarray(ends_b)[None, :]
    overlap = np.clip(np.minimum(ea, eb) - np.maximum(sa, sb), 0, None)
    union = (ea - sa) + (eb - sb) - overlap
    return np.divide(overlap, union, out=np.zeros(overlap.shape), where=union > 0)


def _agreeing(a: Item, b: Item, fields: Sequence[str]) -> float:
    if not fields:
        return 0.0
    return sum(a.values.get(f) == b.values.get(f) for f in fields) / len(fields)


def _scores(units: list[dict[int, Item]], mine: list[Item], fields: Sequence[str]) -> np.ndarray:
    """Mean Jaccard of each of `mine` with each unit's items, and the field tie-break."""
    total = np.zeros((len(units), len(mine)))
    count = np.zeros((len(units), 1))
    coders = sorted({coder for unit in units for coder in unit})
    starts_b = [x.start for x in mine]
    ends_b = [x.end for x in mine]
    for coder in coders:
        rows = [k for k, unit in enumerate(units) if coder in unit]
        theirs = [units[k][coder] for k in rows]
        overlap = jaccard([y.start for y in theirs], [y.end for y in theirs], starts_b, ends_b)
        total[rows] += overlap
        count[rows] += 1
    score = total / np.maximum(count, 1)
    if fields:
        for k, unit in enumerate(units):
            for col in np.flatnonzero(score[k] > 0):
                x = mine[col]
                agree = sum(_agreeing(x, y, fields) for y in unit.values()) / len(unit)
                score[k, col] += TIE_BREAK * agree
    return score


def match_units(
    items: Iterable[Item], coders: Sequence[int], fields: Sequence[str] = ()
) -> list[Unit]:
    """The units of one article's items by `coders` (items of other coders are left out),
    in text order."""
    by_coder: dict[int, list[Item]] = defaultdict(list)
    wanted = set(coders)
    for item in items:
        if item.coder in wanted:
            by_coder[item.coder].append(item)
    units: list[dict[int, Item]] = []
    for coder in coders:
        mine = sorted(by_coder.get(coder, ()), key=lambda x: (x.start, x.end, x.id))
        if not mine:
            continue
        if not units:
            units = [{coder: x} for x in mine]
            continue
        score = _scores(units, mine, fields)
        rows, cols = linear_sum_assignment(score, maximize=True)
        taken: set[int] = set()
        for row, col in zip(rows, cols, strict=True):
            if score[row, col] > 0:
                units[row][coder] = mine[col]
                taken.add(int(col))
        units.extend({coder: x} for k, x in enumerate(mine) if k not in taken)
    result = [Unit(items=unit) for unit in units]
    result.sort(key=lambda u: (u.start, u.end, min(x.id for x in u.items.values())))
    return result
