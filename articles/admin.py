"""The admin site for the articles app: outlets, stories, articles, entities, imports.

Every changelist names its joins (list_select_related) and annotates its counts, so a
page costs the same number of queries whatever the number of rows (tests/test_admin.py).
Article bodies and import records are read-only here: articles come in through imports,
and a body never changes once stored.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from simple_history.admin import SimpleHistoryAdmin

from articles import services
from articles.forms import EntityAliasForm, EntityAliasFormSet, EntityForm, SpanForm
from articles.models import (
    Article,
    Entity,
    EntityAlias,
    ImportBatch,
    ImportFile,
    Mention,
    NearDuplicate,
    Outlet,
    Story,
)
from articles.names import normalise_alias
from newsdesk.forms import LockoutAdminAuthenticationForm

admin.site.site_header = "Newsdesk administration"
admin.site.site_title = "Newsdesk admin"
admin.site.index_title = "Coverage, annotations and users"
# The same lock-out as /accounts/login/: otherwise the admin's login would be a way round it.
admin.site.login_form = LockoutAdminAuthenticationForm


def count_of(model: Any, field: str) -> Coalesce:
    """A correlated COUNT subquery: several counts on one row without multiplying joins."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows), 0)


def clipped(text: str, length: int = 80) -> str:
    return Truncator(text).chars(length)


class ReadOnlyAdminMixin:
    """Rows written by the pipeline only: viewable, never added or edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OwnedAdminMixin:
    """The admin who creates a row here is its author (`created_by`)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class SpanAdminMixin:
    """Spans are entered as article + offsets; the selector is computed and shown."""

    form = SpanForm
    span_readonly_fields = ("exact", "prefix", "suffix")

    @admin.display(description="text", ordering="exact")
    def exact_clipped(self, obj: Any) -> str:
        return clipped(obj.exact)


@admin.register(Outlet)
class OutletAdmin(admin.ModelAdmin):
    list_display = ("name", "domain", "country", "article_count")
    list_filter = ("country",)
    search_fields = ("name", "domain")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Outlet]:
        return super().get_queryset(request).annotate(n_articles=count_of(Article, "outlet"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj: Outlet) -> int:
        return obj.n_articles


class StoryArticleInline(admin.TabularInline):
    model = Article
    fields = ("title", "outlet", "published_at", "url")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "articles in this story"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        return super().get_queryset(request).select_related("outlet").defer("body", "raw_text")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ("label", "first_seen", "last_seen", "article_count")
    search_fields = ("label",)
    date_hierarchy = "last_seen"
    inlines = (StoryArticleInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Story]:
        return super().get_queryset(request).annotate(n_articles=count_of(Article, "story"))

    @admin.display(description="articles", ordering="n_articles")
    def article_count(self, obj: Story) -> int:
        return obj.n_articles


@admin.register(Article)
class ArticleAdmin(SimpleHistoryAdmin):
    list_display = ("title_or_id", "outlet", "published_at", "story", "word_count", "created_at")
    list_filter = (
        "outlet",
        "language",
        ("story", admin.EmptyFieldListFilter),
        ("extracted_at", admin.EmptyFieldListFilter),
        ("extraction_failed_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("outlet", "story")
    search_fields = ("title", "url", "=content_hash")
    date_hierarchy = "published_at"
    autocomplete_fields = ("outlet", "story")
    readonly_fields = (
        "body",
        "content_hash",
        "word_count",
        "raw_text",
        "created_at",
        "extracted_at",
        "extraction_error",
        "extraction_failed_at",
    )
    fieldsets = (
        (None, {"fields": ("title", "outlet", "url", "published_at", "language", "story")}),
        ("Text (immutable)", {"fields": ("body", "content_hash", "word_count")}),
        (
            "Machine's first pass",
            {"fields": ("extracted_at", "extraction_error", "extraction_failed_at")},
        ),
        ("As imported", {"classes": ("collapse",), "fields": ("raw_text", "created_at")}),
    )
    actions = ("reextract",)
    # A large corpus: skip the unfiltered COUNT(*) that each filtered page would add.
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Article]:
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and (match.url_name or "").endswith("changelist"):
            # The list never shows the text; don't read megabytes of it.
            queryset = queryset.defer("body", "raw_text", "minhash")
        return queryset

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Articles come in through imports, which clean, hash and deduplicate them.
        return False

    @admin.display(description="title", ordering="title")
    def title_or_id(self, obj: Article) -> str:
        return str(obj)

    @admin.action(description="Re-extract the selected articles (keeps reviewed suggestions)")
    def reextract(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        count = services.articles_reextract(article_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            f"Queued the machine's first pass again on {count} article{'s' if count != 1 else ''}: "
            "suggestions found again keep their ids, reviewed ones stay as they are.",
        )


class EntityAliasInline(admin.TabularInline):
    model = EntityAlias
    form = EntityAliasForm
    formset = EntityAliasFormSet
    fields = ("alias", "normalised")
    readonly_fields = ("normalised",)
    extra = 1


@admin.register(Entity)
class EntityAdmin(SimpleHistoryAdmin):
    form = EntityForm
    list_display = ("name", "kind", "wikidata_id", "alias_count", "mention_count", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "aliases__normalised", "=wikidata_id")
    inlines = (EntityAliasInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Entity]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_aliases=count_of(EntityAlias, "entity"),
                n_mentions=count_of(Mention, "entity"),
            )
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Entity], search_term: str
    ) -> tuple[QuerySet[Entity], bool]:
        # Aliases are stored normalised; search them the same way.
        return super().get_search_results(request, queryset, normalise_alias(search_term))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # An alias carries its entity's kind (the database holds one spelling per kind);
        # EntityForm.clean_kind already refused a kind change that would clash.
        entity = form.instance
        for alias in entity.aliases.exclude(kind=entity.kind):
            alias.kind = entity.kind
            alias.save(update_fields=["kind", "updated_at"])

    @admin.display(description="aliases", ordering="n_aliases")
    def alias_count(self, obj: Entity) -> int:
        return obj.n_aliases

    @admin.display(description="mentions", ordering="n_mentions")
    def mention_count(self, obj: Entity) -> int:
        return obj.n_mentions


