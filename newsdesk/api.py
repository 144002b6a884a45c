"""What every REST endpoint shares (the kit): roles, cursor pages, formats, streamed
exports, ETags and how the services' refusals become HTTP answers."""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from newsdesk import roles, sync
from newsdesk.filters import MAX_ID, IdFilter, StrictFilterSet
from newsdesk.guards import NotAllowed, PreconditionFailed, WriteRefused, etag_of
from newsdesk.spreadsheet import csv_cell

# Rows fetched per query while an export streams: memory holds a chunk, never the export.
EXPORT_CHUNK = 2000

# Ids in URLs: up to 18 digits (a 64-bit integer); longer is a 404, not a database error.
ID_REGEX = r"[0-9]{1,18}"


class RoleReadAnnotatorWrite(BasePermission):
    """Every role reads; analysts and admins write (the services decide whose rows)."""

    message = "Your account has no role; ask an admin for one."
    write_message = "Only analysts and admins may change annotations."

    def has_permission(self, request: Any, view: Any) -> bool:
        role = roles.role_of(request.user)
        if request.method in SAFE_METHODS:
            return role is not None
        if role not in (roles.ANALYST, roles.ADMIN):
            self.message = self.write_message
            return False
        return True


class ReadOnlyForRoles(BasePermission):
    """Every role, on read-only endpoints: they have no write methods to refuse (405)."""

    message = "Your account has no role; ask an admin for one."

    def has_permission(self, request: Any, view: Any) -> bool:
        return roles.role_of(request.user) is not None


class SizedPages(CursorPagination):
    """Cursor pages of `page_size` rows, checked by page_size_of and so documented."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request: Request) -> int:
        return page_size_of(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


class CursorPage(sync.SyncPages, SizedPages):
    """Cursor pages in sync order: oldest change first. Rows inserted while a client pages
    through land after its position, never on a page it has already read. Every page is
    a page of a pull (newsdesk.sync): `sync_token` selects what changed since an earlier
    pull, and every page answers the token for the next one."""

    ordering = ("updated_at", "id")


def page_size_of(request: Request) -> int:
    """`page_size`, 1 to 1000 (100 when not given); anything else is a 400, not quietly
    the default."""
    values = request.query_params.getlist(SizedPages.page_size_query_param)
    if not values:
        return SizedPages.page_size
    try:
        size = int(values[0]) if len(values) == 1 else 0
    except ValueError:
        size = 0
    if not 1 <= size <= SizedPages.max_page_size:
        raise exceptions.ValidationError(
            {"page_size": [f"A whole number from 1 to {SizedPages.max_page_size}, once."]}
        )
    return size


class PreconditionFailedError(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The row changed since you read it."
    default_code = "precondition_failed"


def exception_handler(error: Exception, context: dict[str, Any]) -> Response | None:
    """The services' refusals as HTTP: a bad field 400, not allowed 403, stale 412, gone
    404. Everything else as DRF answers it."""
    if isinstance(error, WriteRefused):
        error = exceptions.ValidationError({error.field: [error.message]})
    elif isinstance(error, NotAllowed):
        error = exceptions.PermissionDenied(str(error))
    elif isinstance(error, PreconditionFailed):
        error = PreconditionFailedError(str(error))
    elif isinstance(error, ObjectDoesNotExist):
        error = exceptions.NotFound(str(error))
    response = drf_exception_handler(error, context)
    request = context.get("request")
    if response is not None and request is not None:
        # A refusal is JSON whatever format was asked for: a CSV of an error helps nobody.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    return response


# --- formats ----------------------------------------------------------------------------


class JSONLDRenderer(JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class JSONLinesRenderer(BaseRenderer):
    """One JSON object per line. Lists stream (see ExportMixin); anything else, such as an
    error, is one line."""

    media_type = "application/jsonl"
    format = "jsonl"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        rows = data if isinstance(data, list) else [data]
        return "".join(json_line(row) for row in rows).encode()


class CSVRenderer(BaseRenderer):
    """Comma-separated rows with a header. Lists stream (see ExportMixin); anything else,
    such as an error, is one row."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        rows = data if isinstance(data, list) else [data]
        return "".join(csv_lines(rows)).encode()


def json_line(row: Any) -> str:
    return json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False) + "\n"


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        value = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    return csv_cell(value)


