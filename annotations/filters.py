"""django-filter filter sets of the annotation lists."""

import django_filters as filters
from django.db.models import QuerySet

from annotations.models import Deletion, Note, Quote, Stance, Statement
from articles.models import Origin, ReviewStatus
from newsdesk.filters import IdFilter, StrictFilterSet, SyncFilterSet, TimeFilter


class AuthoredFilterSet(SyncFilterSet):
    article = IdFilter(field_name="article_id", help_text="Article id.")
    outlet = IdFilter(field_name="article__outlet_id", help_text="Outlet id.")
    story = IdFilter(field_name="article__story_id", help_text="Story id.")
    created_by = filters.CharFilter(
        field_name="created_by__username", help_text="The author's username."
    )
    created_after = TimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = TimeFilter(field_name="created_at", lookup_expr="lt")
    published_after = TimeFilter(field_name="article__published_at", lookup_expr="gte")
    published_before = TimeFilter(field_name="article__published_at", lookup_expr="lt")


def _seen_status(rows: QuerySet, name: str, value: str) -> QuerySet:
    """The status the reader sees (selectors.team.as_seen_by), when the list has it."""
    if "seen_status" in rows.query.annotations:
        return rows.filter(seen_status=value)
    return rows.filter(status=value)


class QuoteFilter(AuthoredFilterSet):
    speaker = IdFilter(field_name="speaker_id", help_text="Entity id of the speaker.")
    statement = IdFilter(field_name="statement_id")
    kind = filters.ChoiceFilter(choices=Quote.Kind.choices)
    status = filters.ChoiceFilter(choices=ReviewStatus.choices, method=_seen_status)
    origin = filters.ChoiceFilter(choices=Origin.choices)
    layer = filters.ChoiceFilter(
        choices=Origin.choices,
        field_name="origin",
        help_text="A layer: the machine's suggestions, analysts' work or the adjudicated gold "
        "(as `origin`).",
    )

    class Meta:
        model = Quote
        fields: list[str] = []


class StanceFilter(AuthoredFilterSet):
    holder = IdFilter(field_name="holder_id", help_text="Entity id of the holder.")
    target = IdFilter(field_name="target_entity_id", help_text="Entity id.")
    target_text = filters.CharFilter(lookup_expr="icontains", help_text="In the topic.")
    polarity = filters.CharFilter(field_name="polarity__slug", help_text="A vocabulary slug.")
    quote = IdFilter(field_name="quote_id")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices, method=_seen_status)
    origin = filters.ChoiceFilter(choices=Origin.choices)
    layer = filters.ChoiceFilter(
        choices=Origin.choices,
        field_name="origin",
        help_text="A layer: the machine's suggestions, analysts' work or the adjudicated gold "
        "(as `origin`).",
    )

    class Meta:
        model = Stance
        fields: list[str] = []


class NoteFilter(AuthoredFilterSet):
    quote = IdFilter(field_name="quote_id")
    stance = IdFilter(field_name="stance_id")

    class Meta:
        model = Note
        fields: list[str] = []


class StatementFilter(SyncFilterSet):
    story = IdFilter(field_name="story_id")
    speaker = IdFilter(field_name="speaker_id")

    class Meta:
        model = Statement
        fields: list[str] = []


class DeletionFilter(StrictFilterSet):
    updated_since = TimeFilter(
        field_name="deleted_at",
        lookup_expr="gte",
        help_text="Only rows deleted at or after this time (ISO 8601).",
    )
    kind = filters.ChoiceFilter(choices=Deletion.Kind.choices)
    article = IdFilter(field_name="article_id")

    class Meta:
        model = Deletion
        fields: list[str] = []
