# ruff: noqa: RUF001 -- news typography (curly quotes, dashes) is what these patterns match.
"""The page-chrome lexicon: what web furniture looks like, as data.

Edit the tables, not the code. Each entry of LINE_PATTERNS is a regular expression that
must match a WHOLE line (case-insensitive) for the line to be removed with that reason.
A pattern should describe furniture only: it is tried on every line of every article, so
"Subscribe" alone is fine but "Subscribe.*" would eat a sentence that starts with it.
Context rules (captions before a credit line, video titles after a timestamp, the list
after "Related Articles", teasers, trailing junk, the title) live in clean.py.

Entries describe furniture in general, never one site's wording: a phrase only one site
uses ("A personalised news feed of ..." under its own brand) is learned from that site's
pages by the import's pre-pass (recurring.py), which sees it recur across them.
"""

from __future__ import annotations

import re
from typing import Final

# Dates and times as sites print them: "March 3, 2026", "3 Mar 2026", "Tuesday 14 April
# 2026", "2026-02-09", "12/05/2026"; "14:32", "9:05 am", "6:15 PM ET", "08:47 BST".
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?"
_DATE = (
    rf"(?:{_WEEKDAY},? )?(?:\d{{1,2}}(?:st|nd|rd|th)? {_MONTH},? \d{{4}}"
    rf"|{_MONTH} \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
)
_TIME = (
    r"\d{1,2}[:.]\d{2}(?: ?[ap]\.?m\.?)?"
    r"(?: (?:gmt|utc|bst|cet|cest|eet|et|est|edt|pt|pst|pdt|ist|jst|aest|hkt|sgt|wib))?"
)
# A date, with or without its time; a time alone is a live blog's entry heading, and stays.
_STAMP = rf"(?:{_DATE}(?:,? (?:at |- |\| |· )?{_TIME})?|{_TIME},? (?:on |- |\| |· )?{_DATE})"
_STAMP_LABEL = (
    r"(?:(?:first |last |originally )?(?:published|updated|posted|modified|edited)"
    r"(?: on| at)?:? ?)"
)
# A capitalised name of one to five words, "and"/"&" between names allowed.
_PERSON = r"(?-i:[A-Z][\w.'’-]*(?: (?:[A-Z][\w.'’-]*|and|&|of|de|van|von|al|bin)){0,5})"
_ROLE = (
    r"(?:(?:senior|chief|deputy|political|foreign|diplomatic|economics|business|"
    r"security|defen[cs]e|health|science|world|international|national|local|"
    r"washington|europe|africa|asia|middle east|staff|special|associate|contributing)"
    r" )*(?:correspondent|reporter|editor|writer|columnist|contributor|staff writer"
    r"|bureau chief|analyst|journalist)"
)

