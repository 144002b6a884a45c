"""Entity mentions from a parsed spaCy Doc, each with the canonical name of its actor.

One pass over `doc.ents` (the model's entities, overwritten by the gazetteer's ruler):
1. Spans are cleaned: a leading "the", titles and honorifics ("Russian President",
   "Mr", "the aide") and a trailing possessive are outside the mention; a span that is
   nothing but a title is no mention. Where the ruler replaced a longer name the model
   found around a short alias ("Melania Trump" around "Trump"), the longer name wins.
2. Fragments of one name are joined: spaCy sm gives "Yury"[ORG] + "Ushakov"[PERSON].
3. Canonical names: the gazetteer's, when the ruler matched or the mention's identity key
   is a gazetteer spelling; otherwise spellings with one identity key in the document
   share one canonical, and a short form ("Ushakov", "Mr Xi") takes the fullest PERSON
   name of the document it is the surname or, for Chinese-style names, the first word of,
   when that name is unique; otherwise the mention's own cleaned text.

Everything per document is built once (dicts keyed by identity key), so the cost grows
with the number of mentions, not with the size of the gazetteer.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from articles.names import identity_key, normalise_alias
from articles.nlp import cues, gazetteer, identity
from articles.nlp.gazetteer import KINDS, Entry, Gazetteer
from articles.nlp.results import EntityMention

HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "dame", "lord", "lady", "madam", "madame"}
)
# Words naming a role: never an entity on their own, never inside a mention before a name.
ROLE_WORDS = frozenset(
    {
        "president",
        "president-elect",
        "vice-president",
        "premier",
        "chancellor",
        "minister",
        "secretary",
        "secretary-general",
        "undersecretary",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "aide",
        "adviser",
        "advisor",
        "ambassador",
        "envoy",
        "diplomat",
        "counterpart",
        "official",
        "negotiator",
        "representative",
        "commissioner",
        "chairman",
        "chairwoman",
        "chairperson",
        "chair",
        "director",
        "director-general",
        "governor",
        "mayor",
        "senator",
        "sen",
        "congressman",
        "congresswoman",
        "rep",
        "lawmaker",
        "speaker",
        "leader",
        "head",
        "chief",
        "king",
        "queen",
        "prince",
        "princess",
        "emperor",
        "empress",
        "emir",
        "amir",
        "sheikh",
        "sultan",
        "ayatollah",
        "pope",
        "cardinal",
        "patriarch",
        "gen",
        "lt",
        "col",
        "maj",
        "adm",
        "admiral",
        "colonel",
        "commander",
        "marshal",
        "judge",
        "prosecutor",
        "councillor",
        "councilor",
        "councilman",
        "councilwoman",
        "alderman",
        "deputy",
        "delegate",
        "mp",
        "mep",
        "professor",
        "prof",
        "minister-president",
    }
)
TITLE_WORDS = HONORIFICS | ROLE_WORDS
# Words that are part of a title only next to a role word: "Foreign Minister", "Prime
# Minister", "Secretary of State", "Deputy Chief of General Staff".
TITLE_MODIFIERS = frozenset(
    {
        "foreign",
        "prime",
        "vice",
        "deputy",
        "first",
        "crown",
        "supreme",
        "high",
        "permanent",
        "special",
        "senior",
        "top",
        "acting",
        "interim",
        "former",
        "ex",
        "late",
        "then",
        "press",
        "presidential",
        "executive",
        "managing",
        "general",
        "national",
        "security",
        "defence",
        "defense",
        "interior",
        "finance",
        "economy",
        "trade",
        "state",
        "affairs",
        "external",
        "staff",
        "assistant",
        "under",
        "of",
        "for",
        "the",
        "-",
    }
)
# A role word before one of these names a place, not a person: "King Abdullah University".
_INSTITUTION_WORDS = frozenset(
    {
        "university",
        "hospital",
        "airport",
        "base",
        "city",
        "institute",
        "foundation",
        "centre",
        "center",
        "college",
        "school",
        "street",
        "square",
        "bridge",
        "palace",
        "mosque",
        "park",
        "prize",
        "award",
        "cup",
    }
)
_POSSESSIVE = frozenset({"'s", "\u2019s", "'", "\u2019"})
# Kinds spaCy sm confuses with one another; EVENT stays apart.
_NAME_KINDS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP"})
# Kinds a short form may be relabelled from once it is found to be part of a person's name.
_PERSON_LIKE = frozenset({"PERSON", "ORG", "GPE", "NORP"})

_key = lru_cache(maxsize=65536)(identity_key)


def _word(text: str) -> str:
    word = text.casefold().rstrip(".")
    # A plural role is still a role: "Officials", "Ministers", "Envoys".
    if len(word) > 3 and word.endswith("s") and word[:-1] in ROLE_WORDS:
        return word[:-1]
    return word


def is_title_word(text: str) -> bool:
    """True for a role word or honorific ("President", "minister", "Mr.", "aide")."""
    return _word(text) in TITLE_WORDS


def is_title(text: str) -> bool:
    """True when `text` is nothing but a title: "Foreign Minister", "the aide", "Mr"."""
    words = [_word(word) for word in text.replace("-", " - ").split()]
    words = [word for word in words if word]
    return (
        bool(words)
        and any(word in TITLE_WORDS for word in words)
        and all(
            word in TITLE_WORDS or word in TITLE_MODIFIERS or word in ("a", "an") for word in words
        )
    )


def compatible(kind: str, other: str) -> bool:
    """Whether a mention the model labelled `kind` may be a gazetteer actor of `other`."""
    return kind == other or (kind in _NAME_KINDS and other in _NAME_KINDS)


def _find(gaz: Gazetteer, text: str, kind: str) -> Entry | None:
    """The gazetteer entry spelled `text` (same kind first, else the one compatible one)."""
    tables: tuple[dict[str, Entry | None], ...] = (
        dict(gaz.by_alias.get(normalise_alias(text), {})),
        gaz.by_key.get(_key(text), {}),
    )
    for found in tables:
        same = found.get(kind)
        if same is not None:
            return same
        others = [e for k, e in found.items() if e is not None and compatible(kind, k)]
        if len(others) == 1:
            return others[0]
    return None


def canonical_for(name: str, kind: str) -> str | None:
    """The gazetteer's canonical name for a free-standing `name` of `kind`, or None.

    Looks `name` up as written, then without a leading "the" and titles ("President
    Putin" -> "Vladimir Putin"), by normalised alias and then by identity key ("Yuri
    Ushakov" -> "Yury Ushakov"). A mislabelled kind is forgiven within PERSON, ORG, GPE,
    LOC and NORP, when only one entry could be meant.
    """
    gaz = gazetteer.load()
    words = name.split()
    while words and _word(words[-1]).endswith(("'s", "\u2019s")):
        words[-1] = words[-1][:-2]
    candidates = [" ".join(words)]
    if words and words[0].casefold() == "the":
        words = words[1:]
        candidates.append(" ".join(words))
    while len(words) > 1 and (_word(words[0]) in TITLE_WORDS or _word(words[0]) in TITLE_MODIFIERS):
        words = words[1:]
        candidates.append(" ".join(words))
    for candidate in candidates:
        entry = _find(gaz, candidate, kind) if candidate else None
        if entry is not None:
            return entry.name
    return None


# --- spans ----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Mention:
    start: int  # token offsets into the doc, end exclusive
    end: int
    kind: str
    canonical: str | None = None  # the gazetteer's, once known
    from_ruler: bool = False
    restored: bool = False
    key: str = ""


def _is_role(token: Token) -> bool:
    return _word(token.text) in TITLE_WORDS


def _is_title_part(token: Token) -> bool:
    word = _word(token.text)
    return word in TITLE_WORDS or word in TITLE_MODIFIERS


def _starts_name(token: Token) -> bool:
    text = token.text
    return text[:1].isupper() and any(c.isalpha() for c in text) and not _is_title_part(token)


def _title_end(doc: Doc, start: int, end: int) -> int:
    """Where the name starts after the last title in doc[start:end] ("Russian President
    Vladimir Putin" -> the index of "Vladimir"); `start` when there is no title."""
    cut = start
    i = start
    while i < end:
        if not _is_role(doc[i]):
            i += 1
            continue
        j = i + 1
        while j < end and _is_title_part(doc[j]):
            j += 1
        if j < end and _starts_name(doc[j]):
            cut = j
        i = j
    return cut


def _clean(doc: Doc, mention: _Mention, gaz: Gazetteer) -> _Mention | None:
    """`mention` without edge punctuation, "the", titles and a trailing possessive; None
    when nothing but a title is left."""
    start, end = mention.start, mention.end
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    if (
        start < end
        and doc[start].lower_ in ("the", "a", "an")
        and normalise_alias(doc[start:end].text) not in gaz.keeps_the
    ):
        start += 1
    kind = mention.kind
    if kind == "PERSON" or not (mention.from_ruler or mention.restored):
        cut = _title_end(doc, start, end)
        if cut > start and kind != "PERSON":
            rest = [t.lower_ for t in doc[cut:end]]
            if len(rest) > 3 or any(word in _INSTITUTION_WORDS for word in rest):
                cut = start
            else:
                kind = "PERSON"  # "President Erdogan"[GPE], "Mr Wang"[ORG]
        start = cut
    while end > start and (
        doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_punct or doc[end - 1].is_space
    ):
        end -= 1
    if kind == "PERSON":
        while end - start > 1 and _is_role(doc[end - 1]):  # "Putin aide"
            end -= 1
        # "Namaru's Samuel Ateka": the country's is not part of the person's name.
        owner = [t.i for t in doc[start:end] if t.text in _POSSESSIVE and t.i > start]
        if owner and owner[-1] + 1 < end and doc[owner[-1] + 1].text[:1].isupper():
            start = owner[-1] + 1
    # Nothing but title words: "President", "the aide", or the "State" of "Secretary of
    # State" that spaCy sm tags ORG.
    if start >= end or all(_is_title_part(t) or t.is_punct for t in doc[start:end]):
        # The name the model left out after the title: "Councillor"[PERSON] "Rhona
        # MacAllister".
        after = end
        while (
            after < len(doc)
            and after - end < 3
            and doc[after - 1].whitespace_ == " "
            and not doc[after].ent_type_
            and doc[after].pos_ == "PROPN"
            and _starts_name(doc[after])
            and doc[after].text.isalpha()
        ):
            after += 1
        if kind == "PERSON" and after > end:
            return _Mention(end, after, "PERSON")
        return None
    return _Mention(start, end, kind, mention.canonical, mention.from_ruler, mention.restored)


def _restorable(doc: Doc, span: Span, inner: Span) -> bool:
    """Whether the model's `span` is a longer name around the ruler's `inner` match that
    should win: the words it adds are capitalised name words, not titles or "the"."""
    if not (span.start <= inner.start and inner.end <= span.end) or len(span) == len(inner):
        return False
    extra = [t for t in span if t.i < inner.start or t.i >= inner.end]
    if extra and extra[0].i == span.start and extra[0].lower_ == "the":
        extra = extra[1:]
    if not extra or any(_is_title_part(t) and t.lower_ not in ("of", "-") for t in extra):
        return False
    if any(t.text in _POSSESSIVE for t in extra):
        return False
    return any(t.text[:1].isupper() for t in extra) and all(
        t.text[:1].isupper()
        or t.lower_ in ("of", "-", "al", "bin", "de", "von", "van", "da")
        or t.like_num
        for t in extra
    )


def _spans(doc: Doc) -> list[_Mention]:
    """The entities of the kinds we keep, with the model's longer names put back."""
    mentions = [
        _Mention(ent.start, ent.end, ent.label_, ent.ent_id_ or None, bool(ent.ent_id_))
        for ent in doc.ents
        if ent.label_ in KINDS
    ]
    before = doc.spans.get(gazetteer.NER_SPANS_KEY)
    if not before:
        return mentions
    ruler_at = {}  # token index -> index in `mentions` of the ruler match covering it
    for number, mention in enumerate(mentions):
        if mention.from_ruler:
            for i in range(mention.start, mention.end):
                ruler_at[i] = number
    current = {(ent.start, ent.end) for ent in doc.ents}
    for span in before:
        if span.label_ not in KINDS or (span.start, span.end) in current:
            continue
        inside = {ruler_at[i] for i in range(span.start, span.end) if i in ruler_at}
        if len(inside) != 1:
            continue
        number = inside.pop()
        inner = mentions[number]
        if _restorable(doc, span, doc[inner.start : inner.end]):
            mentions[number] = _Mention(span.start, span.end, span.label_, restored=True)
    mentions.sort(key=lambda m: m.start)
    return mentions


def _joinable(doc: Doc, left: _Mention, right: _Mention) -> bool:
    """Whether two adjacent mentions are pieces of one name: "Yury"[ORG] "Ushakov"[PERSON]."""
    if left.end != right.start or left.from_ruler or right.from_ruler:
        return False
    if doc[left.end - 1].whitespace_ not in ("", " "):
        return False
    kinds = {left.kind, right.kind}
    if "PERSON" not in kinds or not kinds <= _PERSON_LIKE:
        return False
    for mention in (left, right):
        for token in doc[mention.start : mention.end]:
            if not token.text[:1].isupper() or _is_title_part(token):
                return False
            if mention.kind != "PERSON" and token.pos_ != "PROPN":
                return False
    return True


def _name_word(doc: Doc, i: int, taken: set[int]) -> bool:
    """Whether doc[i] is a capitalised proper noun outside every entity: a word of a
    name the model left out ("Abdirashid" before "Nuur Hasan")."""
    token = doc[i]
    return (
        i not in taken
        and not token.ent_type_
        and token.pos_ == "PROPN"
        and token.text[:1].isupper()
        and token.text.isalpha()
        and not _is_title_part(token)
        and not token.is_sent_start
    )


def _extend(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """PERSON names with the name words the model left out next to them: one word
    before ("Abdirashid" + "Nuur Hasan"), or one word between two PERSON pieces
    ("Abdirashid" + "Nuur" + "Hasan", which `_join` then joins)."""
    taken = {i for m in mentions for i in range(m.start, m.end)}
    starts = {m.start: m for m in mentions}
    for mention in mentions:
        if mention.kind != "PERSON" or mention.from_ruler:
            continue
        before = mention.start - 1
        if (
            before >= 0
            and doc[before].whitespace_ == " "
            and _name_word(doc, before, taken)
            and (
                before == 0
                or not doc[before - 1].text[:1].isupper()
                or doc[before - 1].is_punct
                or _is_title_part(doc[before - 1])
            )
        ):
            mention.start = before
            taken.add(before)
        after = mention.end
        nxt = starts.get(after + 1)
        if (
            after < len(doc)
            and nxt is not None
            and nxt.kind == "PERSON"
            and doc[after - 1].whitespace_ == " "
            and doc[after].whitespace_ == " "
            and _name_word(doc, after, taken)
        ):
            mention.end = after + 1
            taken.add(after)
    return mentions


def _opens_sentence(token: Token) -> bool:
    i = token.i - 1
    while i >= token.sent.start and (token.doc[i].is_punct or token.doc[i].is_quote):
        i -= 1
    return i < token.sent.start


def _common_noun(
    doc: Doc, mention: _Mention, tails: dict[str, _Mention], lower_words: frozenset[str]
) -> bool:
    """A one-word mention that is a common noun capitalised by its place ("Borders like
    ...", "Farmers' groups"): the document also writes it, or its singular, in lower case.
    A surname of a longer name in the document, or a word after an honorific, stays."""
    if mention.end - mention.start != 1 or mention.from_ruler or mention.restored:
        return False
    token = doc[mention.start]
    if token.text in tails or (token.i > 0 and _word(doc[token.i - 1].text) in HONORIFICS):
        return False
    # Groups are plural by nature ("Democrats"); acronyms are names ("NYPD").
    if mention.kind == "NORP" or token.text.isupper():
        return False
    # The tagger's word class: a plural common noun, or a common noun a sentence opens
    # with ("Farmers' groups ...", "Borders like ...").
    if token.tag_ == "NNS" or (token.pos_ == "NOUN" and _opens_sentence(token)):
        return True
    lower = token.lower_
    forms = {lower, token.lemma_.lower()}
    if lower.endswith("s"):
        forms.add(lower[:-1])
        if lower.endswith("es"):
            forms.add(lower[:-2])
    return not forms.isdisjoint(lower_words)


def _join(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    joined: list[_Mention] = []
    for mention in mentions:
        if joined and _joinable(doc, joined[-1], mention):
            joined[-1] = _Mention(joined[-1].start, mention.end, "PERSON")
        else:
            joined.append(mention)
    return joined


def _owner_of_tail(doc: Doc, mentions: list[_Mention]) -> dict[str, _Mention]:
    """Last word -> the multi-word name it ends ("Okafor" -> "Tomas Okafor")."""
    tails: dict[str, _Mention] = {}
    for mention in mentions:
        last = doc[mention.end - 1]
        if (
            mention.end - mention.start >= 2
            and mention.kind in _PERSON_LIKE
            and last.text[:1].isupper()
            and not _is_title_part(last)
        ):
            tails.setdefault(last.text, mention)
    return tails


def _speaks(token: Token) -> bool:
    """The subject of a speech verb, or a name after an honorific: a person's name."""
    if token.i > 0 and _word(token.doc[token.i - 1].text) in HONORIFICS:
        return True
    return token.dep_ == "nsubj" and cues.is_cue(token.head.lemma_.lower(), cues.QUOTE)


def _short_forms(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """`mentions` with the surnames spaCy missed: a proper noun outside every mention that
    is the last word of a name in the same document ("Okafor said", after "Tomas
    Okafor"). When such a surname speaks ('Okafor said', 'Mr Okafor'), the name it ends
    is a person's, whatever the model called it (spaCy sm tags "Tomas Okafor" GPE)."""
    tails = _owner_of_tail(doc, mentions)
    if not tails:
        return mentions
    taken = {i for m in mentions for i in range(m.start, m.end)}
    added: list[tuple[_Mention, _Mention]] = []
    for token in doc:
        owner = tails.get(token.text)
        if owner is None or token.i in taken or token.pos_ != "PROPN":
            continue
        neighbours = [doc[j] for j in (token.i - 1, token.i + 1) if 0 <= j < len(doc)]
        if any(n.pos_ == "PROPN" and n.i not in taken and n.text[:1].isupper() for n in neighbours):
            continue  # part of a longer name the model did not tag
        added.append((_Mention(token.i, token.i + 1, owner.kind), owner))
    for mention, owner in added:
        if owner.kind != "PERSON" and not owner.from_ruler and _speaks(doc[mention.start]):
            owner.kind = "PERSON"
    for mention, owner in added:
        mention.kind = owner.kind
    return sorted([*mentions, *(m for m, _ in added)], key=lambda m: m.start)


# --- canonical names ----------------------------------------------------------------------


def _people_named_by_surname(doc: Doc, mentions: list[_Mention]) -> list[_Mention]:
    """A two- or three-word name the model called a place or an organisation is a
    person's when the model tagged its last word alone PERSON in the same document
    ("Tomas Okafor"[GPE] ... "Okafor"[PERSON])."""
    surnames = {
        doc[m.start].text
        for m in mentions
        if m.kind == "PERSON" and m.end - m.start == 1 and not m.from_ruler
    }
    if not surnames:
        return mentions
    for mention in mentions:
        words = doc[mention.start : mention.end]
        if (
            mention.kind in _PERSON_LIKE
            and mention.kind != "PERSON"
            and not mention.from_ruler
            and 2 <= len(words) <= 3
            and words[-1].text in surnames
            and all(t.text[:1].isupper() and t.text.isalpha() for t in words)
            and not any(t.lower_ in _INSTITUTION_WORDS for t in words)
        ):
            mention.kind = "PERSON"
    return mentions


def _affixes(words: list[str]) -> Iterable[tuple[str, str]]:
    """("suffix", ...) and ("prefix", ...) keys of a name's proper tails and heads."""
    for n in range(1, len(words)):
        yield "suffix", " ".join(words[n:])
        yield "prefix", " ".join(words[:n])


# Endings that make a demonym of a place's name: Velmora -> Velmoran, Kessaland ->
# Kessalander, Sudan -> Sudanese, Oman -> Omani, Ireland -> Irish is not covered.
_DEMONYM_ENDINGS = ("n", "an", "ian", "ese", "i", "er", "ish")
# Prepositions that put a one-word name on the map: "in Ardania", "across Namaru".
_LOCATIVE = frozenset({"in", "into", "inside", "throughout", "across", "within"})


def _a_place(doc: Doc, key: str, group: list[_Mention], keys: set[str]) -> bool:
    """Whether a one-word name the model called a person or an organisation is a
    place: the document has its demonym ("Velmoran" beside "Velmora") or puts it after
    a locative preposition. Used only for names that are no person's surname here."""
    if " " in key:
        return False
    stem = key[:-1] if key[-1:] in "aeiou" else key
    if any(key + end in keys or stem + end in keys for end in _DEMONYM_ENDINGS):
        return True
    return all(m.kind == "PERSON" for m in group) and any(
        m.start > 0 and doc[m.start - 1].lower_ in _LOCATIVE for m in group
    )


def _resolve(doc: Doc, mentions: list[_Mention], gaz: Gazetteer) -> list[EntityMention]:
    text = doc.text
    open_groups: dict[tuple[str, str], list[_Mention]] = {}
    # Short-form key -> canonical names of the PERSON names it is a tail (or head) of.
    index: dict[tuple[str, str], set[str]] = {}
    for mention in mentions:
        surface = text[
            doc[mention.start].idx : doc[mention.end - 1].idx + len(doc[mention.end - 1])
        ]
        mention.key = _key(surface)
        if mention.canonical is None:
            entry = _find(gaz, surface, mention.kind)
            if entry is not None:
                mention.canonical, mention.kind = entry.name, entry.kind
        if mention.canonical is not None:
            if mention.kind == "PERSON":
                for affix in _affixes(mention.key.split()):
                    index.setdefault(affix, set()).add(mention.canonical)
            continue
        family = "EVENT" if mention.kind == "EVENT" else "NAME"
        open_groups.setdefault((family, mention.key), []).append(mention)

    keys = {m.key for m in mentions}
    # Full PERSON names already given a canonical name, for the variants that follow.
    people: list[str] = []
    # Longest names first, so a name's tails are indexed before they are looked up.
    for (_, key), group in sorted(open_groups.items(), key=lambda item: -len(item[0][1].split())):
        kinds = Counter(m.kind for m in group)
        kind = max(kinds, key=lambda k: (kinds[k], k == "PERSON"))
        spellings = Counter(
            text[doc[m.start].idx : doc[m.end - 1].idx + len(doc[m.end - 1])] for m in group
        )
        canonical = max(spellings, key=lambda s: (spellings[s], len(s)))
        if kind in _PERSON_LIKE:
            found = index.get(("suffix", key)) or index.get(("prefix", key)) or set()
            if len(found) == 1:
                canonical, kind = next(iter(found)), "PERSON"
            elif not found and _a_place(doc, key, group, keys):
                kind = "GPE"
        if kind == "PERSON" and len(key.split()) >= 2:
            # "Grace Oduya" after "Grace Achieng Oduya"; "Yousef Demir" beside "Yusuf Demir".
            same = [p for p in people if identity.compare(p, canonical).meet]
            if len(same) == 1:
                canonical = same[0]
            elif canonical not in people:
                people.append(canonical)
        if kind == "PERSON":
            for affix in _affixes(key.split()):
                index.setdefault(affix, set()).add(canonical)
        for mention in group:
            mention.canonical, mention.kind = canonical, kind

    result = []
    for mention in mentions:
        start = doc[mention.start].idx
        last = doc[mention.end - 1]
        end = last.idx + len(last)
        assert mention.canonical is not None
        result.append(EntityMention(start, end, text[start:end], mention.kind, mention.canonical))
    return result


def entity_mentions(doc: Doc) -> list[EntityMention]:
    """Every PERSON, ORG, GPE, LOC, NORP and EVENT mention in `doc`, in text order, with
    character offsets into `doc.text` and the canonical name of the actor it names."""
    gaz = gazetteer.load()
    cleaned = [m for m in (_clean(doc, m, gaz) for m in _spans(doc)) if m is not None]
    mentions = _short_forms(doc, _join(doc, _extend(doc, cleaned)))
    tails = _owner_of_tail(doc, mentions)
    lower_words = frozenset(t.lower_ for t in doc if t.is_lower)
    mentions = [m for m in mentions if not _common_noun(doc, m, tails, lower_words)]
    return _resolve(doc, _people_named_by_surname(doc, mentions), gaz)
