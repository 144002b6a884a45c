"""Learn the cue lexicon (`data/cues.txt`) from PolNeAR's train split: `make cues`.

    python -m articles.nlp.learn_cues ../shared/corpus/polnear/train [--min-count 2]
        [--out articles/nlp/data/cues.txt]

Every verb of every train article is counted by lemma and frame (`quotes.frame`, and
`quote` when a direct quote shares its sentence), and counted again when it lies inside a
gold Cue span. Rows that were a cue at least `--min-count` times are written with both
counts; `cues.py` decides from them which rows are cues, so a reader of the file sees why
each verb is there. Deterministic: the same split and model give the same file.
"""

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from spacy.tokens import Doc

from articles.nlp import cues, polnear, quotes
from articles.nlp.quotemarks import quote_marks

HEADER = """\
# Cue lexicon: verb lemma, frame, and how often the verb was a gold cue in that frame in
# PolNeAR train out of how often it occurred in it (cued/uses). Frames: see cues.py.
# Written by `make cues` (python -m articles.nlp.learn_cues); rows may be added by hand.
"""


def gold_cue_spans(split: Path) -> dict[str, list[tuple[int, int]]]:
    """Cue character spans per article, from the first annotator's .ann file."""
    spans: dict[str, list[tuple[int, int]]] = {}
    for article, ann in polnear.annotation_files(split).items():
        found = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if not line.startswith("T") or len(cols) < 2:
                continue
            label, _, offsets = cols[1].partition(" ")
            if label != "Cue":
                continue
            found.extend(polnear.spans(offsets))
        spans[article] = found
    return spans


def count(
    docs: Iterable[tuple[str, Doc]], gold: dict[str, list[tuple[int, int]]]
) -> tuple[Counter[tuple[str, str]], Counter[tuple[str, str]]]:
    """(lemma, frame) -> times a gold cue, and times seen, over (article name, doc) pairs."""
    uses: Counter[tuple[str, str]] = Counter()
    cued: Counter[tuple[str, str]] = Counter()
    for name, doc in docs:
        cue_spans = gold.get(name, [])
        marks = quote_marks(doc.text)
        for sentence in doc.sents:
            quoted = [
                m for m in marks if m.start < sentence.end_char and sentence.start_char < m.end
            ]
            for token in sentence:
                if token.pos_ not in ("VERB", "AUX"):
                    continue
                end = token.idx + len(token)
                if any(m.start <= token.idx < m.end for m in quoted):
                    continue
                is_gold = any(start < end and token.idx < stop for start, stop in cue_spans)
                lemma = token.lemma_.lower()
                frames = [cues.QUOTE] if quoted else []
                found = quotes.frame(token)
                if found is not None:
                    frames.append(found[0])
                for frame_name in frames:
                    uses[(lemma, frame_name)] += 1
                    cued[(lemma, frame_name)] += is_gold
    return cued, uses


def write(
    cued: Counter[tuple[str, str]], uses: Counter[tuple[str, str]], out: Path, min_count: int
) -> int:
    kept = sorted(
        (key for key, hits in cued.items() if hits >= min_count),
        key=lambda key: (key[0], key[1]),
    )
    lines = [
        f"{lemma}\t{frame_name}\t{cued[lemma, frame_name]}/{uses[lemma, frame_name]}"
        for lemma, frame_name in kept
    ]
    out.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path)
    parser.add_argument("--min-count", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "cues.txt")
    args = parser.parse_args(argv)
    cued, uses = count(polnear.parsed(args.split), gold_cue_spans(args.split))
    rows = write(cued, uses, args.out, args.min_count)
    print(f"{rows} (verb, frame) rows written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
