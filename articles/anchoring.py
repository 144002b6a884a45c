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
