"""The extractor: texts in, `Extraction`s out, through one spaCy pass per text.

    python -m articles.nlp.extract FILE [FILE ...]

prints one JSON line per file, with character offsets into the file's text as given (UTF-8,
no cleaning on this path), and nothing else on standard output:
    {"file": ..., "entities": [{"start", "end", "text", "kind", "canonical"}],
     "quotes": [{"start", "end", "text", "kind", "cue", "speaker", "speaker_start",
                 "speaker_end"}]}
`make eval` scores these lines against PolNeAR gold with ../shared/tools/score_quotes.py.
"""

import argparse
import json
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
    return Extraction(
        entities=mentions,
        quotes=quotes.quotes(doc, mentions),
        terms=stories.story_terms(doc, [m.canonical for m in mentions]),
        stances=stances.stances(doc, mentions),
    )


def extract(
    texts: Iterable[str], *, nlp: Language | None = None, batch_size: int = model.BATCH_SIZE
) -> Iterator[Extraction]:
    """One Extraction per text, in order; the pipeline runs over them in batches."""
    pipeline = nlp if nlp is not None else model.load()
    for doc in pipeline.pipe(texts, batch_size=batch_size):
        yield extract_doc(doc)


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
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m articles.nlp.extract",
        description="Print entities and quotes of each file as one JSON line.",
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
