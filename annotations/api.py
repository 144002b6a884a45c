"""REST endpoints of the annotations app, under /api/v1/.

Views parse, call one service or selector, and render. The services check ownership,
offsets and versions, and raise; `newsdesk.api.exception_handler` answers.
"""

import json
from dataclasses import replace
from datetime import UTC
from typing import Any

from django.core import signing
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.filters import OrderingFilter
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from annotations import selectors, services, w3c_sql
from annotations.api_reviews import reviewed_alone
from annotations.filters import (
    DeletionFilter,
    NoteFilter,
    QuoteFilter,
    StanceFilter,
    StatementFilter,
)
from annotations.models import Deletion, Note, Polarity, Quote, Stance, Statement
from annotations.selectors import team
from annotations.serializers import (
    NoteSerializer,
    NoteUpdateSerializer,
    NoteWriteSerializer,
    PolaritySerializer,
    QuoteSerializer,
    QuoteUpdateSerializer,
    QuoteWriteSerializer,
    StanceSerializer,
    StanceUpdateSerializer,
    StanceWriteSerializer,
    StatementSerializer,
)
from articles.api import ReviewMixin
from articles.models import Mention, Origin, ReviewStatus
from newsdesk import sync
from newsdesk.api import (
    ID_REGEX,
    IF_MATCH,
    REFUSALS,
    SPACE,
    CSVRenderer,
    CursorPage,
    ETagMixin,
    ExportMixin,
    JSONLDRenderer,
    JSONLinesRenderer,
    ReadOnlyForRoles,
    RoleReadAnnotatorWrite,
    csv_lines,
    id_parameter,
    list_schema,
    page_size_of,
    text_parameter,
)
from newsdesk.filters import MAX_ID
from newsdesk.guards import etag_of


