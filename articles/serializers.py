from typing import Any

from django.conf import settings
from rest_framework import serializers

from articles import selectors
from articles.anchoring import MAX_LOCATE_CONTEXT
from articles.models import Article, Entity, EntityKind, ImportBatch, ImportFile, Mention, Story


class RemovedLineSerializer(serializers.Serializer):
    line = serializers.CharField()
    reason = serializers.CharField(
        help_text="`title` for the line taken as the article's title; otherwise why it is "
        "page chrome: the pattern that matched, or `recurring` (the line recurs across the "
        "batch's or the outlet's other pages)."
    )


class ImportFileResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name as given (inside a zip: zip/name).")
    status = serializers.ChoiceField(choices=ImportFile.Status.choices)
    error = serializers.CharField(allow_null=True, help_text="Why it failed, in plain words.")
    article = serializers.IntegerField(
        allow_null=True, help_text="The article created, or the existing one it duplicates."
    )
    removed_lines = RemovedLineSerializer(
        many=True,
        help_text="Lines cleaning took out of the file's text, each with its reason.",
    )


class ImportCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    imported = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    failed = serializers.IntegerField()


class ImportExtractionSerializer(serializers.Serializer):
    articles = serializers.IntegerField(help_text="Articles this batch imported.")
    extracted = serializers.IntegerField()
    failed = serializers.IntegerField(help_text="Each article says why in the API and on its page.")
    pending = serializers.IntegerField(help_text="Queued for extraction.")


class ImportBatchSerializer(serializers.Serializer):
    """A batch with its per-file results (the CLI's --json shape, plus timestamps)."""

    batch = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ImportBatch.Status.choices)
    counts = ImportCountsSerializer()
    files = ImportFileResultSerializer(many=True)
    source = serializers.CharField()
    created_by = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    waiting_for_worker = serializers.BooleanField(
        help_text="True when no worker has started the batch within a few seconds."
    )
    unpacking = serializers.IntegerField(
        help_text="Uploads a worker has still to unpack (a zip into its files): `files` and "
        "`counts` list them once unpacked."
    )
    enqueue_error = serializers.CharField(
        help_text="Why its work could not be handed to the workers the last time it was "
        "tried; empty once a retry succeeds (the sweep retries every minute)."
    )
    extraction = ImportExtractionSerializer(
        allow_null=True,
        help_text="The machine's first pass over the imported articles, which runs after the "
        "batch is done; null when extraction on import is off.",
    )

    def to_representation(self, instance: ImportBatch) -> dict[str, Any]:
        summary = selectors.import_batch_summary(instance)
        summary.update(
            source=instance.source,
            created_by=instance.created_by.get_username() if instance.created_by else None,
            created_at=instance.created_at,
            started_at=instance.started_at,
            finished_at=instance.finished_at,
            waiting_for_worker=selectors.import_batch_waiting_for_worker(instance),
            unpacking=selectors.import_batch_unpacking(instance),
            enqueue_error=instance.enqueue_error,
            extraction=(
                selectors.import_batch_extraction(instance) if settings.INGEST_EXTRACTION else None
            ),
        )
        return super().to_representation(summary)


class ImportBatchListSerializer(serializers.ModelSerializer):
    created_by = serializers.CharField(source="created_by.get_username", allow_null=True)

    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "status",
            "source",
            "created_by",
            "created_at",
            "finished_at",
            "files_total",
            "files_done",
            "imported",
            "duplicate",
            "failed",
        ]


class ImportCreateSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True),
        allow_empty=False,
        help_text=".txt files and .zip archives; send the field once per file.",
    )
    manifest = serializers.FileField(
        required=False, help_text="CSV: filename, title, outlet, url, published_at."
    )
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=200)


# --- the corpus: articles, entities, stories, mentions ---------------------------------


class NamedRefSerializer(serializers.Serializer):
    """A related row by id and name (an entity, an outlet)."""

    id = serializers.IntegerField()
    name = serializers.CharField()


class ArticleListSerializer(serializers.ModelSerializer):
    outlet = NamedRefSerializer(allow_null=True, read_only=True)
    date_source = serializers.ChoiceField(
        choices=["metadata", "text", "none"],
        read_only=True,
        help_text=(
            "Where published_at came from: the metadata, the text's own words (date_stated), "
            'or "none": the article is undated and grouped into a story by content alone.'
        ),
    )

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "outlet",
            "url",
            "published_at",
            "date_source",
            "date_stated",
            "language",
            "word_count",
            "story",
            "created_at",
            "updated_at",
        ]


class ArticleSerializer(ArticleListSerializer):
    source_file = serializers.CharField(
        allow_null=True, read_only=True, help_text="The imported file's name, as given."
    )

    class Meta(ArticleListSerializer.Meta):
        fields = [
            *ArticleListSerializer.Meta.fields,
            "source_file",
            "content_hash",
            "body",
            "extracted_at",
            "extraction_error",
            "extraction_failed_at",
        ]
        extra_kwargs = {
            "extracted_at": {"help_text": "When the machine's first pass last ran on it."},
            "extraction_error": {
                "help_text": "Why the machine's first pass failed on it; empty if it did not."
            },
        }