def csv_lines(
    rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None
) -> Iterator[str]:
    """CSV text, a line at a time, with a header: `columns`, or else the first row's keys
    (given `columns`, an empty export is the header alone). Nested values are JSON in
    their cell; text a spreadsheet would run as a formula is neutralised
    (newsdesk.spreadsheet)."""
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    if columns is not None:
        writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    for row in rows:
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(row), extrasaction="ignore")
            writer.writeheader()
        writer.writerow({key: _cell(value) for key, value in row.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


class CSVColumns:
    """The CSV columns of a serializer's rows: one column per field, so that no cell holds
    two values. A related row the JSON nests as an object (an outlet, a speaker: `{"id",
    "name"}`) becomes a column per member: `speaker` (its name) and `speaker_id`, as the
    analysis exports name theirs; a missing one leaves them empty. A list (aliases, tags,
    a statement's variants) stays one cell, a JSON array, which no text inside it can make
    ambiguous. The columns come from the serializer's fields, not from a row's values, so
    every row of an export has the same header, whether its first row has a speaker or
    not."""

    def __init__(self, serializer: Any):
        self.columns: list[str] = []
        # Per field: None (the value as it is), or the nested object's (member, column)s.
        self.fields: list[tuple[str, list[tuple[str, str]] | None]] = []
        for name, field in serializer.fields.items():
            if isinstance(field, serializers.Serializer):
                members = sorted(field.fields, key=lambda member: member != "name")
                split = [(m, name if m == "name" else f"{name}_{m}") for m in members]
                self.fields.append((name, split))
                self.columns += [column for _, column in split]
            else:
                self.fields.append((name, None))
                self.columns.append(name)

    def row(self, data: dict[str, Any]) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for name, split in self.fields:
            if split is None:
                row[name] = data.get(name)
                continue
            nested = data.get(name) or {}
            for member, column in split:
                row[column] = nested.get(member)
        return row


LIST_RENDERERS = [JSONRenderer, CSVRenderer, JSONLinesRenderer]
LIST_FORMATS = (
    "JSON pages by default (`next`/`previous` cursor links, `page_size` up to 1000). "
    "`?format=csv` or `?format=jsonl` streams every row the filters select, unpaginated, in "
    "the same order. The CSV has one column per field: a related row that the JSON nests "
    "as `{id, name}` (an outlet, an entity, a speaker, a holder, a target) is two columns, "
    "`<field>` (the name) and `<field>_id`; a list is one cell holding a JSON array; text "
    "a spreadsheet would run as a formula starts with a single quote. Every answer carries "
    "a `Newsdesk-Sync-Token` header (and a JSON "
    "page a `sync_token`): pass it back as `sync_token` for what was created or changed "
    "since, and to the `deleted` feed for what was deleted since. `updated_since` (a time) "
    "is still accepted, but misses rows of transactions that committed late."
)


def list_schema(summary: str, serializer: Any) -> Any:
    """The OpenAPI description of a list: JSON pages of `serializer`, and the streamed
    CSV and JSONL exports as text."""
    return extend_schema(
        summary=summary,
        description=LIST_FORMATS,
        responses={
            (200, "application/json"): serializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, "application/jsonl"): OpenApiTypes.STR,
        },
    )


STREAMED_FORMATS = ("csv", "jsonl")


class ExportMixin:
    """`?format=csv` and `?format=jsonl` on a list: every row the filters select, streamed
    in chunks of EXPORT_CHUNK rows (prefetches run per chunk), never all in memory, and not
    paginated. The JSON list stays paginated."""

    request: Request

    def get_renderers(self) -> list[BaseRenderer]:
        # A method the endpoint does not have (no action) gets every format, so that it is
        # answered 405 whatever ?format= says, not 404 for an unknown format.
        if getattr(self, "action", None) in ("list", None):
            return [renderer() for renderer in self.list_renderer_classes()]
        return [renderer() for renderer in self.detail_renderer_classes()]

    def list_renderer_classes(self) -> list[type[BaseRenderer]]:
        return LIST_RENDERERS

    def detail_renderer_classes(self) -> list[type[BaseRenderer]]:
        return [JSONRenderer]

    def export_rows(self, queryset: QuerySet[Any]) -> Iterator[dict[str, Any]]:
        serializer_class = self.get_serializer_class()  # type: ignore[attr-defined]
        context = self.get_serializer_context()  # type: ignore[attr-defined]
        for row in queryset.iterator(chunk_size=EXPORT_CHUNK):
            yield serializer_class(row, context=context).data

    def streamed(self, queryset: QuerySet[Any]) -> StreamingHttpResponse:
        renderer = self.request.accepted_renderer
        rows = self.export_rows(queryset)
        lines: Iterable[str]
        if renderer.format == "csv":
            table = CSVColumns(self.get_serializer())  # type: ignore[attr-defined]
            lines = csv_lines(map(table.row, rows), table.columns)
        else:
            lines = map(json_line, rows)
        response = StreamingHttpResponse(
            (line.encode() for line in lines), content_type=f"{renderer.media_type}; charset=utf-8"
        )
        name = self.__class__.__name__.removesuffix("ViewSet").lower() or "export"
        response["Content-Disposition"] = f'attachment; filename="{name}.{renderer.format}"'
        return response

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.accepted_renderer.format in STREAMED_FORMATS:
            page_size_of(request)  # unused by an export, but a bad one is still refused
            queryset = self.filter_queryset(self.get_queryset())  # type: ignore[attr-defined]
            # The pages' order (sync order, or ?ordering=), so an export and a paged pull
            # of the same filters list the same rows in the same order.
            ordering = self.paginator.get_ordering(request, queryset, self)  # type: ignore[attr-defined]
            pull = sync.pull_begin(request, using=queryset.db)
            response = self.streamed(pull.changed(queryset).order_by(*ordering))
            response[sync.HEADER] = pull.token.sign()
            return response
        return super().list(request, *args, **kwargs)  # type: ignore[misc]


class ETagMixin:
    """An ETag on every single-row answer, If-None-Match answered with 304, and the
    If-Match of a write handed to the service (which answers 412 when it is stale)."""

    request: Request

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A single row is found by its id alone: the list's filters (and the cost of
        # building their form) do not apply to it.
        if getattr(self, "action", None) == "list":
            return super().filter_queryset(queryset)  # type: ignore[misc]
        return queryset

    def if_match(self) -> str | None:
        return self.request.headers.get("If-Match")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        row = self.get_object()  # type: ignore[attr-defined]
        tag = etag_of(row)
        if tag in {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        serializer = self.get_serializer(row)  # type: ignore[attr-defined]
        return Response(serializer.data, headers={"ETag": tag})

    def answer(self, row: Any, status_code: int = status.HTTP_200_OK) -> Response:
        """The row as written, re-read with the view's joins, with its new ETag."""
        row = self.get_queryset().get(pk=row.pk)  # type: ignore[attr-defined]
        serializer = self.get_serializer(row)  # type: ignore[attr-defined]
        return Response(serializer.data, status=status_code, headers={"ETag": etag_of(row)})


# --- the OpenAPI schema ----------------------------------------------------------------

# What the kit's fields and filters refuse, said in the schema, so that every value the
# schema allows is one the API takes (schemathesis' positive_data_acceptance holds it to
# that): an id is a whole number from 1; text never holds a NUL character (Django and DRF
# refuse it in every text field) and, unless blank is allowed, is not blank: not empty,
# and in a field that trims white space, not white space alone.
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}
# White space as str.strip() sees it (str.isspace), spelled out: the \s of other regular
# expression engines (schemathesis validates with Rust's) leaves out \x1c-\x1f and \x85,
# and takes in the byte-order mark.
SPACE = r"\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NOT_EMPTY = r"^[^\x00]+$"
NOT_BLANK = rf"^[^\x00]*[^\x00{SPACE}][^\x00]*$"
TEXT_SCHEMA = {"type": "string", "pattern": NOT_BLANK}


def trimmed_text(max_length: int) -> str:
    """The pattern of text that a form trims, then takes if 1 to `max_length` characters
    are left (a maxLength would count the white space trimmed)."""
    return (
        rf"^[{SPACE}]*[^\x00{SPACE}](?:[^\x00]{{0,{max_length - 2}}}[^\x00{SPACE}])?"
        rf"[{SPACE}]*$"
    )


def id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, ID_SCHEMA, description=description)