@admin.register(EntityAlias)
class EntityAliasAdmin(SimpleHistoryAdmin):
    form = EntityAliasForm
    list_display = ("alias", "entity", "kind", "normalised")
    list_filter = ("kind",)
    list_select_related = ("entity",)
    search_fields = ("alias", "normalised", "entity__name")
    autocomplete_fields = ("entity",)
    fields = ("entity", "alias", "normalised", "kind")
    readonly_fields = ("normalised", "kind")


@admin.register(Mention)
class MentionAdmin(OwnedAdminMixin, SpanAdminMixin, SimpleHistoryAdmin):
    list_display = ("exact_clipped", "entity", "article", "start", "end", "origin", "status")
    list_filter = ("origin", "status", "entity__kind")
    list_select_related = ("entity", "article")
    search_fields = ("exact", "entity__name", "article__title")
    autocomplete_fields = ("article", "entity")
    fields = ("article", "start", "end", "exact", "prefix", "suffix", "entity", "origin")
    fields += ("status", "created_by", "reviewed_by", "reviewed_at")
    readonly_fields = (*SpanAdminMixin.span_readonly_fields, "created_by", "reviewed_by")
    readonly_fields += ("reviewed_at",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return (
            super()
            .get_queryset(request)
            .defer("article__body", "article__raw_text", "article__minhash")
        )

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # A mention added by hand is an analyst's, and needs no review.
        return {
            "origin": "analyst",
            "status": "confirmed",
            **super().get_changeform_initial_data(request),
        }


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "created_at", "created_by", "source", "status", "outlet")
    list_display += ("progress", "imported", "duplicate", "failed")
    list_filter = ("status", "source")
    list_select_related = ("created_by", "outlet")
    search_fields = ("created_by__username", "files__original_name")
    date_hierarchy = "created_at"
    readonly_fields = ("results",)

    @admin.display(description="files done")
    def progress(self, obj: ImportBatch) -> str:
        return f"{obj.files_done} / {obj.files_total}"

    @admin.display(description="per-file results")
    def results(self, obj: ImportBatch) -> str:
        # The import page pages and filters the files; a batch may hold thousands.
        url = reverse("import-detail", kwargs={"batch_id": obj.pk})
        return format_html('<a href="{}">Import #{}: every file and its result</a>', url, obj.pk)


@admin.register(ImportFile)
class ImportFileAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("original_name", "batch", "status", "size", "article", "error_clipped")
    list_filter = ("status",)
    list_select_related = ("batch", "article")
    search_fields = ("original_name", "=sha256", "error")
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportFile]:
        return (
            super()
            .get_queryset(request)
            .defer("article__body", "article__raw_text", "article__minhash")
        )

    @admin.display(description="error")
    def error_clipped(self, obj: ImportFile) -> str:
        return clipped(obj.error)


@admin.register(NearDuplicate)
class NearDuplicateAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("article", "original", "similarity", "created_at")
    list_select_related = ("article", "original")
    search_fields = ("article__title", "original__title")

    def get_queryset(self, request: HttpRequest) -> QuerySet[NearDuplicate]:
        heavy = ("body", "raw_text", "minhash")
        return (
            super()
            .get_queryset(request)
            .defer(*(f"{side}__{f}" for side in ("article", "original") for f in heavy))
        )
