"""Quotes and their speakers, from a parsed spaCy Doc. Plain Python, no ORM.

Two passes over one parse:
1. Direct quotes: every stretch between quotation marks (`quotemarks`), split quotes
   ('"...," he said, "..."') and quotes over several paragraphs joined into one span,
   attributed to the nearest speech cue outside the marks in the same sentence, or to the
   previous paragraph's speaker when a paragraph is nothing but a quote. A quoted fragment
   inside reported speech ('X said the talks were "productive"') makes the whole
   reported clause one `mixed` quote. A quote sentence right after a quoted speaker's
   continues that speaker; a quote with no cue takes the speaker a colon-ended clause
   before it introduces ('He returned to his lines: "..."'), a signature line after it
   ('- Jane Doe'), or the report in the sentence or paragraph just before it; a long
   quoted stretch with no cue at all is still a quote. Short quoted fragments nobody is
   said to have said (titles, scare quotes) are not quotes. 'Name: ...' attributes what
   follows.
2. Indirect speech: a cue verb from the lexicon (`cues.py`, learned from PolNeAR train)
   with a clausal complement ('X said (that) ...', 'X told Y ...', 'X warned ...'),
   an aside ('Still, he said, ...'), 'as X reported, ...', 'according to X', 'X accused
   Y of ...' and a report noun with its owner ('X's claim that ...'); the content is the
   complement's span.

The speaker is the cue's subject (or the object of "according to", or the maker of the
document it names), with the parser's usual slips mended: the subject nearest the cue in
its paragraph (not a dateline), 'X, who ..., said' is X's, 'led voters to say' the
voters', 'had nothing to say' the subject's, 'In a poll, 38 percent said' the poll's,
and the name just before a cue the parse left without subject. `speaker_start/end` point
at that mention (PolNeAR marks the pronoun itself, not its antecedent, as the source),
and `speaker` names the actor it refers to: the entity mention it contains, or for "he",
"she" and "the aide" the actor last spoken of. The rules' phrase is then one candidate
among the noun phrases of the cue's sentence, and a linear model learned from PolNeAR
train (`speakers`, `make speakers`) picks among them: 'The number of teachers saying
...' is the teachers'.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence

from spacy.tokens import Doc, Span, Token

from articles.nlp import cues, speakers
from articles.nlp.quotemarks import QuoteMarks, quote_marks
from articles.nlp.results import EntityMention, QuoteSpan

# Called with a cued quote's start, end, kind and speaker candidates.
Observer = Callable[[int, int, str, list[speakers.Candidate]], None]
SPEAKER_KINDS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
PERSONAL_PRONOUNS = frozenset({"he", "she", "him", "her"})
PLURAL_PRONOUNS = frozenset({"they", "we"})
# "according to the readout": a source that is a text, not a person last spoken of.
DOCUMENT_NOUNS = frozenset(
    {
        "readout",
        "statement",
        "report",
        "transcript",
        "release",
        "document",
        "memo",
        "letter",
        "filing",
        "poll",
        "survey",
        "study",
        "data",
        "record",
        "records",
        "account",
    }
)
# What asks people and reports their answers ('In a new poll, most voters said ...').
POLL_NOUNS = frozenset({"poll", "survey", "study"})
# Nouns that report what their owner said when a that-clause follows them ("Trump's claim
# that ...", "her argument was that ..."): the report nouns PolNeAR train marks as cues
# with a possessive source at least twice that take such a clause.
REPORT_NOUNS = frozenset(
    {
        "argument",
        "assertion",
        "assessment",
        "assurance",
        "claim",
        "comment",
        "contention",
        "message",
        "pledge",
        "position",
        "promise",
        "remark",
        "statement",
        "suggestion",
        "view",
        "vow",
        "warning",
    }
)
# What someone makes that says something ('an analysis by', 'audio provided by' aside).
MADE_NOUNS = frozenset(
    {
        "analysis",
        "tally",
        "calculation",
        "interview",
        "audio",
        "post",
        "video",
        "estimate",
        "count",
        "review",
        "poll",
        "survey",
        "study",
        "investigation",
    }
)
# Heads of a phrase that name a group or a body, never one person last spoken of.
COLLECTIVE_NOUNS = frozenset(
    {
        "administration",
        "agency",
        "alliance",
        "army",
        "bank",
        "bloc",
        "board",
        "campaign",
        "commission",
        "committee",
        "company",
        "congress",
        "council",
        "country",
        "court",
        "delegation",
        "department",
        "embassy",
        "family",
        "firm",
        "government",
        "group",
        "house",
        "media",
        "military",
        "ministry",
        "nation",
        "network",
        "office",
        "organisation",
        "organization",
        "panel",
        "parliament",
        "party",
        "police",
        "press",
        "public",
        "senate",
        "side",
        "state",
        "team",
        "union",
    }
)
# The widest gap between a quote and its cue, in tokens ('," the Kremlin's top foreign
# policy adviser Yuri Ushakov told reporters on Wednesday').
CUE_AFTER_TOKENS = 16
CUE_BEFORE_TOKENS = 40
# How far before a cue with no subject its speaker's name is looked for (PolNeAR train:
# 6, 10, 16 and 30 tokens gave 16, 23, 28 and 28 more right speakers).
NAME_BEFORE_TOKENS = 16
# The longest name that may stand before a colon as a speaker ('Sen. Marco Rubio: ...').
NAME_COLON_WORDS = 6
# A quoted stretch this long with no cue at all is still a quote (learned on PolNeAR
# train: 8 and 12 words gave the same direct F1, 12 the better all-attribution F1).
MIN_UNCUED_WORDS = 12
# The longest attribution clause after a quote that may carry a verb the lexicon lacks.
ATTRIBUTION_WORDS = 12
# Quoted stretches shorter than this with no cue of their own are titles or scare quotes.
MIN_ORPHAN_WORDS = 6
# The share of its span an outer report keeps before a report nested in it, for the
# two to be split (PolNeAR train). PolNeAR carves a nested report out of the outer
# content (train: 112 of the 114 reports whose source stands in another's content), so
# the split ends the outer span; an inner quote laid over an unsplit outer one cannot
# take the inner gold (the scorer gives each gold the first span covering it) and only
# cost precision (train all-attribution P 0.829 -> 0.820, speaker 0.926 unchanged).
# Splitting under noun subjects too: train speaker 0.926 -> 0.926 at 0.5, 0.927 at 0.3,
# 0.922 at 0, for all-attribution F1 0.782 -> 0.781, 0.780, 0.774. Since partial quotes
# and joined clauses split too, train right speakers at 0.5, 0.45, 0.4, 0.35, 0.3: 12936,
# 12944, 12947, 12946 of 13952 and 12941 of 13949; all-attribution F1 0.782 down to 0.4.
MIN_OUTER_SHARE = 0.4
# ... or this share when the nested report is a relative clause ('..., which he said
# was ...'): PolNeAR train, speaker accuracy +0.001 at 0.3 for all-attribution F1 -0.001.
MIN_RELATIVE_SHARE = 0.3
# Speakers that open a report of their own inside another one.
NESTED_PRONOUNS = PERSONAL_PRONOUNS | PLURAL_PRONOUNS | {"who", "which", "it"}
SENTENCE_END = frozenset(".!?")
# Subordinators that open a report of its own inside another ('..., though aides said').
NESTING_MARKS = frozenset({"though", "although", "while", "when", "as", "whereas", "after"})
DASHES = frozenset({"-", "--", "\u2014", "\u2013"})
# The longest line after a quote that may sign it ('- Jane Doe, Some Institute.').
SIGNATURE_WORDS = 8
# What ends the first half of a quote split by its attribution ('"...," he said, "..."').
SPLIT_ENDS = frozenset(",?!\u2014\u2013-:;")
# A verb attached to its head this way has the head's subject.
INHERITS_SUBJECT = frozenset({"conj", "xcomp", "advcl", "pcomp", "prep", "acomp", "pobj"})
# Verbs that make their object speak or think ('led Republicans to say', 'prompted him
# to warn'); with others the subject is the source ('the law requires companies to
# report', 'promised voters to cut').
CAUSATIVES = frozenset(
    {"lead", "prompt", "force", "drive", "cause", "spur", "leave", "compel", "inspire", "push"}
)
TIME_NOUNS = frozenset(
    {"day", "night", "week", "month", "year", "time", "hour", "morning", "evening", "season"}
)
SETTING_PREPOSITIONS = frozenset(
    {"in", "at", "on", "during", "after", "before", "since", "until", "near", "inside", "outside"}
)
SETTING_ENTITIES = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME"})
# What a cue governs that may be the reported content, when it has no clausal complement.
CONTENT_DEPS = frozenset(
    {"xcomp", "dobj", "obj", "dative", "prep", "oprd", "attr", "acomp", "pcomp"}
)


class _Reader:
    """One document's quotes: the parse, its quotation marks and entity mentions."""

    def __init__(
        self,
        doc: Doc,
        mentions: Sequence[EntityMention],
        observe: Observer | None = None,
    ) -> None:
        self.doc = doc
        self.observe = observe
        self.text = doc.text
        self.mentions = sorted(mentions, key=lambda m: m.start)
        self.marks = quote_marks(self.text)
        # Token index -> index of the quotation-mark span it is inside, if any.
        self.inside: dict[int, int] = {}
        for number, mark in enumerate(self.marks):
            span = doc.char_span(mark.start, mark.end, alignment_mode="expand")
            if span is not None:
                for token in span:
                    self.inside[token.i] = number
        # The actors quoted so far, in text order (quotes are built in text order).
        self.speakers: list[tuple[str, str | None]] = []
        # Relative pronoun token index -> the phrase it stands for.
        self.referent: dict[int, Span] = {}

    # --- spans and tokens ---------------------------------------------------------------

    def tokens(self, start: int, end: int) -> Span:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        assert span is not None
        return span

    def paragraph_of(self, char: int) -> tuple[int, int]:
        start = self.text.rfind("\n", 0, char) + 1
        end = self.text.find("\n", char)
        return start, len(self.text) if end == -1 else end

    def is_cue(self, token: Token) -> bool:
        if token.i in self.inside:
            return False
        if token.lower_ == "according" and token.i + 1 < len(self.doc):
            return self.doc[token.i + 1].lower_ == "to"
        return token.pos_ in ("VERB", "AUX") and cues.is_cue(token.lemma_.lower(), cues.QUOTE)

    # --- speakers -----------------------------------------------------------------------

    def subject_of(self, cue: Token) -> Span | None:
        """The speaker phrase of a cue: its subject, inherited along conj/xcomp/advcl;
        'X, who ..., said': X, whatever the parser made of the relative clause."""
        subject = self.governed_subject(cue)
        poll = self.poll_of(cue, subject)
        if poll is not None:
            return poll
        found = self.relative_antecedent(cue)
        if found is None:
            return subject
        antecedent, relative = found
        if subject is None or relative <= subject.start < cue.i:
            return antecedent
        return subject

    def author_of(self, source: Token) -> Span | None:
        """'according to a tally by the Associated Press', 'to a recent report from
        Bloomberg', 'to interviews with a dozen party leaders': who made the document
        is the source."""
        if source.lemma_.lower() not in DOCUMENT_NOUNS | MADE_NOUNS:
            return None
        for prep in source.rights:
            if prep.dep_ == "prep" and prep.lower_ in ("by", "from", "with"):
                makers = [c for c in prep.children if c.dep_ == "pobj"]
                if makers and makers[0].pos_ in ("PROPN", "NOUN"):
                    return self.phrase(makers[0])
        return None

    def poll_of(self, cue: Token, subject: Span | None) -> Span | None:
        """'In a new poll, 38 percent of voters said ...': the answers are the poll's (the
        source PolNeAR marks), when the poll opens the clause before its subject."""
        # Not its makers: 'In an online poll, Democracy Corps found ...'.
        if subject is None or subject.root.pos_ in ("PROPN", "PRON"):
            return None
        for child in cue.children:
            if child.dep_ != "prep" or child.lower_ != "in" or child.i > subject.start:
                continue
            for noun in child.children:
                if noun.dep_ == "pobj" and noun.lemma_.lower() in POLL_NOUNS:
                    return self.phrase(noun)
        return None

    def relative_antecedent(self, cue: Token) -> tuple[Span, int] | None:
        """'Sanders, meanwhile, who sits at zero endorsements, said ...': a cue right
        after a comma that closes a relative clause opened after a name speaks for the
        name (the parser often takes a noun of the clause for the subject). The name's
        phrase and where the relative pronoun stands."""
        if cue.i < 2 or self.doc[cue.i - 1].text != ",":
            return None
        sentence_start = cue.sent.start
        for j in range(cue.i - 2, sentence_start - 1, -1):
            token = self.doc[j]
            if token.i in self.inside or self.ends_sentence(token):
                return None
            if token.lower_ not in ("who", "whose"):
                continue
            clause = token.head if token.lower_ == "who" else token.head.head
            if clause.i <= cue.i <= clause.right_edge.i:
                return None  # '..., who blasted X, accusing Y': the clause's own report
            k = j - 1
            while k >= sentence_start and (self.doc[k].is_punct or self.doc[k].pos_ == "ADV"):
                k -= 1
            if k < j - 1 and self.doc[j - 1].text == "," and self.doc[k].pos_ in ("PROPN", "NOUN"):
                head = self.doc[k]
                while head.dep_ in ("compound", "flat") and head.head.i > head.i:
                    head = head.head
                return self.phrase(head), j
            return None
        return None

    def governed_subject(self, cue: Token) -> Span | None:
        if cue.dep_ == "conj" and not self.own_subject(cue):
            # 'He says the response was to break them up and says he introduced a bill':
            # the parser hangs the second 'says' on 'was'; it repeats the first one.
            for ancestor in cue.ancestors:
                if ancestor.lemma_ == cue.lemma_ and self.is_cue(ancestor):
                    return self.governed_subject(ancestor)
        if cue.lower_ == "according":
            for child in cue.children:
                if child.lower_ == "to":
                    objects = [c for c in child.children if c.dep_ == "pobj"]
                    if objects:
                        return self.author_of(objects[0]) or self.phrase(objects[0])
            return None
        token: Token | None = cue
        for _ in range(6):
            assert token is not None
            agents = [c for c in token.children if c.dep_ == "agent"]
            if agents:  # passive: "was called a liar by his rival"
                objects = [c for c in agents[0].children if c.dep_ == "pobj"]
                if objects:
                    return self.phrase(objects[0])
            subject = self.own_subject(token)
            if subject is not None:
                if subject.tag_ in ("WP", "WDT"):
                    # "Kasich, who has said ...": the mention is "who", the actor Kasich.
                    # (PolNeAR marks the relative pronoun itself as the source.)
                    clause = token
                    while clause.dep_ != "relcl" and clause.head.i != clause.i:
                        clause = clause.head
                    if clause.dep_ == "relcl":
                        relative = self.doc[subject.i : subject.i + 1]
                        self.referent[subject.i] = self.phrase(clause.head)
                        return relative
                return self.phrase(subject)
            controller = self.object_control(token)
            if controller is not None:
                return self.phrase(controller)
            # "began by saying", "were reluctant to reveal", "was back to implying".
            if token.dep_ in INHERITS_SUBJECT and token.head.i != token.i:
                token = token.head
                continue
            if (
                token.dep_ == "acl"
                and token.tag_ == "VBG"
                and token.i > 0
                and self.doc[token.i - 1].text == ","
            ):
                # '... with a reference to the film, remarking, "..."': a participle
                # after a comma says how the clause's subject spoke.
                main = token.head
                for _ in range(6):
                    if main.pos_ in ("VERB", "AUX") or main.head.i == main.i:
                        break
                    main = main.head
                subjects = [c for c in main.children if c.dep_ in SUBJECTS]
                if subjects and main.pos_ in ("VERB", "AUX"):
                    return self.phrase(subjects[0])
            if (
                token.dep_ in ("relcl", "acl")
                and is_infinitive(token)
                and token.head.dep_ in ("dobj", "attr")
                and token.head.head.pos_ in ("VERB", "AUX")
            ):
                # 'had nothing to say about', 'found ways to cast herself as', 'is taking
                # pains to say': the one who has or finds the thing to say says it.
                token = token.head.head
                continue
            if token.dep_ in ("relcl", "acl"):  # "candidates blasting Obama's approach"
                return self.phrase(token.head)
            break
        return None

    @staticmethod
    def object_control(verb: Token) -> Token | None:
        """'led Republicans to say', 'forced his rival to distance herself': after a
        causative verb, the infinitive speaks for the object, not for the subject of the
        verb it hangs on."""
        if verb.dep_ != "xcomp" or verb.head.i == verb.i or verb.head.pos_ != "VERB":
            return None
        if verb.head.lemma_.lower() not in CAUSATIVES:
            return None
        if not is_infinitive(verb):
            return None
        objects = [c for c in verb.head.children if c.dep_ == "dobj" and c.i < verb.i]
        if not objects:
            return None
        obj = objects[0]
        if obj.pos_ in ("PROPN", "NOUN") or obj.lower_ in PERSONAL_PRONOUNS | {"them", "us"}:
            return obj
        return None

    def own_subject(self, verb: Token) -> Token | None:
        """The subject a verb governs. The parser sometimes gives a verb two: a dateline
        ('WASHINGTON (AP) - X said'), a timestamp line in the paragraph before, or a word
        of a quote; the one nearest the verb, in its paragraph and outside quotation
        marks, is the speaker."""
        paragraph = self.paragraph_of(verb.idx)
        subjects = [
            c
            for c in verb.children
            if c.dep_ in SUBJECTS
            and c.i not in self.inside
            and paragraph[0] <= c.idx < paragraph[1]
        ]
        if not subjects:
            return None
        return min(subjects, key=lambda c: abs(c.i - verb.i))

    def name_before(self, cue: Token) -> Span | None:
        """The last name in the words before a cue the parse gave no subject ('Will
        urged', 'Graham (R-SC) called out', 'Tanden, head of ..., recounted'), in its
        sentence and outside quotation marks."""
        for token in reversed(self.doc[max(cue.sent.start, cue.i - NAME_BEFORE_TOKENS) : cue.i]):
            if token.i in self.inside or token.text in SENTENCE_END:
                return None
            if token.pos_ == "PROPN" or (token.tag_ == "MD" and token.text[:1].isupper()):
                head = token
                while head.dep_ in ("compound", "flat") and head.head.i > head.i < cue.i:
                    head = head.head
                return self.phrase(head) if head.i < cue.i else self.doc[token.i : token.i + 1]
        return None

    def nearest_subject(self, cue: Token) -> Span | None:
        """When the parse links no subject to a cue ('Humphrey, for example, said'), the
        nearest subject before it in its sentence, outside quotation marks."""
        sentence = cue.sent
        for token in reversed(self.doc[sentence.start : cue.i]):
            if token.i in self.inside:
                return None
            if token.dep_ in SUBJECTS and token.pos_ in ("PROPN", "PRON", "NOUN"):
                return self.phrase(token)
        return None

    def sentence_subject(self, mark: QuoteMarks) -> Span | None:
        """The subject of the main verb of a quote's sentence, when neither stands
        inside the quotation marks."""
        root = self.tokens(mark.start, mark.end).root.sent.root
        if root.i in self.inside:
            return None
        subjects = [c for c in root.children if c.dep_ in SUBJECTS and c.i not in self.inside]
        if subjects:
            return self.phrase(subjects[0])
        return (
            self.nearest_subject(root) if root.i < self.tokens(mark.start, mark.end).start else None
        )

    def speaker_beside(self, cue: Token) -> Span | None:
        """The speaker of a direct quote's cue. A speaker never stands inside quotation
        marks: when the parse put the subject there (or found none), the name between
        the quote and the cue, or right after the cue ('," said Ushakov'), is taken."""
        subject = self.subject_of(cue)
        if subject is not None and not any(t.i in self.inside for t in subject):
            return subject
        window: list[Token] = []
        for token in reversed(self.doc[max(0, cue.i - 8) : cue.i]):
            if token.i in self.inside or token.text in SENTENCE_END:
                break
            window.insert(0, token)
        window = [t for t in window if not t.is_punct and not t.is_space]
        if not window:
            for token in self.doc[cue.i + 1 : cue.i + 8]:
                if token.is_punct or token.i in self.inside:
                    break
                window.append(token)
        nouns = [t for t in window if t.pos_ in ("PROPN", "NOUN", "PRON")]
        if not nouns:
            return self.nearest_subject(cue) or self.name_before(cue)
        head = nouns[-1] if nouns[-1].i < cue.i else nouns[0]
        while head.head.i != head.i and head.dep_ in ("compound", "flat") and head.head in nouns:
            head = head.head
        return self.phrase(head)

    def phrase(self, head: Token) -> Span:
        """The noun phrase of `head`: its left modifiers and the head, not its clauses."""
        start = head.i
        for child in head.lefts:
            if child.dep_ in ("compound", "amod", "det", "poss", "nmod", "nummod", "case"):
                start = min(start, child.left_edge.i)
        end = head.i + 1
        for child in head.rights:
            # "Her counterpart, Tomas Okafor, said": the name in apposition is the speaker.
            if child.dep_ in ("compound", "flat", "case") or (
                child.dep_ == "appos" and child.pos_ == "PROPN"
            ):
                end = max(end, child.right_edge.i + 1)
        return self.doc[start:end]

    def mention_in(self, span: Span) -> EntityMention | None:
        """The entity mention naming the speaker: the one holding the phrase's head."""
        inside = [
            m
            for m in self.mentions
            if m.kind in SPEAKER_KINDS and m.start >= span.start_char and m.end <= span.end_char
        ]
        if not inside:
            return None
        head = span.root
        for mention in inside:
            if mention.start <= head.idx < mention.end:
                return mention
        people = [m for m in inside if m.kind == "PERSON"]
        return (people or inside)[-1]

    def actor_before(
        self, char: int, plural: bool = False, besides: str | None = None
    ) -> tuple[str | None, str | None]:
        """The actor a pronoun or a role noun refers to: the last person who spoke, else
        the last person (or, for "they", organisation or country) named before `char`;
        never `besides` ("Putin's adviser" is not Putin)."""
        wanted = ("ORG", "GPE", "NORP") if plural else ("PERSON",)
        if not plural:
            for name, kind in reversed(self.speakers):
                if kind == "PERSON" and name != besides:
                    return name, kind
        for mention in reversed(self.mentions):
            if mention.end <= char and mention.kind in wanted and mention.canonical != besides:
                return mention.canonical, mention.kind
        return None, None

    def speaker_of(self, span: Span | None) -> tuple[str | None, str | None]:
        if span is None:
            return None, None
        span = self.referent.get(span.start, span)
        mention = self.mention_in(span)
        head = span.root
        if mention is not None and not (mention.start <= head.idx < mention.end):
            if mention.kind == "NORP":
                # "the Russian chief", "Chinese officials", "the Chinese readout": a
                # nationality describes the speaker, it is not who spoke.
                mention = None
            elif head.pos_ == "NOUN" and any(
                t.dep_ == "poss" and mention.start <= t.idx < mention.end for t in head.children
            ):
                # "Putin's foreign policy adviser": someone who works for Putin.
                if head.tag_ == "NN" and head.lemma_.lower() not in COLLECTIVE_NOUNS:
                    return self.actor_before(span.start_char, besides=mention.canonical)
                return None, None
        if mention is not None:
            return mention.canonical, mention.kind
        if head.lower_ in PERSONAL_PRONOUNS:
            return self.actor_before(span.start_char)
        if head.lower_ in PLURAL_PRONOUNS:
            return self.actor_before(span.start_char, plural=True)
        if (
            head.pos_ == "NOUN"
            and head.tag_ == "NN"
            and head.lemma_.lower() not in DOCUMENT_NOUNS | COLLECTIVE_NOUNS
            and not any(t.dep_ == "nummod" for t in head.lefts)
            and any(t.dep_ == "det" and t.lower_ == "the" for t in head.lefts)
        ):
            # "the aide", "the minister": the person last spoken of. Not "the two
            # nations" or "the government": a group is not the last speaker.
            return self.actor_before(span.start_char)
        return None, None

    # --- cues near a quote --------------------------------------------------------------

    def ends_sentence(self, token: Token) -> bool:
        """A full stop outside quotes, or a closing mark right after one ('..."')."""
        if token.i not in self.inside:
            return token.text in SENTENCE_END
        mark = self.marks[self.inside[token.i]]
        return (
            token.idx + len(token) == mark.end
            and self.text[mark.inner_start : mark.inner_end].rstrip()[-1:] in SENTENCE_END
        )

    def sentence_bounds(self, first: Span, last: Span) -> tuple[int, int]:
        """Token range of the sentence around a quote, up to the sentence ends outside
        it, within its paragraph."""
        para_start = self.paragraph_of(first.start_char)[0]
        para_end = self.paragraph_of(last.end_char - 1)[1]
        i = first.start - 1
        while i >= 0 and self.doc[i].idx >= para_start and not self.ends_sentence(self.doc[i]):
            i -= 1
        j = last.end
        while j < len(self.doc) and self.doc[j].idx < para_end:
            j += 1
            if self.ends_sentence(self.doc[j - 1]):
                break
        return i + 1, j

    def cue_for(self, mark: QuoteMarks) -> tuple[Token | None, str]:
        """The cue of a direct quote and where it stands: 'after', 'before' or ''.

        Where to look first follows the punctuation inside the closing mark: '...,"'
        is followed by its attribution, '..."' ending a sentence was preceded by it, and
        a quoted fragment without punctuation is usually part of reported speech.
        """
        inner = self.tokens(mark.start, mark.end)
        start, end = self.sentence_bounds(inner, inner)
        last_char = self.text[mark.inner_start : mark.inner_end].rstrip()[-1:]
        after: list[Token] = []
        if last_char != ".":
            after = [
                t
                for t in self.doc[inner.end : end]
                if self.is_cue(t) and t.i - inner.end < CUE_AFTER_TOKENS
            ]
        before = [
            t
            for t in self.doc[start : inner.start]
            if self.is_cue(t) and inner.start - t.i < CUE_BEFORE_TOKENS
        ]
        # A cue inside a relative clause reports something else ('"...," which has seen
        # many nations announce a boycott'): it is not this quote's attribution.
        after = [t for t in after if not in_relative_clause(t, inner.end)]
        # The outermost cue whose reported content holds the quote ('X said he planned
        # to counter "..."' is X's) is its cue whatever follows the quote.
        holding = []
        for cue in before + after:
            content = self.complement(cue)
            if content is not None and content.start_char <= mark.start < content.end_char:
                holding.append((len(content), -cue.i, cue))
        if holding:
            # The widest report is the outermost ('X wants "...", the lawsuit says').
            _, _, cue = max(holding)
            return cue, "before" if cue.i < inner.start else "after-holding"
        if not after and last_char in ",?!":
            verb = self.attribution_verb(inner.end, end)
            after = [verb] if verb is not None else []
        if after and (last_char in ",?!" or not before):
            return after[0], "after"
        if before:
            return before[-1], "before"
        return None, ""

    def attribution_verb(self, start: int, end: int) -> Token | None:
        """The verb of a short clause that follows a quote ending in a comma and ends
        the sentence ('"...," Toomey fumed on Tuesday.', '"...?" asked the senator'):
        that position makes any verb with a speaker the quote's cue."""
        clause = [t for t in self.doc[start:end] if not t.is_punct and not t.is_space]
        if not clause or len(clause) > ATTRIBUTION_WORDS or clause[0].i in self.inside:
            return None
        if any(t.i in self.inside for t in clause):
            return None
        for token in clause[:4]:
            if token.pos_ != "VERB" or token.tag_ in ("VBG", "VBN"):
                continue
            subject = self.subject_of(token)
            if subject is not None and subject.root.pos_ in ("PROPN", "PRON", "NOUN"):
                return token
            following = self.doc[token.i + 1] if token.i + 1 < len(self.doc) else None
            if following is not None and following.pos_ in ("PROPN", "DET"):
                return token
        return None

    # --- content spans ------------------------------------------------------------------

    def complement(self, cue: Token) -> Span | None:
        """The reported content of a cue, when the lexicon takes the cue in its frame."""
        found = frame(cue)
        if found is None:
            # 'as X reported': a verb that reports both quotes and clauses ('as the
            # day wore on' is no report).
            lemma = cue.lemma_.lower()
            found = as_reported(cue)
            if found is None or not (
                cues.is_cue(lemma, cues.QUOTE) and cues.is_cue(lemma, "ccomp")
            ):
                return None
        elif not cues.is_cue(cue.lemma_.lower(), found[0]):
            return None
        # The parser runs a headline without a full stop into the next paragraph: what
        # a cue reports stays in the cue's paragraph (quotes over several paragraphs are
        # joined by their quotation marks, not here).
        para_start, para_end = self.paragraph_of(cue.idx)
        inside = [t.i for t in found[1] if para_start <= t.idx < para_end]
        if not inside:
            return None
        return self.trim(self.doc[inside[0] : inside[-1] + 1])

    def trim(self, span: Span) -> Span | None:
        """Without surrounding punctuation and conjunctions (keeps quote marks)."""
        start, end = span.start, span.end
        while start < end and (
            self.doc[start].is_space
            or (self.doc[start].is_punct and self.doc[start].i not in self.inside)
            or self.doc[start].dep_ == "cc"
        ):
            start += 1
        while end > start and (
            self.doc[end - 1].is_space
            or (self.doc[end - 1].is_punct and self.doc[end - 1].i not in self.inside)
        ):
            end -= 1
        if end - start < 2:
            return None
        return self.doc[start:end]

    # --- the two passes -----------------------------------------------------------------

    def quote(
        self,
        start: int,
        end: int,
        kind: str,
        cue: Token | None,
        speaker: Span | None,
    ) -> QuoteSpan:
        name, name_kind = self.speaker_of(speaker)
        if name is not None:
            self.speakers.append((name, name_kind))
        return QuoteSpan(
            start=start,
            end=end,
            text=self.text[start:end],
            kind=kind,
            cue=cue.text if cue is not None else "",
            cue_start=cue.idx if cue is not None else None,
            cue_end=cue.idx + len(cue) if cue is not None else None,
            speaker=name,
            speaker_kind=name_kind,
            speaker_start=speaker.start_char if speaker is not None else None,
            speaker_end=speaker.end_char if speaker is not None else None,
        )

    def learned(
        self, cue: Token, speaker: Span | None, start: int, end: int, kind: str
    ) -> Span | None:
        """The learned choice (`speakers`) among the phrases of the cue's sentence, the
        rules' `speaker` one of them; a quote that continues this one follows it."""
        found = speakers.candidates(cue, speaker, (start, end), self.inside, self.phrase, kind)
        if self.observe is not None:
            self.observe(start, end, kind, found)
        return speakers.best(found, speaker)

    def joined_marks(self) -> list[tuple[QuoteMarks, QuoteMarks, Token | None]]:
        """Quotation marks with a split quote's halves joined: (first, last, the cue
        between them or None)."""
        joined: list[tuple[QuoteMarks, QuoteMarks, Token | None]] = []
        for mark in self.marks:
            if joined:
                first, last, _ = joined[-1]
                # '"...," he said, "..."' and '"...," he said. "..."', not '"...." Later,
                # she said: "..."' (a full stop inside the first half ends its sentence).
                # Two fragments of reported speech ('called it a "first step" and
                # told reporters it was "ready"') are not one quote split by its
                # attribution: the first half of a split quote ends with a comma (or
                # ?!, or a dash) inside the marks, or the gap opens with one.
                first_end = self.text[last.inner_start : last.inner_end].rstrip()[-1:]
                gap = self.text[last.end : mark.start].lstrip()
                split = first_end in SPLIT_ENDS or gap[:1] in SPLIT_ENDS
                cue = self.gap_cue(last.end, mark.start) if split else None
                if cue is not None and self.own_attribution_after(mark):
                    # '"...," she said, but ..., "...," said Kunin': two attributions.
                    cue = None
                if cue is not None:
                    joined[-1] = (first, mark, cue)
                    continue
            joined.append((mark, mark, None))
        return joined

    def own_attribution_after(self, mark: QuoteMarks) -> bool:
        """Whether a quote ending in a comma is followed by a cue of its own."""
        if self.text[mark.inner_start : mark.inner_end].rstrip()[-1:] not in (",", "?", "!"):
            return False
        after = self.doc.char_span(
            mark.end, self.paragraph_of(mark.end - 1)[1], alignment_mode="contract"
        )
        for token in list(after or ())[:4]:
            if token.i in self.inside:
                return False
            if self.is_cue(token):
                return True
        return False

    def gap_cue(self, start: int, end: int) -> Token | None:
        """The cue of the ', he said, ' between the halves of a split quote, if the gap
        is that short and holds no second sentence ('" Gilmore said. Fiorina said, "')."""
        gap = self.text[start:end]
        if not gap.strip() or len(gap) > 120 or "\n" in gap:
            return None
        span = self.doc.char_span(start, end, alignment_mode="contract")
        if span is None:
            return None
        if any(
            t.text in SENTENCE_END and t.i + 1 < span.end and t.nbor().is_sent_start for t in span
        ):
            return None
        words = [t for t in span if not t.is_punct and not t.is_space]
        found = [t for t in span if self.is_cue(t)]
        return found[0] if found and len(words) <= 10 else None

    def later_cue(self, mark: QuoteMarks) -> Token | None:
        """A cue further on in the quote's paragraph, past the sentence the quote ends
        ('"...." Trump, speaking from his desk at the rally, said later.')."""
        paragraph_end = self.paragraph_of(mark.end - 1)[1]
        after = self.doc.char_span(mark.end, paragraph_end, alignment_mode="contract")
        for token in after or ():
            if self.is_cue(token) and self.subject_of(token) is not None:
                return token
        return None

    def introduced_by(self, mark: QuoteMarks) -> tuple[Token | None, Span | None]:
        """'Cruz continued:' or 'Transcript as follows:' ending the paragraph before a
        paragraph that is only a quote: that paragraph's cue and speaker."""
        paragraph_start = self.paragraph_of(mark.start)[0]
        if self.text[paragraph_start : mark.start].strip():
            return None, None
        before = self.text[:paragraph_start].rstrip()
        if not before.endswith(":"):
            return None, None
        previous = self.tokens(self.paragraph_of(len(before) - 1)[0], len(before))
        chunks = [c for c in previous.noun_chunks if c.root.pos_ in ("PROPN", "NOUN")]
        for token in reversed(previous):
            if self.is_cue(token):
                # 'Stated Stone:' has its subject after the verb, or none in the parse.
                speaker = self.subject_of(token)
                if speaker is None:
                    names = [c for c in chunks if c.root.i > token.i and c.root.pos_ == "PROPN"]
                    speaker = names[0] if names else None
                return token, speaker
        return None, self.clause_speaker(previous)

    def reporter_before(self, mark: QuoteMarks) -> tuple[Span | None, int]:
        """For a quote that opens a sentence: the speaker of the sentence before it (in
        its paragraph, or the last of the paragraph before), when that sentence reports
        or is about a person, and where its verb stands; (None, -1) otherwise."""
        paragraph_start = self.paragraph_of(mark.start)[0]
        lead = self.text[paragraph_start : mark.start].rstrip()
        if lead:
            # A quote opening a sentence: the sentence before it, in its paragraph.
            if lead[-1:] not in SENTENCE_END:
                return None, -1
            previous = self.doc.char_span(
                paragraph_start, paragraph_start + len(lead), alignment_mode="contract"
            )
        else:
            before = self.text[:paragraph_start].rstrip()
            if not before:
                return None, -1
            previous = self.doc.char_span(
                self.paragraph_of(len(before) - 1)[0], len(before), alignment_mode="contract"
            )
        if previous is None or not len(previous):
            return None, -1
        # The main clause of the paragraph's last sentence: 'Coan argues that his
        # client ...', 'Clinton touted her record as a sponsor of the bill.'
        root = previous[-1].sent.root
        if root.i in self.inside:
            return None, -1
        subject = self.own_subject(root)
        if subject is None:
            return None, -1
        if (
            self.is_cue(root)
            or subject.lower_ in PERSONAL_PRONOUNS | PLURAL_PRONOUNS
            or (subject.pos_ == "PROPN" and subject.ent_type_ == "PERSON")
        ):
            return self.phrase(subject), root.idx
        return None, -1

    def possessor(self, noun: Token) -> Span | None:
        owners = [c for c in noun.children if c.dep_ == "poss" and c.i not in self.inside]
        return self.phrase(owners[0]) if owners else None

    def nominal_report(self, noun: Token) -> Span | None:
        """'Sanders's argument was that ...', 'Trump's claim that there have been ...':
        a report noun with its owner and a that-clause says what the owner said."""
        if (
            noun.pos_ != "NOUN"
            or noun.lemma_.lower() not in REPORT_NOUNS
            or noun.i in self.inside
            or self.possessor(noun) is None
        ):
            return None
        clauses = [
            c
            for c in noun.rights
            if c.dep_ in ("acl", "ccomp")
            and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
        ]
        if not clauses and noun.dep_ == "nsubj" and noun.head.lemma_ == "be":
            clauses = [c for c in noun.head.rights if c.dep_ == "ccomp"]
        if not clauses:
            return None
        clause = clauses[0]
        para_start, para_end = self.paragraph_of(noun.idx)
        inside = [
            t.i
            for t in self.doc[clause.left_edge.i : clause.right_edge.i + 1]
            if para_start <= t.idx < para_end
        ]
        if not inside:
            return None
        return self.trim(self.doc[inside[0] : inside[-1] + 1])

    def reporter_nearby(self, mark: QuoteMarks) -> Span | None:
        """The subject of the last sentence before a quote in its paragraph or the one
        before, when it is a name or a personal pronoun."""
        start = self.paragraph_of(mark.start)[0]
        before = self.text[:start].rstrip() if not self.text[start : mark.start].strip() else ""
        span = (
            self.doc.char_span(
                self.paragraph_of(len(before) - 1)[0], len(before), alignment_mode="contract"
            )
            if before
            else self.doc.char_span(start, mark.start, alignment_mode="contract")
        )
        if span is None or not len(span):
            return None
        for token in reversed(span):
            if token.i in self.inside:
                continue
            if token.dep_ in SUBJECTS and (
                token.pos_ == "PROPN" or token.lower_ in PERSONAL_PRONOUNS | PLURAL_PRONOUNS
            ):
                return self.phrase(token)
        return None

    def person_before(self, mark: QuoteMarks) -> Span | None:
        """The last person named before a quote, in its paragraph or the one before,
        outside quotation marks: a long quote with no cue and no subject near it is
        theirs more often than no one's (PolNeAR train: 4 more right speakers of 20)."""
        start = self.paragraph_of(mark.start)[0]
        before = len(self.text[:start].rstrip())
        if before:
            start = self.paragraph_of(before - 1)[0]
        for mention in reversed(self.mentions):
            if mention.kind != "PERSON" or mention.end > mark.start:
                continue
            if mention.start < start:
                return None
            span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
            if span is not None and not any(t.i in self.inside for t in span):
                return span
        return None

    def colon_speaker(self, mark: QuoteMarks) -> Span | None:
        """'He returned to his familiar lines: "..."', 'From the report: "..."': the
        clause a colon ends, right before a quote, names its speaker: its subject, or
        else the name (or the noun) it holds."""
        paragraph_start = self.paragraph_of(mark.start)[0]
        before = self.text[paragraph_start : mark.start].rstrip()
        if not before.endswith(":"):
            return None
        colon = paragraph_start + len(before) - 1
        return self.clause_speaker(
            self.doc.char_span(paragraph_start, colon, alignment_mode="contract")
        )

    def clause_speaker(self, clause: Span | None) -> Span | None:
        """Who a clause before a colon introduces: its last sentence's subject, or else
        the last name (or the first noun) in it."""
        if clause is None or not len(clause):
            return None
        start = clause.start
        for token in clause:
            if token.i in self.inside or self.ends_sentence(token) or token.text in DASHES:
                start = token.i + 1
        clause = self.doc[start : clause.end]
        subjects = [
            t
            for t in clause
            if t.dep_ in SUBJECTS
            and t.pos_ in ("PROPN", "NOUN", "PRON")
            and t.lower_ not in ("it", "there", "here", "this", "that")
        ]
        if subjects:
            return self.phrase(subjects[0])
        chunks = [c for c in clause.noun_chunks if c.root.pos_ in ("PROPN", "NOUN")]
        names = [c for c in chunks if c.root.pos_ == "PROPN"]
        if names:
            return self.phrase(names[-1].root)
        if chunks:
            return self.phrase(chunks[0].root)
        # 'Stated Stone:' parsed into the quote's sentence has no noun chunk of its own.
        nouns = [t for t in clause if t.pos_ == "PROPN"]
        return self.phrase(nouns[-1]) if nouns else None

    def signature(self, mark: QuoteMarks) -> Span | None:
        """A line '- Jane Doe.' or 'Jane Doe, Some Institute.' right after the paragraph
        the quote ends: the name signs the quote."""
        paragraph_end = self.paragraph_of(mark.end - 1)[1]
        if self.text[mark.end : paragraph_end].strip(" .\t"):
            return None
        stripped = self.text[paragraph_end:].lstrip()
        if not stripped:
            return None
        line_start = len(self.text) - len(stripped)
        line_end = self.paragraph_of(line_start)[1]
        line = self.text[line_start:line_end]
        if len(line.split()) > SIGNATURE_WORDS:
            return None
        signed = line[:1] in DASHES
        for mention in self.mentions:
            if mention.start < line_start or mention.end > line_end:
                continue
            if mention.kind == "PERSON" and (
                signed or not self.text[line_start : mention.start].strip()
            ):
                return self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
            break
        if not signed:
            return None
        # A signature the entity tagger missed: the capitalised words after the dash.
        words = self.doc.char_span(line_start + 1, line_end, alignment_mode="contract")
        name: list[Token] = []
        for token in words or ():
            if token.is_space and not name:
                continue
            if not token.text[:1].isupper() or token.is_punct:
                break
            name.append(token)
        if 2 <= len(name) <= 4:
            return self.doc[name[0].i : name[-1].i + 1]
        return None

    def before_nested(self, cue: Token, content: Span) -> tuple[Span, Token | None]:
        """A report holding a later report of its own ('X praised Y for Z - moves that
        he said helped', '..., which he called "a disaster"') ends where the inner one
        begins: the inner report, its speaker and its content are its own attribution.
        The outer report's span, and the inner report's cue where it was cut."""
        for token in content:
            if token.i == cue.i or token.i in self.inside or not self.is_cue(token):
                continue
            subject = self.subject_of(token)
            inner = self.complement(token)
            if subject is None or inner is None:
                continue
            # From the relative pronoun that opens it ('..., which she called').
            relatives = [c.i for c in token.lefts if c.tag_ in ("WDT", "WP", "WP$")]
            first = min(token.i, subject.start, inner.start, *relatives)
            if subject.start < content.start or first <= content.start:
                continue
            # Only a report that plainly starts anew: a relative clause ('which he
            # called'), a pronoun speaker ('and he railed') or a clause joined to the
            # content with a subject of its own ('..., and Y vowed to ...'); a noun
            # subject is otherwise as often part of what the outer report says ('that
            # two women said ...').
            if not (
                subject.root.tag_ in ("WP", "WDT")
                or subject.root.lower_ in NESTED_PRONOUNS
                or token.dep_ == "relcl"
                or any(c.dep_ == "mark" and c.lower_ in NESTING_MARKS for c in token.children)
                or (token.dep_ == "conj" and subject.root.head.i == token.i)
            ):
                continue
            stop = first
            while stop > content.start and self.doc[stop - 1].dep_ == "cc":
                stop -= 1  # '... after the repairs and | the council insisted'
            outer = self.trim(self.doc[content.start : stop])
            # The outer report keeps the most of its span, or the nested one is a part
            # of what it says ('that two women who have accused him said ...').
            relative = subject.root.tag_ in ("WP", "WDT") or token.dep_ == "relcl"
            share = MIN_RELATIVE_SHARE if relative else MIN_OUTER_SHARE
            if outer is None or len(outer.text) < share * len(content.text):
                return content, None
            # Without the 'though' or 'when' that opens the nested report.
            marks = [c.i for c in token.children if c.dep_ == "mark" and c.i < first]
            if marks:
                return self.trim(self.doc[content.start : min(marks)]) or outer, token
            return outer, token
        return content, None

    def name_colons(self) -> Iterator[tuple[Token, Span]]:
        """'Rubio: I am not interested in being vice president.' and 'Bush: "..."': a
        name alone before a colon, opening a line or a sentence, says what follows."""
        for token in self.doc:
            if token.text != ":" or token.i in self.inside or token.i == 0:
                continue
            first = token.i
            while first > 0:
                previous = self.doc[first - 1]
                if "\n" in previous.text or previous.is_space or self.ends_sentence(previous):
                    break
                first -= 1
            name = self.doc[first : token.i]
            words = [t for t in name if not t.is_punct]
            if not 1 <= len(words) <= NAME_COLON_WORDS or "\n" in name.text:
                continue
            if not all(t.text[:1].isupper() for t in words):
                continue
            mention = self.mention_in(name)
            if mention is None or mention.kind not in ("PERSON", "ORG", "NORP"):
                continue
            if mention.end < name.end_char and mention.kind != "PERSON":
                continue
            yield token, name

    def follows(self, previous_end: int, start: int) -> bool:
        """Whether a quote at `start` opens a sentence of the paragraph holding
        `previous_end`, or opens the next paragraph."""
        paragraph_start = self.paragraph_of(start)[0]
        before = self.text[paragraph_start:start].rstrip()
        if not before:
            previous = self.text[:paragraph_start].rstrip()
            return previous_end >= self.paragraph_of(max(len(previous) - 1, 0))[0]
        if previous_end < paragraph_start:
            return False
        return before.rstrip("\"\u201d\u2019')")[-1:] in SENTENCE_END

    def run(self) -> list[QuoteSpan]:
        found: list[tuple[int, int, str, Token | None, Span | None]] = []
        used_cues: set[int] = set()
        last_attributed: Span | None = None
        for first, last, gap_cue in self.joined_marks():
            inner = self.text[first.inner_start : last.inner_end]
            words = len(inner.split())
            if looks_like_title(inner):
                continue
            cue, where = self.cue_for(last)
            if cue is None and gap_cue is not None:
                cue, where = gap_cue, "after"
            if cue is not None:
                speaker = self.speaker_beside(cue)
                start, end, kind = first.start, last.end, "direct"
                if where in ("before", "after-holding"):
                    content = self.complement(cue)
                    if content is not None:
                        # A report nested after the quoted words ends the outer one there,
                        # as in reported speech without quotation marks; quoted words in
                        # the nested report ('..., which he called "a disaster"') are its
                        # own, and the outer report is left to the reported-speech pass.
                        cut, nested = self.before_nested(cue, content)
                        held = self.complement(nested) if nested is not None else None
                        if cut.end_char >= last.end:
                            content = cut
                        elif (
                            held is not None
                            and cut.end_char <= first.start
                            and held.start_char < last.end
                            and first.start < held.end_char
                        ):
                            assert nested is not None
                            cue, content = nested, held
                            speaker = self.speaker_beside(cue)
                    if content is not None and content.start_char <= first.start < content.end_char:
                        start = min(start, content.start_char)
                        end = max(end, content.end_char)
                        if start < first.start:
                            kind = "mixed"
                    elif words < 3:
                        continue
                elif words < 3:
                    continue
                used_cues.add(cue.i)
                speaker = self.learned(cue, speaker, start, end, kind)
                found.append((start, end, kind, cue, speaker))
                last_attributed = speaker
                continue
            cue = self.later_cue(last)
            if cue is not None and words >= MIN_ORPHAN_WORDS:
                speaker = self.speaker_beside(cue)
                used_cues.add(cue.i)
                speaker = self.learned(cue, speaker, first.start, last.end, "direct")
                found.append((first.start, last.end, "direct", cue, speaker))
                last_attributed = speaker
                continue
            cue, speaker = self.introduced_by(first)
            if speaker is not None:
                if cue is not None:
                    speaker = self.learned(cue, speaker, first.start, last.end, "direct")
                found.append((first.start, last.end, "direct", cue, speaker))
                last_attributed = speaker
                continue
            # No cue: 'He returned to his old lines: "..."' and '"..." / - Name.' say whose
            # it is; a quote that is a sentence of its own, right after a quote with a
            # speaker (in its paragraph or the one before), continues that speaker.
            introduced = self.colon_speaker(first) or self.signature(last)
            reporter, reported_at = self.reporter_before(first)
            if introduced is not None and words >= MIN_ORPHAN_WORDS:
                found.append((first.start, last.end, "direct", None, introduced))
                last_attributed = introduced
            elif (
                words >= MIN_ORPHAN_WORDS
                and last_attributed is not None
                and found
                and self.follows(found[-1][1], first.start)
                and found[-1][1] > reported_at
            ):
                found.append((first.start, last.end, "direct", None, last_attributed))
            elif words >= MIN_ORPHAN_WORDS and reporter is not None:
                # A quote paragraph after a paragraph that reports someone's words
                # ('Coan argues that his client ...' / '"..."') goes on with them.
                found.append((first.start, last.end, "direct", None, reporter))
                last_attributed = reporter
            elif words >= MIN_UNCUED_WORDS:
                # A long quoted stretch is speech even when no verb says whose ('Her
                # reply came at once: "..."'); the sentence's subject is its best guess,
                # else the person named last before it, else the last speaker.
                found.append(
                    (
                        first.start,
                        last.end,
                        "direct",
                        None,
                        self.sentence_subject(first)
                        or self.reporter_nearby(first)
                        or self.person_before(first)
                        or last_attributed,
                    )
                )
        covered = [(start, end) for start, end, *_ in found]
        for colon, name in self.name_colons():
            line_end = self.paragraph_of(colon.idx)[1]
            stop = colon.i + 1
            while stop < len(self.doc) and self.doc[stop].idx < line_end:
                stop += 1
                if self.ends_sentence(self.doc[stop - 1]):
                    break
            content = self.trim(self.doc[colon.i + 1 : stop])
            if content is None or len(content) < 3:
                continue
            start, end = content.start_char, content.end_char
            if any(a < end and start < b for a, b in covered):
                continue
            quoted = all(t.i in self.inside for t in content)
            kind = (
                "direct"
                if quoted
                else "mixed"
                if any(t.i in self.inside for t in content)
                else "indirect"
            )
            found.append((start, end, kind, colon, name))
            covered.append((start, end))
        # Reported speech nests ('X said Y accused Z of ...'): the outermost report, the
        # widest span, is the suggestion; what it holds is not suggested again.
        candidates = []
        for token in self.doc:
            if token.i in used_cues or not self.is_cue(token):
                continue
            content = self.complement(token)
            if content is not None:
                candidates.append((token, content))
        for token in self.doc:
            content = self.nominal_report(token)
            if content is not None:
                candidates.append((token, content))
        # "according to X" names the source of everything else its clause reports.
        candidates.sort(key=lambda item: (item[0].lower_ != "according", -len(item[1]), item[0].i))
        for token, content in candidates:
            content, _ = self.before_nested(token, content)
            start, end = content.start_char, content.end_char
            if any(a < end and start < b for a, b in covered):
                continue
            kind = "mixed" if any(t.i in self.inside for t in content) else "indirect"
            speaker = (
                self.possessor(token)
                if token.pos_ == "NOUN"
                else self.subject_of(token)
                or self.nearest_subject(token)
                or self.name_before(token)
            )
            found.append((start, end, kind, token, self.learned(token, speaker, start, end, kind)))
            covered.append((start, end))
        found.sort(key=lambda item: (item[0], item[1]))
        return [self.quote(*item) for item in found]


