"""/api/v1/reviews/: accept or reject many of the machine's suggestions at once, and undo
a review.

`POST /reviews/` reviews the listed suggestions of one article (the reader's keys:
`mention-12`, `quote-3`, `stance-7`) as one action, recorded for each analyst exactly as
the one-at-a-time accept and reject are; `POST /reviews/{id}/undo/` puts every row back
as it was. The one-at-a-time accept and reject of mentions, quotes and stances are
journalled the same way (their view sets here call the same service), so that the
reader's Undo undoes whichever came last. The services decide who may do what
(annotations.services.reviews); a refusal changes nothing.
"""

from typing import Any

from django.core.validators import RegexValidator
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.models import ReviewAction
from annotations.services.reviews import KEY, MAX_ITEMS, review_undo, suggestions_review
from articles import api as articles_api
from articles.models import Mention, ReviewStatus
from articles.serializers import StrictCharField, id_field
from newsdesk.api import ID_REGEX, REFUSALS, RoleReadAnnotatorWrite

VERDICTS = {"accept": ReviewStatus.CONFIRMED, "reject": ReviewStatus.REJECTED}


class ReviewRequestSerializer(serializers.Serializer):
    article = id_field(help_text="The article the suggestions are in.")
    verdict = serializers.ChoiceField(
        choices=[("accept", "Accept"), ("reject", "Reject")],
        help_text="accept: each suggestion is confirmed; reject: rejected.",
    )
    items = serializers.ListField(
        child=StrictCharField(
            max_length=40,
            validators=[
                RegexValidator(
                    KEY,
                    "%(value)r is not a suggestion's key: give mention-<id>, quote-<id> or "
                    "stance-<id>.",
                )
            ],
            help_text="A suggestion's key: mention-<id>, quote-<id> or stance-<id>.",
        ),
        min_length=1,
        max_length=MAX_ITEMS,
        error_messages={
            "min_length": "List at least one suggestion to review.",
            "max_length": "At most {max_length} suggestions at once.",
            "not_a_list": 'A list of keys, such as ["mention-12", "quote-3"].',
        },
        help_text=(
            "The suggestions to review, as the reader lists them. Every one must still be "
            "a suggestion as you see it (else 412, and nothing is reviewed)."
        ),
    )

    def validate_items(self, items: list[str]) -> list[str]:
        twice = sorted({key for key in items if items.count(key) > 1})
        if twice:
            raise serializers.ValidationError(f"Listed twice: {', '.join(twice[:5])}.")
        return items


class ReviewActionSerializer(serializers.ModelSerializer):
    verdict = serializers.SerializerMethodField(help_text="accept or reject.")
    items = serializers.SerializerMethodField(help_text="The keys of the suggestions reviewed.")
    count = serializers.IntegerField(read_only=True, help_text="How many were reviewed.")

    class Meta:
        model = ReviewAction
        fields = [
            "id",
            "article",
            "verdict",
            "summary",
            "count",
            "items",
            "created_at",
            "undone_at",
        ]
        extra_kwargs = {
            "summary": {"help_text": 'In words: "14 suggested mentions of Xi Jinping".'}
        }

    def get_verdict(self, row: ReviewAction) -> str:
        return "accept" if row.verdict == ReviewStatus.CONFIRMED else "reject"

    def get_items(self, row: ReviewAction) -> list[str]:
        return [f"{entry['kind']}-{entry['id']}" for entry in row.rows]


@extend_schema_view(
    create=extend_schema(
        summary="Accept or reject many suggestions of one article at once",
        description=(
            "One action, all or nothing: each suggestion is reviewed as its own accept or "
            "reject would (for quotes and stances, also as your own decision; on an "
            "article you code blind, only that). Undo it with `POST /reviews/{id}/undo/`."
        ),
        request=ReviewRequestSerializer,
        responses={201: ReviewActionSerializer, **REFUSALS},
    ),
    undo=extend_schema(
        summary="Undo a review (yours): every row it touched back as it was",
        description=(
            "Refused (412, nothing changes) when a row it touched was changed since, or "
            "it was undone already; only the analyst who made the review may undo it (403)."
        ),
        request=None,
        responses={200: ReviewActionSerializer, **REFUSALS},
    ),
)
class ReviewViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Reviews of the machine's suggestions, many at once, and their undo."""

    permission_classes = [RoleReadAnnotatorWrite]
    serializer_class = ReviewActionSerializer
    parser_classes = [JSONParser]
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[ReviewAction]:
        return ReviewAction.objects.all()

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = ReviewRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        done = suggestions_review(
            user=request.user,
            article_id=data["article"],
            items=data["items"],
            status=VERDICTS[data["verdict"]],
        )
        return Response(self.get_serializer(done).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def undo(self, request: Request, pk: str) -> Response:
        undone = review_undo(user=request.user, action_id=int(pk))
        return Response(self.get_serializer(undone).data)


def reviewed_alone(view: Any, kind: str, row: Any, status: str) -> Any:
    """The one-at-a-time accept or reject of a view set's row, journalled for Undo: the
    same service as the bulk review, one key (and the If-Match the request gives)."""
    suggestions_review(
        user=view.request.user,
        article_id=row.article_id,
        items=[f"{kind}-{row.pk}"],
        status=status,
        only_suggested=False,
        if_match=view.if_match(),
    )
    return row  # the view's answer re-reads it as the user sees it


class JournalledMentionViewSet(articles_api.MentionViewSet):
    # The articles app may not know of the journal (layers): its mention endpoint is
    # mounted with this review instead.
    __doc__ = articles_api.MentionViewSet.__doc__

    def review(self, row: Mention, status: str) -> Mention:
        return reviewed_alone(self, "mention", row, status)
