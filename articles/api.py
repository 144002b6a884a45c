"""REST endpoints of the articles app, under /api/v1/."""

from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from articles import services
from articles.filters import ArticleFilter, EntityFilter, MentionFilter, StoryFilter
from articles.models import (
    Article,
    Entity,
    EntityAlias,
    ImportBatch,
    ImportFile,
    Mention,
    ReviewStatus,
    Story,
)
from articles.serializers import (
    ArticleListSerializer,
    ArticleSerializer,
    EntityMergeSerializer,
    EntitySerializer,
    EntityUpdateSerializer,
    EntityWriteSerializer,
    ImportBatchListSerializer,
    ImportBatchSerializer,
    ImportCreateSerializer,
    MentionSerializer,
    MentionUpdateSerializer,
    StorySerializer,
)
from newsdesk import roles
from newsdesk.api import (
    ID_REGEX,
    IF_MATCH,
    REFUSALS,
    CursorPage,
    ETagMixin,
    ExportMixin,
    ReadOnlyForRoles,
    RoleReadAnnotatorWrite,
    list_schema,
)
from newsdesk.permissions import IsAdminRole


class ReviewMixin:
    """`POST .../{id}/accept/` and `.../reject/`: a suggestion reviewed through the view's
    `review` (one service call), answered with the row and its new ETag."""

    def review(self, row: Any, status: str) -> Any:
        raise NotImplementedError

    def _reviewed(self, status: str) -> Response:
        row = self.get_object()  # type: ignore[attr-defined]
        return self.answer(self.review(row, status))  # type: ignore[attr-defined]

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        return self._reviewed(ReviewStatus.CONFIRMED)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._reviewed(ReviewStatus.REJECTED)


class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk imports: upload .txt files and zips, then follow the batch to the end."""

    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = ID_REGEX

    def get_permissions(self) -> list[Any]:
        # A batch is no business of anyone but admins: to others a batch's URL is a 404
        # (as if there were none), the list and the upload a 403.
        if self.action == "retrieve":
            return [ReadOnlyForRoles()]
        return [IsAdminRole()]

    def get_queryset(self) -> QuerySet[ImportBatch]:
        if roles.role_of(self.request.user) != roles.ADMIN:
            return ImportBatch.objects.none()
        return ImportBatch.objects.select_related("created_by").annotate(
            unpacking=Count("uploads", filter=Q(uploads__unpacked_at__isnull=True))
        )

    def get_serializer_class(self) -> Any:
        if self.action == "list":
            return ImportBatchListSerializer
        if self.action == "create":
            return ImportCreateSerializer
        return ImportBatchSerializer

    @extend_schema(
        request={"multipart/form-data": ImportCreateSerializer},
        responses={201: ImportBatchSerializer},
        summary="Start an import",
        description=(
            "Every file given gets a row in the batch's `files`; files that are refused "
            "(too big, binary, a zip bomb...) are `failed` with the reason. The files are "
            "imported by the workers: poll the batch until its status is `done`."
        ),
    )
    def create(self, request: Request) -> Response:
        form = ImportCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        manifest = form.validated_data.get("manifest")
        try:
            batch = services.import_batch_create(
                uploads=[services.Upload.from_file(f) for f in form.validated_data["files"]],
                source=ImportBatch.Source.API,
                user=request.user,
                outlet_name=form.validated_data.get("outlet", ""),
                manifest=services.Upload.from_file(manifest) if manifest else None,
                # Stored whole and unpacked by a worker: the request returns in moments.
                unpack_in_worker=True,
            )
        except services.ImportRefused as error:
            raise ValidationError({error.field: [str(error)]}) from error
        batch = self.get_queryset().get(pk=batch.pk)
        return Response(
            ImportBatchSerializer(batch).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path.rstrip('/')}/{batch.pk}/"},
        )


# --- the corpus: read-only for every role ----------------------------------------------


class CorpusViewSet(ExportMixin, ETagMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ReadOnlyForRoles]
    lookup_value_regex = ID_REGEX
    pagination_class = CursorPage
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "created_at", "updated_at"]


@extend_schema_view(
    list=list_schema("Articles, without their bodies", ArticleListSerializer),
    retrieve=extend_schema(summary="One article, with its clean body text"),
)
class ArticleViewSet(CorpusViewSet):
    """Articles. Every span elsewhere in the API (mentions, quotes, stances, notes) is a
    pair of character offsets into an article's `body`, which never changes."""

    filterset_class = ArticleFilter

    def get_queryset(self) -> QuerySet[Article]:
        articles = Article.objects.select_related("outlet")
        if self.action == "retrieve":
            source_file = (
                ImportFile.objects.filter(article=OuterRef("pk"), status=ImportFile.Status.IMPORTED)
                .order_by("pk")
                .values("original_name")[:1]
            )
            return articles.defer("raw_text", "minhash").annotate(source_file=Subquery(source_file))
        return articles.only(
            "id",
            "title",
            "outlet__id",
            "outlet__name",
            "url",
            "published_at",
            "date_stated",
            "language",
            "word_count",
            "story_id",
            "created_at",
            "updated_at",
        )

    def get_serializer_class(self) -> Any:
        return ArticleSerializer if self.action == "retrieve" else ArticleListSerializer