class AnnotationModelViewSet(ExportMixin, ETagMixin, viewsets.ModelViewSet):
    """Shared by quotes, stances and notes: read for every role, write through services."""

    permission_classes = [RoleReadAnnotatorWrite]
    pagination_class = CursorPage
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "created_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    # Writes are JSON: numbers are numbers and text is text (no form-encoded guessing).
    parser_classes = [JSONParser]
    lookup_value_regex = ID_REGEX
    write_serializer_class: type[serializers.Serializer]
    update_serializer_class: type[serializers.Serializer]

    def parsed(self, serializer_class: type[serializers.Serializer], partial: bool) -> dict:
        form = serializer_class(data=self.request.data, partial=partial)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.create_row(self.parsed(self.write_serializer_class, partial=False))
        # The service returns the row with its relations attached; only its times are the
        # database's (a trigger sets them), read back in one query for the answer and its
        # ETag.
        row.refresh_from_db(fields=["created_at", "updated_at"])
        return Response(
            self.get_serializer(row).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag_of(row)},
        )

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()
        changes = self.parsed(self.update_serializer_class, partial=True)
        return self.answer(self.update_row(row, changes))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.delete_row(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def create_row(self, data: dict) -> Any:
        raise NotImplementedError

    def update_row(self, row: Any, changes: dict) -> Any:
        raise NotImplementedError

    def delete_row(self, row: Any) -> None:
        raise NotImplementedError


def _review_docs(noun: str, serializer: type) -> dict[str, Any]:
    """The OpenAPI docs of a ReviewMixin view set's accept and reject actions."""
    return {
        action: extend_schema(
            summary=f"{action.capitalize()} a suggested {noun}",
            request=None,
            parameters=[IF_MATCH],
            responses={200: serializer, **REFUSALS},
        )
        for action in ("accept", "reject")
    }


def _write_docs(name: str, write: Any, update: Any, read: Any) -> dict[str, Any]:
    return {
        "list": list_schema(f"{name.title()}s", read),
        "retrieve": extend_schema(summary=f"One {name}", responses={200: read, 304: None}),
        "create": extend_schema(
            summary=f"Tag a {name}", request=write, responses={201: read, **REFUSALS}
        ),
        "partial_update": extend_schema(
            summary=f"Change a {name}",
            request=update,
            parameters=[IF_MATCH],
            responses={200: read, **REFUSALS},
        ),
        "destroy": extend_schema(
            summary=f"Delete a {name}", parameters=[IF_MATCH], responses={204: None, **REFUSALS}
        ),
    }


@extend_schema_view(
    **_write_docs("quote", QuoteWriteSerializer, QuoteUpdateSerializer, QuoteSerializer),
    **_review_docs("quote", QuoteSerializer),
)
class QuoteViewSet(ReviewMixin, AnnotationModelViewSet):
    """Quotes: reported speech with its speaker and cue; the machine's suggestions and
    analysts' own."""

    serializer_class = QuoteSerializer
    write_serializer_class = QuoteWriteSerializer
    update_serializer_class = QuoteUpdateSerializer
    filterset_class = QuoteFilter

    def get_queryset(self) -> QuerySet[Quote]:
        rows = Quote.objects.select_related("speaker", "created_by", "reviewed_by")
        user = self.request.user
        return team.as_seen_by(team.visible(rows, user), user, "quote").prefetch_related("tags")

    def create_row(self, data: dict) -> Quote:
        return services.quote_create(
            user=self.request.user,
            article_id=data.pop("article"),
            speaker_id=data.pop("speaker", None),
            **data,
        )

    def update_row(self, row: Quote, changes: dict) -> Quote:
        return services.quote_update(
            user=self.request.user, quote_id=row.pk, changes=changes, if_match=self.if_match()
        )

    def delete_row(self, row: Quote) -> None:
        services.quote_delete(user=self.request.user, quote_id=row.pk, if_match=self.if_match())

    def review(self, row: Quote, status: str) -> Quote:
        # Journalled for the reader's Undo (services.reviews); as quote_review otherwise.
        return reviewed_alone(self, "quote", row, status)


@extend_schema_view(
    **_write_docs("stance", StanceWriteSerializer, StanceUpdateSerializer, StanceSerializer),
    **_review_docs("stance", StanceSerializer),
)
class StanceViewSet(ReviewMixin, AnnotationModelViewSet):
    """Stances: who supports or opposes whom or what, with the evidence span; the
    machine's suggestions and analysts' own."""

    serializer_class = StanceSerializer
    write_serializer_class = StanceWriteSerializer
    update_serializer_class = StanceUpdateSerializer
    filterset_class = StanceFilter

    def get_queryset(self) -> QuerySet[Stance]:
        rows = Stance.objects.select_related(
            "holder", "target_entity", "polarity", "created_by", "reviewed_by"
        )
        user = self.request.user
        return team.as_seen_by(team.visible(rows, user), user, "stance")

    def create_row(self, data: dict) -> Stance:
        return services.stance_create(
            user=self.request.user,
            article_id=data.pop("article"),
            holder_id=data.pop("holder"),
            target_id=data.pop("target", None),
            quote_id=data.pop("quote", None),
            **data,
        )

    def update_row(self, row: Stance, changes: dict) -> Stance:
        return services.stance_update(
            user=self.request.user, stance_id=row.pk, changes=changes, if_match=self.if_match()
        )

    def delete_row(self, row: Stance) -> None:
        services.stance_delete(user=self.request.user, stance_id=row.pk, if_match=self.if_match())

    def review(self, row: Stance, status: str) -> Stance:
        # Journalled for the reader's Undo (services.reviews); as stance_review otherwise.
        return reviewed_alone(self, "stance", row, status)


@extend_schema_view(
    **_write_docs("note", NoteWriteSerializer, NoteUpdateSerializer, NoteSerializer)
)
class NoteViewSet(AnnotationModelViewSet):
    """Notes: analysts' comments on an article, a span, a quote or a stance."""

    serializer_class = NoteSerializer
    write_serializer_class = NoteWriteSerializer
    update_serializer_class = NoteUpdateSerializer
    filterset_class = NoteFilter

    def get_queryset(self) -> QuerySet[Note]:
        return team.visible_notes(Note.objects.select_related("created_by"), self.request.user)

    def create_row(self, data: dict) -> Note:
        return services.note_create(
            user=self.request.user,
            article_id=data.pop("article"),
            quote_id=data.pop("quote", None),
            stance_id=data.pop("stance", None),
            **data,
        )

    def update_row(self, row: Note, changes: dict) -> Note:
        return services.note_update(
            user=self.request.user, note_id=row.pk, changes=changes, if_match=self.if_match()
        )

    def delete_row(self, row: Note) -> None:
        services.note_delete(user=self.request.user, note_id=row.pk, if_match=self.if_match())


@extend_schema_view(
    list=list_schema(
        "Statements: one utterance across outlets, with its variants", StatementSerializer
    ),
    retrieve=extend_schema(summary="One statement with its variants and their differences"),
)
class StatementViewSet(ExportMixin, ETagMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = StatementSerializer
    lookup_value_regex = ID_REGEX
    permission_classes = [ReadOnlyForRoles]
    pagination_class = CursorPage
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["id", "created_at", "updated_at"]
    filterset_class = StatementFilter

    def get_queryset(self) -> QuerySet[Statement]:
        variants = (
            team.visible(Quote.objects.exclude(status=ReviewStatus.REJECTED), self.request.user)
            .select_related("article__outlet")
            .only("id", "exact", "article_id", "statement_id", "article__outlet__name")
            .order_by("article_id", "start")
        )
        return Statement.objects.select_related("speaker").prefetch_related(
            Prefetch("variants", queryset=variants)
        )


@extend_schema_view(
    list=extend_schema(summary="The stance vocabulary (polarities)"),
    retrieve=extend_schema(summary="One polarity"),
)
class PolarityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PolaritySerializer
    permission_classes = [ReadOnlyForRoles]
    pagination_class = None
    lookup_field = "slug"
    queryset = Polarity.objects.all()


class DeletionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deletion
        fields = ["kind", "object_id", "article_id", "deleted_at"]


@extend_schema_view(
    list=extend_schema(
        summary="What was deleted since an earlier pull",
        description=(
            "Tombstones of deleted articles, entities, stories, statements, mentions, "
            "quotes, stances and notes, oldest first, whatever deleted them. Pass the "
            "`sync_token` of your last pull of this feed (its `Newsdesk-Sync-Token` "
            "header) for every deletion committed since, and drop what your copy still "
            "has. Tombstones are kept `SYNC_RETENTION_DAYS` (30 by default): an older "
            "token is answered 410, and the client resyncs from scratch. `updated_since` "
            "(a time) is still accepted."
        ),
        responses={
            (200, "application/json"): DeletionSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/jsonl"): OpenApiTypes.STR,
        },
    )
)
class DeletionViewSet(ExportMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = DeletionSerializer
    permission_classes = [ReadOnlyForRoles]
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeletionFilter

    class DeletionPage(CursorPage):
        ordering = ("deleted_at", "id")

    pagination_class = DeletionPage
    queryset = Deletion.objects.all()


# --- every annotation as a W3C Web Annotation -------------------------------------------


# `type` as AnnotationViewSet reads it: known kinds between commas and white space.
_KIND = "(?:" + "|".join(selectors.KINDS) + ")"
_KINDS = rf"^[{SPACE},]*{_KIND}(?:[{SPACE}]*,[{SPACE},]*{_KIND})*[{SPACE},]*$"
FEED_PARAMETERS = [
    OpenApiParameter(
        "type",
        {"type": "string", "pattern": _KINDS},
        description="Comma-separated kinds: quote, stance, note, mention (default: all).",
    ),
    id_parameter("article", "Article id."),
    OpenApiParameter("status", OpenApiTypes.STR, enum=ReviewStatus.values),
    OpenApiParameter("origin", OpenApiTypes.STR, enum=Origin.values),
    OpenApiParameter(
        "layer",
        OpenApiTypes.STR,
        enum=Origin.values,
        description="A layer (as `origin`): `gold` is the adjudicated quotes and stances.",
    ),
    text_parameter("created_by", "The author's username."),
    OpenApiParameter(sync.PARAMETER, OpenApiTypes.STR, description=sync.PARAMETER_DESCRIPTION),
    OpenApiParameter(
        "updated_since",
        OpenApiTypes.DATETIME,
        description=(
            "Only annotations created or changed at or after this time (ISO 8601). Misses "
            "what transactions that committed late wrote: prefer `sync_token`."
        ),
    ),
    text_parameter("cursor", "From a page's `next` link."),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": 1000},
        description="1 to 1000 (default 100).",
    ),
]
ANNOTATION_SCHEMA = {
    "type": "object",
    "description": "A W3C Web Annotation (https://www.w3.org/TR/annotation-model/).",
    "required": ["@context", "id", "type", "motivation", "created", "modified", "target"],
    "properties": {
        "@context": {"type": "array", "items": {}},
        "id": {"type": "string", "format": "uri"},
        "type": {"type": "string", "enum": ["Annotation"]},
        "motivation": {"type": "string", "enum": sorted(set(w3c_sql.MOTIVATIONS.values()))},
        "creator": {"type": "object", "additionalProperties": True},
        "created": {"type": "string", "format": "date-time"},
        "modified": {"type": "string", "format": "date-time"},
        "body": {"type": "array", "items": {"type": "object", "additionalProperties": True}},
        "target": {},
        "newsdesk": {
            "type": "object",
            "description": "Newsdesk's own record: type, id, article, status, origin, ...",
            "additionalProperties": True,
        },
    },
}
SYNC_TOKEN_SCHEMA = {"type": "string", "description": sync.HEADER_DESCRIPTION}
PAGE_SCHEMA = {
    "type": "object",
    "required": ["next", sync.PARAMETER, "results"],
    "properties": {
        "next": {"type": "string", "format": "uri", "nullable": True},
        sync.PARAMETER: SYNC_TOKEN_SCHEMA,
        "results": {"type": "array", "items": ANNOTATION_SCHEMA},
    },
}
ANNOTATION_PAGE_SCHEMA = {
    "type": "object",
    "description": "A W3C AnnotationPage.",
    "required": ["@context", "id", "type", sync.PARAMETER, "items"],
    "properties": {
        "@context": {"type": "string"},
        "id": {"type": "string", "format": "uri"},
        "type": {"type": "string", "enum": ["AnnotationPage"]},
        "next": {"type": "string", "format": "uri", "nullable": True},
        sync.PARAMETER: SYNC_TOKEN_SCHEMA,
        "items": {"type": "array", "items": ANNOTATION_SCHEMA},
    },
}
# An annotation's row, for its ETag (the same as the row's own endpoint answers).
MODELS: dict[str, Any] = {"mention": Mention, "note": Note, "quote": Quote, "stance": Stance}


class FeedSchema(AutoSchema):
    """The feed's list answers one page object, not a list of them."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class AnnotationViewSet(viewsets.ViewSet):
    """Every quote, stance, note and mention, the machine's suggestions and analysts'
    work alike, as W3C Web Annotations, from the documents PostgreSQL stores beside the
    rows (annotations.w3c_sql), put together here as text: no model instances, no
    json.dumps of a page."""

    permission_classes = [ReadOnlyForRoles]
    schema = FeedSchema()
    # "quote-12": the kind and the row's id (kinds other than the four are a 404).
    lookup_value_regex = r"[a-z]+-" + ID_REGEX
    lookup_url_kwarg = "key"

    def get_renderers(self) -> list[Any]:
        if self.action in ("list", None):
            return [JSONRenderer(), JSONLDRenderer(), CSVRenderer(), JSONLinesRenderer()]
        return [JSONRenderer(), JSONLDRenderer()]

    def _base(self) -> str:
        return self.request.build_absolute_uri("/")

    def _filters(self) -> selectors.FeedFilters:
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        kinds = tuple(selectors.KINDS)
        if params.get("type"):
            kinds = tuple(k.strip() for k in params["type"].split(",") if k.strip())
            unknown = [k for k in kinds if k not in selectors.KINDS]
            if unknown or not kinds:
                errors["type"] = [f"Kinds are {', '.join(selectors.KINDS)}; not {unknown}."]
        values: dict[str, Any] = {}
        # By hand, not a DRF serializer: this runs on every page of the busiest endpoint,
        # and a serializer deep-copies its fields each time.
        if "article" in params:
            try:
                values["article"] = int(params["article"])
            except ValueError:
                values["article"] = 0
            if not 1 <= values["article"] <= MAX_ID:
                errors["article"] = ["An article id: a whole number from 1."]
        for name, choices in (
            ("status", ReviewStatus.values),
            ("origin", Origin.values),
            ("layer", Origin.values),
        ):
            if params.get(name):
                if params[name] in choices:
                    values[name] = params[name]
                else:
                    errors[name] = [f"One of {', '.join(choices)}."]
        if "layer" in values:
            layer = values.pop("layer")
            if values.setdefault("origin", layer) != layer:
                errors["layer"] = ["The layer is the origin: give one, or the same."]
        for name in (
            "type",
            "status",
            "origin",
            "layer",
            "created_by",
            "updated_since",
            "cursor",
        ):
            if name in params and not params[name].strip():
                errors[name] = ["Give a value, or leave the parameter out."]
        if params.get("created_by"):
            values["created_by"] = params["created_by"][:150]
        if params.get("updated_since"):
            try:
                since = parse_datetime(params["updated_since"])
            except ValueError:
                since = None
            if since is None:
                errors["updated_since"] = ["An ISO 8601 time, e.g. 2026-12-01T09:00:00Z."]
            else:
                if timezone.is_naive(since):
                    since = timezone.make_aware(since)
                try:
                    values["updated_since"] = since.astimezone(UTC)
                except (OverflowError, ValueError):
                    errors["updated_since"] = ["A time between the years 1 and 9999 (UTC)."]
        if errors:
            raise exceptions.ValidationError(errors)
        return selectors.FeedFilters(kinds=kinds, viewer=self._viewer(), **values)

    def _viewer(self) -> int | None:
        user = self.request.user
        return user.pk if team.codes_blind(user) else None

    def _cursor(self) -> tuple[selectors.Position | None, sync.Token | None]:
        """Where the page starts, and the token of the pull it belongs to."""
        if not self.request.query_params.get("cursor"):
            return None, None
        try:
            after = selectors.Position.decode(self.request.query_params["cursor"])
        except selectors.BadCursor as error:
            raise exceptions.NotFound(str(error)) from error
        try:
            return after, sync.Token.unsign(after.token) if after.token else None
        except signing.BadSignature as error:
            raise exceptions.NotFound(selectors.INVALID_CURSOR) from error

    @extend_schema(
        summary="Every annotation as a W3C Web Annotation",
        operation_id="annotations_list",
        description=(
            "Sync order (oldest change first), cursor pages. `?format=jsonld` (or "
            "`Accept: application/ld+json`) answers an `AnnotationPage`; `?format=jsonl` "
            "streams one annotation per line and `?format=csv` one row per annotation, "
            "for every annotation the filters select, unpaginated. The CSV has one column "
            "per field, in this order: "
            + ", ".join(f"`{column}`" for column in w3c_sql.CSV_COLUMNS)
            + ". A column that is not the row's kind's is empty: a quote fills `speaker`, "
            "`cue` and `quote kind`; a stance `holder`, `target` (an entity's name, or the "
            "topic's words), `polarity` and `note`; a note `note` (its text; `start`, `end` "
            "and `exact` are empty for a note on the whole article); a mention `entity` and "
            "`entity kind`. `kind` and `id` are the row's key, as in the annotation's IRI "
            "and the `deleted` feed. Text a spreadsheet would run as a formula starts with "
            "a single quote. Every answer carries "
            "the `Newsdesk-Sync-Token` header (and a page its `sync_token`): pass it as "
            "`sync_token` next time for every annotation created or changed since, and "
            "to `deleted` for what was deleted since."
        ),
        parameters=FEED_PARAMETERS,
        responses={
            (200, "application/json"): PAGE_SCHEMA,
            (200, "application/ld+json"): ANNOTATION_PAGE_SCHEMA,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/jsonl"): OpenApiTypes.STR,
            400: OpenApiResponse(description="A bad filter."),
        },
    )
    def list(self, request: Request) -> Any:
        filters = self._filters()
        fmt = request.accepted_renderer.format
        if fmt in ("jsonl", "csv"):
            page_size_of(request)  # unused by an export, but a bad one is still refused
            after, carried = None, None
        else:
            after, carried = self._cursor()
        pull = sync.pull_begin(request)
        if pull.since is not None:
            filters = replace(filters, since=pull.since.snapshot)
        token = carried or pull.token
        response: HttpResponse | StreamingHttpResponse
        if fmt in ("jsonl", "csv"):
            response = self._stream(filters, fmt)
        else:
            response = self._page(filters, after, fmt, token.sign())
        response[sync.HEADER] = token.sign()
        return response

    def _page(
        self,
        filters: selectors.FeedFilters,
        after: selectors.Position | None,
        fmt: str,
        token: str,
    ) -> HttpResponse:
        url = self.request.build_absolute_uri()
        items, position = w3c_sql.annotation_page(
            filters, after, page_size_of(self.request), self._base()
        )
        next_url = None
        if position is not None:
            cursor = selectors.Position(position.updated_at, position.rank, position.id, token)
            next_url = replace_query_param(url, "cursor", cursor.encode())
        next_json = json.dumps(next_url)
        token_json = json.dumps(token)
        if fmt == "jsonld":
            head = json.dumps(
                {"@context": w3c_sql.ANNO_CONTEXT, "id": url, "type": "AnnotationPage"},
                separators=(",", ":"),
            )
            text = (
                f'{head[:-1]},"next":{next_json},"{sync.PARAMETER}":{token_json},'
                f'"items":[{items}]}}'
            )
            content_type = JSONLDRenderer.media_type
        else:
            text = f'{{"next":{next_json},"{sync.PARAMETER}":{token_json},"results":[{items}]}}'
            content_type = "application/json"
        return HttpResponse(text.encode(), content_type=content_type)

    def _stream(self, filters: selectors.FeedFilters, fmt: str) -> StreamingHttpResponse:
        # The stored documents, as they are (jsonl), or parsed and flattened (csv).
        base = self._base()
        if fmt == "csv":
            lines = csv_lines(w3c_sql.annotation_rows(filters, base), w3c_sql.CSV_COLUMNS)
            content_type = "text/csv; charset=utf-8"
        else:
            lines = w3c_sql.annotation_lines(filters, base)
            content_type = "application/jsonl; charset=utf-8"
        response = StreamingHttpResponse(
            (line.encode() for line in lines), content_type=content_type
        )
        response["Content-Disposition"] = f'attachment; filename="annotations.{fmt}"'
        return response

    @extend_schema(
        summary="One annotation",
        responses={200: ANNOTATION_SCHEMA, 404: OpenApiResponse(description="No such row.")},
    )
    def retrieve(self, request: Request, key: str) -> HttpResponse:
        kind, _, pk = key.partition("-")
        if kind not in selectors.KINDS:
            raise exceptions.NotFound(f"Annotation kinds are {', '.join(selectors.KINDS)}.")
        found = w3c_sql.annotation_document(kind, int(pk), self._base(), self._viewer())
        if found is None:
            raise exceptions.NotFound(f"There is no {kind} {pk}.")
        doc, updated_at = found
        response = HttpResponse(doc.encode(), content_type=request.accepted_renderer.media_type)
        response["ETag"] = etag_of(MODELS[kind](pk=int(pk), updated_at=updated_at))
        return response