class EntitySerializer(serializers.ModelSerializer):
    aliases = serializers.SerializerMethodField(help_text="Every spelling the entity goes by.")

    class Meta:
        model = Entity
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "wikidata_id",
            "aliases",
            "created_at",
            "updated_at",
        ]

    def get_aliases(self, entity: Entity) -> list[str]:
        # Prefetched by the view: no query per entity.
        return [alias.alias for alias in entity.aliases.all()]


class StorySerializer(serializers.ModelSerializer):
    article_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Story
        fields = [
            "id",
            "label",
            "first_seen",
            "last_seen",
            "article_count",
            "created_at",
            "updated_at",
        ]


# A span's fields, as every span serializer answers them: offsets into the article's body
# and the W3C TextQuoteSelector.
SPAN_FIELDS = ["article", "start", "end", "exact", "prefix", "suffix"]


class MentionSerializer(serializers.ModelSerializer):
    entity = NamedRefSerializer(read_only=True)
    kind = serializers.CharField(source="entity.kind", read_only=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            *SPAN_FIELDS,
            "entity",
            "kind",
            "origin",
            "status",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]


# --- writing: spans, entities, mentions -------------------------------------------------


class StrictIntegerField(serializers.IntegerField):
    """A JSON number that is whole: DRF's own also takes "12", 12.0 and true."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A JSON string: DRF's own also takes numbers and turns them into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def offset_field(**kwargs: Any) -> serializers.IntegerField:
    return StrictIntegerField(min_value=0, max_value=2_000_000_000, **kwargs)


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return StrictIntegerField(min_value=1, max_value=2**63 - 1, **kwargs)


# A span comes as offsets with the text there, or as the text with what surrounds it
# (a W3C TextQuoteSelector), which the server finds in the body: `guards.span_selector`.
START_HELP = (
    "Offset of the span's first character in the article body. Give it with `end`, or "
    "leave both out to have the server find `exact` in the body."
)
END_HELP = "Offset just past the span's last character; given with `start`."
EXACT_HELP = (
    "The selected text, whitespace and all. With `start` and `end` it must be "
    "body[start:end] exactly; without them the server finds it in the body, choosing "
    "among repeats by `prefix`, `suffix` and `near`. Refused when it is not there, or "
    "is there more than once and nothing tells which."
)
PREFIX_HELP = (
    f"The text just before the selection, up to {MAX_LOCATE_CONTEXT} characters (the "
    "more, the surer): only an occurrence of `exact` preceded by it is taken. Ignored "
    "when `start` and `end` are given."
)
SUFFIX_HELP = (
    f"The text just after the selection, up to {MAX_LOCATE_CONTEXT} characters: only "
    "an occurrence of `exact` followed by it is taken. Ignored when `start` and `end` "
    "are given."
)
NEAR_HELP = (
    "Where you think the selection starts (your own offset): of several occurrences that "
    "fit `prefix` and `suffix`, the one starting nearest it is taken. Ignored when "
    "`start` and `end` are given."
)


def context_field(help_text: str) -> serializers.CharField:
    return StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=MAX_LOCATE_CONTEXT,
        help_text=help_text,
    )


class SpanWriteSerializer(serializers.Serializer):
    """A span the writer selected, in either form: offsets into the article body and the
    text there (`start`, `end`, `exact`), or the text with its context (`exact`, `prefix`,
    `suffix`, `near`), which the server finds in the body."""

    start = offset_field(required=False, help_text=START_HELP)
    end = offset_field(required=False, help_text=END_HELP)
    exact = StrictCharField(trim_whitespace=False, help_text=EXACT_HELP)
    prefix = context_field(PREFIX_HELP)
    suffix = context_field(SUFFIX_HELP)
    near = offset_field(required=False, help_text=NEAR_HELP)


class EntityWriteSerializer(serializers.Serializer):
    name = StrictCharField(
        max_length=300,
        help_text=(
            "Canonical name. It becomes one of the entity's aliases; when it already is "
            "an alias of an entity of this kind, that entity is the answer (200)."
        ),
    )
    kind = serializers.ChoiceField(choices=EntityKind.choices)
    description = StrictCharField(required=False, allow_blank=True, max_length=10_000)


class EntityUpdateSerializer(EntityWriteSerializer):
    """Any of the entity's fields. A new name keeps the old one as an alias."""


class EntityMergeSerializer(serializers.Serializer):
    into = id_field(
        help_text=(
            "The entity that stays: it takes over every mention, quote, stance, statement "
            "and alias of the merged one, and the merged one's name as an alias."
        )
    )


class MentionUpdateSerializer(SpanWriteSerializer):
    """A correction: another entity, and/or another span in either form. The corrected
    mention is confirmed in the corrector's name."""

    entity = id_field(required=False, help_text="Entity id of whom the span names.")
