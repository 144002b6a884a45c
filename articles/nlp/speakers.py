"""A learned choice of a quote's speaker among the phrases of its cue's sentence.

The rules of `quotes` name one speaker phrase per cue (its subject, the object of
"according to", the name before it, ...). They miss where the parse and the report
disagree: 'X said Y told him that ...' nests, the source is the subject of a verb that
governs the cue ('X wanted to say'), or a possessor or a document speaks. Here every
noun phrase of the cue's sentence outside quotation marks is a candidate, described by a
few features (its relation to the cue in the parse, the side it stands on, its distance,
its kind, and whether the rules chose it), and a linear model scores each one; the best
scoring candidate is the speaker. The rules' own choice is a feature, so the model only
overrides it where PolNeAR train says that pays.

The weights are data (`data/speakers.json`), learned from PolNeAR train by
`python -m articles.nlp.learn_speakers` (`make speakers`); scoring is a sum of weights,
plain Python.
"""

import json
from collections.abc import Callable, Container, Sequence
from functools import lru_cache
from pathlib import Path

from spacy.tokens import Span, Token

from articles.nlp import cues

WEIGHTS_FILE = Path(__file__).with_name("data") / "speakers.json"
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
# A phrase head of these kinds may speak.
HEAD_TAGS = frozenset({"PROPN", "NOUN", "PRON"})
# Words that head a phrase but never speak.
NEVER = frozenset({"it", "there", "here", "this", "that", "what", "which", "itself"})
# How far up the parse a path is described (steps from each side to their meeting point).
PATH_STEPS = 4
# Where a candidate's distance to the cue falls (tokens), for the `dist` feature.
DISTANCES = (1, 2, 4, 8, 16)


class Candidate:
    """One phrase that may be the speaker, and what describes it."""

    __slots__ = ("features", "rule", "span")

    def __init__(self, span: Span, features: list[str], rule: bool) -> None:
        self.span = span
        self.features = features
        self.rule = rule  # the rules' own choice


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    """Verbs the lexicon takes as cues with a clause or beside a quote."""
    return frozenset(
        lemma for lemma, frame_name in cues.lexicon() if frame_name in ("ccomp", cues.QUOTE)
    )


def cue_strength(lemma: str) -> str:
    """How surely the cue's verb reports, from its lexicon counts (a share, in tenths)."""
    best = 0.0
    for frame_name in ("ccomp", cues.QUOTE):
        cued, uses = cues.table().get((lemma, frame_name), (0, 0))
        best = max(best, cued / uses if uses else 0.0)
    return str(min(int(best * 5), 4))


def embedded(cue: Token) -> bool:
    """Whether a speech verb above the cue reports it ('X said Y told him ...')."""
    verbs = speech_verbs()
    return any(t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in verbs for t in _up(cue)[1:])


def _bucket(distance: int) -> str:
    for bound in DISTANCES:
        if distance <= bound:
            return str(bound)
    return "far"


def _up(token: Token, limit: int = 12) -> list[Token]:
    """The token and its ancestors, nearest first."""
    chain = [token]
    while chain[-1].head.i != chain[-1].i and len(chain) < limit:
        chain.append(chain[-1].head)
    return chain


def path_features(candidate: Token, cue: Token, lemma: str, strength: str) -> list[str]:
    """How the candidate hangs on the cue: the labels from each to their meeting point."""
    cue_chain = _up(cue)
    cand_chain = _up(candidate)
    cue_index = {t.i: n for n, t in enumerate(cue_chain)}
    meet = next((n for n, t in enumerate(cand_chain) if t.i in cue_index), None)
    if meet is None:
        return ["path=none"]
    up = [t.dep_ for t in cand_chain[:meet]]
    down = [t.dep_ for t in cue_chain[: cue_index[cand_chain[meet].i]]]
    top = cand_chain[meet]
    speech = top.i != cue.i and top.lemma_.lower() in speech_verbs()
    first = up[0] if up else "self"
    path = f"{'/'.join(up[:PATH_STEPS])}^{'/'.join(down[:PATH_STEPS])}"
    features = [
        f"path={path}|strength={strength}",
        f"path={path}|pos={candidate.pos_}",
        f"govspeech={first}|{speech}",
        f"govspeech={first}|{speech}|cue={lemma}",
        f"govspeech={first}|{speech}|strength={strength}",
        f"path={path}",
        f"up={len(up)}",
        f"down={len(down)}",
        f"first={first}^{len(down)}",
    ]
    if len(up) == 1 and down:
        # The subject (or object) of a verb that governs the cue: 'X wanted to say'.
        features.append(f"gov={up[0]}|{'/'.join(down[:2])}")
        features.append(f"govpos={top.pos_}|{up[0]}")
    return features


