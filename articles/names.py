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


# Spellings that romanise one name differently: Yury/Yuri, Dmitriy/Dmitry, Alexei/Aleksei,
# Zelenskyy/Zelensky, Erdoğan/Erdogan. Applied after accents are stripped.
_TRANSLITERATION = (("x", "ks"), ("y", "i"), ("ph", "f"))


def identity_key(text: str) -> str:
    """The form under which two spellings of one name meet, beyond `normalise_alias`.

    Accents and punctuation go, common transliteration variants are folded and doubled
    letters collapse: "Yury Ushakov" and "Yuri Ushakov" share "iuri ushakov". Used to find
    the actor a new spelling belongs to, never to show.
    """
    decomposed = unicodedata.normalize("NFKD", normalise_alias(text))
    letters = "".join(
        ch if ch.isalnum() else " " for ch in decomposed if not unicodedata.combining(ch)
    )
    key = " ".join(letters.split())
    for old, new in _TRANSLITERATION:
        key = key.replace(old, new)
    collapsed: list[str] = []
    for ch in key:
        if not collapsed or ch != collapsed[-1] or not ch.isalpha():
            collapsed.append(ch)
    return "".join(collapsed)
