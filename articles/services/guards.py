"""What analyst writes on articles' spans and entities check before they change anything:
who may correct a machine suggestion, that a span fits the article body, which entity a
field names; the kit's checks (roles, If-Match) and errors are newsdesk.guards'.

A span comes in one of two forms: offsets (`start`, `end`) with the text there (`exact`),
checked against the body; or the text alone with what surrounds it (`exact`, `prefix`,
`suffix`) and the client's own estimate of where it starts (`near`), located in the body
by the server (`anchoring.locate`). Offsets win when both are given.

A refused write changes nothing: every check runs before the first write of its
transaction.
"""

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from articles.anchoring import (
    CONTEXT_CHARS,
    AnchorError,
    TextQuoteSelector,
    locate,
    selector_in_window,
    text_quote_selector,
    verified_selector,
)
from articles.models import Article, Entity, Origin, ReviewStatus
from newsdesk.guards import (
    NotAllowed,
    WriteRefused,
    check_if_match,
    is_annotator,
    may_own,
    require_annotator,
)


def may_correct(user: Any, row: Model) -> bool:
    """A machine suggestion belongs to no one: any analyst may correct it. Anything else
    is its author's (or an admin's) to change."""
    if getattr(row, "origin", None) == Origin.MACHINE:
        return is_annotator(user)
    return may_own(user, row)


def require_corrector(user: Any, row: Model) -> None:
    require_annotator(user)
    if not may_correct(user, row):
        raise NotAllowed(f"Only its author or an admin may change this {row._meta.verbose_name}.")


@dataclass(frozen=True, slots=True)
class Anchor:
    """What a new span needs to know of its article, fetched in one query."""

    selector: TextQuoteSelector
    text_length: int
    values: dict[str, Any]
    start: int
    end: int


def _anchor_error(error: AnchorError, start: int, end: int, text_length: int) -> WriteRefused:
    if start < 0:
        field = "start"
    elif end <= start or end > text_length:
        field = "end"
    else:
        field = "exact"
    return WriteRefused(field, str(error))


# A lookup for `anchor_new_span`: an SQL expression and its parameters.
Lookup = tuple[str, list[Any]]


def anchor_new_span(
    *,
    article_id: int,
    start: int | None,
    end: int | None,
    exact: str,
    prefix: str = "",
    suffix: str = "",
    near: int | None = None,
    lookups: dict[str, Lookup] | None = None,
) -> Anchor:
    """The selector of a new span in one query: the article's text around it and its
    length (not the whole body), with whatever else the write must look up (`lookups`:
    name -> SQL expression), refused with the field at fault. Plain SQL: a write runs it
    every time, and composing it with the ORM cost more than running it.

    Without offsets (`start` and `end` both None), the span is located in the body from
    `exact`, `prefix`, `suffix` and `near`, and that query fetches the whole body."""
    offsets = both_or_neither(start, end)
    if offsets is None:
        return _anchor_located(
            article_id=article_id,
            exact=exact,
            prefix=prefix,
            suffix=suffix,
            near=near,
            lookups=lookups or {},
        )
    start, end = offsets
    lookups = lookups or {}
    window_start = max(0, start - CONTEXT_CHARS)
    row = None
    if start >= 0 and end > start:
        params: list[Any] = [window_start + 1, end + CONTEXT_CHARS - window_start]
        row = _article_row(article_id, "substr(body, %s, %s)", params, lookups)
    text_length = row[0] if row else 0
    try:
        selector = selector_in_window(
            row[1] if row else "", window_start, text_length, start, end, exact
        )
    except AnchorError as error:
        raise _anchor_error(error, start, end, text_length) from error
    assert row is not None
    return Anchor(
        selector=selector,
        text_length=text_length,
        values=dict(zip(lookups, row[2:], strict=True)),
        start=start,
        end=end,
    )


def _anchor_located(
    *,
    article_id: int,
    exact: str,
    prefix: str,
    suffix: str,
    near: int | None,
    lookups: dict[str, Lookup],
) -> Anchor:
    row = _article_row(article_id, "body", [], lookups)
    body = row[1]
    start, end = located(body, exact, prefix=prefix, suffix=suffix, near=near)
    return Anchor(
        selector=text_quote_selector(body, start, end),
        text_length=row[0],
        values=dict(zip(lookups, row[2:], strict=True)),
        start=start,
        end=end,
    )


def _article_row(
    article_id: int, text_sql: str, text_params: list[Any], lookups: dict[str, Lookup]
) -> tuple[Any, ...]:
    """The article's length, `text_sql` (its body or a part of it) and the lookups, in
    one query; refused on `article` when there is no such article."""
    extra = "".join(f", {sql}" for sql, _ in lookups.values())
    params = list(text_params)
    for _, values in lookups.values():
        params.extend(values)
    params.append(article_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT length(body), {text_sql}{extra} FROM {Article._meta.db_table} WHERE id = %s",
            params,
        )
        row = cursor.fetchone()
    if row is None:
        raise WriteRefused("article", f"There is no article {article_id}.")
    return tuple(row)


