"""Spellings of names, compared the way the alias table compares them. Plain Python."""

import unicodedata

# Quote marks and punctuation that surround a name without changing whom it names.
_EDGE_PUNCTUATION = " \t\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb.,;:()[]"


def normalise_alias(text: str) -> str:
    """The form an alias is unique under: NFKC, case-folded, single spaces, no edge marks.

    "  Vladimir  PUTIN, " and "vladimir putin" are one spelling; "Yury" and "Yuri" are two
    (telling those apart is the extractor's job, not the alias table's).
    """
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(_EDGE_PUNCTUATION)
