"""Stance suggestions: who supports or opposes whom or what, read from explicit stance
language ("X backs Y", "X condemned Y", "X's support for Y", "X accused Y of ...") over
the dependency parse.

Precision comes before recall: a suggestion is made only when the holder is a named actor
(or a pronoun that can only mean one), the stance word is not negated, hedged or asked
about, and the target is the word's object (an actor, or a topic in words). `cue_start`
says which word it was, so that the caller can tie the stance to the quote whose cue it
is ("X denounced Y, saying ...").

The lexicon is general English stance vocabulary (and the cues of PolNeAR train that
carry a polarity), not fitted to any evaluation sentence. Beyond it, polarity comes from
VADER's general word valences (vaderSentiment's vader_lexicon.txt): a verb between two
actors or on a stance topic ("X scorned Y"), the name given in "X called Y a menace" or
"X said Y is a disgrace", a negative noun aimed at an actor ("X's hostility toward Y"),
each only when its valence is strong and it is not a word of contest, harm or help (read
off the verbs the rule found in PolNeAR train texts outside the gold set). Structure
carries the rest: titles before a name ("Obama critic X", "a Putin ally"), a body's vote or
resolution, a lawyer for X, "praised Y for opposing Z" (Y's stance on Z), "Y's backers
include X", stance adjectives after a copula ("X has been critical of Y").

Beyond single words, the structures that carry a stance in any wording: a modifier of the
actor ("anti-war Democrats", "X, a pro-Y group", "the Y-supporting X", "the X-backed bill"),
a participle with its agent ("the bill, backed by X"), "in favor of" / "in support of" /
"in opposition to" on what someone did ("held a rally in support of Y"), a verb turned
back or out at someone ("hit back at Y"), a stance noun from someone that its target
answers ("Y rejected criticism from X"). Holders are also read through the structures that
name them: a title in apposition ("the mayor of Z, X, backed Y"), an organisation's
officer or body ("an officer from X"), a named group and the members it includes, the
named members of a relative clause's antecedent ("senators who oppose Y, like X"), and
"the senator" for the one person the article named "Senator X".

A "he" or "she" holder is resolved as the quote module resolves "he said", within the
article: the one person of its gender named in the nearest sentence naming any (up to
two back; genders from honorifics and the article's own "X said she"), a possessive its
clause's subject, else the person who spoke last by name (the doc's quotes, passed in).
"""

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from functools import cache
from importlib import resources

import numpy
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span, Token

from articles.nlp.entities import is_title_word
from articles.nlp.results import EntityMention, QuoteSpan, StanceSpan

SUPPORT = "support"
OPPOSE = "oppose"

# Verbs whose subject takes a stance on their direct object.
VERBS: dict[str, str] = {
    **dict.fromkeys(
        (
            "support",
            "back",
            "endorse",
            "welcome",
            "praise",
            "applaud",
            "hail",
            "commend",
            "champion",
            "favor",
            "favour",
            "embrace",
            "laud",
            "salute",
            "extol",
            "celebrate",
            "defend",
            "congratulate",
            "cheer",
            "tout",
        ),
        SUPPORT,
    ),
    **dict.fromkeys(
        (
            "oppose",
            "condemn",
            "reject",
            "criticize",
            "criticise",
            "denounce",
            "slam",
            "blast",
            "accuse",
            "lambast",
            "lambaste",
            "decry",
            "deplore",
            "rebuke",
            "assail",
            "castigate",
            "chastise",
            "fault",
            "blame",
            "scold",
            "disparage",
            "berate",
            "excoriate",
            "bash",
            "censure",
            "disavow",
            "repudiate",
            "ridicule",
            "mock",
            "vilify",
            "attack",
            "rip",
            "knock",
            "pan",
            "dispute",
            "deride",
            "belittle",
            "demonize",
            "demonise",
            "trash",
            "dismiss",
            "charge",
            "protest",  # "protested the funding system" (PolNeAR train: "protest the deal")
        ),
        OPPOSE,
    ),
}
# Beyond that list, a verb whose valence in VADER's general lexicon (vaderSentiment's
# vader_lexicon.txt, mean human ratings from -4 to +4) is at least this strong takes a stance
# of its sign, between two actors or on a stance topic only ("Trump scorned Bush", "X
# smeared the report"), as the ambiguous verbs below do.
VALENCE_MIN = 1.5
# Strongly valenced verbs that say what happened, not what the subject thinks: contests
# ("X defeated Y"), harm and help, the subject's own fortunes or feelings, acts of office,
# and feelings caused in the object ("X upset Y"). Read off the verbs the valence rule
# found between named actors in PolNeAR train texts outside the gold set.
NOT_STANCES = {
    *("win", "lose", "beat", "defeat", "lead", "trail", "gain", "secure", "award", "enjoy"),
    *("best", "top", "edge", "crush", "trounce", "rout", "clobber", "outpace", "outpoll"),
    *("survive", "kill", "hurt", "harm", "injure", "wound", "murder", "destroy", "damage"),
    *("abuse", "rape", "assault", "threaten", "violate", "fire", "ban", "block", "cut"),
    *("suspend", "cancel", "prosecute", "arrest", "punish", "sue", "jail", "convict"),
    *("help", "save", "protect", "rescue", "benefit", "ease", "fear", "worry", "miss"),
    *("suffer", "stress", "ignore", "avoid", "lack", "attract", "promise", "assure", "agree"),
    *("accept", "share", "create", "play", "join", "expand", "increase", "improve", "fund"),
    *("pay", "fail", "upset", "scare", "shock", "surprise", "frighten", "anger", "offend"),
    *("embarrass", "humiliate", "disappoint", "please", "impress", "delight", "amuse"),
    *("inspire", "excite", "thrill", "frustrate", "annoy", "irritate", "bother", "confuse"),
    *("thank", "reward", "forgive", "free", "pardon", "comfort", "cure", "heal", "feed"),
    *("scam", "cheat", "rob", "steal", "trick", "fool", "betray", "exploit", "bully"),
    *("lie", "hide", "abandon", "neglect", "escape", "leave", "quit", "resign", "die"),
    *("doubt", "question", "challenge", "stop", "prevent", "stall", "delay", "hinder"),
    *("clear", "battle", "charm", "seduce", "tempt", "entertain", "encourage", "energize"),
    *("treat", "handle", "serve", "bless", "grant", "offer", "give", "allow"),
}


@cache
def valences() -> dict[str, float]:
    """VADER's word valences (a tab-separated word, mean rating, and its spread)."""
    text = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text("utf-8")
    found: dict[str, float] = {}
    for line in text.splitlines():
        word, _, rest = line.partition("\t")
        try:
            found[word] = float(rest.split("\t", 1)[0])
        except ValueError:
            continue
    return found


def _word_polarity(word: str) -> str | None:
    value = valences().get(word)
    if value is None or abs(value) < VALENCE_MIN:
        return None
    return SUPPORT if value > 0 else OPPOSE


# Names for what befell someone, not what they are worth ("Y was a victim").
NOT_VERDICTS = {
    *("victim", "casualty", "survivor", "patient", "suspect", "defendant", "prisoner"),
    *("hostage", "refugee", "widow", "orphan", "target", "loss", "death", "problem"),
}


def _verdict_polarity(name: Token) -> str | None:
    """The stance a name says of whom it is given to: a calling name ("a liar", "unfit")
    or an adjective modifying one, or else a noun of strongly negative valence ("a
    menace", "a sham"); adjectives of valence alone mostly say how someone is ("sad")."""
    words = [name, *(c for c in name.children if c.dep_ in ("amod", "compound"))]
    found = {CALLING_NAMES[w.lemma_.lower()] for w in words if w.lemma_.lower() in CALLING_NAMES}
    if not found and name.pos_ == "NOUN" and name.lemma_.lower() not in NOT_VERDICTS:
        value = valences().get(name.lemma_.lower(), 0.0)
        if value <= -VALENCE_MIN:
            found = {OPPOSE}
    return found.pop() if len(found) == 1 else None


def _valence_polarity(lemma: str) -> str | None:
    value = valences().get(lemma)
    if value is None or abs(value) < VALENCE_MIN or lemma in NOT_STANCES:
        return None
    return SUPPORT if value > 0 else OPPOSE


