"""W3C TextQuoteSelector arithmetic over an article body. Plain Python, no ORM.

Every span stores its character offsets into the immutable `Article.body` together with a
TextQuoteSelector (exact text, up to 32 characters of prefix and of suffix), so that an
annotation can be verified and re-anchored. The database checks the same relation on
every insert and update (see `articles.dbguards`).
"""

from dataclasses import dataclass

CONTEXT_CHARS = 32


class AnchorError(ValueError):
    """A span that does not fit the text it claims to point into."""


@dataclass(frozen=True, slots=True)
class TextQuoteSelector:
    exact: str
    prefix: str
    suffix: str


def text_quote_selector(body: str, start: int, end: int) -> TextQuoteSelector:
    """The selector of body[start:end], or AnchorError saying why the offsets are wrong."""
    if start < 0:
        raise AnchorError(f"start must be 0 or more, not {start}.")
    if end <= start:
        raise AnchorError(f"end ({end}) must be greater than start ({start}).")
    if end > len(body):
        raise AnchorError(f"end ({end}) is past the end of the text ({len(body)} characters).")
    return TextQuoteSelector(
        exact=body[start:end],
        prefix=body[max(0, start - CONTEXT_CHARS) : start],
        suffix=body[end : end + CONTEXT_CHARS],
    )


def verified_selector(body: str, start: int, end: int, exact: str) -> TextQuoteSelector:
    """The selector of body[start:end], refused when the text there is not `exact`."""
    selector = text_quote_selector(body, start, end)
    if selector.exact != exact:
        raise AnchorError(
            f"The text at {start}-{end} is {_clip(selector.exact)!r}, not {_clip(exact)!r}."
        )
    return selector


def selector_in_window(
    window: str, window_start: int, text_length: int, start: int, end: int, exact: str
) -> TextQuoteSelector:
    """`verified_selector` for a body of which only `window` (from `window_start`, at
    least CONTEXT_CHARS either side of the span) and the length are at hand: what a write
    fetches instead of a whole article."""
    if start < 0:
        raise AnchorError(f"start must be 0 or more, not {start}.")
    if end <= start:
        raise AnchorError(f"end ({end}) must be greater than start ({start}).")
    if end > text_length:
        raise AnchorError(f"end ({end}) is past the end of the text ({text_length} characters).")
    selector = TextQuoteSelector(
        exact=window[start - window_start : end - window_start],
        prefix=window[max(0, start - CONTEXT_CHARS - window_start) : start - window_start],
        suffix=window[end - window_start : end - window_start + CONTEXT_CHARS],
    )
    if selector.exact != exact:
        raise AnchorError(
            f"The text at {start}-{end} is {_clip(selector.exact)!r}, not {_clip(exact)!r}."
        )
    return selector


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# How much context a client may send to find its selection (`locate`): enough to tell
# repeats apart, short enough that a lookup stays cheap.
MAX_LOCATE_CONTEXT = 200


def locate(
    body: str, exact: str, *, prefix: str = "", suffix: str = "", near: int | None = None
) -> tuple[int, int]:
    """The offsets (start, end) of `exact` in `body`, found as a client's TextQuoteSelector
    says: the occurrences of `exact` whose preceding text ends with `prefix` and whose
    following text starts with `suffix`. One is the answer; of several, the one whose
    start is nearest `near` (the earlier on a tie); several and no `near`, or none, is an
    AnchorError saying so."""
    if not exact.strip():
        raise AnchorError("The selected text is empty; select some words of the article.")
    occurrences = _occurrences(body, exact)
    if not occurrences:
        raise AnchorError(f"The selected text {_clip(exact)!r} is not in the article's text.")
    candidates = [
        start
        for start in occurrences
        if body.endswith(prefix, 0, start) and body.startswith(suffix, start + len(exact))
    ]
    if not candidates:
        raise AnchorError(
            f"The selected text {_clip(exact)!r} is in the article's text "
            f"({_times(len(occurrences))}), but not with this prefix and suffix."
        )
    if len(candidates) > 1:
        if near is None:
            context = " with this prefix and suffix" if prefix or suffix else ""
            raise AnchorError(
                f"The selected text occurs {_times(len(candidates))} in the article{context}; "
                "give its prefix and suffix, or near."
            )
        candidates.sort(key=lambda start: (abs(start - near), start))
    start = candidates[0]
    return start, start + len(exact)


def _occurrences(body: str, exact: str) -> list[int]:
    """Every start of `exact` in `body`, overlapping ones included ("aa" in "aaa": 0, 1)."""
    found = []
    start = body.find(exact)
    while start != -1:
        found.append(start)
        start = body.find(exact, start + 1)
    return found


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"