def both_or_neither(start: int | None, end: int | None) -> tuple[int, int] | None:
    """The offsets when both are given, None when neither is (the span is then located
    from its text); a refusal naming the missing one otherwise."""
    if start is None and end is None:
        return None
    if start is None or end is None:
        missing = "start" if start is None else "end"
        raise WriteRefused(
            missing,
            "Give start and end together, or leave both out to have the server find "
            "exact in the article's text (with prefix, suffix or near).",
        )
    return start, end


def located(
    body: str, exact: str, *, prefix: str = "", suffix: str = "", near: int | None = None
) -> tuple[int, int]:
    """The offsets of `exact` in `body` as `anchoring.locate` finds them, or a refusal on
    `exact` saying why it is not there or not there once."""
    try:
        return locate(body, exact, prefix=prefix or "", suffix=suffix or "", near=near)
    except AnchorError as error:
        raise WriteRefused("exact", str(error)) from error


def anchored(article: Article, start: int, end: int, exact: str) -> TextQuoteSelector:
    """The selector of body[start:end], refused with the field at fault when the offsets
    are out of range or the text there is not `exact`."""
    try:
        return verified_selector(article.body, start, end, exact)
    except AnchorError as error:
        raise _anchor_error(error, start, end, len(article.body)) from error


def check_inner_span(text_length: int, name: str, start: int | None, end: int | None) -> None:
    """A speaker or cue span: both ends or neither, in order, inside the body."""
    if start is None and end is None:
        return
    if start is None or end is None:
        raise WriteRefused(f"{name}_start", f"Give both {name}_start and {name}_end, or neither.")
    if not 0 <= start < end:
        raise WriteRefused(
            f"{name}_end", f"{name}_end ({end}) must be after {name}_start ({start})."
        )
    if end > text_length:
        raise WriteRefused(
            f"{name}_end",
            f"{name}_end ({end}) is past the end of the text ({text_length} characters).",
        )


def entity_or_refused(entity_id: int | None, field: str) -> Entity | None:
    """The entity with this id (None for None), or a refusal naming the field."""
    if entity_id is None:
        return None
    entity = Entity.objects.filter(pk=entity_id).first()
    if entity is None:
        raise WriteRefused(field, f"There is no entity {entity_id}.")
    return entity


def entity_name(entity_id: int | None) -> Lookup:
    """A lookup for `anchor_new_span`: the entity's name, NULL when there is none."""
    return (f"(SELECT name FROM {Entity._meta.db_table} WHERE id = %s)", [entity_id])


def found_entity(entity_id: int | None, name: str | None, field: str) -> Entity | None:
    """The entity an `entity_name` lookup found (id and name, enough to link and show
    it), or a refusal naming the field."""
    if entity_id is None:
        return None
    if name is None:
        raise WriteRefused(field, f"There is no entity {entity_id}.")
    return Entity(pk=entity_id, name=name)


REVIEWS = (ReviewStatus.CONFIRMED, ReviewStatus.REJECTED)


def reviewed(row: Any, *, user: Any, status: str, if_match: str | None) -> Any:
    """A row (a quote, stance or mention, locked by the caller) accepted (confirmed) or
    rejected, the reviewer recorded on it and in its history. Any analyst reviews a
    machine suggestion; an analyst's own row is theirs (or an admin's) to review, as it
    is theirs to change."""
    if status not in REVIEWS:
        raise WriteRefused("status", "A review confirms or rejects.")
    require_corrector(user, row)
    check_if_match(row, if_match)
    row.status = status
    row.reviewed_by, row.reviewed_at = user, timezone.now()
    row._history_user = user
    row.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    return row


# The keys of a span in a write's `changes`: offsets and text, or text and its context.
SPAN_KEYS = ("start", "end", "exact", "prefix", "suffix", "near")


def span_selector(
    article: Article, changes: dict[str, Any]
) -> tuple[int, int, TextQuoteSelector] | None:
    """The span `changes` gives in either form (see the module's docstring), checked
    against or located in the article's body; None when it gives none."""
    # None is "not given", and so is an empty prefix or suffix (no context).
    given = any(changes.get(key) is not None for key in ("start", "end", "exact", "near"))
    if not given and not (changes.get("prefix") or changes.get("suffix")):
        return None
    exact = changes.get("exact")
    if exact is None:
        raise WriteRefused(
            "exact",
            "Give exact with start and end, or with prefix, suffix or near, to place a span.",
        )
    offsets = both_or_neither(changes.get("start"), changes.get("end"))
    if offsets is None:
        start, end = located(
            article.body,
            exact,
            prefix=changes.get("prefix") or "",
            suffix=changes.get("suffix") or "",
            near=changes.get("near"),
        )
        return start, end, text_quote_selector(article.body, start, end)
    start, end = offsets
    return start, end, anchored(article, start, end, exact)


def moved_span(row: Any, article: Article, changes: dict[str, Any]) -> None:
    """Move `row`'s span (start, end, exact, prefix, suffix) when `changes` gives one, in
    either form: start, end and exact (the text at start-end), or exact with prefix,
    suffix or near (found in the body)."""
    found = span_selector(article, changes)
    if found is None:
        return
    row.start, row.end, selector = found
    row.exact, row.prefix, row.suffix = selector.exact, selector.prefix, selector.suffix