# Verbs that also name a physical act or a non-stance phrase: kept only between actors
# who are people or organisations, with no particle ("blasted out an email", "back down").
AMBIGUOUS_VERBS = {
    "attack",
    "blast",
    "slam",
    "bash",
    "back",
    "celebrate",
    "defend",
    "mock",
    "rip",
    "knock",
    "pan",
    "cheer",
    "trash",
}
# Objects that only a stance can be aimed at: "slammed the proposal" is not a blow, so an
# ambiguous verb takes them as its target; a verb that gives its reason ("blasted X for Y",
# "attacked X as Y") is a stance whatever its object.
STANCE_TOPICS = {
    "proposal",
    "plan",
    "policy",
    "decision",
    "bill",
    "law",
    "legislation",
    "measure",
    "deal",
    "agreement",
    "treaty",
    "idea",
    "remark",
    "comment",
    "statement",
    "report",
    "ruling",
    "resolution",
    "reform",
    "initiative",
    "move",
    "claim",
    "allegation",
    "rhetoric",
    "approach",
    "strategy",
    "position",
    "stance",
    "nomination",
    "nominee",
    "candidacy",
    "budget",
    "ban",
    "program",
    "programme",
    "effort",
    "verdict",
    "veto",
    "order",
    "rule",
    "tax",
    "tariff",
    "sanction",
}
REASONS = {"for", "as"}
# "X called Y a liar": the name given says the stance.
CALLING_NAMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "liar",
            "fascist",
            "racist",
            "bigot",
            "fraud",
            "hypocrite",
            "demagogue",
            "extremist",
            "disgrace",
            "failure",
            "loser",
            "bully",
            "crook",
            "traitor",
            "criminal",
            "threat",
            "danger",
            "menace",
            "clown",
            "joke",
            "idiot",
            "coward",
            "puppet",
            "dictator",
            "tyrant",
            "terrorist",
            "thug",
            "con",
            "disaster",
            "dangerous",
            "unfit",
            "incompetent",
            "reckless",
            "corrupt",
            "dishonest",
            "disgraceful",
            "irresponsible",
            "unacceptable",
            "outrageous",
            "shameful",
            "ridiculous",
            "absurd",
            "crazy",
            "stupid",
            "weak",
            "divisive",
            "unqualified",
            "deplorable",
            "reprehensible",
        ),
        OPPOSE,
    ),
    **dict.fromkeys(
        ("hero", "champion", "friend", "ally", "visionary", "patriot", "qualified", "great"),
        SUPPORT,
    ),
}
# Verbs that take a stance only on a topic ("dismissed the report"), not on a person
# ("dismissed the aide").
TOPIC_ONLY_VERBS = {"dismiss"}
# Verbs that take a stance only on an actor: "blamed the minister", not "blamed several
# factors" (a cause, not a side).
ACTOR_ONLY_VERBS = {"blame"}
# Verbs that are a stance only with the preposition that says so: "charged X with fraud"
# (an accusation), not "charged X $50" or "charged into the room".
NEEDS_PREP: dict[str, str] = {"charge": "with"}
# Verbs whose stance is on the object of a preposition.
PREP_VERBS: dict[tuple[str, str], str] = {
    ("object", "to"): OPPOSE,
    ("rail", "against"): OPPOSE,
    ("speak", "against"): OPPOSE,
    ("vote", "against"): OPPOSE,
    ("campaign", "against"): OPPOSE,
    ("argue", "against"): OPPOSE,
    ("warn", "against"): OPPOSE,
    ("lash", "at"): OPPOSE,
    ("vote", "for"): SUPPORT,
    ("campaign", "for"): SUPPORT,
    ("side", "with"): SUPPORT,
    ("stand", "against"): OPPOSE,
    ("come", "against"): OPPOSE,  # "came out against X"
    ("push", "against"): OPPOSE,  # "pushed back against X"
    ("push", "for"): SUPPORT,  # "continued to push for a single-payer system"
    ("rip", "into"): OPPOSE,  # "ripped into the Republicans"
    ("fight", "against"): OPPOSE,
    ("approve", "of"): SUPPORT,
    ("disapprove", "of"): OPPOSE,
    ("agree", "with"): SUPPORT,
    ("disagree", "with"): OPPOSE,
    ("stand", "with"): SUPPORT,
    ("rally", "behind"): SUPPORT,
    ("rally", "against"): OPPOSE,
    ("protest", "against"): OPPOSE,
    ("testify", "against"): OPPOSE,
    ("break", "with"): OPPOSE,  # "broke with the party"
}
# Verbs done "on behalf of" someone, which support them.
BEHALF_VERBS = {"campaign", "speak", "work", "lobby", "testify", "stump"}
PREP_LEMMAS = {verb for verb, _ in PREP_VERBS} | {"speak", "come", "vote"} | BEHALF_VERBS
# Prepositions after a stance noun that name its target: "support for X", "criticism of X",
# "threw his support behind X".
NOUN_PREPS = frozenset({"for", "of", "to", "against", "on", "behind"})
# Prepositions that aim a negative noun at its target ("hostility toward Y", "jabs at Y");
# not "for", "of" or "over", after which a negative noun is mostly no stance ("a blow for
# Y", "the loss of Y", "a fight over Y").
AIMING = frozenset({"against", "toward", "towards", "on", "at"})
# Negative nouns of harm and force, which say what was done, not what was thought.
HARM = {
    *("violence", "assault", "war", "strike", "raid", "bombing", "terrorism", "crime"),
    *("murder", "killing", "abuse", "damage", "injury", "pressure", "crisis", "impact"),
    *("tax", "penalty", "sanction", "ban"),
    # and contests, which are no side taken ("her battle against Y" in a primary)
    *("fight", "battle", "struggle", "race", "contest", "rivalry", "duel", "challenge"),
}
# Adjectives of stance after a copula, with the prepositions that name their target:
# "X has been critical of Y", "X is opposed to Y", "X remains wary of Y".
ADJECTIVES: dict[str, tuple[str, frozenset[str]]] = {
    **dict.fromkeys(
        (
            "critical",
            "sceptical",
            "skeptical",
            "dismissive",
            "contemptuous",
            "scornful",
            "disdainful",
            "distrustful",
            "wary",
        ),
        (OPPOSE, frozenset({"of"})),
    ),
    **dict.fromkeys(("opposed", "hostile"), (OPPOSE, frozenset({"to", "toward", "towards"}))),
    **dict.fromkeys(("supportive", "appreciative"), (SUPPORT, frozenset({"of"}))),
    **dict.fromkeys(
        ("favorable", "favourable", "sympathetic", "friendly"),
        (SUPPORT, frozenset({"to", "toward", "towards"})),
    ),
}
COPULAS = {"be", "remain", "become", "seem", "appear", "sound", "grow", "stay"}
# Nouns of stance: "X's support for Y", "X expressed support for Y".
NOUNS: dict[str, str] = {
    **dict.fromkeys(("support", "backing", "endorsement", "praise", "approval"), SUPPORT),
    **dict.fromkeys(
        (
            "opposition",
            "criticism",
            "condemnation",
            "rejection",
            "denunciation",
            "disapproval",
            "rebuke",
            "critique",
            "attack",
            "accusation",
        ),
        OPPOSE,
    ),
}
AMBIGUOUS_NOUNS = {"attack"}
# Nouns of pressing for something, a stance only with "for": "her push for paid leave"
# (not "a push to the polls"). Not "X's call for a ban": the gold reads a call as a demand,
# and no stance on the ban.
FOR_NOUNS: dict[str, str] = {"push": SUPPORT}
# Nouns of accusing, whose "that" clause names the accused by its subject.
ACCUSING = {"accusation", "allegation", "charge"}
SUPPORT_BEHIND = {"support", "backing", "weight"}
# Nouns naming the holder: "X, a critic of Y", "X is a supporter of Y".
AGENT_NOUNS: dict[str, str] = {
    **dict.fromkeys(
        (
            "supporter",
            "backer",
            "champion",
            "proponent",
            "ally",
            "advocate",
            "endorser",
            "defender",
            "admirer",
            "loyalist",
        ),
        SUPPORT,
    ),
    **dict.fromkeys(("critic", "opponent", "foe", "detractor", "adversary", "enemy"), OPPOSE),
}
ADVOCATES = {"champion", "advocate"}
# Who may be named before an agent noun as its target ("Obama critic X", "a Putin ally"):
# not a NORP, which says whose side the holder is on ("a Republican supporter of Y").
NAMED_BEFORE = {"PERSON", "ORG", "GPE"}
# Verbs whose subject is the target of a stance noun's "of": "won the backing of X".
RECEIVING = {
    *("win", "receive", "get", "earn", "secure", "land", "gain", "garner", "pick", "draw"),
}
# Verbs that carry a stance noun as their object: "expressed support for".
LIGHT_VERBS = {
    "express",
    "voice",
    "offer",
    "declare",
    "announce",
    "reiterate",
    "signal",
    "pledge",
    "give",
    "throw",
    "lend",
    "state",
    "register",
    "show",
}
# Asking for these opposes their object: "called on X to resign", "the repeal of Y".
DEMANDING = {"call", "urge", "demand", "ask", "press"}
QUITTING: dict[str, set[str]] = {
    "resign": set(),
    "quit": set(),
    "step": {"down"},
    "drop": {"out"},
}
ENDINGS = {"repeal", "resignation", "impeachment", "ouster", "abolition", "removal", "recall"}
# Governors through which the subject still holds the stance: "X decided to back Y".
CARRYING = {
    "decide",
    "continue",
    "vow",
    "pledge",
    "move",
    "begin",
    "start",
    "rush",
    "go",
    "spend",
    "vote",  # "the council voted to condemn Y": a body takes its stance by a vote
    "promise",
    "appear",  # "X appeared to oppose Y": the report is the writer's, the stance X's
    "seem",
}
# Governors that cancel it: "X refused to endorse Y", "X urged Z to oppose Y".
CANCELLING = {
    "refuse",
    "refrain",
    "decline",
    "hesitate",
    "fail",
    "urge",
    "ask",
    "call",
    "consider",
    "threaten",
    "weigh",
    "deny",
    "stop",
    "cease",
    "reverse",
    "abandon",
    "drop",
    "withdraw",
    "want",
    "hope",
    "plan",
    "expect",
    "need",
    "try",
    "seek",
}
HEDGES = {"would", "could", "might", "may", "should", "can", "ca", "must", "shall"}
NEGATIONS = {"not", "n't", "never", "no", "neither", "nor", "hardly", "barely"}
CONDITIONS = {"if", "whether", "unless", "though", "although", "for"}  # "for X to back Y"
# Subordinate clauses that do not state what they say: "if X backs Y", "unless", "until".
# Temporal and causal ones ("after X criticized Y", "because", "when", "as") state it.
CONDITIONAL_MARKS = CONDITIONS | {"lest", "until", "till", "once", "whenever"}
SPEECH = {"say", "tell", "state", "add", "announce", "declare", "write", "insist", "claim"}
HOLDER_KINDS = {"PERSON", "ORG", "GPE", "NORP"}
PEOPLE = {"PERSON", "ORG", "NORP", "GPE"}
PERSONAL = {"he", "she", "him", "her", "his"}
PRONOUN_GENDER = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f"}
HONORIFICS = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "madam": "f", "sir": "m"}
RELATIVES = {"who", "that", "which"}
# Heads that stand for something named elsewhere, never a topic in their own right.
PRONOUN_HEADS = {"one", "ones", "it", "this", "that", "these", "those", "what", "which", "who"}
# Conjunctions of time and cause, which spaCy sometimes reads as prepositions.
TEMPORAL = {"as", "after", "before", "when", "while", "since", "because"}
# Objects that name nothing: "endorsed none of this" takes no stance.
NOTHING = {"none", "nothing", "nobody", "neither", "noone"}
# Pronoun objects that may stand for a topic named earlier in the sentence.
REFERRING = {"it", "this", "that"}
# "one of a clutch of Y's supporters": nouns of number between "one of" and the holder noun.
GROUPS = {"clutch", "group", "number", "handful", "host", "slew", "list", "string", "bunch"}
# "X, like Y" / "X, including Y": the named members of an unnamed group.
MEMBERS = {"like", "including"}
TOPIC_MAX_TOKENS = 10
# Messages that speak for whoever put them out: "X released an ad that slams Y".
MESSAGES = {
    "ad",
    "advertisement",
    "video",
    "statement",
    "letter",
    "email",
    "tweet",
    "op-ed",
    "report",
    # what a body adopts speaks for the body: "the council passed a resolution condemning Y"
    "resolution",
    "motion",
    "declaration",
    "proclamation",
    "petition",
}
# Paid messages, which take a side when aimed "against" someone: "ran ads against Y",
# "spending a fortune on ads against me" (PolNeAR train: "air more ads against him").
AD_NOUNS = {"ad", "advertisement", "commercial", "spot", "video", "mailer"}
PUBLISHING = {
    "release",
    "issue",
    "publish",
    "send",
    "post",
    "air",
    "run",
    "launch",
    "unveil",
    "approve",
    "pass",
    "adopt",
    "sign",
}
# Subjects that speak for their owner: "X's campaign", "a X editorial".
VOICES = {
    "campaign",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "statement",
    "editorial",
    "article",
    "report",
    "letter",
    "ad",
    "office",
    "website",
    "lawyer",
    "attorney",
    "counsel",
    "representative",
}
# Prepositions that tie an officer or a member to its organisation ("an officer from X",
# "the board of X", "the executive council for X"), and the unnamed subjects that are not
# the organisation's voice though they are of it (its critics, its shares, its founder's kin).
MEMBER_OF = frozenset({"of", "for", "from", "at"})
NOT_MEMBERS = {
    *("customer", "client", "user", "share", "stock", "price", "product", "victim", "rival"),
    *("former", "ex", "son", "daughter", "wife", "husband", "family", "friend", "fan"),
}
# Voices named by whom they act for: "attorneys for X", "a lawyer for X".
AGENTS_FOR = {"lawyer", "attorney", "counsel", "representative", "spokesman", "spokeswoman"}
# Nouns that stand for their owner as a target: "backed the campaign of X" backs X.
OWNED = {
    "bid",
    "campaign",
    "candidacy",
    "nomination",
    "administration",
    "government",
    "presidency",
    "leadership",
    "re-election",
    "reelection",
}
# Marks that end a noun phrase's words for a topic.
PHRASE_ENDS = {",", ";", ":", "(", "-", "--", "\u2013", "\u2014"}
# A verb turned "back" or "out" "at" or "against" someone: "hit back at", "lashed out at".
RETORT_PARTICLES = {"back", "out"}
RETORT_PREPS = {"at", "against"}
# Prefixes of stance before a hyphen: "anti-war", "pro-government".
PREFIXES = {"anti": OPPOSE, "pro": SUPPORT}
CLOSING_MARKS = "\"'\u201d\u2019"


