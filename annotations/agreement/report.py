"""The agreement report of a selection of articles, from each coder's version of each:
per article, per story, per pair of coders and overall, per field, with the counts behind
every score and the list of disagreements. Plain Python: versions in, report out.

Scopes that pool articles (overall, a story) pool their units: kappa and alpha are then
computed over all of them at once (not averaged over articles). A pair's scope holds the
articles both coders coded, matched again between the two alone when the article had more
coders. alpha_u pools by laying the articles' texts end to end; coders are then the
article's first, second, ... coder (by id), so a scope whose articles have different
numbers of coders leaves out of alpha_u those that differ from the most common number
(`left_out`).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from annotations.agreement.matching import Item, Unit, match_units
from annotations.agreement.metrics import (
    ABSENT,
    Counts,
    FieldAgreement,
    Row,
    field_agreement,
)
from annotations.agreement.unitizing import CodedSpan, alpha_u

QUOTE = "quote"
STANCE = "stance"
FIELDS: dict[str, tuple[str, ...]] = {
    QUOTE: ("speaker", "cue", "kind"),
    STANCE: ("holder", "target", "polarity"),
}
# A unit some coder has no item in: one disagreement of the whole unit, not one per field.
WHOLE_UNIT = "unit"


@dataclass(frozen=True)
class ArticleVersions:
    """The versions of one article: the items of every coder, by kind (quote, stance)."""

    article_id: int
    length: int  # of the body: the continuum of alpha_u
    coders: tuple[int, ...]  # sorted
    items: Mapping[str, Sequence[Item]]
    story_id: int | None = None
    title: str = ""


@dataclass(frozen=True)
class SpanAgreement:
    """alpha_u of one kind's spans (quote content, stance evidence), and the counts of
    the kind's matched units where `agreed` means every coder has the unit with the very
    same span (start and end)."""

    kind: str
    alpha_u: float | None
    observed: float
    expected: float
    coders: int
    length: int
    spans: int  # after each coder's overlapping spans are merged
    merged: int
    articles: int
    left_out: int = 0
    counts: Counts = field(default_factory=Counts)

    @property
    def percent(self) -> float | None:
        return self.counts.agreed / self.counts.units if self.counts.units else None

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "counts"}
        return {**out, **self.counts.as_dict(), "percent": self.percent}


@dataclass(frozen=True)
class Disagreement:
    article_id: int
    kind: str
    field: str  # a field name, or "unit" when a coder has no item in the unit
    start: int
    end: int
    spans: Mapping[int, tuple[int, int]]  # coder -> their item's span
    values: Mapping[int, str | None]  # coder -> the value as it reads; None: absent
    items: Mapping[int, int]  # coder -> row id

    def as_dict(self) -> dict[str, Any]:
        return {
            "article": self.article_id,
            "kind": self.kind,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "spans": {str(c): list(s) for c, s in self.spans.items()},
            "values": {str(c): v for c, v in self.values.items()},
            "items": {str(c): i for c, i in self.items.items()},
        }


@dataclass
class ScopeAgreement:
    scope: str  # overall | article | story | pair
    key: Any  # None, an article or story id, or a (coder, coder) pair
    coders: tuple[int, ...]
    articles: int
    counts: Counts  # whole units of both kinds: agreed = every coder, every field the same
    fields: list[FieldAgreement] = field(default_factory=list)
    spans: list[SpanAgreement] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        return self.counts.agreed / self.counts.units if self.counts.units else None


@dataclass
class AgreementReport:
    overall: ScopeAgreement
    articles: list[ScopeAgreement]  # worst first
    stories: list[ScopeAgreement]
    pairs: list[ScopeAgreement]
    disagreements: list[Disagreement]
    # Articles of the selection with fewer than two coders: nothing to compare.
    single_coded: int = 0


@dataclass(frozen=True)
class _Matched:
    """One article's units of one kind, for some coders."""

    article: ArticleVersions
    kind: str
    coders: tuple[int, ...]
    units: list[Unit]


def _value(unit: Unit, coder: int, name: str) -> Any:
    item = unit.items.get(coder)
    return ABSENT if item is None else item.values.get(name)


def _rows(matched: Iterable[_Matched], name: str) -> list[Row]:
    return [
        {coder: _value(unit, coder, name) for coder in m.coders}
        for m in matched
        for unit in m.units
    ]


def _unit_agreed(unit: Unit, coders: Sequence[int], names: Sequence[str]) -> bool:
    if len(unit.items) < len(coders):
        return False
    items = [unit.items[c] for c in coders]
    return all(all(x.values.get(n) == items[0].values.get(n) for x in items[1:]) for n in names)


def _unit_counts(matched: Iterable[_Matched]) -> Counts:
    total = Counts()
    for m in matched:
        units = len(m.units)
        full = sum(len(u.items) == len(m.coders) for u in m.units)
        agreed = sum(_unit_agreed(u, m.coders, FIELDS[m.kind]) for u in m.units)
        total = total + Counts(units, full, agreed, units - agreed, units - full)
    return total


