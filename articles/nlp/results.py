"""What the extractor returns: plain frozen dataclasses, offsets into the text as given."""

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A name in the text and the actor it names.

    `canonical` is the actor's one name across the corpus ("Vladimir Putin" for "Mr Putin",
    "Putin" and "Russian President Vladimir Putin"); titles and honorifics are outside the
    span. `kind` is a spaCy label: PERSON, ORG, GPE, LOC, NORP or EVENT.
    """

    start: int
    end: int
    text: str
    kind: str
    canonical: str


@dataclass(frozen=True, slots=True)
class QuoteSpan:
    """Reported speech: the content span, its cue and who said it.

    `speaker_start`/`speaker_end` point at the speaker's mention in the attribution ("he"
    in '..., he said'); `speaker` is the canonical name of the actor it refers to, or None
    when the speaker is not a named actor ("officials", "a source").
    """

    start: int
    end: int
    text: str
    kind: str  # direct | indirect | mixed
    cue: str = ""
    cue_start: int | None = None
    cue_end: int | None = None
    speaker: str | None = None
    speaker_kind: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None


@dataclass(frozen=True, slots=True)
class StanceSpan:
    """A stance stated outright: `holder` (a canonical name) supports or opposes the
    `target` actor or, when the target is not an actor, the topic in `target_text`.

    `start`/`end` is the evidence (the sentence), `cue_*` the stance word in it ("backs",
    "support" in "expressed support for"), `holder_*` the holder's mention.
    """

    start: int
    end: int
    text: str
    holder: str
    holder_kind: str
    polarity: str  # a Polarity slug: support | oppose
    cue: str = ""
    cue_start: int | None = None
    cue_end: int | None = None
    holder_start: int | None = None
    holder_end: int | None = None
    target: str | None = None
    target_kind: str | None = None
    target_text: str = ""


@dataclass(frozen=True, slots=True)
class Extraction:
    entities: list[EntityMention] = field(default_factory=list)
    quotes: list[QuoteSpan] = field(default_factory=list)
    # Weighted keywords that decide which story the article belongs to (nlp.stories).
    terms: dict[str, float] = field(default_factory=dict)
    stances: list[StanceSpan] = field(default_factory=list)