class _Index:
    """The entity mentions of a doc, by token."""

    def __init__(
        self, doc: Doc, mentions: Sequence[EntityMention], quotes: Sequence[QuoteSpan] = ()
    ):
        self.doc = doc
        self.by_token: dict[int, EntityMention] = {}
        self.ordered = sorted(mentions, key=lambda m: m.start)
        self.starts = [m.start for m in self.ordered]
        # The people quotes are attributed to by name ("..., Warren said"), in text order:
        # a pronoun's speaker the quote module resolved itself is left out (it may be a
        # guess, "she" as the last person named).
        by_start = {m.start: m for m in self.ordered if m.kind == "PERSON"}
        # The direct quotes attributed by name: (start, end, speaker).
        self.quoted = [
            (q.start, q.end, by_start[q.speaker_start])
            for q in quotes
            if q.kind == "direct"
            and q.speaker_start is not None
            and q.speaker_start in by_start
            and by_start[q.speaker_start].canonical == q.speaker
        ]
        self.speakers = sorted(
            (
                (q.speaker_start, by_start[q.speaker_start])
                for q in quotes
                if q.speaker_start is not None
                and q.speaker_start in by_start
                and by_start[q.speaker_start].canonical == q.speaker
            ),
            key=lambda pair: pair[0],
        )
        # What the article's honorifics say of each person: "Mr." male, "Mrs." female.
        genders: dict[str, set[str]] = {}
        # The tokens each mention covers, from the tokens' offsets (as Doc.char_span does
        # with alignment_mode="expand", without making a Span of each).
        offsets = doc.to_array("IDX").tolist() if len(doc) else []
        self.offsets = offsets
        self._titles: dict[str, list[EntityMention]] | None = None
        for mention in mentions:
            first = bisect_right(offsets, mention.start) - 1
            last = bisect_left(offsets, mention.end) - 1
            if first < 0 or last < first:
                continue
            if offsets[first] + len(doc[first]) <= mention.start:
                first += 1  # the mention starts in the white space after a token
            for i in range(first, last + 1):
                self.by_token[i] = mention
            if mention.kind == "PERSON" and first > 0:
                gender = HONORIFICS.get(doc[first - 1].lower_.rstrip("."))
                if gender:
                    genders.setdefault(mention.canonical, set()).add(gender)
        self.honorific = {name: next(iter(g)) for name, g in genders.items() if len(g) == 1}
        self._gender: dict[str, str] | None = None

    @property
    def gender(self) -> dict[str, str]:
        """Each person's gender as far as the article tells: its honorifics ("Mr.",
        "Mrs."), else the subject pronouns of the sentences whose subject names that
        person, and no one else before the pronoun ("Warren said she ..."), when they
        agree. Read only when a pronoun is to be resolved."""
        if self._gender is None:
            votes: dict[str, set[str]] = {}
            strings = self.doc.vocab.strings
            lowers = self.doc.to_array("LOWER") if len(self.doc) else numpy.array([])
            for word in ("he", "she"):
                for i in numpy.flatnonzero(lowers == strings[word]):
                    token = self.doc[int(i)]
                    if token.dep_ != "nsubj":
                        continue
                    sent = _sent(token)
                    people = [
                        m for m in self.in_range(sent.start_char, token.idx) if m.kind == "PERSON"
                    ]
                    if len({m.canonical for m in people}) == 1 and self.is_subject(people[0]):
                        votes.setdefault(people[0].canonical, set()).add(PRONOUN_GENDER[word])
            self._gender = {n: next(iter(g)) for n, g in votes.items() if len(g) == 1}
            self._gender.update(self.honorific)
        return self._gender

    def named(self, token: Token) -> EntityMention | None:
        return self.by_token.get(token.i)

    def person_before(
        self, token: Token, exclude: frozenset[str] = frozenset()
    ) -> EntityMention | None:
        """The one person a "he" or "she" can mean: the only person named between the
        previous sentence's start and the pronoun. None when there are two or none."""
        sent = _sent(token)
        first = sent.start
        if first > 0:
            first = _sent(self.doc[first - 1]).start
        low, high = self.doc[first].idx, token.idx
        wanted = PRONOUN_GENDER.get(token.lower_)
        people = {
            m.canonical: m
            for m in self.ordered
            if low <= m.start < high
            and m.kind == "PERSON"
            and not _inside(m, token)
            and self.gender.get(m.canonical, wanted) == wanted
            and m.canonical not in exclude
        }
        return next(iter(people.values())) if len(people) == 1 else None

    def subject_before(self, token: Token) -> EntityMention | None:
        """The person a subject "he" or "she" continues, as the quote module resolves "he
        said" to the actor last spoken of: the one person (of the pronoun's gender, as far
        as the article tells) named in the nearest sentence that names any, this one
        before the pronoun or one of the two before it; a pronoun in a clause before its
        main clause means that clause's subject ("Once she endorsed Y, X ..."). None when
        that sentence names two such people: either could be meant."""
        wanted = PRONOUN_GENDER.get(token.lower_)
        clause = token.head
        if clause.dep_ == "advcl" and clause.i < clause.head.i:
            # "Ever since she endorsed Y, X has been ...": the main clause's subject
            main = [self.named(c) for c in clause.head.children if c.dep_ == "nsubj"]
            if len(main) == 1 and main[0] is not None and main[0].kind == "PERSON":
                return main[0] if self.gender.get(main[0].canonical, wanted) == wanted else None
            return None
        sent = _sent(token)
        high = token.idx
        for _ in range(3):
            people = [
                m
                for m in self.in_range(sent.start_char, high)
                if m.kind == "PERSON" and self.gender.get(m.canonical, wanted) == wanted
            ]
            named = {m.canonical: m for m in people}
            if len(named) == 1:
                return people[-1]
            if people or sent.start == 0:
                return None
            high = sent.start_char
            sent = _sent(self.doc[sent.start - 1])
        return None

    def titled_before(self, noun: Token) -> list[EntityMention]:
        """The people named before a word with it as their title ("President X" before
        "the president"), the one word right before the name."""
        if self._titles is None:
            self._titles = {}
            for mention in self.ordered:
                if mention.kind != "PERSON":
                    continue
                at = bisect_right(self.offsets, mention.start) - 1
                if at <= 0 or self.offsets[at] != mention.start:
                    continue
                title = self.doc[at - 1]
                if title.is_title and title.is_alpha:
                    self._titles.setdefault(title.lower_, []).append(mention)
        return [m for m in self._titles.get(noun.lower_, []) if m.start < noun.idx]

    def quoted_by(self, token: Token) -> EntityMention | None:
        """Who says the direct quote a token is in, when the quote is attributed by name
        ("I", "me" in '"... ads against me," Trump said')."""
        for start, end, speaker in self.quoted:
            if start <= token.idx < end:
                return speaker
        return None

    def last_speaker(self, token: Token) -> EntityMention | None:
        """The person who spoke last, as the quote module resolves "he said": the latest
        speaker named in this sentence before the pronoun or in the two before it, of the
        pronoun's gender as far as the article tells, when no one else has been named as
        a subject since ("X said ... . Y won. He ..." is not X)."""
        if not self.speakers:
            return None
        sent = _sent(token)
        for _ in range(2):
            if sent.start > 0:
                sent = _sent(self.doc[sent.start - 1])
        wanted = PRONOUN_GENDER.get(token.lower_)
        for at, speaker in reversed(self.speakers):
            if at >= token.idx:
                continue
            if at < sent.start_char:
                return None
            if self.gender.get(speaker.canonical, wanted) != wanted:
                continue
            others = {
                m.canonical
                for m in self.in_range(at, token.idx)
                if m.kind == "PERSON"
                and m.canonical != speaker.canonical
                and self.is_subject(m, main=True)
            }
            return None if others else speaker
        return None

    def in_range(self, low: int, high: int) -> list[EntityMention]:
        """The mentions starting between two character offsets."""
        starts = self.starts
        return self.ordered[bisect_left(starts, low) : bisect_left(starts, high)]

    def is_subject(self, mention: EntityMention, main: bool = False) -> bool:
        """The mention is its clause's subject ("Ms. Warren said", "Warren, who ..."), or
        with `main` its sentence's ("X won", not "he said X won")."""
        span = self.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            return False
        root = span.root
        while root.dep_ in ("compound", "appos") and root.head is not root:
            root = root.head
        if main:
            verb = root.head
            while verb.dep_ == "conj" and verb.head is not verb:
                verb = verb.head
            return root.dep_ in ("nsubj", "nsubjpass") and verb.dep_ == "ROOT"
        return root.dep_ in ("nsubj", "nsubjpass")


# The sentences of the docs being read, by token: Token.sent walks the doc's sentences
# from the start each time, which costs more than the finder's own rules.
# Filled on first use for each doc, and dropped when its stances are found.
_SENTENCES: dict[int, tuple[list[int], list[Span]] | None] = {}


def _sent(token: Token) -> Span:
    key = id(token.doc)
    if key not in _SENTENCES:
        return token.sent
    found = _SENTENCES[key]
    if found is None:
        found = _SENTENCES[key] = _sentences(token.doc)
    starts, spans = found
    return spans[bisect_right(starts, token.i) - 1]


def _sentences(doc: Doc) -> tuple[list[int], list[Span]]:
    """The doc's sentences as Doc.sents cuts them, read off its sentence-start array
    (Doc.sents makes a Token of every word to find them)."""
    starts = [0] + [int(i) for i in numpy.flatnonzero(doc.to_array("SENT_START") == 1) if i]
    ends = [*starts[1:], len(doc)]
    return starts, [Span(doc, start, end) for start, end in zip(starts, ends, strict=True)]


def _singular(token: Token) -> str:
    """The noun's lemma, also for a capitalised plural that spaCy reads as a name
    ("Attorneys for X")."""
    lemma = token.lemma_.lower()
    if token.tag_ == "NNPS" or (token.tag_ == "NNP" and token.lower_.endswith("s")):
        return lemma[:-1] if lemma.endswith("s") else lemma
    return lemma


def _inside(mention: EntityMention, token: Token) -> bool:
    return mention.start <= token.idx < mention.end


def _negated(token: Token) -> bool:
    if token.lemma_ == "be" and any(
        _negated(c) for c in token.children if c.dep_ in ("acomp", "advmod")
    ):
        return True  # "X was not quite there on supporting Y"
    for child in token.children:
        if child.dep_ == "neg" or (child.lower_ in NEGATIONS and child.dep_ in ("advmod", "det")):
            return True
        if child.dep_ == "aux" and any(g.dep_ == "neg" for g in child.children):
            return True
    return False


def _hedged(token: Token) -> bool:
    for child in token.children:
        if child.dep_ in ("aux", "auxpass") and child.lower_ in HEDGES:
            return True
        if child.dep_ == "mark" and child.lower_ in CONDITIONS:
            return True
    return False


def _asked(token: Token) -> bool:
    """The sentence ends in a question mark (closing quote marks aside); read from its
    last tokens, not its text, which spaCy would join anew."""
    sent, doc = _sent(token), token.doc
    for i in range(sent.end - 1, sent.start - 1, -1):
        last = doc[i].text.strip().rstrip(CLOSING_MARKS)
        if last:
            return last.endswith("?")
    return False


def _blocked(token: Token) -> bool:
    """Negated, hedged or conditional here or on the way up to the sentence's root."""
    node = token
    for _ in range(6):
        if _negated(node) or _hedged(node):
            return True
        if node.dep_ in ("advcl",) and any(
            c.dep_ == "mark" and c.lower_ in CONDITIONAL_MARKS for c in node.children
        ):
            return True
        if node.head is node:
            break
        if node.dep_ in ("xcomp", "ccomp", "advcl", "pcomp", "conj") and (
            node.head.lemma_ in CANCELLING
        ):
            return True
        if node.dep_ == "pcomp" and node.head.head.lemma_ in CANCELLING:
            return True  # "refrained from endorsing Y"
        if node.dep_ in ("ccomp", "relcl", "acl"):
            # A stance reported by someone else ("he said X backs Y") is still X's;
            # stop at the clause, its own negation is checked above.
            break
        node = node.head
    return _asked(token)