def _parsed(request: Request, serializer_class: Any, partial: bool = False) -> dict[str, Any]:
    form = serializer_class(data=request.data, partial=partial)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)


@extend_schema_view(
    list=list_schema("Entities (actors), with every spelling they go by", EntitySerializer),
    retrieve=extend_schema(summary="One entity"),
    create=extend_schema(
        summary="Add an entity, or find the one that already goes by the name",
        description=(
            "The name becomes the entity's first alias. When it already is an alias of an "
            "entity of this kind (or the name of one), that entity is the answer, with "
            "200 and unchanged: one entity per actor. A new one is 201."
        ),
        request=EntityWriteSerializer,
        responses={200: EntitySerializer, 201: EntitySerializer, **REFUSALS},
    ),
    partial_update=extend_schema(
        summary="Rename an entity, or change its kind or description",
        description=(
            "A rename keeps the old name as an alias (and the new one becomes one). A name "
            "another entity of the kind already goes by is refused: merge them instead. "
            "The entity's aliases follow a change of kind."
        ),
        request=EntityUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: EntitySerializer, **REFUSALS},
    ),
    merge=extend_schema(
        summary="Merge this entity into another",
        description=(
            "`into` takes over every mention, quote (speaker), stance (holder, target), "
            "statement (speaker) and alias of this entity, and its name as an alias; this "
            "entity is then deleted (it appears in the `deleted` feed). A mention `into` "
            "already has at the same place, and an alias `into`'s kind already has, are "
            "dropped. Answers with the entity that stays."
        ),
        request=EntityMergeSerializer,
        responses={200: EntitySerializer, **REFUSALS},
    ),
)
class EntityViewSet(CorpusViewSet):
    """Entities: one per real-world actor, whatever spellings the articles use. Analysts
    and admins add, rename and merge them."""

    serializer_class = EntitySerializer
    filterset_class = EntityFilter
    permission_classes = [RoleReadAnnotatorWrite]
    http_method_names = ["get", "post", "patch", "head", "options"]
    # Writes are JSON: numbers are numbers and text is text (no form-encoded guessing).
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Entity]:
        return Entity.objects.prefetch_related(
            Prefetch("aliases", queryset=EntityAlias.objects.order_by("alias"))
        )

    def create(self, request: Request) -> Response:
        data = _parsed(request, EntityWriteSerializer)
        entity, created = services.entity_create(user=request.user, **data)
        return self.answer(entity, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def partial_update(self, request: Request, pk: str) -> Response:
        changes = _parsed(request, EntityUpdateSerializer, partial=True)
        entity = services.entity_update(
            user=request.user, entity_id=int(pk), changes=changes, if_match=self.if_match()
        )
        return self.answer(entity)

    @action(detail=True, methods=["post"])
    def merge(self, request: Request, pk: str) -> Response:
        into = _parsed(request, EntityMergeSerializer)["into"]
        return self.answer(
            services.entity_merge(user=request.user, entity_id=int(pk), into_id=into)
        )


@extend_schema_view(
    list=list_schema("Stories: articles of several outlets about one event", StorySerializer),
    retrieve=extend_schema(summary="One story"),
)
class StoryViewSet(CorpusViewSet):
    serializer_class = StorySerializer
    filterset_class = StoryFilter

    def get_queryset(self) -> QuerySet[Story]:
        return Story.objects.annotate(article_count=Count("articles"))


@extend_schema_view(
    list=list_schema("Entity mentions (the machine's and analysts')", MentionSerializer),
    retrieve=extend_schema(summary="One mention"),
    partial_update=extend_schema(
        summary="Correct a mention",
        description=(
            "Another entity, and/or another span: `start`, `end` and `exact`, or `exact` "
            "with `prefix`, `suffix` or `near` for the server to find it. The corrected "
            "mention is confirmed, in your name."
        ),
        request=MentionUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: MentionSerializer, **REFUSALS},
    ),
    accept=extend_schema(summary="Accept a mention", request=None),
    reject=extend_schema(summary="Reject a mention", request=None),
)
class MentionViewSet(ReviewMixin, CorpusViewSet):
    """Where articles name entities. Suggested mentions are accepted, rejected or
    corrected; none is created or deleted here."""

    serializer_class = MentionSerializer
    filterset_class = MentionFilter
    permission_classes = [RoleReadAnnotatorWrite]
    http_method_names = ["get", "post", "patch", "head", "options"]
    parser_classes = [JSONParser]

    def get_queryset(self) -> QuerySet[Mention]:
        return Mention.objects.select_related("entity")

    def partial_update(self, request: Request, pk: str) -> Response:
        changes = _parsed(request, MentionUpdateSerializer, partial=True)
        mention = services.mention_update(
            user=request.user, mention_id=int(pk), changes=changes, if_match=self.if_match()
        )
        return self.answer(mention)

    def review(self, row: Mention, status: str) -> Mention:
        return services.mention_review(
            user=self.request.user, mention_id=row.pk, status=status, if_match=self.if_match()
        )
