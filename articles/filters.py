"""django-filter filter sets of the REST API: the query parameters of each list."""

from datetime import UTC
from typing import Any

import django_filters as filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django_filters.fields import IsoDateTimeField

from articles.models import (
    Article,
    Entity,
    EntityAlias,
    EntityKind,
    Mention,
    Origin,
    ReviewStatus,
    Story,
)
from articles.names import normalise_alias

# Ids are positive 64-bit integers; anything else is a 400, not a database error.
MAX_ID = 2**63 - 1


class IdFilter(filters.NumberFilter):
    """An id: a whole number from 1 (django-filter's NumberFilter takes any decimal)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC: PostgreSQL takes offsets up to 15:59 only, and
    a time the calendar cannot hold in UTC is a 400, not a server error."""

    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError) as error:
            raise forms.ValidationError("A time between the years 1 and 9999 (UTC).") from error


class TimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class StrictFilterSet(filters.FilterSet):
    """A parameter given with no value is an error, not a filter silently skipped: a
    client syncing with `updated_since=` would otherwise pull everything."""

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for name in self.filters:
            if name in self.data and str(self.data.get(name, "")).strip() == "":
                self.form.add_error(name, "Give a value, or leave the parameter out.")
                valid = False
        return valid


class SyncFilterSet(StrictFilterSet):
    """`updated_since`: what was created or changed at or after a time (ISO 8601). Pair it
    with the `deleted` feed to drop what was deleted since. A time cursor misses what
    transactions that commit late wrote; `sync_token` (newsdesk.sync, on every cursor
    page) does not."""

    updated_since = TimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        help_text=(
            "Only rows created or changed at or after this time (ISO 8601). Misses what "
            "transactions that committed late wrote: prefer `sync_token`."
        ),
    )


class ArticleFilter(SyncFilterSet):
    outlet = IdFilter(field_name="outlet_id", help_text="Outlet id.")
    story = IdFilter(field_name="story_id", help_text="Story id.")
    entity = IdFilter(method="mentioning", help_text="Articles that mention it.")
    published_after = TimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = TimeFilter(field_name="published_at", lookup_expr="lt")
    created_after = TimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = TimeFilter(field_name="created_at", lookup_expr="lt")
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", help_text="In the title.")

    class Meta:
        model = Article
        fields: list[str] = []

    def mentioning(self, queryset: QuerySet[Article], name: str, value: Any) -> QuerySet[Article]:
        # EXISTS over the mention index (entity, article), not a join that repeats rows.
        return queryset.filter(
            Exists(Mention.objects.filter(article=OuterRef("pk"), entity_id=value))
        )


class EntityFilter(SyncFilterSet):
    q = filters.CharFilter(
        method="named", help_text="Matches the canonical name or any alias (case-insensitive)."
    )
    kind = filters.ChoiceFilter(choices=EntityKind.choices)
    article = IdFilter(method="in_article", help_text="Entities mentioned in it.")

    class Meta:
        model = Entity
        fields: list[str] = []

    def named(self, queryset: QuerySet[Entity], name: str, value: str) -> QuerySet[Entity]:
        wanted = normalise_alias(value)
        if not wanted:
            return queryset
        return queryset.filter(
            Q(name__icontains=value.strip())
            | Exists(EntityAlias.objects.filter(entity=OuterRef("pk"), normalised__contains=wanted))
        )

    def in_article(self, queryset: QuerySet[Entity], name: str, value: Any) -> QuerySet[Entity]:
        return queryset.filter(
            Exists(Mention.objects.filter(entity=OuterRef("pk"), article_id=value))
        )


class StoryFilter(SyncFilterSet):
    seen_after = TimeFilter(field_name="last_seen", lookup_expr="gte")
    seen_before = TimeFilter(field_name="first_seen", lookup_expr="lt")

    class Meta:
        model = Story
        fields: list[str] = []


class MentionFilter(SyncFilterSet):
    article = IdFilter(field_name="article_id")
    entity = IdFilter(field_name="entity_id")
    status = filters.ChoiceFilter(choices=ReviewStatus.choices)
    origin = filters.ChoiceFilter(choices=Origin.choices)

    class Meta:
        model = Mention
        fields: list[str] = []