# reason -> whole-line patterns. The reason is what the admin sees in the import report.
LINE_PATTERNS: Final[dict[str, tuple[str, ...]]] = {
    "advertisement": (
        # "Advertisement", "ADVERTISEMENT - scroll to continue", "— Advertisement —"
        r"(?:[-–—•·|]+ ?)?(?:advertisements?|adverts?|ads?)"
        r"(?: ?[-–—•·|:]+ ?(?:scroll|continue|story|article|content|below|feature)[^.]{0,40})?"
        r"(?: ?[-–—•·|]+)?",
        r"(?:sponsored|promoted|paid|partner)(?: content| links?| posts?| stories| by .{1,40})?",
        r"(?:the )?(?:story|article|text|content) continues(?: below| after (?:this|the)"
        r" (?:ad(?:vert(?:isement)?)?|break|message|advertisement))?\.?",
        r"story continues below(?: this)? advertisement",
        r"(?:scroll|continue) (?:down )?to continue(?: with content| reading)?",
        r"<!--.*-->",  # an ad slot's HTML comment pasted as text
        r"google_ad_\w+ ?=.*",
    ),
    "cookie-notice": (
        # A sentence about cookies that speaks to the reader, and the banner's buttons.
        # "We use cookies to ...", "... you agree to our use of cookies", "our cookie
        # policy": cookies used, accepted or set, never cookies baked or handed out.
        r"(?=.*\b(?:we|you|your|our|this (?:site|website))\b)"
        r"(?=.*(?:\b(?:use[sd]?|using|accept\w*|allow\w*|consent\w*|stor(?:e|es|ing)|set|place)"
        r"\b[^.\"“”]{0,40}\bcookies\b|\bcookies? (?:policy|settings|preferences|notice|statement)"
        r"\b|\bcookies (?:and (?:similar|other) (?:technologies|tracking)|to (?:improve|give"
        r"|personali[sz]e|analy[sz]e|enhance|provide|ensure|remember|measure))))"
        r"(?![\"“‘']).{1,300}",
        r"(?:accept|reject|decline|allow|refuse|deny)(?: all| necessary| essential"
        r"| optional)?(?: cookies)?",
        r"(?:manage|cookie|privacy|consent) (?:preferences|settings|choices|options|policy)",
        r"(?:ok|okay)(?:,? (?:got it|i agree|thanks))?!?|got it!?",
        r"(?:i|we) (?:agree|accept)|agree and (?:close|continue)",
    ),
    "navigation": (
        r"skip to (?:main )?(?:content|navigation|article|search)",
        r"(?:toggle |main |open |close |site )?(?:menu|navigation)",
        r"search(?: (?:site|news|articles))?",
        r"(?:sign|log) ?(?:in|out|up)(?: ?[|/] ?(?:register|sign ?up|subscribe|join))?|register",
        r"(?:my )?account|today[’']?s paper|e-?paper|print edition",
        r"breaking(?: news)?|live(?: updates| blog| now)?|latest(?: news)?|home(?: ?page)?",
        # A bar of short items: "Home | News | Politics | Sport", "Terms | Privacy".
        r"[^|·•.!?]{1,25}(?: ?[|·•] ?[^|·•.!?]{1,25}){2,}",
    ),
    "dateline": (
        rf"{_STAMP_LABEL}?{_STAMP}(?: ?[|·•,–-] ?{_STAMP_LABEL}?{_STAMP})?",
        rf"{_STAMP_LABEL}{_TIME}",
    ),
    "reading-time": (
        r"\d{1,2}(?:-| )?min(?:ute)?s?(?: read| reading| to read)?",
        r"(?:estimated )?reading time:? \d{1,2}(?:-| )?min(?:ute)?s?",
        r"listen(?: to)?(?: this)? (?:article|story)(?: \d{1,2} min(?:ute)?s?)?",
    ),
    "subscription": (
        r"get (?:more|unlimited|full|premium|digital) (?:access )?(?:with|from|to) .{1,40}",
        r"learn more|find out more",
        r"subscribe(?: now| today| here)?(?:[ :,.!-].{0,80})?",
        r"sign up(?: now| today| free| for free| here)?!?",
        r"sign up (?:for|to) (?:our|the|my) .{0,60}newsletters?.{0,80}",
        r"(?:get|receive) (?:our|the) .{0,40}newsletter.{0,60}",
        r"already (?:a subscriber|a member|have an account)\??.{0,40}",
        r"(?:log|sign) ?in to (?:continue|read|comment|keep reading).{0,40}",
        r"enter your e-?mail(?: address)?(?: here| below)?\.?",
        r"(?:your )?e-?mail address",
        r"by (?:signing up|subscribing|registering|continuing(?: to \w+(?: \w+)?)?"
        r"|using this (?:site|website)),? you (?:agree|consent|accept).{0,150}",
        # A pitch: an imperative or a question to the reader about newsletters, apps,
        # subscriptions. Short, so a paragraph of news that starts "Get" never matches.
        r"(?:get(?!-)|sign up|subscribe|download|install|join (?:us|our|the)|unlock"
        r"|try (?:our|it|the \w+ app|\w+ (?:free|for free))"
        r"|become an? (?:member|subscriber|supporter)|want (?:more|to read)|like what you"
        r"|enjoy(?:ing|ed)? (?:this|our|reading)|don[’']t miss|never miss"
        r"|stay (?:informed|updated|up to date|in the know))\b"
        r"(?=.{0,160}\b(?:newsletters?|inbox|e-?mails?|apps?|subscri\w+|members?(?:hip)?"
        r"|account|unlimited|briefings?|alerts?|notifications?|journalism|stories)\b)"
        r"(?!.{201}).+",
        r"(?:available|download(?: it)?|get it) (?:on|from|in) (?:the )?(?:app store|google play)"
        r".{0,60}",
        r"get (?:our|the) (?:free )?app.{0,60}",
        r"you(?: have|[’']ve) (?:\d+|one|two|three|no) (?:free )?(?:articles?|stories|reads)"
        r" (?:left|remaining)(?: this (?:month|week))?\.?",
    ),
    "loading": (
        r"loading ?(?:\.\.\.|…)?",
        r"(?:video|poll|gallery|content|comments|player) (?:is )?loading ?(?:\.\.\.|…)?.{0,80}",
    ),
    "read-more": (
        r"(?:(?:read|see|watch|listen)(?: more| also| next)?|also (?:read|see|watch)|don't miss"
        r"|must read) ?[:|–—-] ?.{1,200}",
        # "More — far more — people voted" is prose: these labels take a colon or a bar.
        r"(?:related|more|recommended) ?[:|] ?.{1,200}",
        # An arrow before a link ("► Ferry fares to rise"); not », a closing or German quote.
        r"[►▶→] ?.{1,200}",
        r"read (?:more|the full (?:story|article))(?: here)?\.?(?: ?»| ?>+)?",
        r"(?:click|tap) here (?:to|for) (?:read|see|watch|view|play|enlarge|subscribe).{0,80}",
        r"continue reading(?: the main story| below| here)?\.?",
    ),
    "related": (
        r"related(?: articles?| stories| content| coverage| news| topics| reading| posts"
        r"| links| videos?)?:?",
        r"see all related",
        r"more (?:stories|news|articles) (?:from|on|about) .{1,40}",
        r"more on (?:this|the) (?:story|topic|subject)",
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
        r"(?:view |show |load |read |see )?(?:all )?(?:\d+ )?(?:comments?|responses|replies)"
        r"(?: \(\d+\))?",
        r"be the first to (?:comment|reply|respond)\.?",
        r"(?:add|leave|post|write|submit) (?:a|your) (?:comment|reply|response)",
        r"(?:read )?(?:our )?(?:comment(?:ing)?|community) (?:policy|guidelines|rules|standards)",
        r"was this (?:article|story|page|information) (?:helpful|useful)\??",
        r"(?:.{1,60}\? )?(?:share|tell us) (?:it|them|your (?:thoughts|views|opinions?))"
        r" (?:in|below in|with us in) the comments(?: below)?\.?",
        r"(?:sorry,? )?(?:we are|we're|we’re) (?:not|no longer) (?:currently )?accepting"
        r" comments.{0,40}",
        r"comments (?:are|have been) (?:closed|disabled|turned off)(?: for this article)?\.?",
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
        r"share(?: this| the)?(?: article| story| page| post| link)?"
        r"(?: (?:on|via|to|with) (?:facebook|twitter|x|whatsapp|linkedin|reddit|e-?mail"
        r"|telegram|messenger|pinterest))?:?",
        r"(?:tweet|e-?mail|print|pin it|whatsapp|facebook|twitter|linkedin|reddit|copy link"
        r"|telegram|messenger|pinterest|flipboard)",
        r"print(?: this)? (?:page|article|story)",
        r"(?:—+|–+|-+)? ?>+ ?follow .{1,80} on (?:twitter|facebook|instagram)",
        r"follow (?:us|me) on (?:twitter|facebook|instagram).{0,60}",
        r"click to share on .{1,40}",
        r"(?:tags|topics|filed under|categories|keywords)(?::(?: .{1,120})?)?",
        r"(?:©|\(c\) ?\d{4}|copyright (?:©|\(c\)|\d{4})).{0,100}",
        r"all rights reserved\.?",
    ),
    "byline": (
        # "By Jane Doe", "By: Press Trust of India | New Delhi | Posted: ...". The name
        # must be capitalised; nothing but a "|" list may follow, so "By Tuesday, the
        # talks had collapsed." is never a byline.
        rf"by:? {_PERSON}(?: ?\| ?.{{0,100}})?",
        rf"(?:written|reported|reporting|words|story|text|edited|additional reporting)"
        rf" by:? {_PERSON}(?: ?[|,] ?.{{0,80}})?",
        # "Jane Doe, Political Correspondent", "Jane Doe | Senior Reporter".
        rf"{_PERSON} ?[,|–—-] ?{_ROLE}(?: (?:at|for|in) (?-i:[A-Z][\w ]{{0,30}}))?",
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
    rf"(?:[.!?)\]’”\"'] (?:[|–—-] )?|[|–—] |\(|\[)(?i:file )?{_LABEL}(?i: by| courtesy of)? ?: ?"
    r"[A-Z][\w.&'’/-]*(?: [A-Z&][\w.&'’/-]*){0,4}[)\]]?$"
    # "... in Milwaukee. (AP Photo/Jane Doe)": an agency's own credit form.
    rf"|[.!?’”\"'] [(\[]{_AGENCY}(?: ?/ ?[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){{0,3}})?[)\]]$"
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
