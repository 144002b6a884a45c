"""Learn the speaker choice's weights (`data/speakers.json`) from PolNeAR train: `make speakers`.

    python -m articles.nlp.learn_speakers ../shared/corpus/polnear/train [--l2 3]
        [--out articles/nlp/data/speakers.json] [--docs parsed.spacy]

The extractor runs over every train article; for every quote it finds with a cue, its
speaker candidates (`speakers.candidates`) are kept, and a candidate is right when it
overlaps the gold Source of an attribution whose Content the quote covers (at least 0.3
of it, as the scorer counts a match). A conditional logit model (a softmax over each
quote's candidates, L2-regularised) is fitted with numpy by full-batch gradient descent;
the weights of features seen at least `--min-count` times are written. `--folds` first
reports the choice's accuracy on held-out articles of train (cross-validation), so the
regularisation is chosen without dev. Deterministic: the same split and model give the
same file. `--docs` reads the articles already parsed (a spaCy DocBin in sorted file
order) instead of parsing them.
"""

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
from spacy.tokens import Doc, DocBin

from articles.nlp import entities, model, polnear, quotes, speakers

MIN_COVER = 0.3
Spans = polnear.Spans
# One quote: its candidates' features, how many of its gold attributions each one is
# right for, how many it has, and how many the rules' choice is right for.
Group = tuple[list[list[str]], list[int], int, int]


def gold_attributions(split: Path) -> dict[str, list[tuple[Spans, Spans]]]:
    """(content spans, source spans) per article, from the first annotator's .ann file."""
    gold: dict[str, list[tuple[Spans, Spans]]] = {}
    for article, ann in polnear.annotation_files(split).items():
        spans: dict[str, Spans] = {}
        events: list[dict[str, list[str]]] = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 2:
                continue
            if line.startswith("T"):
                _, _, offsets = cols[1].partition(" ")
                spans[cols[0]] = polnear.spans(offsets)
            elif line.startswith("E"):
                roles: dict[str, list[str]] = {}
                for arg in cols[1].split()[1:]:
                    role, _, ref = arg.partition(":")
                    roles.setdefault(re.sub(r"\d+$", "", role), []).append(ref)
                events.append(roles)
        items = []
        for roles in events:
            content = [s for ref in roles.get("Content", []) for s in spans.get(ref, [])]
            source = [s for ref in roles.get("Source", []) for s in spans.get(ref, [])]
            if content and source:
                items.append((content, source))
        gold[article] = items
    return gold


def _cover(start: int, end: int, spans: Spans) -> float:
    total = sum(b - a for a, b in spans) or 1
    return sum(max(0, min(end, b) - max(start, a)) for a, b in spans) / total


def groups(
    docs: Iterable[tuple[str, Doc]], gold: dict[str, list[tuple[Spans, Spans]]]
) -> Iterator[tuple[str, Group]]:
    """(article, group) for every cued quote that is the first (in text order) to cover a
    gold attribution with a source, as the scorer pairs them."""
    for name, doc in docs:
        found: list[tuple[int, int, list[speakers.Candidate]]] = []

        def observe(start: int, end: int, kind: str, cands: list[speakers.Candidate]) -> None:
            found.append((start, end, cands))  # noqa: B023 (used before the loop moves on)

        quotes.quotes(doc, entities.entity_mentions(doc), observe=observe)
        found.sort(key=lambda item: (item[0], item[1]))  # the order of the quotes
        paired: dict[int, list[Spans]] = {}
        for content, source in gold.get(name, []):
            first = next(
                (
                    n
                    for n, (start, end, _) in enumerate(found)
                    if _cover(start, end, content) >= MIN_COVER
                ),
                None,
            )
            if first is not None:
                paired.setdefault(first, []).append(source)
        for number, sources in sorted(paired.items()):
            cands = found[number][2]
            if not cands:
                continue
            right = [
                sum(
                    any(c.span.start_char < b and a < c.span.end_char for a, b in source)
                    for source in sources
                )
                for c in cands
            ]
            rule = next((n for n, c in enumerate(cands) if c.rule), None)
            rule_right = right[rule] if rule is not None else 0
            yield name, ([c.features for c in cands], right, len(sources), rule_right)


class Fitted:
    """A conditional logit over feature indices, fitted by gradient descent."""

    def __init__(self, names: list[str], weights: np.ndarray) -> None:
        self.names = names
        self.weights = weights


