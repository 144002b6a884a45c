from typing import Any

from rest_framework import serializers

from articles import selectors
from articles.models import ImportBatch, ImportFile


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