def _forms(lemma: str) -> set[str]:
    """The third-person and past forms of a regular verb (headlines use no others)."""
    if lemma.endswith("e"):
        return {lemma + "s", lemma + "d"}
    if lemma.endswith("y"):
        return {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    forms = {lemma + "s", lemma + "ed"}
    if lemma.endswith(("sh", "ch", "x", "ss")):
        forms = {lemma + "es", lemma + "ed"}
    elif len(lemma) <= 4 and lemma[-1] not in "aeiouwy" and lemma[-2] in "aeiou":
        forms.add(lemma + lemma[-1] + "ed")  # slam -> slammed, rip -> ripped
    return forms


VERB_FORMS = {form: lemma for lemma in VERBS for form in _forms(lemma)}
HEADLINE_ADVERBS = {"finally", "now", "also", "again", "formally", "officially", "openly"}


def _finite(verb: Token) -> bool:
    """A past tense, or a participle right after "has" (adverbs aside): a verb of its own
    clause, whatever the parser made of it."""
    if verb.tag_ == "VBD":
        return True
    if verb.tag_ != "VBN":
        return False
    before = verb.i - 1
    while before >= 0 and verb.doc[before].tag_ == "RB":
        before -= 1
    return before >= 0 and verb.doc[before].lemma_ == "have"


def _infinitive(verb: Token) -> bool:
    return any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)


def _agents(verb: Token) -> list[Token]:
    """The agents of a passive verb: X in "Y was condemned by X"."""
    return [
        pobj
        for c in verb.children
        if c.dep_ == "agent"
        for pobj in c.children
        if pobj.dep_ == "pobj"
    ]


def _conjuncts(token: Token) -> list[Token]:
    return [token, *token.conjuncts]


