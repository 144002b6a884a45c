"""REST shapes of quotes, stances, notes, statements and the polarity vocabulary.

Read serializers render rows the views fetched with their joins (no query per row). Write
serializers only check types; the services check everything else (offsets against the
body, entities, ownership) and say which field is wrong.
"""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotations.models import Note, Polarity, Quote, Stance, Statement
from articles.models import ReviewStatus
from articles.nlp import variants
from articles.serializers import (
    END_HELP,
    EXACT_HELP,
    NEAR_HELP,
    PREFIX_HELP,
    SPAN_FIELDS,
    START_HELP,
    SUFFIX_HELP,
    NamedRefSerializer,
    SpanWriteSerializer,
    StrictCharField,
    context_field,
)
from articles.serializers import id_field as _id
from articles.serializers import offset_field as _offset


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _ref(row: Any) -> dict[str, Any] | None:
    """As NamedRefSerializer renders a related row."""
    return {"id": row.pk, "name": row.name} if row is not None else None


# Renders a time as every DateTimeField of the API does (no state: safe to share).
_TIME = serializers.DateTimeField(read_only=True)


class AuthoredSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField(help_text="The author's username.")

    def get_created_by(self, row: Any) -> str | None:
        return _username(row.created_by)


# --- reading ---------------------------------------------------------------------------


# The status the reader sees: on an article they code blind, their own decision.
_STATUS = {"choices": ReviewStatus.choices, "source": "shown_status", "read_only": True}


class QuoteSerializer(AuthoredSerializer):
    speaker = NamedRefSerializer(allow_null=True, read_only=True)
    status = serializers.ChoiceField(**_STATUS)
    tags = serializers.SerializerMethodField()
    reviewed_by = serializers.SerializerMethodField()

    class Meta:
        model = Quote
        fields = [
            "id",
            *SPAN_FIELDS,
            "kind",
            "cue",
            "cue_start",
            "cue_end",
            "speaker",
            "speaker_start",
            "speaker_end",
            "origin",
            "status",
            "statement",
            "similarity",
            "tags",
            "created_by",
            "reviewed_by",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]

    def get_tags(self, quote: Quote) -> list[str]:
        return [tag.slug for tag in quote.tags.all()]

    def get_reviewed_by(self, quote: Quote) -> str | None:
        return _username(quote.reviewed_by)


class StanceSerializer(AuthoredSerializer):
    holder = NamedRefSerializer(read_only=True)
    target = NamedRefSerializer(source="target_entity", allow_null=True, read_only=True)
    polarity = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    status = serializers.ChoiceField(**_STATUS)
    reviewed_by = serializers.SerializerMethodField()

    class Meta:
        model = Stance
        fields = [
            "id",
            *SPAN_FIELDS,
            "quote",
            "holder",
            "target",
            "target_text",
            "polarity",
            "note",
            "origin",
            "status",
            "created_by",
            "reviewed_by",
            "reviewed_at",
            "created_at",
            "updated_at",
        ]

    def get_reviewed_by(self, stance: Stance) -> str | None:
        return _username(stance.reviewed_by)

    def to_representation(self, stance: Stance) -> dict[str, Any]:
        """The fields above, by hand: every stance written answers with this, and DRF
        building the serializer's fields again for each one cost more CPU than the rest
        of the request. tests/api/test_serializers.py holds it to DRF's own rendering."""
        return {
            "id": stance.pk,
            "article": stance.article_id,
            "start": stance.start,
            "end": stance.end,
            "exact": stance.exact,
            "prefix": stance.prefix,
            "suffix": stance.suffix,
            "quote": stance.quote_id,
            "holder": _ref(stance.holder),
            "target": _ref(stance.target_entity),
            "target_text": stance.target_text,
            "polarity": stance.polarity.slug,
            "note": stance.note,
            "origin": stance.origin,
            "status": stance.shown_status,
            "created_by": _username(stance.created_by),
            "reviewed_by": _username(stance.reviewed_by),
            "reviewed_at": (
                _TIME.to_representation(stance.reviewed_at) if stance.reviewed_at else None
            ),
            "created_at": _TIME.to_representation(stance.created_at),
            "updated_at": _TIME.to_representation(stance.updated_at),
        }


class NoteSerializer(AuthoredSerializer):
    class Meta:
        model = Note
        fields = [
            "id",
            "article",
            "text",
            "start",
            "end",
            "exact",
            "prefix",
            "suffix",
            "quote",
            "stance",
            "created_by",
            "created_at",
            "updated_at",
        ]