# Small words a title leaves in lower case ("Meet the Press", "Girls of Summer").
_TITLE_SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "but",
        "by",
        "for",
        "from",
        "in",
        "into",
        "nor",
        "of",
        "on",
        "or",
        "over",
        "the",
        "to",
        "up",
        "via",
        "with",
    ]
)


def looks_like_title(inner: str) -> bool:
    """A quoted title or name ('"Meet the Press"', '"Midday with Charlie Sykes,"'), not
    speech: a few words, each capitalised but the small ones."""
    words = [w.strip(",.:;!?()'\u2019\u2018") for w in inner.split()]
    words = [w for w in words if w]
    if not 2 <= len(words) <= 10:
        return False
    return all(w[0].isupper() or w[0].isdigit() or w in _TITLE_SMALL_WORDS for w in words)


def is_infinitive(verb: Token) -> bool:
    """'to say', 'to cast': a bare verb with its 'to'."""
    return verb.tag_ == "VB" and any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def in_relative_clause(token: Token, after: int) -> bool:
    """Whether `token` stands in a relative or participial clause that begins after
    token index `after` (what the clause reports is its own, not the sentence's)."""
    current = token
    for _ in range(12):
        if current.dep_ in ("relcl", "acl") and current.left_edge.i >= after:
            return True
        if current.head.i == current.i:
            return False
        current = current.head
    return False