class _Finder:
    def __init__(
        self, doc: Doc, mentions: Sequence[EntityMention], quotes: Sequence[QuoteSpan] = ()
    ) -> None:
        self.doc = doc
        self.index = _Index(doc, mentions, quotes)
        self._texts: dict[int, str] = {}
        self.found: list[StanceSpan] = []
        self.cues_used: set[int | None] = set()
        self.cues: set[int] = set()  # the tokens read as cues so far
        self.seen: set[tuple[object, ...]] = set()
        # (sentence, cue token, holder, target, topic) of each suggestion, for "it"
        self.targets: list[tuple[int, int, str, EntityMention | None, tuple[int, int] | None]] = []

    def sentence_text(self, sent: Span) -> str:
        """A sentence's text, joined once and only when a suggestion is made in it (Doc.text
        would join every token of the article again on each call)."""
        if sent.start not in self._texts:
            self._texts[sent.start] = sent.text
        return self._texts[sent.start]

    # --- holders -------------------------------------------------------------------
    def holder(self, token: Token) -> EntityMention | None:
        """The named actor a subject token stands for, or None when it is not one."""
        if token.lower_ in RELATIVES and token.head.dep_ == "relcl":
            token = token.head.head
            if token.lemma_.lower() in MESSAGES and token.dep_ == "dobj":
                # "X released a video that accuses Y": the message speaks for its author.
                authors = [c for c in token.head.children if c.dep_ == "nsubj"]
                if token.head.lemma_.lower() in PUBLISHING and len(authors) == 1:
                    token = authors[0]
        mention = self.index.named(token)
        if mention is not None:
            return mention if mention.kind in HOLDER_KINDS else None
        if _singular(token) in VOICES:
            # "Clinton's campaign slammed ...", "a Times editorial endorsed ..."
            for child in token.children:
                if child.dep_ in ("poss", "compound"):
                    owner = self.index.named(child)
                    if owner is not None and owner.kind in ("PERSON", "ORG"):
                        return owner
                if child.dep_ == "prep" and child.lower_ == "for":
                    if _singular(token) not in AGENTS_FOR:
                        continue
                    for pobj in child.children:
                        owner = self.index.named(pobj) if pobj.dep_ == "pobj" else None
                        if owner is not None and owner.kind in ("PERSON", "ORG"):
                            return owner
        if token.pos_ == "NOUN":
            owner = self.role_holder(token) or self.titled(token)
            if owner is not None:
                return owner
        if token.lower_ == "i":
            return self.quote_speaker(token) or self.index.quoted_by(token)
        if token.lower_ in PERSONAL:
            owner = self.reason_owner(token)
            if owner is not None:
                return owner
            subject = self.clause_subject(token)
            if subject is not None:
                # "He has been mild in his critiques": "his" is whoever "he" is
                return subject if isinstance(subject, EntityMention) else self.holder(subject)
            return (
                self.speaker_of_clause(token)
                or self.index.person_before(token)
                or (self.index.subject_before(token) if token.dep_ in ("nsubj", "poss") else None)
                or (self.index.last_speaker(token) if token.dep_ in ("nsubj", "poss") else None)
            )
        return None

    def role_holder(self, noun: Token) -> EntityMention | None:
        """An unnamed subject that a name stands for: the name in apposition ("the mayor of
        X, Y, backed Z" is Y's), else the organisation whose member or officer it is ("an
        officer from X", "the council of X", "X's executive director"): a body speaks
        through its officers. Not a person's ("Y's son"), nor an agent noun's owner ("X's
        critics" are not X)."""
        # the parser often hangs the name on the title's place: "the mayor of [X, Y]"
        places = _objects_of(noun, ("of",))
        for child in [*noun.children, *(c for p in places for c in p.children)]:
            if child.dep_ == "appos":
                named = self.index.named(child)
                if (
                    named is not None
                    and named.kind in HOLDER_KINDS
                    and (child.head.i == noun.i or named.kind == "PERSON")
                ):
                    return named
        if _singular(noun) in AGENT_NOUNS or _singular(noun) in NOT_MEMBERS:
            return None
        for child in noun.children:
            owners = [child] if child.dep_ == "poss" else []
            if child.dep_ == "prep" and child.lower_ in MEMBER_OF:
                owners = [c for c in child.children if c.dep_ == "pobj"]
            for owner in owners:
                named = self.index.named(owner)
                if named is not None and named.kind == "ORG":
                    return named
        return None

    def titled(self, noun: Token) -> EntityMention | None:
        """ "the senator", "the president": the one person the article has named with that
        title before ("Senator X", "President Y"), when it has named just one."""
        if noun.pos_ != "NOUN" or noun.tag_ != "NN" or not noun.is_lower:
            return None
        if not any(c.dep_ == "det" and c.lower_ == "the" for c in noun.children) or any(
            c.dep_ in ("poss", "compound", "amod", "prep", "nmod") for c in noun.children
        ):
            return None
        people = self.index.titled_before(noun)
        return people[0] if len({m.canonical for m in people}) == 1 else None

    def reason_owner(self, pronoun: Token) -> EntityMention | None:
        """ "X attacked Y for her support of Z": a possessive in the reason a verb gives
        is the verb's object's (binding within the clause, before any earlier name)."""
        noun = pronoun.head
        if pronoun.dep_ != "poss" or noun.dep_ != "pobj" or noun.head.lower_ not in REASONS:
            return None
        verb = noun.head.head
        if verb.pos_ != "VERB":
            return None
        objects = [self.index.named(c) for c in verb.children if c.dep_ == "dobj"]
        if len(objects) == 1 and objects[0] is not None and objects[0].kind == "PERSON":
            return objects[0]
        return None

    def expand_holder(self, token: Token) -> list[Token]:
        """The tokens a holder stands for: an unnamed group's named members ("critics like
        X"), a relative pronoun's antecedent and the names it is in apposition to
        ("X and Y, two donors who back Z")."""
        if token.lower_ == "they" and token.dep_ == "nsubj" and _sent(token).start > 0:
            # "X and Y ... . They sent a letter opposing Z": the previous sentence's
            # subject, when it is two or more names joined (never a guess among groups).
            before = self.doc[_sent(token).start - 1].sent
            subjects = [t for t in before.root.children if t.dep_ == "nsubj"]
            if len(subjects) == 1:
                names = _conjuncts(subjects[0])
                if len(names) == 1:  # "Critics like X and Y": the named members
                    names = [t for t in self.expand_holder(names[0]) if t is not names[0]]
                if len(names) > 1 and all(self.index.named(t) for t in names):
                    return names
        if token.lower_ in RELATIVES and token.head.dep_ == "relcl":
            antecedent = token.head.head
            if self.index.named(antecedent) is None and antecedent.dep_ == "appos":
                names = [t for t in _conjuncts(antecedent.head) if self.index.named(t)]
                if names:
                    return names
            if self.index.named(antecedent) is None and antecedent.pos_ == "NOUN":
                # "people who oppose Y, like X": the named members
                members = [t for t in self.expand_holder(antecedent) if t.i != antecedent.i]
                if members:
                    return members
        group = self.index.named(token)
        if group is not None and group.kind == "NORP" and token.pos_ == "PROPN":
            # "Democrats, including X, accused Y": the group and its named members
            return [token, *self.named_members(token)]
        if self.index.named(token) is None and token.pos_ == "NOUN":
            members = self.named_members(token)
            if members:
                return members
        return [token]

    def named_members(self, token: Token) -> list[Token]:
        """The named members a word lists ("X, including Y and Z", "people like Y")."""
        return [
            member
            for pobj in _objects_of(token, MEMBERS)
            for member in _conjuncts(pobj)
            if self.index.named(member) is not None
        ]

    def quote_speaker(self, pronoun: Token) -> EntityMention | None:
        """ "I oppose this bill," X said / X: I support Y: the named speaker of the quote
        holds what its "I" says (never a guess when the speaker is not named)."""
        node = pronoun.head
        for _ in range(3):
            if node.dep_ in ("conj", "xcomp") and node.head is not node:
                node = node.head
        speech = None
        if node.dep_ == "ccomp" and node.head.lemma_ in SPEECH:
            speech = node.head
        else:
            speech = next(
                (c for c in node.children if c.dep_ == "parataxis" and c.lemma_ in SPEECH), None
            )
        if speech is not None:
            # the speaker named, or "he"/"she" resolved as a holder is ('"I ...," she said')
            speakers = [
                self.holder(c) if c.lower_ in PERSONAL else self.index.named(c)
                for c in speech.children
                if c.dep_ == "nsubj"
            ]
            if len(speakers) == 1 and speakers[0] is not None and speakers[0].kind == "PERSON":
                return speakers[0]
            return None
        # "X: I support Y" (a headline or a transcript): the name before the colon.
        sent = _sent(pronoun)
        colon = next((t for t in sent if t.text == ":"), None)
        if colon is None or colon.i >= pronoun.i or colon.i == sent.start:
            return None
        first = self.index.named(sent[0])
        if first is None or first.kind != "PERSON":
            return None
        if any(self.index.named(t) is not first for t in self.doc[sent.start : colon.i]):
            return None
        return first

    def clause_subject(self, pronoun: Token) -> EntityMention | Token | None:
        """ "He has been mild in his critiques of Y", "X told me his support for Y": a
        possessive is its clause's subject's, when that is a person of its gender: the
        named one, or the subject pronoun to resolve in its place."""
        if pronoun.dep_ != "poss":
            return None
        verb = pronoun.head
        for _ in range(4):
            if verb.pos_ in ("VERB", "AUX") or verb.head is verb:
                break
            verb = verb.head
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        while not subjects and verb.dep_ == "conj" and verb.head is not verb:
            verb = verb.head  # "He has chosen ... and has been mild in his ..."
            subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if len(subjects) != 1 or subjects[0].i > pronoun.i:
            return None
        subject = subjects[0]
        wanted = PRONOUN_GENDER.get(pronoun.lower_)
        if subject.lower_ in PERSONAL:
            return subject if PRONOUN_GENDER.get(subject.lower_) == wanted else None
        found = self.index.named(subject)
        if found is None or found.kind != "PERSON":
            return None
        return found if self.index.gender.get(found.canonical, wanted) == wanted else None

    def speaker_of_clause(self, pronoun: Token) -> EntityMention | None:
        """ "X said he backs Y": the pronoun is the named speaker of the clause above."""
        clause = pronoun.head
        if clause.dep_ != "ccomp" or clause.head.lemma_ not in SPEECH:
            return None
        for child in clause.head.children:
            if child.dep_ == "nsubj":
                found = self.index.named(child)
                if found is not None and found.kind == "PERSON":
                    return found
        return None

    def subjects(self, verb: Token) -> list[Token]:
        """The verb's subjects, through conjoined verbs and carrying governors."""
        node = verb
        for _ in range(3):
            subjects = [c for c in node.children if c.dep_ in ("nsubj",)]
            if len(subjects) > 1:
                return []  # two subjects: a misparse ("X, whose paper is ..., is ...")
            if subjects:
                return [s for subject in subjects for s in _conjuncts(subject)]
            if node.dep_ == "conj" and node.head.pos_ in ("VERB", "AUX"):
                node = node.head
                continue
            if node.dep_ == "xcomp" and node.head.lemma_ in CARRYING:
                node = node.head
                continue
            if node.dep_ == "relcl" and node.head.pos_ == "PROPN":
                if any(t.lower_ == "whose" for t in node.subtree if t.i < node.i):
                    return []  # "X, whose paper backed Y": the paper's stance, not X's
                return [node.head]
            if node.dep_ == "acl" and node.tag_ == "VBG" and node.head.pos_ == "PROPN":
                # "X calling Y a liar" (a caption or a headline)
                return [node.head]
            message = node.head
            if (
                node.dep_ == "acl"
                and node.tag_ == "VBG"
                and message.lemma_.lower() in MESSAGES
                and message.dep_ == "dobj"
                and message.head.lemma_.lower() in PUBLISHING | {"write"}
            ):
                # "X issued a statement condemning Y": the message speaks for its author.
                node = message.head
                continue
            if node.dep_ == "pcomp" and node.head.dep_ == "prep" and node.tag_ == "VBG":
                # "X praised Y for opposing Z", "X accused Y of backing Z": the reason is
                # what the object did; "X criticised Y before ripping Z": the subject.
                verb = node.head.head
                if node.head.lower_ in REASONS | {"of"} and verb.pos_ == "VERB":
                    done_by = [c for c in verb.children if c.dep_ == "dobj"]
                    if done_by:
                        return [o for obj in done_by[:1] for o in _conjuncts(obj)]
                if node.head.lower_ in REASONS | {"of"} and verb.pos_ == "PROPN":
                    # the same, the reason hung on the last of the verb's objects
                    while verb.dep_ in ("conj", "appos") and verb.head.pos_ == "PROPN":
                        verb = verb.head
                    if verb.dep_ == "dobj" and verb.head.pos_ == "VERB":
                        named = _conjuncts(verb) + [
                            a for a in verb.children if a.dep_ == "appos" and a.pos_ == "PROPN"
                        ]
                        return list({t.i: t for n in named for t in _conjuncts(n)}.values())
                node = verb
                continue
            if node.dep_ == "advcl" and node.tag_ in ("VBD", "VBZ", "VBP"):
                # "... as X attacked Y", the conjunction misread as a preposition whose
                # object is the clause's subject
                misread = [
                    pobj
                    for prep in node.head.children
                    if prep.dep_ == "prep" and prep.lower_ in TEMPORAL and prep.i < node.i
                    for pobj in prep.children
                    if pobj.dep_ == "pobj" and self.index.named(pobj) is not None
                ]
                if len(misread) == 1:
                    return misread
            if node.dep_ == "advcl" and node.tag_ == "VBG" and node.head.pos_ == "VERB":
                # "X unloaded on Y, accusing Z of ..."
                node = node.head
                continue
            if node.dep_ in ("advcl", "acl", "relcl") and _infinitive(node):
                # "X went to Iowa to endorse Y", "X became the first member to endorse Y"
                head = node.head
                if head.dep_ == "attr" and head.head.lemma_ in ("be", "become"):
                    head = head.head
                if head.pos_ in ("VERB", "AUX"):
                    node = head
                    continue
            break
        return []

    # --- targets -------------------------------------------------------------------
    def topic(self, head: Token) -> tuple[int, int] | None:
        """The words of a topic target: the head and what modifies it, with a short
        participle or infinitive ("a measure authorizing X", "efforts to reduce X"), and
        when that is too long, the head and the words before it."""
        if head.pos_ == "PRON" or head.lower_ in PERSONAL or head.lower_ in PRONOUN_HEADS:
            return None
        # The whole noun phrase when it is short ("critics who called the remarks sexist",
        # "criticism of his performance at the debate"), else without its relative clause
        # and other prepositions than "of".
        wide = self.topic_tokens(head, ("punct", "appos", "cc", "conj", "advcl"))
        # not past a comma or a dash after the head, nor over the cue's own clause ("the
        # programs that X supports", "the bill, backed by X" are on the programs, the bill)
        ends = [
            t.i
            for t in self.doc[head.i + 1 : wide[-1].i]
            if t.text in PHRASE_ENDS and (t.text != "-" or t.whitespace_)
        ] + [
            child.left_edge.i
            for child in head.rights
            if any(t.i in self.cues for t in child.subtree)
        ]
        cut = min(ends, default=len(self.doc))
        wide = [t for t in wide if t.i < cut]
        if len(wide) <= TOPIC_MAX_TOKENS:
            return wide[0].idx, wide[-1].idx + len(wide[-1].text)
        skip = ("relcl", "punct", "appos", "cc", "conj", "advcl", "prep")
        tokens = [head]
        for child in head.children:
            if child.dep_ in skip and not (
                child.dep_ == "prep" and child.lower_ == "of" and child.i > head.i
            ):
                continue
            if child.dep_ == "amod" and child.pos_ == "VERB" and child.i in self.cues:
                continue  # the cue, a verb misread as the noun's adjective
            tokens.extend(child.subtree)
        tokens = [t for t in tokens if (not t.is_punct or t.i < head.i) and t.i < cut]
        for child in head.lefts:
            if child.dep_ == "amod" and child.pos_ == "VERB" and child.i in self.cues:
                tokens = [t for t in tokens if t.i > child.i]  # only what the cue is aimed at
        tokens.sort(key=lambda t: t.i)
        while tokens and (tokens[0].dep_ == "det" or tokens[0].is_punct):
            tokens = tokens[1:]
        if len(tokens) > TOPIC_MAX_TOKENS:
            tokens = [t for t in tokens if t.i <= head.i]
        if not tokens or len(tokens) > TOPIC_MAX_TOKENS:
            return None
        first, last = tokens[0], tokens[-1]
        return first.idx, last.idx + len(last.text)

    def topic_tokens(self, head: Token, skip: tuple[str, ...]) -> list[Token]:
        """The head and the words of its children but those of the `skip` relations (and
        of the cue, a verb misread as its adjective), in order, from the first word that
        is neither a determiner nor punctuation, ending at a word."""
        tokens = [head]
        for child in head.children:
            if child.dep_ in skip:
                continue
            if child.dep_ == "amod" and child.pos_ == "VERB" and child.i in self.cues:
                continue
            if child.i < head.i and child.dep_ in ("relcl", "prep", "acl"):
                continue
            tokens.extend(child.subtree)
        for child in head.lefts:
            if child.dep_ == "amod" and child.pos_ == "VERB" and child.i in self.cues:
                tokens = [t for t in tokens if t.i > child.i]
        tokens.sort(key=lambda t: t.i)
        while tokens and (tokens[0].dep_ == "det" or tokens[0].is_punct):
            tokens = tokens[1:]
        while tokens and tokens[-1].is_punct:
            tokens = tokens[:-1]
        return tokens or [head]

    def target(
        self, head: Token, holders: frozenset[str] = frozenset()
    ) -> tuple[EntityMention | None, tuple[int, int] | None]:
        mention = self.index.named(head)
        if mention is not None:
            return mention, None
        if head.lower_ in PERSONAL:
            # "X backed her": the one other person named just before, or nobody.
            return self.index.person_before(head, holders), None
        if head.lower_ == "me":
            # '"X is spending a fortune on ads against me," Y said': the speaker
            return self.index.quoted_by(head), None
        if head.lower_ in PRONOUN_HEADS or head.lower_ in NOTHING:
            return None, None
        for child in head.children:
            if child.dep_ == "poss":
                owner = self.index.named(child)
                if owner is None and child.lower_ in PERSONAL and head.lemma_ in OWNED:
                    # "X attacked his campaign": the one other person named just before
                    owner = self.index.person_before(child, holders)
                if owner is not None and owner.kind in PEOPLE:
                    return owner, self.topic(head)
        for child in head.children:
            if child.dep_ == "appos":
                # "the Russian president, Vladimir Putin"
                named = self.index.named(child)
                if named is not None and named.kind in PEOPLE:
                    return named, None
        titled = self.titled(head)
        if titled is not None and titled.canonical not in holders:
            return titled, None
        if head.lemma_.lower() in STANCE_TOPICS:
            # "the efforts by X", "the plan of X": a stance on what X did or said is on X.
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ in ("of", "by"):
                    for pobj in child.children:
                        maker = self.index.named(pobj)
                        if pobj.dep_ == "pobj" and maker is not None and maker.kind in PEOPLE:
                            return maker, self.topic(head)
        if head.lemma_ in OWNED:
            # "the presidential bid of Donald Trump": the stance is on its owner.
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ == "of":
                    for pobj in child.children:
                        owner = self.index.named(pobj)
                        if pobj.dep_ == "pobj" and owner is not None and owner.kind in PEOPLE:
                            return owner, self.topic(head)
        return None, self.topic(head)

    # --- suggestions ---------------------------------------------------------------
    def add(
        self,
        cue: Token,
        polarity: str,
        holders: Iterable[Token],
        objects: Iterable[Token],
        *,
        ambiguous: bool = False,
        conjoined: bool = True,
    ) -> None:
        tokens = [t for h in holders for t in self.expand_holder(h)]
        holder_mentions = [m for m in (self.holder(h) for h in tokens) if m is not None]
        if not holder_mentions:
            return
        names = frozenset(m.canonical for m in holder_mentions)
        for obj in objects:
            if obj.lower_ in RELATIVES | {"whom"} and obj.head.dep_ == "relcl":
                obj = obj.head.head  # "the programs that X supports": the antecedent
            for head in _conjuncts(obj) if conjoined else [obj]:
                self.cues.add(cue.i)
                target, topic = self.target(head, names)
                if target is None and topic is None and head.lower_ in REFERRING:
                    target, topic = self.antecedent(cue, names)
                if target is None and topic is None:
                    continue
                if (
                    ambiguous
                    and (target is None or target.kind not in ("PERSON", "ORG"))
                    and not (target is None and head.lemma_.lower() in STANCE_TOPICS)
                ):
                    continue
                for holder in holder_mentions:
                    if ambiguous and holder.kind not in ("PERSON", "ORG"):
                        continue
                    self.emit(cue, polarity, holder, target, topic)

    def antecedent(
        self, cue: Token, holders: frozenset[str]
    ) -> tuple[EntityMention | None, tuple[int, int] | None]:
        """ "X, who had championed the pact, opposed it": "it" is what the same holder took
        a stance on earlier in the same sentence; nothing when that is not one thing."""
        earlier = {
            (target.canonical if target else None, topic): (target, topic)
            for sent, at, holder, target, topic in self.targets
            if sent == _sent(cue).start and at < cue.i and holder in holders
        }
        if len(earlier) != 1:
            return None, None
        return next(iter(earlier.values()))

    def emit(
        self,
        cue: Token,
        polarity: str,
        holder: EntityMention,
        target: EntityMention | None,
        topic: tuple[int, int] | None,
    ) -> None:
        if target is not None and target.canonical == holder.canonical:
            return
        sent = _sent(cue)
        text, offset = self.sentence_text(sent), sent.start_char
        start, end = _evidence(text, offset, cue.idx)
        # A holder across a line break is in a caption or a headline, not the sentence
        # (pronouns resolved to an earlier sentence excepted).
        holder_here = sent.start_char <= holder.start < sent.end_char
        if holder_here and not start <= holder.start < end:
            return
        target_text = text[topic[0] - offset : topic[1] - offset] if topic else ""
        key = (sent.start, holder.canonical, target.canonical if target else target_text, polarity)
        if key in self.seen:
            return
        self.seen.add(key)
        self.targets.append((sent.start, cue.i, holder.canonical, target, topic))
        self.found.append(
            StanceSpan(
                start=start,
                end=end,
                text=text[start - offset : end - offset],
                holder=holder.canonical,
                holder_kind=holder.kind,
                holder_start=holder.start,
                holder_end=holder.end,
                polarity=polarity,
                cue=cue.text,
                cue_start=cue.idx,
                cue_end=cue.idx + len(cue.text),
                target=target.canonical if target else None,
                target_kind=target.kind if target else None,
                target_text=target_text[:300],
            )
        )

    def verb(self, token: Token) -> None:
        lemma = token.lemma_.lower()
        if token.dep_ == "amod":
            if token.tag_ in ("VBG", "VBN") and token.i >= 2 and token.nbor(-1).text == "-":
                self.hyphenated(token, lemma)
                return
            self.misparsed_verb(token, lemma)
            return
        if lemma not in VERBS and lemma not in PREP_LEMMAS and lemma not in DEMANDING:
            if lemma in valences():
                self.valenced_verb(token, lemma)
            elif lemma in SPEECH:
                self.verdict(token)
            return  # most verbs: the cheap test first
        if token.pos_ not in ("VERB",) or _blocked(token):
            return
        if lemma in DEMANDING:
            self.demanding(token)
            if lemma == "call":
                self.calling(token)
            return
        polarity = VERBS.get(lemma)
        if polarity is not None:
            particles = [c for c in token.children if c.dep_ == "prt"]
            if particles and not (lemma == "back" and [p.lower_ for p in particles] == ["up"]):
                return
            needed = NEEDS_PREP.get(lemma)
            if needed and not any(c.dep_ == "prep" and c.lower_ == needed for c in token.children):
                return
            # A stated reason ("slammed X for Y", "attacked X as Y") makes it a stance.
            reasoned = any(c.dep_ == "prep" and c.lower_ in REASONS for c in token.children)
            # "blamed the media for Y" names who is at fault, whatever the object.
            ambiguous = (lemma in AMBIGUOUS_VERBS or lemma in ACTOR_ONLY_VERBS) and not reasoned
            objects = [c for c in token.children if c.dep_ == "dobj"][:1]
            described = self.described(token)
            if described is not None:
                # "the bill, backed by X", "a coalition led by Y and backed by X"
                agents = _agents(token)
                if agents:
                    self.add(
                        token,
                        polarity,
                        [a for agent in agents for a in _conjuncts(agent)],
                        [described],
                        ambiguous=ambiguous,
                        conjoined=False,
                    )
                return
            passive = any(c.dep_ == "nsubjpass" for c in token.children)
            if passive:
                agents = _agents(token)
                targets = [c for c in token.children if c.dep_ == "nsubjpass"]
                if agents:
                    self.add(
                        token,
                        polarity,
                        [a for agent in agents for a in _conjuncts(agent)],
                        targets,
                        ambiguous=ambiguous,
                    )
                return
            if lemma in TOPIC_ONLY_VERBS:
                objects = [o for o in objects if self.index.named(o) is None and o.pos_ == "NOUN"]
            if objects:
                self.add(
                    token,
                    polarity,
                    self.subjects(token),
                    objects,
                    ambiguous=ambiguous,
                )
            if objects or not any((lemma, c.lower_) in PREP_VERBS for c in token.children):
                return
            # no object: "ripped into Y" is the preposition's
        for child in token.children:
            if child.dep_ != "prep":
                continue
            polarity = PREP_VERBS.get((lemma, child.lower_))
            if polarity is None and child.lower_ == "in" and lemma in ("speak", "come", "vote"):
                polarity = _in_favor(child)
                objects = _favored(child)
            elif polarity is None and child.lower_ == "on" and lemma in BEHALF_VERBS:
                # "X campaigned on behalf of Y", "X spoke on Y's behalf"
                objects = [
                    owner
                    for behalf in child.children
                    if behalf.dep_ == "pobj" and behalf.lower_ == "behalf"
                    for owner in _owners(behalf)
                ]
                polarity = SUPPORT if objects else None
            else:
                objects = [c for c in child.children if c.dep_ == "pobj"]
            if polarity is not None and lemma in ("campaign", "vote"):
                # "voted for the bill", not "campaigned for the November election"
                objects = [
                    o for o in objects if self.index.named(o) or o.lemma_.lower() in STANCE_TOPICS
                ]
            if polarity is not None and objects:
                self.add(token, polarity, self.subjects(token), objects)

    def modified_holder(self, noun: Token) -> Token | None:
        """The actor a noun phrase's modifier describes: the noun when it is named, the
        name it is a title of ("the anti-war senator X") or in apposition with ("X, a
        pro-Y group"), or the named members it lists ("groups like X")."""
        if self.index.named(noun) is not None:
            return noun
        if noun.dep_ in ("compound", "appos") and self.index.named(noun.head) is not None:
            return noun.head
        for child in noun.children:
            if child.dep_ == "appos" and self.index.named(child) is not None:
                return child
        members = self.expand_holder(noun)
        return members[0] if members and members[0].i != noun.i else None

    def prefixed(self, prefix: Token) -> None:
        """ "anti-war Democrats", "X, a pro-Y group": the actor the adjective describes
        opposes (supports) what follows the hyphen."""
        doc = self.doc
        if prefix.i + 2 >= len(doc) or doc[prefix.i + 1].text not in ("-", "\u2011"):
            return
        aimed = doc[prefix.i + 2]
        named = self.index.named(prefix)
        if named is not None and named.end > aimed.idx + len(aimed.text):
            return  # a name that holds the prefix: "the Anti-X League"
        noun = prefix.head
        if noun.pos_ not in ("NOUN", "PROPN") or noun.i <= aimed.i or aimed.head.i != noun.i:
            return
        holder = self.modified_holder(noun)
        if holder is None or _blocked(noun):
            return
        polarity = PREFIXES[prefix.lower_]
        named = self.index.named(aimed)
        if named is not None and _inside(named, prefix):
            # the recogniser took "Anti-X" for one name: the stance is on X, in words
            actor = self.holder(holder)
            if actor is not None:
                self.cues.add(prefix.i)
                self.emit(prefix, polarity, actor, None, (aimed.idx, named.end))
            return
        self.add(prefix, polarity, [holder], [aimed], conjoined=False)

    def retort(self, particle: Token) -> None:
        """ "X hit back at Y", "X fired back at Y's remarks", "X lashed out against Y": a
        verb turned back or out at someone is aimed against them, whatever the verb (kept
        to people and organisations, or a stance topic, as an ambiguous verb is)."""
        verb = particle.head
        if verb.pos_ != "VERB" or _blocked(verb):
            return
        objects = _objects_of(verb, RETORT_PREPS, after=particle.i)
        if objects:
            self.add(verb, OPPOSE, self.subjects(verb), objects, ambiguous=True)

    @staticmethod
    def described(participle: Token) -> Token | None:
        """The noun a past participle describes after it ("the bill, backed by X"), also
        through a participle it is conjoined to ("led by Y and backed by X")."""
        if participle.tag_ != "VBN":
            return None
        node = participle
        if node.dep_ == "conj" and node.head.tag_ == "VBN":
            node = node.head
        if node.dep_ == "acl" and node.head.pos_ in ("NOUN", "PROPN"):
            return node.head
        return None

    def hyphenated(self, participle: Token, lemma: str) -> None:
        """ "the Y-supporting X", "a Y-bashing X": the noun the participle describes takes
        the verb's stance on the word before the hyphen; "the Y-backed X": Y takes it on
        the noun."""
        polarity = VERBS.get(lemma) or _valence_polarity(lemma)
        noun = participle.head
        before = participle.nbor(-2)
        if polarity is None or noun.pos_ not in ("NOUN", "PROPN") or noun.i < participle.i:
            return
        if before.is_punct:
            return
        if participle.tag_ == "VBN":
            self.add(participle, polarity, [before], [noun], ambiguous=True, conjoined=False)
            return
        holder = self.modified_holder(noun)
        if holder is not None:
            self.add(participle, polarity, [holder], [before], conjoined=False)

    def misparsed_verb(self, token: Token, lemma: str) -> None:
        """A verb the parser took for an adjective of the noun after it ("Trump dismissed
        critics who ...", "X, who has assailed policies of Y"): a past tense or participle
        right after a named actor (or "who" after one), or after "has"."""
        polarity = VERBS.get(lemma) or _valence_polarity(lemma)
        noun = token.head
        if polarity is None or noun.i <= token.i or noun.pos_ not in ("NOUN", "PROPN"):
            return
        before = token.i - 1
        while before >= 0 and self.doc[before].tag_ == "RB":
            before -= 1
        if token.tag_ == "VBN" and _finite(token):
            before -= 1  # "has"
        elif token.tag_ not in ("VBD", "VBN"):
            return
        if before < 0 or self.doc[before].is_punct:
            return
        subject = self.doc[before]
        if subject.lower_ == "who" and before > 0:
            subject = self.doc[before - 1]
            if subject.is_punct and before > 1:
                subject = self.doc[before - 2]  # "X, who has assailed ..."
        if self.index.named(subject) is None or _negated(noun) or _asked(token):
            return
        if noun.dep_ == "poss" and noun.head.i > noun.i:
            noun = noun.head  # "Biden rubbished Trump's claim"
        ambiguous = lemma in AMBIGUOUS_VERBS or lemma in ACTOR_ONLY_VERBS or lemma not in VERBS
        if lemma in TOPIC_ONLY_VERBS and self.index.named(noun) is not None:
            return
        self.add(token, polarity, [subject], [noun], ambiguous=ambiguous)

    def verdict(self, speech: Token) -> None:
        """ "X said Y is a fraud", "'Y is a disgrace,' X said": a name given to an actor or
        a stance topic in the speaker's own reported words."""
        clauses = [c for c in speech.children if c.dep_ == "ccomp"]
        if speech.dep_ == "parataxis":
            clauses.append(speech.head)
        for clause in clauses:
            if clause.lemma_ != "be" or _negated(clause) or _hedged(clause):
                continue
            subjects = [c for c in clause.children if c.dep_ == "nsubj"]
            names = [
                n for c in clause.children if c.dep_ in ("attr", "acomp") for n in _conjuncts(c)
            ]
            polarities = {p for p in map(_verdict_polarity, names) if p is not None}
            if len(subjects) == 1 and len(polarities) == 1 and not _blocked(speech):
                cue = next(n for n in names if _verdict_polarity(n) is not None)
                holders = self.subjects(speech)
                if any(subjects[0] in _conjuncts(h) for h in holders):
                    continue
                self.add(cue, polarities.pop(), holders, subjects, ambiguous=True)

    def valenced_verb(self, token: Token, lemma: str) -> None:
        """A verb outside the stance lexicon whose general valence is strongly signed:
        between named people or organisations, or on a stance topic, with no particle
        ("X scorned Y", "X smeared the report", not "X fired his aide")."""
        polarity = _valence_polarity(lemma)
        if polarity is None or token.pos_ != "VERB" or _blocked(token):
            return
        if any(c.dep_ == "prt" for c in token.children):
            return
        if any(c.dep_ == "nsubjpass" for c in token.children):
            # "Y was scorned by X": only with the agent named
            agents = _agents(token)
            targets = [c for c in token.children if c.dep_ == "nsubjpass"]
            if agents:
                self.add(token, polarity, _conjuncts(agents[0]), targets, ambiguous=True)
            return
        objects = [c for c in token.children if c.dep_ == "dobj"][:1]
        if objects:
            self.add(token, polarity, self.subjects(token), objects, ambiguous=True)

    def demanding(self, token: Token) -> None:
        """ "X called on Y to resign", "X urged Y to step down", "X called for the repeal of
        Y", "X demanded Y's resignation": asking for the end of Y opposes Y."""
        objects: list[Token] = []
        addressees = [c for c in token.children if c.dep_ == "dobj"] + _objects_of(token, ("on",))
        for clause in token.subtree:
            if clause.lemma_ in QUITTING and _infinitive(clause) and not _negated(clause):
                particles = {c.lower_ for c in clause.children if c.dep_ == "prt"}
                if QUITTING[clause.lemma_] <= particles and len(addressees) == 1:
                    objects = addressees
                break
        if not objects:
            asked = [c for c in token.children if c.dep_ == "dobj"] + _objects_of(token, ("for",))
            for noun in asked:
                if noun.lemma_.lower() not in ENDINGS:
                    continue
                objects += [c for c in noun.children if c.dep_ == "poss"]
                objects += _objects_of(noun, ("of",))
        if objects:
            self.add(token, OPPOSE, self.subjects(token), objects)

    def calling(self, token: Token) -> None:
        """ "X called Y a liar", "X called the plan dangerous": the name given to the
        object says the stance."""
        objects = [c for c in token.children if c.dep_ == "dobj"]
        names = [c for c in token.children if c.dep_ in ("oprd", "xcomp", "ccomp", "attr")]
        if len(objects) == 2 and not names:
            objects, names = objects[:1], objects[1:]  # "called Y a liar", parsed twice
        elif not objects and len(names) == 1 and self.index.named(names[0]) is not None:
            # "calling Y a liar" parsed as Y the complement and the name Y's object
            objects = names
            names = [c for c in names[0].children if c.dep_ in ("dobj", "attr", "appos")]
        if len(objects) != 1 or len(names) != 1:
            return
        name = names[0]
        words = [name, *(c for c in name.children if c.dep_ in ("amod", "compound"))]
        polarities = {
            CALLING_NAMES[w.lemma_.lower()] for w in words if w.lemma_.lower() in CALLING_NAMES
        }
        if not polarities:
            # a name outside the list whose general valence is strong: "called Y a menace
            # to democracy", "called the plan pathetic"
            polarities = {
                p for p in (_word_polarity(w.lemma_.lower()) for w in words) if p is not None
            }
        if len(polarities) != 1 or _negated(name):
            return
        self.add(token, polarities.pop(), self.subjects(token), objects)

    def noun(self, token: Token) -> None:
        if token.dep_ == "pobj" and token.lower_ in IN_FAVOR and token.head.lower_ == "in":
            self.in_favor(token)
            return
        polarity = NOUNS.get(token.lemma_.lower())
        if polarity is not None:
            self.stance_noun(token, polarity)
            return
        if token.lemma_.lower() in AD_NOUNS:
            self.ads_against(token)
            return
        polarity = FOR_NOUNS.get(token.lemma_.lower())
        if polarity is not None:
            self.stance_noun(token, polarity, preps=frozenset({"for"}))
            return
        polarity = AGENT_NOUNS.get(token.lemma_.lower())
        if polarity is not None:
            self.agent_noun(token, polarity)
            return
        value = valences().get(token.lemma_.lower())
        if value is not None and value <= -VALENCE_MIN and token.lemma_.lower() not in HARM:
            # "X's hostility toward Y", "X's contempt against Y", "X's jabs at Y": a
            # strongly negative noun aimed at an actor or a stance topic
            self.stance_noun(token, OPPOSE, preps=AIMING, ambiguous=True)

    def in_favor(self, noun: Token) -> None:
        """ "X testified in favor of Y", "X held a rally in support of Y", "X wrote a letter
        in opposition to Y": whoever did what the phrase is attached to (the verb, or the
        verb whose object it qualifies) takes that side."""
        prep = noun.head
        polarity, objects = _in_favor(prep), _favored(prep)
        verb = prep.head
        if verb.pos_ == "NOUN" and verb.dep_ == "dobj":
            if any(c.dep_ == "poss" for c in verb.children):
                return  # "X called her vote in favor of Y a mistake": her act, judged
            verb = verb.head  # "held a rally in support of Y"
        if polarity is None or not objects or verb.pos_ != "VERB":
            return
        if verb.lemma_ in ("speak", "come", "vote"):
            return  # read by Finder.verb
        if prep.head.i == verb.i and verb.lemma_ in DEMANDING:
            return  # "X called her vote in favor of Y a mistake": on what is called, asked
        if _blocked(verb):
            return
        self.add(noun, polarity, self.subjects(verb), objects)

    def ads_against(self, token: Token) -> None:
        """ "X ran ads against Y", "X's ads against Y", "X is spending a fortune on ads
        against Y": whoever puts the ads out opposes Y."""
        objects = _objects_of(token, ("against",))
        if not objects:
            return
        owners = [c for c in token.children if c.dep_ == "poss"]
        if owners:
            if not _asked(token):
                self.add(token, OPPOSE, owners, objects, ambiguous=True)
            return
        verb = token.head
        if token.dep_ == "pobj" and verb.lower_ == "on":
            verb = verb.head  # "spent $2 million on ads against Y"
        elif token.dep_ != "dobj":
            return
        if verb.pos_ == "VERB" and not _blocked(verb):
            self.add(token, OPPOSE, self.subjects(verb), objects, ambiguous=True)

    def stance_noun(
        self,
        token: Token,
        polarity: str,
        *,
        preps: frozenset[str] = NOUN_PREPS,
        ambiguous: bool = False,
    ) -> None:
        if any(c.lower_ in NEGATIONS or c.lower_ in ("non", "little", "less") for c in token.lefts):
            return
        if token.i > 0 and token.nbor(-1).lower_ in ("non", "non-", "-"):
            return
        objects = [
            pobj
            for child in token.children
            if child.dep_ == "prep"
            and child.lower_ in preps
            and not (child.lower_ == "behind" and token.lemma_.lower() not in SUPPORT_BEHIND)
            for pobj in child.children
            if pobj.dep_ == "pobj"
        ]
        if not objects and token.lemma_.lower() in ACCUSING:
            # "X's accusation that Y did Z": the accused, the clause's subject
            objects = [
                subject
                for clause in token.children
                if clause.dep_ in ("acl", "ccomp")
                and any(c.dep_ == "mark" and c.lower_ == "that" for c in clause.children)
                for subject in clause.children
                if subject.dep_ == "nsubj" and self.index.named(subject) is not None
            ]
        if not objects and token.dep_ == "dobj" and token.lemma_.lower() in SUPPORT_BEHIND:
            # "threw its support behind Y", the preposition on the verb
            objects = _objects_of(token.head, ("behind",))
        verb = token.head
        if (
            token.dep_ == "dobj"
            and verb.lemma_.lower() in RECEIVING
            and not any(c.dep_ == "poss" for c in token.children)
            and not _blocked(verb)
        ):
            # "X drew praise from Y", "X won support from Y": Y's stance on X (the
            # parser hangs the "from" on either word).
            senders = _objects_of(token, ("from",)) + _objects_of(verb, ("from",))
            if senders:
                self.add(token, polarity, senders, self.subjects(verb), ambiguous=ambiguous)
                return
        if not objects:
            self.answered(token, polarity, ambiguous=ambiguous)
            return
        ambiguous = ambiguous or token.lemma_.lower() in AMBIGUOUS_NOUNS
        light = token.dep_ == "dobj" and token.head.lemma_.lower() in LIGHT_VERBS
        # "X threw its support behind Y": a pronoun owner of a light verb's object is
        # the verb's subject, which names it.
        owners = [
            c for c in token.children if c.dep_ == "poss" and not (light and c.pos_ == "PRON")
        ]
        agents = _objects_of(token, ("by", "from"))
        if agents and not _asked(token):
            # "criticism of X by Y"
            self.add(token, polarity, agents, objects, ambiguous=ambiguous)
            return
        verb = token.head
        if (
            token.dep_ == "dobj"
            and verb.lemma_.lower() in RECEIVING
            and not _blocked(verb)
            and not owners
        ):
            # "X won the endorsement of Y", "X drew praise from Y": Y supports X.
            holders = [o for o in objects if o.head.lower_ == "of"]
            self.add(token, polarity, holders, self.subjects(verb), ambiguous=ambiguous)
            return
        if owners:
            if token.dep_ in ("dobj", "pobj", "nsubj", "nsubjpass", "ROOT", "attr") and not (
                _blocked(token.head)
                if token.dep_ in ("dobj", "nsubj", "nsubjpass")
                else _asked(token)
            ):
                self.add(token, polarity, owners, objects, ambiguous=ambiguous)
            return
        verb = token.head
        if token.dep_ == "dobj" and verb.lemma_.lower() in LIGHT_VERBS and not _blocked(verb):
            self.add(token, polarity, self.subjects(verb), objects, ambiguous=ambiguous)

    def answered(self, token: Token, polarity: str, *, ambiguous: bool = False) -> None:
        """ "X shrugged off attacks from Y", "X rejected criticism by Y", "X responded to
        praise from Y": a stance noun with its author and no target of its own, which the
        subject of the verb it is the object of meets, is aimed at that subject."""
        if any(c.dep_ == "poss" for c in token.children):
            return
        agents = _objects_of(token, ("by", "from"))
        verb = token.head
        if token.dep_ == "pobj" and verb.lower_ == "to":
            verb = verb.head  # "responded to criticism from Y"
        elif token.dep_ != "dobj":
            return
        if not agents or verb.pos_ != "VERB" or _blocked(verb):
            return
        if any(c.dep_ in ("acl", "ccomp", "relcl") for c in token.children):
            return  # "criticism from Y that Z did ...": aimed at what the clause says
        ambiguous = ambiguous or token.lemma_.lower() in AMBIGUOUS_NOUNS
        self.add(token, polarity, agents, self.subjects(verb), ambiguous=ambiguous)

    def agent_noun(self, token: Token, polarity: str) -> None:
        # "ally of Y", and "the president and ally of Y", where the parser hangs the "of"
        # on the first of the two nouns (it comes after this one, so it is this one's too)
        owners = [token, token.head] if token.dep_ == "conj" else [token]
        # "a champion for Y", "an advocate for Y"
        preps = {"of", "for"} if token.lemma_.lower() in ADVOCATES else {"of"}
        objects = [pobj for noun in owners for pobj in _objects_of(noun, preps, after=token.i)]
        # "Y's supporters": the owner is the target.
        objects += [c for c in token.children if c.dep_ == "poss" and self.index.named(c)]
        # "Obama critic X", "a Putin ally": the name before the noun is the target.
        before = [c for c in token.children if c.dep_ == "compound" and c.i < token.i]
        named = [self.index.named(c) for c in before]
        if before and all(m is not None and m.kind in NAMED_BEFORE for m in named):
            objects += before[-1:]
        conjoined = True
        if not before and token.dep_ == "compound" and token.i > 0:
            # the same, the name misparsed ("billionaire and Trump critic X")
            previous = self.doc[token.i - 1]
            mention = self.index.named(previous)
            if mention is not None and mention.kind in NAMED_BEFORE and previous.pos_ == "PROPN":
                before = [previous]
                objects = before  # only the name, not what the parser conjoined it with
                conjoined = False
        if not objects or any(c.lower_ in ("former", "ex") for c in token.lefts):
            return
        # "supporters of Y, such as X and Z" (the parser may hang "such as" on Y; only
        # people are members then)
        members = [
            member
            for noun in [token, *objects]
            for prep in noun.children
            if prep.dep_ == "prep"
            and (prep.lower_ in MEMBERS or (prep.lower_ == "as" and prep.nbor(-1).lower_ == "such"))
            for pobj in prep.children
            if pobj.dep_ == "pobj"
            for member in _conjuncts(pobj)
            if (found := self.index.named(member)) is not None
            and (noun is token or found.kind == "PERSON")
        ]
        if members and token.tag_ == "NNS":
            self.add(token, polarity, members, objects, conjoined=conjoined)
            return
        node = token
        while (
            node.dep_ == "pobj"
            and node.head.lower_ == "of"
            and node.head.head.lemma_.lower() in GROUPS
            and node.head.head.dep_ == "pobj"
        ):
            node = node.head.head  # "one of a clutch of supporters of Y"
        if node.dep_ == "pobj" and node.head.lower_ == "of" and node.head.head.lower_ == "one":
            # "X, one of Y's supporters", "X is one of the critics of Y"
            node = node.head.head
            if node.dep_ == "appos":
                self.add(token, polarity, [node.head], objects, conjoined=conjoined)
            elif node.dep_ == "attr" and node.head.lemma_ == "be" and not _blocked(node.head):
                self.add(token, polarity, self.subjects(node.head), objects, conjoined=conjoined)
            return
        while node.dep_ == "conj" and node.head.pos_ == "NOUN":
            # "X, the former president and ally of Y"
            node = node.head
        if node.dep_ == "appos":
            self.add(token, polarity, [node.head], objects, conjoined=conjoined)
        elif node.dep_ == "compound" and node.i < node.head.i:
            # "longtime Obama critic X": the noun is a title before the holder's name.
            holder = self.index.named(node.head)
            if holder is not None and holder.kind == "PERSON" and self.index.named(node) is None:
                self.add(token, polarity, _conjuncts(node.head), objects, conjoined=conjoined)
        elif node.dep_ == "attr" and node.head.lemma_ == "be" and not _blocked(node.head):
            self.add(token, polarity, self.subjects(node.head), objects, conjoined=conjoined)
        elif (
            token.dep_ == "nsubj"
            and token.head.lemma_ in ("include", "be")
            and not _blocked(token.head)
        ):
            # "Y's backers include X and Z", "Y's best-known critic is X"
            members = [
                c
                for c in token.head.children
                if c.dep_ in ("dobj", "attr") and self.index.named(c) is not None
            ]
            self.add(
                token,
                polarity,
                [n for c in members for n in _conjuncts(c)],
                objects,
                conjoined=conjoined,
            )
        elif before[-1:] == objects[-1:] and token.i + 1 < len(self.doc):
            # The title misparsed ("billionaire and Trump critic Mark Cuban"): the person
            # named right after the noun.
            after = self.doc[token.i + 1]
            holder = self.index.named(after)
            if holder is not None and holder.kind == "PERSON":
                self.add(token, polarity, [after], objects, conjoined=conjoined)

    def adjective(self, token: Token) -> None:
        polarity, preps = ADJECTIVES[token.lower_]
        verb = token.head
        if verb.lemma_ not in COPULAS or _negated(token) or _blocked(verb):
            return
        if any(c.lower_ in ("less", "least", "too") for c in token.children):
            return
        objects = _objects_of(token, preps)
        if objects:
            self.add(token, polarity, self.subjects(verb), objects)

    def headline(self, sent: Span) -> None:
        """A headline in title case ("Senator Backs Governor"), which the parser reads as
        one long name: an actor, a stance verb and an actor, side by side."""
        words = [t for t in sent if t.is_alpha]
        if len(words) < 3 or sum(t.text[0].isupper() for t in words) < 0.8 * len(words):
            return
        for token in sent:
            lemma = VERB_FORMS.get(token.lower_)
            if lemma is None or token.idx in self.cues_used:
                continue
            before = token.i - 1
            if before >= sent.start and self.doc[before].lower_ in HEADLINE_ADVERBS:
                before -= 1
            after = token.i + 1
            while after < sent.end and is_title_word(self.doc[after].text):
                after += 1
            if before < sent.start or after >= sent.end:
                continue
            if any(t.lower_ in NEGATIONS for t in self.doc[max(sent.start, before - 1) : token.i]):
                continue
            holder, target = self.index.named(self.doc[before]), self.index.named(self.doc[after])
            if holder is None or target is None or holder.kind not in HOLDER_KINDS:
                continue
            if target.kind != "PERSON":
                # "Backs House Speaker Paul Ryan": the body's title, then the person.
                after += 1
                while after < sent.end and self.index.named(self.doc[after]) is target:
                    after += 1
                titled = after
                while after < sent.end and is_title_word(self.doc[after].text):
                    after += 1
                person = self.index.named(self.doc[after]) if after < sent.end else None
                if after > titled and person is not None and person.kind == "PERSON":
                    target = person
            if lemma in AMBIGUOUS_VERBS and not {holder.kind, target.kind} <= {"PERSON", "ORG"}:
                continue
            if lemma in TOPIC_ONLY_VERBS:
                continue
            self.emit(token, VERBS[lemma], holder, target, None)

    def run(self) -> list[StanceSpan]:
        headline_cues: list[Token] = []
        doc = self.doc
        for i in _candidates(doc):
            token = doc[i]
            if token.pos_ == "VERB":
                self.verb(token)
            elif token.pos_ == "NOUN":
                self.noun(token)
            if token.lower_ in ADJECTIVES and token.dep_ == "acomp":
                self.adjective(token)
            if token.lower_ in PREFIXES:
                self.prefixed(token)
            elif token.lower_ in RETORT_PARTICLES and token.dep_ in ("prt", "advmod"):
                self.retort(token)
            if token.lower_ in VERB_FORMS:
                headline_cues.append(token)
        self.cues_used = {s.cue_start for s in self.found}
        # Only sentences holding a stance verb's form can be a stance headline.
        read: set[int] = set()
        for token in headline_cues:
            sent = _sent(token)
            if sent.start not in read:
                read.add(sent.start)
                self.headline(sent)
        return self.found


