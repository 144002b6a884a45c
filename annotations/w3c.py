"""Quotes, stances, notes and mentions as W3C Web Annotations (JSON-LD).

https://www.w3.org/TR/annotation-model/: each annotation has the `anno.jsonld` context, an
IRI, a motivation, its creator (the analyst, or the extractor as Software), created and
modified times, bodies saying what the span is (a quote by whom, a stance of whom on what
with which polarity, a comment, a named entity) and a target: the article on this server
with a TextQuoteSelector and a TextPositionSelector into its body. What the model has no
term for (ids, review status, speaker and cue offsets) is under `newsdesk`, kept as a JSON
literal by the context, so JSON-LD processors and plain JSON clients read it alike.

Callers pass rows fetched with their joins (`annotations.selectors`); nothing here queries.
"""

from datetime import UTC, datetime
from typing import Any

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MACHINE = {"type": "Software", "name": "Newsdesk extractor"}
# What each kind of row is, to the model (motivation).
MOTIVATIONS = {
    "quote": "classifying",
    "stance": "assessing",
    "note": "commenting",
    "mention": "identifying",
}


def context(base: str) -> list[Any]:
    return [
        ANNO_CONTEXT,
        {
            "nd": f"{base}api/v1/vocab#",
            "newsdesk": {"@id": "nd:record", "@type": "@json"},
        },
    ]


def annotation_id(base: str, kind: str, pk: int) -> str:
    return f"{base}api/v1/annotations/{kind}-{pk}/"


def article_url(base: str, article_id: int) -> str:
    return f"{base}api/v1/articles/{article_id}/"


def _time(value: datetime) -> str:
    # Always with microseconds, as the PostgreSQL renderer (w3c_sql) writes them.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _creator(user: Any) -> dict[str, str]:
    if user is None:
        return MACHINE
    return {"type": "Person", "nickname": user.get_username()}


def _text(value: str, purpose: str) -> dict[str, str]:
    return {"type": "TextualBody", "value": value, "purpose": purpose, "format": "text/plain"}


def _target(base: str, row: Any) -> dict[str, Any]:
    return {
        "source": article_url(base, row.article_id),
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": row.exact,
                "prefix": row.prefix,
                "suffix": row.suffix,
            },
            {"type": "TextPositionSelector", "start": row.start, "end": row.end},
        ],
    }


def _entity(entity: Any) -> dict[str, Any] | None:
    return {"id": entity.pk, "name": entity.name} if entity is not None else None


def _annotation(
    base: str,
    kind: str,
    row: Any,
    creator: Any,
    bodies: list[dict[str, Any]],
    target: Any,
    record: dict[str, Any],
) -> dict[str, Any]:
    return {
        "@context": context(base),
        "id": annotation_id(base, kind, row.pk),
        "type": "Annotation",
        "motivation": MOTIVATIONS[kind],
        "creator": _creator(creator),
        "created": _time(row.created_at),
        "modified": _time(row.updated_at),
        "body": bodies,
        "target": target,
        "newsdesk": {"type": kind, "id": row.pk, "article": row.article_id, **record},
    }


def quote(base: str, row: Any) -> dict[str, Any]:
    bodies = [_text(f"{row.kind} quote", "classifying")]
    if row.speaker is not None:
        bodies.append(_text(row.speaker.name, "identifying"))
    if row.cue:
        bodies.append(_text(row.cue, "describing"))
    return _annotation(
        base,
        "quote",
        row,
        row.created_by,
        bodies,
        _target(base, row),
        {
            "kind": row.kind,
            "status": row.status,
            "origin": row.origin,
            "speaker": _entity(row.speaker),
            "speaker_start": row.speaker_start,
            "speaker_end": row.speaker_end,
            "cue": row.cue,
            "cue_start": row.cue_start,
            "cue_end": row.cue_end,
            "statement": row.statement_id,
        },
    )


def stance(base: str, row: Any) -> dict[str, Any]:
    target_name = row.target_entity.name if row.target_entity is not None else row.target_text
    bodies = [
        _text(row.polarity.slug, "classifying"),
        _text(row.holder.name, "identifying"),
        _text(target_name, "tagging"),
    ]
    if row.note:
        bodies.append(_text(row.note, "commenting"))
    return _annotation(
        base,
        "stance",
        row,
        row.created_by,
        bodies,
        _target(base, row),
        {
            "status": "confirmed",
            "origin": row.origin,
            "polarity": row.polarity.slug,
            "holder": _entity(row.holder),
            "target": _entity(row.target_entity),
            "target_text": row.target_text,
            "quote": row.quote_id,
            "note": row.note,
        },
    )


def note(base: str, row: Any) -> dict[str, Any]:
    target: Any = article_url(base, row.article_id)
    if row.start is not None:
        target = _target(base, row)
    return _annotation(
        base,
        "note",
        row,
        row.created_by,
        [_text(row.text, "commenting")],
        target,
        {
            "status": "confirmed",
            "origin": "analyst",
            "quote": row.quote_id,
            "stance": row.stance_id,
        },
    )


def mention(base: str, row: Any) -> dict[str, Any]:
    return _annotation(
        base,
        "mention",
        row,
        row.created_by,
        [_text(row.entity.name, "identifying"), _text(row.entity.kind, "classifying")],
        _target(base, row),
        {"status": row.status, "origin": row.origin, "entity": _entity(row.entity)},
    )


RENDER = {"quote": quote, "stance": stance, "note": note, "mention": mention}


def flat(annotation: dict[str, Any]) -> dict[str, Any]:
    """One CSV row of an annotation: the common columns, then the record's own."""
    record = annotation["newsdesk"]
    target = annotation["target"]
    position = target["selector"][1] if isinstance(target, dict) else {}
    exact = target["selector"][0]["exact"] if isinstance(target, dict) else ""
    row = {
        "type": record["type"],
        "id": record["id"],
        "article": record["article"],
        "start": position.get("start"),
        "end": position.get("end"),
        "exact": exact,
        "status": record.get("status"),
        "origin": record.get("origin"),
        "creator": annotation["creator"].get("nickname"),
        "created": annotation["created"],
        "modified": annotation["modified"],
        "bodies": " | ".join(body["value"] for body in annotation["body"]),
    }
    return row