def _span_agreement(kind: str, matched: Sequence[_Matched], slots: bool) -> SpanAgreement:
    """alpha_u of the matched articles' spans of a kind, laid end to end. With `slots`,
    coders are numbered within each article (see the module's docstring)."""
    sizes = Counter(len(m.coders) for m in matched)
    m_coders = sizes.most_common(1)[0][0] if sizes else 0
    spans: list[CodedSpan] = []
    offset = 0
    used = 0
    coder_ids: list[Any] = []
    for m in matched:
        if len(m.coders) != m_coders:
            continue
        used += 1
        slot = {coder: (k if slots else coder) for k, coder in enumerate(m.coders)}
        if not coder_ids:
            coder_ids = [slot[c] for c in m.coders]
        for unit in m.units:
            for coder, item in unit.items.items():
                spans.append(CodedSpan(slot[coder], offset + item.start, offset + item.end, kind))
        offset += m.article.length
    result = alpha_u(spans, coder_ids, length=offset) if offset else None
    units = matched_units = same = 0
    for m in matched:
        for unit in m.units:
            units += 1
            if len(unit.items) == len(m.coders):
                matched_units += 1
                same += len(set(unit.spans.values())) == 1
    return SpanAgreement(
        kind=kind,
        alpha_u=result.alpha if result else None,
        observed=result.observed if result else 0.0,
        expected=result.expected if result else 0.0,
        coders=m_coders,
        length=offset,
        spans=result.units if result else 0,
        merged=result.merged if result else 0,
        articles=used,
        left_out=len(matched) - used,
        counts=Counts(units, matched_units, same, units - same, units - matched_units),
    )


def _scope(scope: str, key: Any, matched: Sequence[_Matched], slots: bool) -> ScopeAgreement:
    coders = tuple(sorted({c for m in matched for c in m.coders}))
    result = ScopeAgreement(
        scope=scope,
        key=key,
        coders=coders,
        articles=len({m.article.article_id for m in matched}),
        counts=_unit_counts(matched),
    )
    for kind, names in FIELDS.items():
        of_kind = [m for m in matched if m.kind == kind]
        for name in names:
            result.fields.append(field_agreement(kind, name, _rows(of_kind, name)))
        result.spans.append(_span_agreement(kind, of_kind, slots))
    return result


def _disagreements(m: _Matched) -> Iterable[Disagreement]:
    names = FIELDS[m.kind]
    for unit in m.units:
        spans = unit.spans
        ids = {c: x.id for c, x in unit.items.items()}
        if len(unit.items) < len(m.coders):
            values: dict[int, str | None] = {
                c: (" / ".join(unit.items[c].label(n) for n in names) if c in unit.items else None)
                for c in m.coders
            }
            yield Disagreement(
                m.article.article_id, m.kind, WHOLE_UNIT, unit.start, unit.end, spans, values, ids
            )
            continue
        for name in names:
            raw = {c: unit.items[c].values.get(name) for c in m.coders}
            if len(set(map(repr, raw.values()))) > 1:
                labels: dict[int, str | None] = {c: unit.items[c].label(name) for c in m.coders}
                yield Disagreement(
                    m.article.article_id, m.kind, name, unit.start, unit.end, spans, labels, ids
                )


def build_report(versions: Iterable[ArticleVersions]) -> AgreementReport:
    """The report over the articles' versions. Articles with fewer than two coders count
    in `single_coded` only."""
    per_article: list[list[_Matched]] = []
    single = 0
    for article in versions:
        if len(article.coders) < 2:
            single += 1
            continue
        per_article.append(
            [
                _Matched(
                    article,
                    kind,
                    article.coders,
                    match_units(article.items.get(kind, ()), article.coders, names),
                )
                for kind, names in FIELDS.items()
            ]
        )
    flat = [m for group in per_article for m in group]
    articles = [_scope("article", g[0].article.article_id, g, slots=False) for g in per_article]
    articles.sort(
        key=lambda s: (-s.counts.disagreed, s.percent if s.percent is not None else 1, s.key)
    )

    by_story: dict[int, list[_Matched]] = defaultdict(list)
    by_pair: dict[tuple[int, int], list[_Matched]] = defaultdict(list)
    for m in flat:
        if m.article.story_id is not None:
            by_story[m.article.story_id].append(m)
        for pair in combinations(m.coders, 2):
            if m.coders == pair:
                by_pair[pair].append(m)
            else:
                units = match_units(m.article.items.get(m.kind, ()), pair, FIELDS[m.kind])
                by_pair[pair].append(_Matched(m.article, m.kind, pair, units))
    return AgreementReport(
        overall=_scope("overall", None, flat, slots=True),
        articles=articles,
        stories=[_scope("story", k, v, slots=True) for k, v in sorted(by_story.items())],
        pairs=[_scope("pair", k, v, slots=False) for k, v in sorted(by_pair.items())],
        disagreements=[d for m in flat for d in _disagreements(m)],
        single_coded=single,
    )
