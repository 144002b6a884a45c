"""django-filter filter sets of the REST API: the query parameters of each list."""

from typing import Any

import django_filters as filters
from django.db.models import Exists, OuterRef, Q, QuerySet

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
from newsdesk.filters import IdFilter, SyncFilterSet, TimeFilter


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
