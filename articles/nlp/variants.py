"""One utterance reported by several outlets: how alike two wordings are, and where
they differ, word by word. Plain Python, on rapidfuzz's sequence alignment.

A quote that runs on past the shared utterance (a split quote carrying a second sentence)
is compared on the stretch that lines up with the reference; what lies outside it is
`extra`, not a difference of wording.
"""

import re
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from articles.nlp.quotemarks import quote_marks

# A word is letters or digits with inner apostrophes and hyphens ("Russia's", "so-called").
_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*")
# Shortest utterance, in words, worth linking across outlets (not "a new era").
MIN_WORDS = 6
# Share of the shorter wording's words that must line up, in order, with the longer one.
SAME_UTTERANCE = 0.6


@dataclass(frozen=True, slots=True)
class Difference:
    """A stretch of the variant against the reference. `op` is equal, insert (words the
    variant has and the reference lacks), delete (the reverse), replace, or extra (the
    variant's words before or after the stretch the two share)."""

    op: str
    text: str
    reference: str


@dataclass(frozen=True, slots=True)
class Alignment:
    similarity: float
    differences: list[Difference]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _folded(tokens: list[str]) -> list[str]:
    return [t.casefold().replace("\u2019", "'") for t in tokens]


def quoted_text(text: str) -> str:
    """What a quote's marks enclose ('A joint statement ... for the talks,'), the halves
    of a split quote joined by an ellipsis; the text itself when it has no marks."""
    marks = quote_marks(text)
    if not marks:
        return text.strip()
    parts = [text[m.inner_start : m.inner_end].strip() for m in marks]
    return " … ".join(p.rstrip(",") for p in parts if p)


def quoted_words(text: str) -> list[str]:
    """The words inside quotation marks, or all words when the text has none."""
    marks = quote_marks(text)
    if not marks:
        return words(text)
    return [w for m in marks for w in words(text[m.inner_start : m.inner_end])]


def overlap(a: list[str], b: list[str]) -> float:
    """Share of the shorter word list that lines up, in order, with the longer."""
    if not a or not b:
        return 0.0
    shorter = min(len(a), len(b))
    blocks = Indel.editops(_folded(a), _folded(b)).as_matching_blocks()
    return sum(block.size for block in blocks) / shorter


def same_utterance(a: list[str], b: list[str]) -> bool:
    return min(len(a), len(b)) >= MIN_WORDS and overlap(a, b) >= SAME_UTTERANCE


def align(reference: list[str], variant: list[str]) -> Alignment:
    """The variant's wording against the reference's, word by word."""
    ref, var = _folded(reference), _folded(variant)
    blocks = [b for b in Indel.editops(ref, var).as_matching_blocks() if b.size]
    if not blocks:
        return Alignment(0.0, [Difference("extra", " ".join(variant), "")] if variant else [])
    # The variant's stretch that lines up with the reference: from its first shared word
    # to its last. Before and after it is extra; the reference is compared whole.
    lo = blocks[0].b - min(blocks[0].a, blocks[0].b)
    hi = blocks[-1].b + blocks[-1].size + (len(ref) - blocks[-1].a - blocks[-1].size)
    lo, hi = max(0, lo), min(len(var), hi)
    differences: list[Difference] = []
    if lo:
        differences.append(Difference("extra", " ".join(variant[:lo]), ""))
    for op in Indel.opcodes(ref, var[lo:hi]):
        tag = {"equal": "equal", "insert": "insert", "delete": "delete"}.get(op.tag, "replace")
        text = " ".join(variant[lo + op.dest_start : lo + op.dest_end])
        before = " ".join(reference[op.src_start : op.src_end])
        if differences and differences[-1].op == tag and tag != "equal":
            last = differences.pop()
            text, before = f"{last.text} {text}".strip(), f"{last.reference} {before}".strip()
        differences.append(Difference(tag, text, before))
    if hi < len(variant):
        differences.append(Difference("extra", " ".join(variant[hi:]), ""))
    similarity = Indel.normalized_similarity(ref, var[lo:hi])
    return Alignment(round(similarity, 4), _merge_replacements(differences))


def _merge_replacements(differences: list[Difference]) -> list[Difference]:
    """A delete next to an insert is one replacement: 'new era' for 'brand new age'."""
    merged: list[Difference] = []
    for item in differences:
        if merged and {merged[-1].op, item.op} == {"delete", "insert"}:
            last = merged.pop()
            text = " ".join(x for x in (last.text, item.text) if x)
            before = " ".join(x for x in (last.reference, item.reference) if x)
            merged.append(Difference("replace", text, before))
        else:
            merged.append(item)
    return merged