def _arrays(
    data: list[Group], index: dict[str, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Flattened: feature index and candidate of each entry, group of each candidate,
    target share of each candidate, first candidate of each group."""
    feats, owner, group, target, first = [], [], [], [], []
    candidate = 0
    for number, (features, right, attributions, _) in enumerate(data):
        first.append(candidate)
        positives = sum(right)
        for names, ok in zip(features, right, strict=True):
            for name in names:
                if name in index:
                    feats.append(index[name])
                    owner.append(candidate)
            group.append(number)
            # A share of the quote's right answers, weighed by its attributions.
            target.append(attributions * ok / positives)
            candidate += 1
    return (
        np.array(feats, dtype=np.int64),
        np.array(owner, dtype=np.int64),
        np.array(group, dtype=np.int64),
        np.array(target, dtype=np.float64),
        np.array(first, dtype=np.int64),
    )


def fit(
    data: list[Group], l2: float, min_count: int, steps: int = 400, marginal: bool = True
) -> Fitted:
    """Fit on the groups that have a right candidate (Adam, full batch)."""
    usable = [g for g in data if any(g[1])]
    counts: Counter[str] = Counter(name for g in usable for names in g[0] for name in names)
    names = sorted(name for name, n in counts.items() if n >= min_count)
    index = {name: n for n, name in enumerate(names)}
    feats, owner, group, target, first = _arrays(usable, index)
    n_cands = len(group)
    # Each candidate carries its quote's weight (its number of attributions).
    weight = np.array([g[2] for g in usable], dtype=np.float64)[group]
    weight_sum = float(sum(g[2] for g in usable))
    w = np.zeros(len(names))
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    rate, beta1, beta2 = 0.05, 0.9, 0.999
    for step in range(1, steps + 1):
        scores = np.bincount(owner, weights=w[feats], minlength=n_cands)
        top = np.maximum.reduceat(scores, first)
        exp = np.exp(scores - top[group])
        total = np.add.reduceat(exp, first)
        p = exp / total[group]
        if marginal:
            # The likelihood of any right candidate: the mass is moved onto the right
            # candidates the model already prefers, not spread over all of them.
            right_mass = np.add.reduceat(p * (target > 0), first)
            target = weight * (target > 0) * p / np.maximum(right_mass[group], 1e-12)
        residual = weight * p - target
        grad = np.bincount(feats, weights=residual[owner], minlength=len(w)) / weight_sum
        grad += l2 * w / weight_sum
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        w -= rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
    return Fitted(names, w)


def accuracy(fitted: Fitted, data: list[Group]) -> tuple[float, float]:
    """(share right with the learned choice, share right with the rules' choice) of the
    gold attributions paired with the groups, those with no right candidate included."""
    table = dict(zip(fitted.names, fitted.weights.tolist(), strict=True))
    learned = rules = 0
    total = 0
    for features, right, attributions, rule_right in data:
        scores = [sum(table.get(name, 0.0) for name in names) for names in features]
        learned += right[scores.index(max(scores))]
        rules += rule_right
        total += attributions
    return learned / max(total, 1), rules / max(total, 1)


def parsed(split: Path, docs: Path | None, batch_size: int = 32) -> Iterator[tuple[str, Doc]]:
    if docs is None:
        yield from polnear.parsed(split, batch_size)
        return
    files = sorted((split / "text").glob("*.txt"))
    stored = DocBin().from_disk(docs).get_docs(model.load().vocab)
    yield from zip((p.stem for p in files), stored, strict=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path)
    parser.add_argument("--l2", type=float, default=3.0)
    parser.add_argument("--min-count", type=int, default=5)
    parser.add_argument("--folds", type=int, default=0)
    parser.add_argument("--docs", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=speakers.WEIGHTS_FILE)
    args = parser.parse_args(argv)
    labelled = list(groups(parsed(args.split, args.docs), gold_attributions(args.split)))
    data = [group for _, group in labelled]
    reachable = sum(max(g[1]) for g in data) / max(sum(g[2] for g in data), 1)
    print(
        f"{len(data)} quotes paired with gold sources, {reachable:.3f} reachable",
        file=sys.stderr,
    )
    if args.folds:
        articles = sorted({name for name, _ in labelled})
        for fold in range(args.folds):
            held = set(articles[fold :: args.folds])
            train = [g for name, g in labelled if name not in held]
            test = [g for name, g in labelled if name in held]
            learned, rules = accuracy(fit(train, args.l2, args.min_count), test)
            print(
                f"fold {fold}: learned {learned:.3f} rules {rules:.3f} (n={len(test)})",
                file=sys.stderr,
            )
    fitted = fit(data, args.l2, args.min_count)
    learned, rules = accuracy(fitted, data)
    print(f"train: learned {learned:.3f} rules {rules:.3f}", file=sys.stderr)
    kept = {
        name: round(value, 4)
        for name, value in zip(fitted.names, fitted.weights.tolist(), strict=True)
        if abs(value) >= 1e-4
    }
    args.out.write_text(
        json.dumps(
            {
                "about": "Speaker choice weights learned from PolNeAR train by "
                "`make speakers` (python -m articles.nlp.learn_speakers); see speakers.py.",
                "l2": args.l2,
                "min_count": args.min_count,
                "weights": dict(sorted(kept.items())),
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(kept)} weights written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