def is_setting(token: Token) -> bool:
    """'in Vienna', 'on Monday', 'at the summit in March': a phrase of place or time."""
    if token.dep_ != "prep" or token.lower_ not in SETTING_PREPOSITIONS:
        return False
    objects = [c for c in token.children if c.dep_ == "pobj"]
    return bool(objects) and objects[0].ent_type_ in SETTING_ENTITIES


def frame(cue: Token) -> tuple[str, Span] | None:
    """How a verb reports, and the span it reports: ('ccomp', 'that the talks failed'),
    ('xcomp', 'to act'), ('dobj', 'Russia of amassing troops'), ('according', ...),
    ('parataxis', 'The deal is dead' in 'The deal, he said, is dead'), or None.

    The learned lexicon keeps a verb as a cue per frame: "added" with a clause is speech,
    "added 7,000 soldiers" is not.
    """
    doc = cue.doc
    if cue.lower_ == "according":
        head = cue.head
        if head is cue:
            return None
        left = [t for t in head.subtree if t.i < cue.left_edge.i]
        right = [t for t in head.subtree if t.i > cue.right_edge.i]
        part = max(left, right, key=len)
        return ("according", doc[part[0].i : part[-1].i + 1]) if part else None
    for child in cue.rights:
        if child.dep_ == "ccomp":
            return "ccomp", doc[child.left_edge.i : child.right_edge.i + 1]
    # What the verb governs to its right: "urged Congress to act", "accused Russia of
    # amassing troops", "called him a liar", "vowed to fight".
    # A phrase of place or time ("opens in Vienna on Monday") says where and when,
    # never what was said.
    parts = [c for c in cue.rights if c.dep_ in CONTENT_DEPS and not is_setting(c)]
    before = [c for c in cue.lefts if c.dep_ == "ccomp"]
    # '..., an adviser said on Wednesday' / 'said in a statement': a clause before the
    # cue is what was said, the prepositions after it only say when and how.
    if parts and not (before and all(c.dep_ == "prep" for c in parts)):
        return parts[0].dep_, doc[parts[0].left_edge.i : parts[-1].right_edge.i + 1]
    if before:
        return "ccomp-before", doc[before[0].left_edge.i : before[0].right_edge.i + 1]
    if cue.dep_ in ("parataxis", "ccomp") and cue.head.i < cue.i:
        part = [t for t in cue.head.subtree if t.i < cue.left_edge.i]
        if part:
            return "parataxis", doc[part[0].i : part[-1].i + 1]
    if cue.dep_ == "parataxis" and cue.head.i > cue.i:
        # 'Still, he said, officials have to decide ...': what follows the aside.
        part = [t for t in cue.head.subtree if t.i > cue.right_edge.i]
        if part:
            return "parataxis", doc[part[0].i : part[-1].i + 1]
    return None


