# ruff: noqa: RUF001 -- news typography (curly quotes, dashes) is what these patterns match.
"""The page-chrome lexicon: what web furniture looks like, as data.

Edit the tables, not the code. Each entry of LINE_PATTERNS is a regular expression that
must match a WHOLE line (case-insensitive) for the line to be removed with that reason.
A pattern should describe furniture only: it is tried on every line of every article, so
"Subscribe" alone is fine but "Subscribe.*" would eat a sentence that starts with it.
Context rules (captions before a credit line, video titles after a timestamp, the list
after "Related Articles", teasers, trailing junk, the title) live in clean.py.
"""

from __future__ import annotations

import re
from typing import Final

# reason -> whole-line patterns. The reason is what the admin sees in the import report.
LINE_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "advertisement": (
        r"advertisements?",
        r"sponsored(?: content| links?)?",
        r"story continues below(?: this)? advertisement",
        r"(?:scroll|continue) (?:down )?to continue(?: with content)?",
        r"<!--.*-->",  # an ad slot's HTML comment pasted as text
        r"google_ad_\w+ ?=.*",
    ),
    "subscription": (
        r"get more with \w+(?: \w+){0,2}",
        r"a personali[sz]ed news feed of stories that matter to you",
        r"learn more",
        r"subscribe(?: now| today| here)?(?:[ :,.!-].{0,80})?",
        r"sign up (?:for|to) (?:our|the|my) .{0,60}newsletters?.{0,80}",
        r"(?:get|receive) (?:our|the) .{0,40}newsletter.{0,60}",
        r"already (?:a subscriber|have an account)\??.{0,40}",
        r"(?:log|sign) ?in to (?:continue|read|comment).{0,40}",
    ),
    "loading": (
        r"loading ?(?:\.\.\.|…)?",
        r"(?:video|poll|gallery|content|comments|player) (?:is )?loading ?(?:\.\.\.|…)?.{0,80}",
    ),
    "read-more": (
        r"(?:(?:read|see|watch) (?:more|also)|also (?:read|see|watch)|don't miss|must read)"
        r" ?[:|–—-] ?.{1,200}",
        r"read (?:more|the full (?:story|article))(?: here)?\.?(?: ?»| ?>+)?",
        r"(?:click|tap) here (?:to|for) (?:read|see|watch|view|play|enlarge|subscribe).{0,80}",
        r"continue reading(?: the main story| below| here)?\.?",
    ),
    "related": (
        r"related(?: articles?| stories| content| coverage| news| topics| reading| posts"
        r"| links| videos?)?:?",
        r"see all related",
        r"more (?:stories|news|articles) (?:from|on|about) .{1,40}",
        r"(?:more|latest) (?:stories|news|articles|videos)",
        r"(?:you|we think you) (?:may|might|will) (?:also )?(?:like|enjoy|be interested in)\.?:?",
        r"recommended(?: for you| stories)?",
        r"(?:trending|most (?:read|popular|viewed|shared))(?: now| stories| this week)?",
        r"in other news:?",
    ),
    "comment-form": (
        r"leave a (?:reply|comment)",
        r"cancel reply",
        r"your email address will not be published\.?(?: ?required fields are marked \*)?",
        r"required fields are marked \*",
        r"post comment",
        r"submit comment",
        r"(?:name|e-?mail|website|comment)\s?\*",
        r"save my name, email, and website in this browser for the next time i comment\.?",
        r"notify me of (?:follow-up comments|new posts) by email\.?",
        r"you must be logged in to post a comment\.?",
        r"join the (?:conversation|discussion)",
        r"(?:view |show |load )?(?:\d+ )?comments?(?: \(\d+\))?",
        r"have something to add to this story\? share it in the comments\.?",
        r"sorry,? we are not currently accepting comments on this article\.?",
        r"comments (?:are|have been) (?:closed|disabled)(?: for this article)?\.?",
    ),
    "video-timestamp": (r"\d{1,2}:\d{2}(?::\d{2})?",),
    "media": (
        r"scroll down for (?:the )?(?:videos?|more|photos?)",
        r"view (?:the )?(?:gallery|slideshow|photos?)",
        r"(?:watch|play)(?: the)? video",
        r"please enable javascript to (?:watch|view)(?: this video)?\.?",
        r"view (?:this (?:post|photo|video) )?on (?:instagram|twitter|facebook|youtube|x)",
        r"(?:www\.)?(?:youtube\.com|youtu\.be|vimeo\.com|twitter\.com|instagram\.com)",
        r"\[(?:image|images|photo|photos|video|pictured|screenshot)s?"
        r" (?:via|by|from|courtesy)[^\]]{0,80}\]",
        r"\[h/t[^\]]{0,80}\]",
        r"\+\d{1,3}",  # a gallery's photo count
        r"caption",
        r"(?:photo|image|video) ?gallery",
        r"(?:expand|enlarge|close|fullscreen)(?: image| photo)?",
    ),
    "share": (
        r"share(?: this| the)?"
        r"(?: article| story| page| post| on (?:facebook|twitter|whatsapp|linkedin))?:?",
        r"(?:tweet|e-?mail|print|pin it|whatsapp|facebook|twitter|linkedin|reddit|copy link)",
        r"(?:—+|–+|-+)? ?>+ ?follow .{1,80} on (?:twitter|facebook|instagram)",
        r"follow (?:us|me) on (?:twitter|facebook|instagram).{0,60}",
        r"click to share on .{1,40}",
    ),
    "byline": (
        # "By Jane Doe", "By: Press Trust of India | New Delhi | Posted: ...". The name
        # must be capitalised; nothing but a "|" list may follow, so "By Tuesday, the
        # talks had collapsed." is never a byline.
        r"by:? (?-i:[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|and|&|of|de|van|von|al)){0,5})"
        r"(?: ?\| ?.{0,100})?",
    ),
    "separator": (r"[-–—_=*•·~#\s]{1,40}",),
}