@cache
def _cue_words() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The lemmas a verb or a noun must have to be read at all, and the lower-case forms
    that make any word worth a look (stance adjectives, headline verb forms)."""
    # A verb in VADER's lexicon is read only if its valence makes it a stance; a verb of
    # speech only if it is not in the lexicon (Finder.verb reads it as valenced first).
    signed = {w for w in valences() if _valence_polarity(w) is not None}
    speech = {w for w in SPEECH if w not in valences()}
    verbs = frozenset(VERBS) | PREP_LEMMAS | DEMANDING | frozenset(speech) | frozenset(signed)
    negative = {w for w, v in valences().items() if v <= -VALENCE_MIN and w not in HARM}
    nouns = frozenset(NOUNS) | frozenset(AGENT_NOUNS) | frozenset(FOR_NOUNS) | frozenset(negative)
    nouns |= AD_NOUNS | frozenset(IN_FAVOR)
    forms = frozenset(ADJECTIVES) | frozenset(VERB_FORMS) | frozenset(PREFIXES)
    return verbs, nouns, forms | frozenset(RETORT_PARTICLES)


@cache
def _cue_ids() -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """The string ids of `_cue_words()` (lemmas also capitalised, as at a sentence's
    start): an id is the word's hash, the same in every string store."""
    verbs, nouns, forms = _cue_words()
    return (
        frozenset(get_string_id(v) for w in verbs for v in (w, w.capitalize())),
        frozenset(get_string_id(v) for w in nouns for v in (w, w.capitalize())),
        frozenset(get_string_id(w) for w in forms),
    )


