"""The extractor: texts in, `Extraction`s out, through one spaCy pass per text.

    python -m articles.nlp.extract FILE [FILE ...]

prints one JSON line per file, with character offsets into the file's text as given (UTF-8,
no cleaning on this path), and nothing else on standard output:
    {"file": ..., "entities": [{"start", "end", "text", "kind", "canonical"}],
     "quotes": [{"start", "end", "text", "kind", "cue", "speaker", "speaker_start",
                 "speaker_end"}],
     "stances": [{"start", "end", "text", "holder", "holder_start", "holder_end",
                  "polarity", "cue", "target", "target_text"}]}
`make eval` scores these lines against PolNeAR gold with ../shared/tools/score_quotes.py.
"""

import argparse
import dataclasses
import json
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from articles.nlp import entities, model, quotes, stances, stories
from articles.nlp.results import Extraction


def extract_doc(doc: Doc) -> Extraction:
    mentions = entities.entity_mentions(doc)
    found = quotes.quotes(doc, mentions)
    return Extraction(
        entities=mentions,
        quotes=found,
        terms=stories.story_terms(doc, [m.canonical for m in mentions]),
        stances=stances.stances(doc, mentions, found),  # who spoke last, for "he"
    )


def extract(
    texts: Iterable[str],
    *,
    nlp: Language | None = None,
    batch_size: int = model.BATCH_SIZE,
    max_length: int | None = None,
) -> Iterator[Extraction]:
    """One Extraction per text, in order; the pipeline runs over them in batches.

    A text longer than the pipeline takes (`nlp.max_length`, or `max_length` if smaller:
    spaCy refuses longer ones) is parsed in pieces cut at paragraph breaks, and the
    pieces' findings are joined with their offsets moved back into the whole text.
    """
    pipeline = nlp if nlp is not None else model.load()
    limit = min(pipeline.max_length, max_length or model.max_length() or pipeline.max_length)
    pieces = (
        (piece, (index, offset))
        for index, text in enumerate(texts)
        for offset, piece in split(text, limit)
    )
    current = -1
    parts: list[tuple[int, Extraction]] = []
    for doc, (index, offset) in pipeline.pipe(pieces, batch_size=batch_size, as_tuples=True):
        if index != current and parts:
            yield joined(parts)
            parts = []
        current = index
        parts.append((offset, extract_doc(doc)))
    if parts:
        yield joined(parts)


# A paragraph break (a blank line, or a line break), then any sentence end, then any space:
# where a long text is cut, best first.
_CUTS = (
    re.compile(r"\n[ \t]*\n\s*"),
    re.compile(r"\n\s*"),
    re.compile(r"[.!?][\"')\]]*\s+"),
    re.compile(r"\s+"),
)


def split(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """(offset, piece) pairs that cover `text` in order, each piece at most `limit` long.

    Each cut falls at the last paragraph break of a piece's window; a paragraph longer
    than the limit is cut at its last sentence end, then at a space, then anywhere. The
    characters of a break stay with the piece before it, so offset + len(piece) is the
    next piece's offset. A text within the limit is one piece, even an empty one.
    """
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    while len(text) - start > limit:
        window = text[start : start + limit]
        cut = 0
        for pattern in _CUTS:
            # The last match whose end is past the window's first half keeps pieces large.
            for match in pattern.finditer(window, limit // 2):
                cut = match.end()
            if cut:
                break
        cut = cut or limit
        yield start, text[start : start + cut]
        start += cut
    yield start, text[start:]


def joined(parts: list[tuple[int, Extraction]]) -> Extraction:
    """One text's Extraction from those of its pieces at these offsets.

    Every span field (an int `start`, `end` or `*_start`/`*_end`) of every finding moves by
    its piece's offset, whatever kinds of findings an Extraction holds; the story terms
    of the pieces are summed and normalised again.
    """
    if len(parts) == 1 and parts[0][0] == 0:
        return parts[0][1]
    fields: dict[str, Any] = {}
    for spec in dataclasses.fields(Extraction):
        name = spec.name
        if name == "terms":
            summed: dict[str, float] = {}
            for _, part in parts:
                for term, weight in part.terms.items():
                    summed[term] = summed.get(term, 0.0) + weight
            fields[name] = _renormalised(summed, max((len(p.terms) for _, p in parts), default=0))
            continue
        values = [getattr(part, name) for _, part in parts]
        if all(isinstance(value, list) for value in values):
            fields[name] = [
                _shifted(item, offset)
                for (offset, _), value in zip(parts, values, strict=True)
                for item in value
            ]
        else:
            fields[name] = values[0]
    return Extraction(**fields)


def _shifted(item: Any, offset: int) -> Any:
    if not offset or not dataclasses.is_dataclass(item) or isinstance(item, type):
        return item
    changes = {
        spec.name: getattr(item, spec.name) + offset
        for spec in dataclasses.fields(item)
        if (spec.name in ("start", "end") or spec.name.endswith(("_start", "_end")))
        and isinstance(getattr(item, spec.name), int)
        and not isinstance(getattr(item, spec.name), bool)
    }
    return dataclasses.replace(item, **changes) if changes else item


def _renormalised(weights: dict[str, float], top_k: int) -> dict[str, float]:
    best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:top_k]
    norm = sum(weight * weight for _, weight in best) ** 0.5
    return {term: weight / norm for term, weight in best} if norm else {}


def as_json(name: str, extraction: Extraction) -> dict[str, Any]:
    return {
        "file": name,
        "entities": [
            {
                "start": m.start,
                "end": m.end,
                "text": m.text,
                "kind": m.kind,
                "canonical": m.canonical,
            }
            for m in extraction.entities
        ],
        "quotes": [
            {
                "start": q.start,
                "end": q.end,
                "text": q.text,
                "kind": q.kind,
                "cue": q.cue,
                "speaker": q.speaker,
                "speaker_start": q.speaker_start,
                "speaker_end": q.speaker_end,
            }
            for q in extraction.quotes
        ],
        "stances": [
            {
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "holder": s.holder,
                "holder_start": s.holder_start,
                "holder_end": s.holder_end,
                "polarity": s.polarity,
                "cue": s.cue,
                "target": s.target,
                "target_text": s.target_text,
            }
            for s in extraction.stances
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m articles.nlp.extract",
        description="Print entities, quotes and stances of each file as one JSON line.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--model", help=f"spaCy pipeline (default: {model.model_name()})")
    args = parser.parse_args(argv)
    missing = [str(path) for path in args.files if not path.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    texts = []
    for path in args.files:
        try:
            texts.append(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as error:
            parser.error(f"{path} is not UTF-8 text ({error.reason} at byte {error.start})")
    nlp = model.load(args.model)
    out = sys.stdout
    for path, extraction in zip(args.files, extract(texts, nlp=nlp), strict=True):
        out.write(json.dumps(as_json(str(path), extraction), ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
