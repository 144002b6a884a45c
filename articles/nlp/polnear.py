"""Reading a PolNeAR split for the learning scripts (`learn_cues`, `learn_speakers`): its
texts parsed by the pipeline, and the first annotator's brat .ann file per article."""

import re
from collections.abc import Iterator
from pathlib import Path

from spacy.tokens import Doc

from articles.nlp import model

Spans = list[tuple[int, int]]


def annotation_files(split: Path) -> dict[str, Path]:
    """Article name -> its first annotator's .ann file (names end in _<4 hex> per annotator)."""
    by_article: dict[str, Path] = {}
    for ann in sorted((split / "attributions").glob("*.ann")):
        by_article.setdefault(re.sub(r"_[0-9a-f]{4}$", "", ann.stem), ann)
    return by_article


def spans(offsets: str) -> Spans:
    """A brat text-bound annotation's character spans: "12 20;25 31"."""
    return [(int(a), int(b)) for a, b in (part.split() for part in offsets.split(";"))]


def parsed(split: Path, batch_size: int = 32) -> Iterator[tuple[str, Doc]]:
    """(article name, parsed doc) for every text of the split, in name order."""
    files = sorted((split / "text").glob("*.txt"))
    texts = (path.read_text(encoding="utf-8") for path in files)
    for path, doc in zip(files, model.load().pipe(texts, batch_size=batch_size), strict=True):
        yield path.stem, doc
