"""The gazetteer: curated diplomatic actors (`data/gazetteer.yaml`) and the entity ruler
that tags them in every parse.

The YAML is data an analyst edits by hand (its header says how); `load` validates it and
builds the lookup tables once per process. `add_entity_ruler` puts a spaCy `entity_ruler`
after "ner" that overwrites the statistical model's entities wherever a gazetteer name
matches, each match carrying the canonical name as its id (`span.ent_id_`). Plain spaCy
sm tags "Kiev" PERSON and splits "Yury Ushakov" into an ORG and a PERSON; the ruler fixes
those for every actor the gazetteer knows.
"""

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.pipeline.entityruler import PatternType
from spacy.tokens import Doc

from articles.names import identity_key, normalise_alias

GAZETTEER_FILE = Path(__file__).with_name("data") / "gazetteer.yaml"
KINDS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"})
RULER_NAME = "gazetteer"
SNAPSHOT_NAME = "gazetteer_ner_snapshot"
# The statistical model's entities as they were before the ruler overwrote any of them:
# `entities` puts back a longer name the model found around a short alias ("Melania
# Trump" around "Trump").
NER_SPANS_KEY = "ner_before_gazetteer"
_FIELDS = frozenset({"name", "kind", "aliases", "description"})
# libyaml's safe loader when PyYAML was built with it: seven times faster on this file.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class GazetteerError(ValueError):
    """The gazetteer file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: str
    aliases: tuple[str, ...]
    description: str

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    entries: tuple[Entry, ...]
    # normalise_alias(spelling) -> kind -> entry. Unique per kind by validation.
    by_alias: dict[str, dict[str, Entry]]
    # identity_key(spelling) -> kind -> entry, or None where two entries of one kind
    # share a key (then the key decides nothing).
    by_key: dict[str, dict[str, Entry | None]]
    # Normalised spellings whose leading "The" is part of the name ("The Hague").
    keeps_the: frozenset[str]

    def entry(self, name: str, kind: str) -> Entry | None:
        """The entry with canonical `name` and `kind` (what a ruler match carries)."""
        return self.by_alias.get(normalise_alias(name), {}).get(kind)


def _where(path: Path, number: int, raw: Any) -> str:
    name = raw.get("name") if isinstance(raw, dict) else None
    label = f" ({name})" if isinstance(name, str) and name.strip() else ""
    return f"{path.name}, entry {number}{label}"


def _entry(path: Path, number: int, raw: Any) -> Entry:
    where = _where(path, number, raw)
    if not isinstance(raw, dict):
        raise GazetteerError(f"{where}: expected a mapping with name, kind, aliases")
    unknown = sorted(set(raw) - _FIELDS)
    if unknown:
        raise GazetteerError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise GazetteerError(f"{where}: missing name")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise GazetteerError(f"{where}: kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    aliases = raw.get("aliases") or []
    if not isinstance(aliases, list):
        raise GazetteerError(f"{where}: aliases must be a list")
    for alias in aliases:
        # YAML reads an unquoted `No` or `On` as a boolean; say so rather than drop it.
        if not isinstance(alias, str) or not alias.strip():
            raise GazetteerError(f"{where}: alias {alias!r} is not a name (quote it)")
    description = raw.get("description") or ""
    if not isinstance(description, str):
        raise GazetteerError(f"{where}: description must be one line of text")
    unique = dict.fromkeys(
        a.strip() for a in aliases if normalise_alias(a) != normalise_alias(name)
    )
    return Entry(name.strip(), kind, tuple(unique), description.strip())


def parse(path: Path) -> Gazetteer:
    """Read and validate one gazetteer file; `GazetteerError` on the first bad entry."""
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SafeLoader)  # noqa: S506
    except yaml.YAMLError as error:
        raise GazetteerError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(raw, list):
        raise GazetteerError(f"{path.name}: expected a list of entries")
    entries = tuple(_entry(path, number, item) for number, item in enumerate(raw, start=1))
    by_alias: dict[str, dict[str, Entry]] = {}
    owner_number: dict[tuple[str, str], int] = {}
    by_key: dict[str, dict[str, Entry | None]] = {}
    keeps_the = set()
    for number, entry in enumerate(entries, start=1):
        for spelling in entry.spellings:
            alias = normalise_alias(spelling)
            claimed = by_alias.setdefault(alias, {})
            other = claimed.get(entry.kind)
            if other is not None and other is not entry:
                first = owner_number[(alias, entry.kind)]
                raise GazetteerError(
                    f"{path.name}, entry {number} ({entry.name}): alias {spelling!r} is "
                    f"already claimed by entry {first} ({other.name}), also a {entry.kind}"
                )
            claimed[entry.kind] = entry
            owner_number[(alias, entry.kind)] = number
            keyed = by_key.setdefault(identity_key(spelling), {})
            if entry.kind in keyed and keyed[entry.kind] is not entry:
                keyed[entry.kind] = None
            else:
                keyed[entry.kind] = entry
            if spelling.startswith("The "):
                keeps_the.add(alias)
    return Gazetteer(entries, by_alias, by_key, frozenset(keeps_the))


@lru_cache(maxsize=4)
def load(path: Path = GAZETTEER_FILE) -> Gazetteer:
    """The gazetteer at `path` (default: the shipped one), parsed once per process."""
    return parse(path)


# --- the entity ruler ---------------------------------------------------------------------


def fold_accents(text: str) -> str:
    """`text` without diacritics: "Erdoğan" -> "Erdogan", "Çavuşoğlu" -> "Cavusoglu"."""
    # Turkish dotless and dotted capital i do not decompose; fold them by hand.
    text = text.replace("\u0131", "i").replace("\u0130", "I")
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _is_caps(word: str) -> bool:
    """An all-capital word: "UN", "U.S.", "NATO" (not "I" or "A")."""
    return word.isupper() and sum(c.isalpha() for c in word) >= 2


def _lower(word: str) -> str:
    return word if _is_caps(word) else word.lower()


def pattern_texts(spelling: str) -> set[str]:
    """The surface forms one spelling is matched under, case-sensitively.

    A one-word spelling matches only as written: "US" is not "us", "Trump" not "trump".
    A longer one also matches in sentence case and in lower case, its all-capital words
    kept ("Russian foreign ministry", "UN security council", "state department"), and
    with a lower-case first letter ("the Hague"). A leading lower-case "the" is dropped
    (it stays outside mentions); accent-free and other-apostrophe forms are added.
    """
    text = " ".join(spelling.split())
    if text.startswith("the "):
        text = text[4:]
    forms = {text, fold_accents(text)}
    forms |= {form.replace("'", "\u2019") for form in forms}
    forms |= {form.replace("\u2019", "'") for form in forms}
    cased = set()
    for form in forms:
        words = form.split(" ")
        if len(words) == 1:
            continue
        cased.add(" ".join([words[0], *map(_lower, words[1:])]))
        cased.add(" ".join(map(_lower, words)))
        if not _is_caps(words[0]):
            cased.add(form[0].lower() + form[1:])
    return forms | cased


def _patterns(gazetteer: Gazetteer) -> Iterator[PatternType]:
    for entry in gazetteer.entries:
        forms = set().union(*(pattern_texts(spelling) for spelling in entry.spellings))
        for form in sorted(forms):
            yield {"label": entry.kind, "pattern": form, "id": entry.name}


@Language.component(SNAPSHOT_NAME)
def snapshot_ner(doc: Doc) -> Doc:
    """Keep the model's entities in `doc.spans[NER_SPANS_KEY]` before the ruler runs."""
    doc.spans[NER_SPANS_KEY] = list(doc.ents)
    return doc


def add_entity_ruler(nlp: Language, gazetteer: Gazetteer | None = None) -> None:
    """Add the gazetteer's entity ruler after "ner" (or last, in a pipeline without one).

    Idempotent: a pipeline that already has the ruler is left as it is. Building the
    patterns only tokenises (no tagger, parser or NER runs on them).
    """
    if RULER_NAME in nlp.pipe_names:
        return
    gazetteer = gazetteer or load()
    if SNAPSHOT_NAME not in nlp.pipe_names:
        if "ner" in nlp.pipe_names:
            nlp.add_pipe(SNAPSHOT_NAME, after="ner")
        else:
            nlp.add_pipe(SNAPSHOT_NAME, last=True)
    ruler = nlp.add_pipe(
        "entity_ruler",
        name=RULER_NAME,
        after=SNAPSHOT_NAME,
        config={"overwrite_ents": True},
    )
    assert isinstance(ruler, EntityRuler)
    patterns = list(_patterns(gazetteer))
    # EntityRuler.add_patterns runs the pipeline components before it over each phrase
    # pattern; with all of them disabled that is the tokenizer alone. The phrase matcher
    # compares ORTH (exact text), hashed: matching costs the same for 100 patterns or 10,000.
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns(patterns)