# Photo agencies and credit words. A line made only of these (joined by "/", "via",
# "and", ",") is a photo credit, and the line directly above it, in the same block, is
# the caption it belongs to.
AGENCIES: Final[tuple[str, ...]] = (
    "AP",
    "AFP",
    "Reuters",
    "Getty Images",
    "Getty",
    "EPA",
    "EPA-EFE",
    "EFE",
    "Xinhua",
    "Bloomberg",
    "Shutterstock",
    "Alamy",
    "PA",
    "PA Wire",
    "PA Images",
    "Kyodo",
    "Yonhap",
    "TASS",
    "Sputnik",
    "RIA Novosti",
    "AAP",
    "ANI",
    "Anadolu Agency",
    "Anadolu",
    "dpa",
    "SCMP",
    "SCMP Pictures",
    "Corbis",
    "NurPhoto",
    "SOPA Images",
    "LightRocket",
    "ZUMA Press",
    "ZUMA Wire",
    "Sipa",
    "Sipa USA",
    "Rex Features",
    "Rex",
    "WireImage",
    "Pool",
    "Handout",
    "Kremlin",
    "Kremlin.ru",
    "Imaginechina",
    "IANS",
    "PTI",
    "CNS",
    "Associated Press",
)
# Words that may follow an agency in a credit: "Reuters Archive", "AP Photo", "AFP File".
CREDIT_SUFFIXES: Final[tuple[str, ...]] = (
    "Archive",
    "File",
    "Files",
    "Photo",
    "Photos",
    "Images",
    "Handout",
)
# Words that introduce a credit at the end of a caption: "... in December. Photo: Xinhua".
CREDIT_LABELS: Final[tuple[str, ...]] = (
    "photo",
    "photos",
    "file photo",
    "photograph",
    "picture",
    "pictures",
    "pic",
    "image",
    "images",
    "file image",
    "illustration",
    "graphic",
    "video",
    "screengrab",
    "screenshot",
    "credit",
    "photo credit",
    "image credit",
)

# "Related Articles" and friends: the headline list that follows is dropped too.
RELATED_HEADING_REASON: Final = "related"


def _alternation(words: tuple[str, ...]) -> str:
    # Longest first, so "Getty Images" wins over "Getty".
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_LINE = re.compile(
    "|".join(
        f"(?P<{reason.replace('-', '_')}>{'|'.join(f'(?:{p})' for p in patterns)})"
        for reason, patterns in LINE_PATTERNS.items()
    ),
    re.IGNORECASE,
)
_REASONS = {reason.replace("-", "_"): reason for reason in LINE_PATTERNS}

_AGENCY = rf"(?:{_alternation(AGENCIES)})(?i: (?:{_alternation(CREDIT_SUFFIXES)}))?"
_LABEL = rf"(?i:{_alternation(CREDIT_LABELS)})"
_NAME = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}"
# A line that is only a credit: "Reuters Archive", "AFP/Getty Images", "Photo: AP",
# "(File photo: Xinhua)", "Photo by Jane Doe/Reuters". Agencies are matched with their
# capitals, so "ap" or "pool" in lowercase prose never qualify.
_CREDIT_LINE = re.compile(
    rf"\(?(?:{_LABEL}(?i: by)? ?[:|]? ?)?{_AGENCY}(?: ?(?:/|via|and|,|&) ?{_AGENCY})*\)?"
    rf"|\(?{_LABEL} ?(?i:by|:) ?{_NAME}(?: ?(?:/|for|via|,) ?{_AGENCY})?\)?"
)
# A caption's trailing credit: "... in 2019. File photo: AP", "... Photo: Xinhua".
# The label must follow the end of a sentence (or an opening bracket), and the credit is
# one to five capitalised words, so "he said in a photo: look" does not qualify.
_CAPTION_END = re.compile(
    rf"(?:[.!?)\]’”\"'] |\()(?i:file )?{_LABEL}(?i: by| courtesy of)? ?: ?"
    r"[A-Z][\w.&'’/-]*(?: [A-Z&][\w.&'’/-]*){0,4}\)?$"
)
CAPTION_TAIL_CHARS: Final = 80


def classify_line(line: str) -> str | None:
    """The chrome reason for a line that is furniture on its own, else None."""
    match = _LINE.fullmatch(line)
    if match is None:
        return None
    assert match.lastgroup is not None
    return _REASONS[match.lastgroup]


def is_chrome_line(line: str) -> bool:
    return bool(line) and (classify_line(line) is not None or is_credit_line(line))


def is_credit_line(line: str) -> bool:
    return len(line) <= 80 and _CREDIT_LINE.fullmatch(line) is not None


def ends_with_credit(line: str) -> bool:
    """True for a caption that carries its own credit: "... Photo: AP"."""
    start = max(0, len(line) - CAPTION_TAIL_CHARS)
    return _CAPTION_END.search(line, start) is not None