def _candidates(doc: Doc) -> list[int]:
    """The indices of the doc's tokens that may be a cue, read off the doc's arrays: a
    Token object for each of an article's words costs more than the rules themselves.
    (A part of speech's string id is its symbol, which the POS array holds.)"""
    if not len(doc):
        return []
    verbs, nouns, forms = _cue_ids()
    strings = doc.vocab.strings
    table = doc.to_array(["POS", "LEMMA", "LOWER"])
    lemmas, lemma_at = numpy.unique(table[:, 1], return_inverse=True)
    lowers, lower_at = numpy.unique(table[:, 2], return_inverse=True)
    ids = lemmas.tolist()
    as_verb = numpy.array([i in verbs for i in ids], dtype=bool)[lemma_at.ravel()]
    as_noun = numpy.array([i in nouns for i in ids], dtype=bool)[lemma_at.ravel()]
    as_form = numpy.array([i in forms for i in lowers.tolist()], dtype=bool)[lower_at.ravel()]
    pos = table[:, 0]
    wanted = ((pos == strings["VERB"]) & as_verb) | ((pos == strings["NOUN"]) & as_noun) | as_form
    return [int(i) for i in numpy.flatnonzero(wanted)]


def _objects_of(token: Token, preps: Collection[str], *, after: int = -1) -> list[Token]:
    """The objects of the token's prepositions that are one of `preps` ("of", "against"),
    those after position `after` only, in the order of the sentence."""
    return [
        pobj
        for prep in token.children
        if prep.dep_ == "prep" and prep.lower_ in preps and prep.i > after
        for pobj in prep.children
        if pobj.dep_ == "pobj"
    ]


