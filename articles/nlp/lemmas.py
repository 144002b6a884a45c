"""The model's rule lemmatizer, with its answers remembered per word, tag and morphology.

spaCy's rule lemmatizer walks the document token by token in Python and asks its rules
(or its own cache) for each, then sets the lemma through the string store: ~8% of a news
article's parse (profiled on FNC-1 bodies, one component at a time), although an
article's tokens repeat a few thousand (word, part of speech, morphology) keys at most.
Its answer depends on that key alone (`rule_lemmatize` caches on it; `is_base_form`
reads the part of speech and the morphology), so `speed_up` reads the keys of a whole
document in one array, asks the lemmatizer once per key never seen in this process, and
writes every lemma back in one array: the very same lemmas, and only where the
lemmatizer would write them (a token without a lemma yet, unless it overwrites).
A lemmatizer in another mode than "rule" is left as it is.
"""

from typing import Any, cast

import numpy
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc

LEMMATIZER_NAME = "lemmatizer"
_COLUMNS: list[int | str] = ["ORTH", "POS", "MORPH", "LEMMA"]


class _Remembering:
    """`__call__` for a rule lemmatizer: one lemmatizer answer per key per process."""

    known: dict[tuple[int, int, int], int]

    def __call__(self: Any, doc: Doc) -> Doc:
        if not self._validated:
            self._validate_tables()
        n = len(doc)
        if not n:
            return doc
        table = doc.to_array(_COLUMNS)
        wanted = numpy.ones(n, dtype=bool) if self.overwrite else table[:, 3] == 0
        if not wanted.any():
            return doc
        known = self.known
        strings = doc.vocab.strings
        lemmas = table[:, 3].copy()
        rows = table[:, :3].tolist()
        for i in wanted.nonzero()[0].tolist():
            key = tuple(rows[i])
            lemma = known.get(key)
            if lemma is None:
                lemma = known[key] = strings.add(self.lemmatize(doc[i])[0])
            lemmas[i] = lemma
        doc.from_array(["LEMMA"], cast(Any, lemmas.reshape(-1, 1)))
        return doc


def speed_up(nlp: Language) -> bool:
    """Make the pipeline's rule lemmatizer remember its answers; False when it has no
    lemmatizer, or one in another mode."""
    if LEMMATIZER_NAME not in nlp.pipe_names:
        return False
    lemmatizer = nlp.get_pipe(LEMMATIZER_NAME)
    if not isinstance(lemmatizer, Lemmatizer) or lemmatizer.mode != "rule":
        return False
    base = type(lemmatizer)
    faster = type(f"Remembering{base.__name__}", (_Remembering, base), {})
    lemmatizer.__class__ = faster
    cast(Any, lemmatizer).known = {}
    return True
