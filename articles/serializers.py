from typing import Any

from django.contrib.auth import authenticate
from rest_framework import serializers

from articles import roles, selectors
from articles.models import Article, Entity, ImportBatch, ImportFile, Mention, Story


class ImportFileResultSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The file's name as given (inside a zip: zip/name).")
    status = serializers.ChoiceField(choices=ImportFile.Status.choices)
    error = serializers.CharField(allow_null=True, help_text="Why it failed, in plain words.")
    article = serializers.IntegerField(
        allow_null=True, help_text="The article created, or the existing one it duplicates."
    )


class ImportCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    imported = serializers.IntegerField()
    duplicate = serializers.IntegerField()
    failed = serializers.IntegerField()


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

    def to_representation(self, instance: ImportBatch) -> dict[str, Any]:
        summary = selectors.import_batch_summary(instance)
        summary.update(
            source=instance.source,
            created_by=instance.created_by.get_username() if instance.created_by else None,
            created_at=instance.created_at,
            started_at=instance.started_at,
            finished_at=instance.finished_at,
            waiting_for_worker=selectors.import_batch_waiting_for_worker(instance),
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

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "outlet",
            "url",
            "published_at",
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
        fields = [*ArticleListSerializer.Meta.fields, "source_file", "content_hash", "body"]


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


# --- Signing in (articles.api_auth) ---------------------------------------------------


class ApiTokenObtainSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(
        write_only=True, trim_whitespace=False, style={"input_type": "password"}
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        user = authenticate(
            self.context.get("request"), username=attrs["username"], password=attrs["password"]
        )
        if user is None:
            # The same words for an unknown user, a wrong password and an inactive account.
            raise serializers.ValidationError("Wrong username or password.", code="authorization")
        return {"user": user}


class ApiTokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it on every request: `Authorization: Token <token>`."
    )


class ApiTokenErrorSerializer(serializers.Serializer):
    """A 400 from the token endpoint: which field is missing, or the credentials are wrong."""

    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text='["Wrong username or password."]'
    )
    username = serializers.ListField(child=serializers.CharField(), required=False)
    password = serializers.ListField(child=serializers.CharField(), required=False)


class ApiErrorSerializer(serializers.Serializer):
    """DRF's error shape for 401, 403, 404 and 429 (429 also sends Retry-After, in seconds)."""

    detail = serializers.CharField()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.ChoiceField(
        choices=roles.ROLES, allow_null=True, help_text="Null for a user given no role yet."
    )
