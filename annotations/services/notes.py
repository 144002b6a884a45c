"""Analysts' notes on an article, on a span of it, or on one of its quotes or stances."""

from typing import Any

from django.db import transaction

from annotations.models import Note, Quote, Stance
from annotations.selectors import team
from articles.models import Article
from articles.services.guards import span_selector
from newsdesk.guards import WriteRefused, check_if_match, require_annotator, require_owner


def _text(text: str) -> str:
    if not (text or "").strip():
        raise WriteRefused("text", "A note needs some text.")
    return text


def _attach(note: Note, changes: dict[str, Any], user: Any) -> None:
    """The note's span (either form: see guards.span_selector; all of start, end and
    exact null clears it) and the quote or stance it is about, all in the note's article."""
    found = span_selector(note.article, changes)
    if found is not None:
        note.start, note.end, selector = found
        note.exact, note.prefix, note.suffix = selector.exact, selector.prefix, selector.suffix
    elif {"start", "end", "exact"} & set(changes):
        note.start = note.end = None
        note.exact = note.prefix = note.suffix = ""
    for field, model in (("quote", Quote), ("stance", Stance)):
        if field not in changes:
            continue
        target_id = changes[field]
        target = None
        if target_id is not None:
            rows = team.visible(model.objects.filter(pk=target_id), user)
            target = rows.only("pk", "article_id").first()
            if target is None:
                raise WriteRefused(field, f"There is no {field} {target_id}.")
            if target.article_id != note.article_id:
                raise WriteRefused(field, f"{field.title()} {target_id} is in another article.")
        setattr(note, field, target)


def note_create(
    *,
    user: Any,
    article_id: int,
    text: str,
    start: int | None = None,
    end: int | None = None,
    exact: str | None = None,
    prefix: str = "",
    suffix: str = "",
    near: int | None = None,
    quote_id: int | None = None,
    stance_id: int | None = None,
) -> Note:
    """An analyst's note on the article, or on a span of it given in either form
    (guards.span_selector), or on one of its quotes or stances."""
    require_annotator(user)
    article = Article.objects.filter(pk=article_id).only("pk", "body").first()
    if article is None:
        raise WriteRefused("article", f"There is no article {article_id}.")
    note = Note(article=article, text=_text(text), created_by=user)
    _attach(
        note,
        {
            "start": start,
            "end": end,
            "exact": exact,
            "prefix": prefix,
            "suffix": suffix,
            "near": near,
            "quote": quote_id,
            "stance": stance_id,
        },
        user,
    )
    note._history_user = user  # type: ignore[attr-defined]
    note.save()
    return note


@transaction.atomic
def note_update(
    *, user: Any, note_id: int, changes: dict[str, Any], if_match: str | None = None
) -> Note:
    note = Note.objects.select_for_update().select_related("article").filter(pk=note_id).first()
    if note is None:
        raise Note.DoesNotExist(f"There is no note {note_id}.")
    require_owner(user, note)
    check_if_match(note, if_match)
    if "text" in changes:
        note.text = _text(changes["text"])
    _attach(note, changes, user)
    note._history_user = user  # type: ignore[attr-defined]
    note.save()
    return note


@transaction.atomic
def note_delete(*, user: Any, note_id: int, if_match: str | None = None) -> None:
    note = Note.objects.select_for_update().filter(pk=note_id).first()
    if note is None:
        raise Note.DoesNotExist(f"There is no note {note_id}.")
    require_owner(user, note)
    check_if_match(note, if_match)
    note._history_user = user  # type: ignore[attr-defined]
    note.delete()