def text_parameter(name: str, description: str, max_length: int = 0) -> OpenApiParameter:
    """A text query parameter of the API: given, it has a value (a blank one is a 400)."""
    pattern = trimmed_text(max_length) if max_length else NOT_BLANK
    return OpenApiParameter(name, {"type": "string", "pattern": pattern}, description=description)


class TextFieldSchema(OpenApiSerializerFieldExtension):
    """A request body's text field as DRF checks it: no NUL, and not blank unless allowed
    (DRF trims before it checks, unless the field keeps white space, as `exact` does)."""

    target_class = "rest_framework.fields.CharField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: str) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        described = {"enum", "format", "pattern"} & set(schema)
        if direction != "request" or schema.get("type") != "string" or described:
            return schema
        if self.target.trim_whitespace and not self.target.allow_blank:
            return {**schema, "pattern": NOT_BLANK}
        # drf-spectacular adds the empty string as the other choice of a field that
        # allows blank, so this pattern leaves it out.
        return {**schema, "pattern": NOT_EMPTY}


class KitFilterSchema(DjangoFilterExtension):
    """The list filters as the kit checks them: IdFilter takes ids, and a text filter of a
    StrictFilterSet refuses a blank value."""

    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        strict = issubclass(filterset_class, StrictFilterSet)
        for parameter in parameters:
            if isinstance(filter_field, IdFilter):
                parameter["schema"] = dict(ID_SCHEMA)
            elif strict and parameter["schema"] == {"type": "string"}:
                parameter["schema"] = dict(TEXT_SCHEMA)
        return parameters


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag you read: a stale write is refused with 412 and changes nothing.",
)
REFUSALS = {
    400: OpenApiResponse(description="A field is wrong; the body says which and why."),
    403: OpenApiResponse(description="You may read this but not change it."),
    404: OpenApiResponse(description="No such row."),
    412: OpenApiResponse(description="The row changed since you read it (If-Match)."),
}

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        '`{"detail": "..."}`, or for a bad field `{"<field>": ["..."]}` naming each field '
        "that is wrong and why."
    ),
    "additionalProperties": True,
}
ERRORS = {
    "400": "A parameter or a field is wrong; the body says which and why.",
    "401": "Not signed in: no session, and no token or a revoked one.",
    "403": "Signed in, but your role may not do this.",
    "404": "No such row (or an invalid cursor).",
    "406": "None of the formats asked for (Accept, ?format=) is offered here.",
    "429": "Too many requests; Retry-After says how many seconds to wait.",
}
WRITE_ERRORS = {
    "412": "The row changed since you read it (If-Match); nothing was changed.",
    "415": "The body is not JSON.",
}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the refusals every
    endpoint can answer, so a client (and schemathesis) knows them all; and the rows a
    POST answers link to what takes their id (link_rows)."""
    link_rows(result)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            codes = dict(ERRORS)
            if method in ("post", "patch", "put", "delete"):
                codes.update(WRITE_ERRORS)
            sync.document(operation)
            _document_empty_format(operation)
            for code, description in codes.items():
                operation["responses"].setdefault(
                    code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": ERROR_SCHEMA}},
                    },
                )
    return result


def _document_empty_format(operation: dict[str, Any]) -> None:
    """`?format=` given empty asks for the default format: DRF's content negotiation reads
    it so, on every endpoint."""
    for parameter in operation.get("parameters", []):
        choices = parameter.get("schema", {}).get("enum")
        if parameter["name"] == "format" and parameter["in"] == "query" and choices:
            parameter["schema"]["enum"] = [*choices, ""] if "" not in choices else choices


def link_rows(result: dict[str, Any]) -> None:
    """OpenAPI links: a POST that answers a row (one it created, or the one it acted on)
    links to every operation on `<collection>{id}/`, which takes that row's id, and its
    ETag as If-Match where the operation takes one. Clients follow them, and so does
    schemathesis' stateful phase (create, then read, change, accept or delete)."""
    paths: dict[str, Any] = result.get("paths", {})
    schemas = result.get("components", {}).get("schemas", {})
    for path, operations in paths.items():
        post = operations.get("post")
        collection = path.split("{id}/")[0]
        targets = [
            operation
            for target, methods in paths.items()
            if target.startswith(f"{collection}{{id}}/")
            for operation in methods.values()
            if isinstance(operation, dict) and operation is not post
        ]
        if post is None or not targets:
            continue
        for code, response in post["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            name = schema.get("$ref", "").rpartition("/")[2]
            if code in ("200", "201") and "id" in schemas.get(name, {}).get("properties", {}):
                response["links"] = {target["operationId"]: _link(target) for target in targets}


def _link(operation: dict[str, Any]) -> dict[str, Any]:
    parameters = {"path.id": "$response.body#/id"}
    if any(p.get("name") == IF_MATCH.name for p in operation.get("parameters", [])):
        parameters[f"header.{IF_MATCH.name}"] = "$response.header.ETag"
    return {"operationId": operation["operationId"], "parameters": parameters}
