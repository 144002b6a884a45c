"""The admin site for annotations: the stance vocabulary, tags, statements, quotes,
stances and notes. Spans are entered as article + offsets (articles.forms.SpanForm)."""

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from annotations.models import Note, Polarity, Quote, Stance, Statement, Tag
from articles.admin import OwnedAdminMixin, SpanAdminMixin, clipped, count_of
from articles.anchoring import AnchorError, text_quote_selector
from articles.forms import SpanForm

_NO_TEXT = ("article__body", "article__raw_text")


@admin.register(Polarity)
class PolarityAdmin(admin.ModelAdmin):
    list_display = ("label", "slug", "phrase", "sign", "position", "is_active", "stance_count")
    list_display_links = ("label",)
    list_editable = ("phrase", "sign", "position", "is_active")
    list_filter = ("is_active", "sign")
    search_fields = ("label", "slug", "description")
    prepopulated_fields = {"slug": ("label",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Polarity]:
        return super().get_queryset(request).annotate(n_stances=count_of(Stance, "polarity"))

    @admin.display(description="stances", ordering="n_stances")
    def stance_count(self, obj: Polarity) -> int:
        return obj.n_stances


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("label", "slug", "quote_count", "stance_count", "note_count")
    search_fields = ("label", "slug", "description")
    prepopulated_fields = {"slug": ("label",)}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_quotes=count_of(Quote.tags.through, "tag"),
                n_stances=count_of(Stance.tags.through, "tag"),
                n_notes=count_of(Note.tags.through, "tag"),
            )
        )

    @admin.display(description="quotes", ordering="n_quotes")
    def quote_count(self, obj: Tag) -> int:
        return obj.n_quotes

    @admin.display(description="stances", ordering="n_stances")
    def stance_count(self, obj: Tag) -> int:
        return obj.n_stances

    @admin.display(description="notes", ordering="n_notes")
    def note_count(self, obj: Tag) -> int:
        return obj.n_notes


class VariantInline(admin.TabularInline):
    model = Quote
    fk_name = "statement"
    fields = ("exact", "speaker", "article", "similarity", "status")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "variant"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quote]:
        return super().get_queryset(request).select_related("speaker", "article").defer(*_NO_TEXT)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(SimpleHistoryAdmin):
    list_display = ("reference_clipped", "speaker", "story", "variant_count", "created_at")
    list_filter = ("speaker__kind",)
    list_select_related = ("speaker", "story")
    search_fields = ("reference_text", "speaker__name", "story__label")
    autocomplete_fields = ("speaker", "story")
    inlines = (VariantInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Statement]:
        return super().get_queryset(request).annotate(n_variants=count_of(Quote, "statement"))

    @admin.display(description="reference text", ordering="reference_text")
    def reference_clipped(self, obj: Statement) -> str:
        return clipped(obj.reference_text)

    @admin.display(description="variants", ordering="n_variants")
    def variant_count(self, obj: Statement) -> int:
        return obj.n_variants


class QuoteForm(SpanForm):
    """A quote's speaker span, when given, must lie in the same article body."""

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        article = cleaned.get("article")
        start, end = cleaned.get("speaker_start"), cleaned.get("speaker_end")
        if (start is None) != (end is None):
            missing = "speaker_end" if end is None else "speaker_start"
            raise ValidationError({missing: "A speaker span needs both its start and its end."})
        if article is not None and start is not None and end is not None:
            try:
                text_quote_selector(article.body, start, end)
            except AnchorError as error:
                raise ValidationError({"speaker_end": str(error)}) from error
        return cleaned


@admin.register(Quote)
class QuoteAdmin(OwnedAdminMixin, SpanAdminMixin, SimpleHistoryAdmin):
    form = QuoteForm
    list_display = ("exact_clipped", "speaker", "cue", "kind", "article", "origin", "status")
    list_display += ("created_by",)
    list_filter = ("kind", "origin", "status", "tags")
    list_select_related = ("speaker", "article", "created_by")
    search_fields = ("exact", "cue", "speaker__name", "article__title")
    autocomplete_fields = ("article", "speaker", "statement", "tags")
    fieldsets = (
        (None, {"fields": ("article", "start", "end", "exact", "prefix", "suffix")}),
        ("Attribution", {"fields": ("speaker", "speaker_start", "speaker_end", "cue", "kind")}),
        ("Review", {"fields": ("origin", "status", "tags", "statement", "similarity")}),
        ("Provenance", {"fields": ("created_by", "reviewed_by", "reviewed_at")}),
    )
    readonly_fields = (*SpanAdminMixin.span_readonly_fields, "created_by", "reviewed_by")
    readonly_fields += ("reviewed_at",)
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Quote]:
        return super().get_queryset(request).defer(*_NO_TEXT)


@admin.register(Stance)
class StanceAdmin(OwnedAdminMixin, SpanAdminMixin, SimpleHistoryAdmin):
    list_display = ("holder", "polarity", "target", "exact_clipped", "article", "origin")
    list_display += ("created_by",)
    list_filter = ("polarity", "origin", "tags")
    list_select_related = ("holder", "target_entity", "polarity", "article", "created_by")
    search_fields = ("exact", "holder__name", "target_entity__name", "target_text", "note")
    autocomplete_fields = ("article", "quote", "holder", "target_entity", "tags")
    fieldsets = (
        (None, {"fields": ("article", "start", "end", "exact", "prefix", "suffix", "quote")}),
        ("Stance", {"fields": ("holder", "polarity", "target_entity", "target_text", "note")}),
        ("Review", {"fields": ("origin", "tags", "created_by")}),
    )
    readonly_fields = (*SpanAdminMixin.span_readonly_fields, "created_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Stance]:
        return super().get_queryset(request).defer(*_NO_TEXT)

    @admin.display(description="target")
    def target(self, obj: Stance) -> str:
        return obj.target_entity.name if obj.target_entity else obj.target_text


class NoteForm(SpanForm):
    """A note's span is optional: no offsets means a note on the whole article."""

    def clean(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data.get("start") is None and data.get("end") is None:
            self.instance.exact = self.instance.prefix = self.instance.suffix = ""
            return data
        for field in ("start", "end"):
            if data.get(field) is None and field not in self.errors:
                raise ValidationError({field: "Give both ends of the span, or neither."})
        return super().clean()


@admin.register(Note)
class NoteAdmin(OwnedAdminMixin, SimpleHistoryAdmin):
    list_display = ("text_clipped", "article", "exact_clipped", "created_by", "created_at")
    list_filter = ("tags",)
    list_select_related = ("article", "created_by")
    search_fields = ("text", "exact", "article__title")
    autocomplete_fields = ("article", "quote", "stance", "tags")
    form = NoteForm
    fields = ("article", "text", "start", "end", "exact", "prefix", "suffix", "quote", "stance")
    fields += ("tags", "created_by")
    readonly_fields = ("exact", "prefix", "suffix", "created_by")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Note]:
        return super().get_queryset(request).defer(*_NO_TEXT)

    @admin.display(description="text", ordering="text")
    def text_clipped(self, obj: Note) -> str:
        return clipped(obj.text)

    @admin.display(description="span", ordering="exact")
    def exact_clipped(self, obj: Note) -> str:
        return clipped(obj.exact) or "—"