def _owners(noun: Token) -> list[Token]:
    """Whose the noun is: "Y's behalf", "behalf of Y"."""
    return [c for c in noun.children if c.dep_ == "poss"] + _objects_of(noun, ("of",))


IN_FAVOR = {"favor": SUPPORT, "favour": SUPPORT, "support": SUPPORT, "opposition": OPPOSE}


def _in_favor(prep: Token) -> str | None:
    """ "voted in favor of Y", "spoke in support of Y", "came out in opposition to Y"."""
    for pobj in prep.children:
        if pobj.dep_ == "pobj" and pobj.lower_ in IN_FAVOR:
            return IN_FAVOR[pobj.lower_]
    return None


def _favored(prep: Token) -> list[Token]:
    return [
        target
        for pobj in prep.children
        if pobj.dep_ == "pobj" and pobj.lower_ in IN_FAVOR
        for of in pobj.children
        if of.dep_ == "prep" and of.lower_ == ("to" if pobj.lower_ == "opposition" else "of")
        for target in of.children
        if target.dep_ == "pobj"
    ]


def _evidence(text: str, offset: int, at: int) -> tuple[int, int]:
    """The sentence `text` (starting at `offset` in the doc) around doc offset `at`, within
    its line (spaCy may run a caption or a headline into the next sentence), without
    surrounding white space; doc offsets."""
    at -= offset
    start = text.rfind("\n", 0, at) + 1
    line_end = text.find("\n", at)
    end = line_end if line_end >= 0 else len(text)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return offset + start, offset + max(end, start + 1)


def stances(
    doc: Doc, mentions: Sequence[EntityMention] = (), quotes: Sequence[QuoteSpan] = ()
) -> list[StanceSpan]:
    """The stances a doc states outright, in text order. `quotes` (the doc's, as the quote
    module finds them) tell who spoke last, for a "he" or "she" nothing nearer resolves."""
    _SENTENCES[id(doc)] = None
    try:
        found = _Finder(doc, mentions, quotes).run()
    finally:
        del _SENTENCES[id(doc)]
    return sorted(found, key=lambda s: (s.start, s.cue_start or 0))