class DifferenceSerializer(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete", "replace", "extra"])
    text = serializers.CharField(allow_blank=True, help_text="The variant's words.")
    reference = serializers.CharField(allow_blank=True, help_text="The reference's words.")


class VariantSerializer(serializers.Serializer):
    quote = serializers.IntegerField()
    article = serializers.IntegerField()
    outlet = serializers.CharField(allow_null=True)
    text = serializers.CharField(help_text="The quoted words as this outlet reported them.")
    similarity = serializers.FloatField(help_text="Similarity to the reference wording, 0-1.")
    differences = DifferenceSerializer(many=True)


class StatementSerializer(serializers.ModelSerializer):
    speaker = NamedRefSerializer(allow_null=True, read_only=True)
    variants = serializers.SerializerMethodField()

    class Meta:
        model = Statement
        fields = [
            "id",
            "reference_text",
            "speaker",
            "story",
            "variants",
            "created_at",
            "updated_at",
        ]

    @staticmethod
    def variants_of(statement: Statement) -> list[dict[str, Any]]:
        reference = variants.words(statement.reference_text)
        rows = []
        # Prefetched by the view with their articles and outlets, rejected ones left out.
        for quote in statement.variants.all():
            alignment = variants.align(reference, variants.quoted_words(quote.exact))
            outlet = quote.article.outlet
            rows.append(
                {
                    "quote": quote.pk,
                    "article": quote.article_id,
                    "outlet": outlet.name if outlet else None,
                    "text": variants.quoted_text(quote.exact),
                    "similarity": alignment.similarity,
                    "differences": [
                        {"op": d.op, "text": d.text, "reference": d.reference}
                        for d in alignment.differences
                    ],
                }
            )
        return rows

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, statement: Statement) -> list[dict[str, Any]]:
        return self.variants_of(statement)


class PolaritySerializer(serializers.ModelSerializer):
    class Meta:
        model = Polarity
        fields = ["slug", "label", "description", "position", "is_active", "sign"]


# --- writing ---------------------------------------------------------------------------


class QuoteWriteSerializer(SpanWriteSerializer):
    article = _id()
    speaker = _id(required=False, allow_null=True, help_text="Entity id of who said it.")
    speaker_start = _offset(required=False, allow_null=True)
    speaker_end = _offset(required=False, allow_null=True)
    cue = StrictCharField(required=False, allow_blank=True, max_length=100)
    cue_start = _offset(required=False, allow_null=True)
    cue_end = _offset(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Quote.Kind.choices, required=False)


class QuoteUpdateSerializer(QuoteWriteSerializer):
    """Any of the quote's fields; a new span in either form (start, end and exact, or
    exact with prefix, suffix or near)."""

    article = None  # type: ignore[assignment]


class StanceWriteSerializer(SpanWriteSerializer):
    article = _id()
    holder = _id(help_text="Entity id of who holds the stance.")
    target = _id(required=False, allow_null=True, help_text="Entity id the stance is on.")
    target_text = StrictCharField(
        required=False, allow_blank=True, max_length=300, help_text="Or a topic, in words."
    )
    polarity = StrictCharField(max_length=40, help_text="A slug of the vocabulary.")
    note = StrictCharField(required=False, allow_blank=True, max_length=10_000)
    quote = _id(required=False, allow_null=True, help_text="The quote it is read from.")


class StanceUpdateSerializer(StanceWriteSerializer):
    article = None  # type: ignore[assignment]


class NoteWriteSerializer(serializers.Serializer):
    """A note on the article, or on a span of it in either form (see SpanWriteSerializer);
    start, end and exact all null (on a change) take the note off its span."""

    article = _id()
    text = StrictCharField(max_length=10_000)
    start = _offset(required=False, allow_null=True, help_text=START_HELP)
    end = _offset(required=False, allow_null=True, help_text=END_HELP)
    exact = StrictCharField(
        required=False, allow_null=True, trim_whitespace=False, help_text=EXACT_HELP
    )
    prefix = context_field(PREFIX_HELP)
    suffix = context_field(SUFFIX_HELP)
    near = _offset(required=False, allow_null=True, help_text=NEAR_HELP)
    quote = _id(required=False, allow_null=True)
    stance = _id(required=False, allow_null=True)


class NoteUpdateSerializer(NoteWriteSerializer):
    article = None  # type: ignore[assignment]