def candidates(
    cue: Token,
    chosen: Span | None,
    content: tuple[int, int],
    inside: Container[int],
    phrase: Callable[[Token], Span],
    kind: str,
) -> list[Candidate]:
    """The phrases of the cue's sentence that may have said `content`, with features.
    `chosen` is the rules' speaker (a candidate even outside the sentence), `inside` the
    token indices within quotation marks, `phrase` how a head's phrase is built."""
    sentence = cue.sent
    heads = [
        t
        for t in sentence
        if t.pos_ in HEAD_TAGS
        and t.i not in inside
        and t.dep_ not in ("compound", "flat")
        and t.lower_ not in NEVER
    ]
    spans: list[Span] = [phrase(t) for t in heads]
    if chosen is not None and not any(
        s.start == chosen.start and s.end == chosen.end for s in spans
    ):
        spans.append(chosen)
    lemma = cue.lemma_.lower() if cue.lower_ != "according" else "according"
    strength = cue_strength(lemma)
    nested = embedded(cue)
    found: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for span in spans:
        if (span.start, span.end) in seen:
            continue
        seen.add((span.start, span.end))
        head = span.root
        rule = chosen is not None and span.start == chosen.start and span.end == chosen.end
        overlaps = chosen is not None and span.start < chosen.end and chosen.start < span.end
        side = "before" if head.i < cue.i else "after"
        distance = abs(head.i - cue.i)
        in_content = content[0] <= head.idx < content[1]
        features = [
            "bias",
            f"rule={rule}",
            f"rule={rule}|{kind}",
            f"near_rule={overlaps and not rule}",
            f"dep={head.dep_}",
            f"pos={head.pos_}",
            f"ent={head.ent_type_ or '-'}",
            f"side={side}",
            f"dist={side}{_bucket(distance)}",
            f"content={in_content}",
            f"content={in_content}|{kind}",
            f"dep={head.dep_}|side={side}",
            f"cue={lemma}|dep={head.dep_}",
        ]
        features.append(f"dist={side}{_bucket(distance)}|dep={head.dep_}")
        if chosen is not None and not rule:
            # A part of the rules' phrase ('Stephen Vladeck of the University of Texas')
            # or what holds it.
            under = chosen.root.is_ancestor(head)
            over = head.is_ancestor(chosen.root)
            relation = "under" if under else "over" if over else "apart"
            features.append(f"to_rule={relation}")
            features.append(f"to_rule={relation}|dep={head.dep_}|kind={kind}")
        if head.pos_ == "PRON":
            features.append(f"pron={head.lower_}")
            features.append(f"pron={head.lower_}|rule={rule}|side={side}")
        if head.sent != sentence:
            features.append("other_sentence")
        else:
            features.extend(path_features(head, cue, lemma, strength))
        features.append(f"rule={rule}|dep={head.dep_}")
        features.append(f"rule={rule}|pos={head.pos_}|ent={head.ent_type_ or '-'}")
        features.append(f"rule={rule}|strength={strength}|nested={nested}")
        features.append(f"dep={head.dep_}|strength={strength}|nested={nested}")
        if rule:
            features.append(f"rule|cue={lemma}")
            features.append(f"rule|cuedep={cue.dep_}")
        found.append(Candidate(span, features, rule))
    return found


@lru_cache(maxsize=1)
def weights() -> dict[str, float]:
    if not WEIGHTS_FILE.exists():
        return {}
    data = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    return {str(name): float(value) for name, value in data["weights"].items()}


def score(candidate: Candidate, table: dict[str, float]) -> float:
    return sum(table.get(name, 0.0) for name in candidate.features)


def best(found: Sequence[Candidate], chosen: Span | None) -> Span | None:
    """The best scoring candidate's span; the rules' choice when nothing is learned."""
    table = weights()
    if not table or not found:
        return chosen
    return max(found, key=lambda c: score(c, table)).span