def as_reported(cue: Token) -> tuple[str, Span] | None:
    """'As Politico reported, the RNC agreed to ...' / '..., as Rubio has said': a
    speech verb in an 'as' clause with nothing of its own to report vouches for the
    clause it hangs on."""
    if cue.dep_ != "advcl" or cue.head.i == cue.i:
        return None
    if not any(c.dep_ == "mark" and c.lower_ == "as" for c in cue.children):
        return None
    # 'As the day went on': time passing, not a report.
    if any(
        c.dep_ in SUBJECTS and (c.ent_type_ in ("DATE", "TIME") or c.lemma_.lower() in TIME_NOUNS)
        for c in cue.children
    ):
        return None
    doc = cue.doc
    left = [t for t in cue.head.subtree if t.i < cue.left_edge.i]
    right = [t for t in cue.head.subtree if t.i > cue.right_edge.i]
    part = max(left, right, key=len)
    return ("as", doc[part[0].i : part[-1].i + 1]) if part else None


def quotes(
    doc: Doc, mentions: Iterable[EntityMention] = (), observe: Observer | None = None
) -> list[QuoteSpan]:
    """Every quote in `doc`, in text order, with offsets into `doc.text`. `observe`, if
    given, sees each cued quote's speaker candidates (`learn_speakers` learns from them)."""
    return _Reader(doc, list(mentions), observe).run()
