"""/api/v1/analysis/: the analysis views' data, the same the pages' charts draw from.

- `stance-matrix/`: holders x targets, each cell the statements by side (JSON, CSV);
- `network/`: the two-mode holder -> target network, or the one-mode actor network by
  shared targets (congruence or conflict), with DNA's normalisations (JSON, GraphML,
  GEXF 1.3, CSV);
- `events/`: DNA's event list, one row per statement (CSV, JSONL), streamed;
- `timeline/`: an actor's quotes and stances, or coverage per outlet, per period (JSON, CSV);
- `sources/`: who is quoted most, and by which outlets (JSON, CSV).

Every endpoint takes the article list's filters and the layer (AnalysisForm) and answers
400 with the parameter's name on a bad one. Analysts coding articles blind get figures
without those articles."""

from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.forms import (
    AnalysisForm,
    AnalysisOptions,
    EventOptions,
    MatrixOptions,
    NetworkOptions,
    SourcesOptions,
    TimelineOptions,
)
from annotations.selectors import analysis
from annotations.selectors.analysis import AnalysisFilters, Interval
from annotations.selectors.analysis_output import (
    matrix_dict,
    matrix_rows,
    network_chunks,
    network_for,
    sources_dict,
    sources_rows,
    timeline_dict,
    timeline_rows,
)
from articles.models import Entity
from newsdesk.api import (
    ID_REGEX,
    SPACE,
    CSVRenderer,
    JSONLinesRenderer,
    ReadOnlyForRoles,
    id_parameter,
    text_parameter,
)

# --- formats ------------------------------------------------------------------------------


class GraphMLRenderer(BaseRenderer):
    media_type = "application/graphml+xml"
    format = "graphml"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> bytes:
        # An error (a dict) in a graph format's place: its JSON, so that a client reads it.
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class GEXFRenderer(GraphMLRenderer):
    media_type = "application/gexf+xml"
    format = "gexf"


# --- parameters ---------------------------------------------------------------------------


def _count(options: type[AnalysisOptions], name: str, description: str) -> OpenApiParameter:
    """A count among an endpoint's options, with the bounds its form checks."""
    field = options.base_fields[name]
    schema = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
    return OpenApiParameter(name, schema, description=description)


def _key(name: str, trimmed: str, description: str) -> OpenApiParameter:
    """A node-key option of EventOptions, which trims it first: `trimmed` is the pattern
    of what is left (its length within the option's max_length)."""
    pattern = rf"^[{SPACE}]*{trimmed}[{SPACE}]*$"
    return OpenApiParameter(name, {"type": "string", "pattern": pattern}, description=description)


# Node keys: e<entity id> (as long as ids are in URLs), or t:<topic> for a target.
_ENTITY_KEY = f"e{ID_REGEX}"
_TOPIC_KEY = rf"t:[^\x00]{{0,{EventOptions.base_fields['target'].max_length - 3}}}[^\x00{SPACE}]"


SELECTION = [
    text_parameter(
        "q",
        "Full-text search of the articles.",
        max_length=AnalysisForm.base_fields["q"].max_length,
    ),
    id_parameter("outlet", "Articles of this outlet."),
    id_parameter("entity", "Articles that mention this entity."),
    id_parameter("speaker", "Articles that quote this entity."),
    id_parameter("story", "Articles of this story."),
    id_parameter("batch", "Articles of this import batch."),
    OpenApiParameter(
        "status",
        OpenApiTypes.STR,
        enum=["untouched", "in_progress", "done"],
        description="Articles with this review status.",
    ),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Published on or after."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Published on or before."),
    OpenApiParameter(
        "layer",
        OpenApiTypes.STR,
        enum=list(analysis.Layer.values),
        description="Which annotations count: all (suggestions and confirmed, the "
        "default), suggestions (the machine's), confirmed, analyst (one analyst's: "
        "with `analyst`), gold. Rejected ones never count.",
    ),
    id_parameter("analyst", "With layer=analyst: the analyst's user id."),
]
ERRORS = {
    400: OpenApiResponse(description="A parameter is wrong; the body names it and says why."),
    401: OpenApiResponse(description="Not signed in."),
}


def _answers(*media_types: str) -> dict[Any, Any]:
    """The OpenAPI answers of an analysis endpoint: an object in JSON, text in the other
    formats, and its refusals."""
    return {
        (200, media): OpenApiTypes.OBJECT if media == "application/json" else OpenApiTypes.STR
        for media in media_types
    } | ERRORS


def _csv_or_json(request: Request, name: str, rows: Any, body: Any) -> Response:
    """The tidy CSV rows (as an attachment `name`.csv) or the JSON body, each computed
    only when asked for."""
    if request.accepted_renderer.format == "csv":
        response = Response(rows())
        _attachment(response, f"{name}.csv")
        return response
    return Response(body())


class AnalysisView(APIView):
    # Every role reads the analysis (blind coders without their unfinished articles); a
    # signed-in user with no role is refused, as everywhere in the API.
    permission_classes = [ReadOnlyForRoles]
    options_form: type[AnalysisOptions] = AnalysisOptions  # not `options`: the OPTIONS handler

    def selection(self, request: Request) -> tuple[AnalysisFilters, dict[str, str], dict[str, Any]]:
        """The filters, the selection's parameters (for links) and the endpoint's options;
        400 naming every bad parameter."""
        form = AnalysisForm(request.query_params)
        options = self.options_form(request.query_params)
        problems = {**(dict(form.errors) if not form.is_valid() else {})}
        problems |= options.problems_or_none() or {}
        # A parameter given empty is an error, as in every list of this API, not a filter
        # silently skipped.
        for name in [*form.fields, *options.fields]:
            value = request.query_params.get(name)
            if value is not None and not value.strip():
                problems[name] = ["Give a value, or leave the parameter out."]
        if problems:
            raise exceptions.ValidationError(problems)
        return form.filters(viewer=request.user), form.values(), options.cleaned_data


def _attachment(response: HttpResponse | Response | StreamingHttpResponse, name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{name}"'


class StanceMatrixView(AnalysisView):
    options_form = MatrixOptions
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Stance matrix: holders x targets",
        description="The most active holders (rows, `holders`, default 25) x the most "
        "addressed targets (columns, `targets`, default 25), each cell the statements of "
        "the holder on the target by side (support, oppose, other) with their net and "
        "total, and the link to the statements behind it. `sort` orders rows and columns "
        "(total, net, support, oppose, name). `?format=csv`: one tidy row per cell.",
        parameters=[
            *SELECTION,
            _count(MatrixOptions, "holders", "Rows: the most active holders (default 25)."),
            _count(MatrixOptions, "targets", "Columns: the most addressed targets (default 25)."),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=list(analysis.MATRIX_SORTS)),
        ],
        responses=_answers("application/json", "text/csv"),
    )
    def get(self, request: Request) -> Response:
        filters, params, options = self.selection(request)
        matrix = analysis.stance_matrix(
            filters,
            holders=options.get("holders") or analysis.MATRIX_SIZE,
            targets=options.get("targets") or analysis.MATRIX_SIZE,
            sort=options.get("sort") or "total",
        )
        return _csv_or_json(
            request,
            "stance-matrix",
            lambda: matrix_rows(matrix, params),
            lambda: matrix_dict(matrix, params),
        )


class NetworkView(AnalysisView):
    options_form = NetworkOptions
    renderer_classes = [JSONRenderer, GraphMLRenderer, GEXFRenderer, CSVRenderer]

    @extend_schema(
        summary="Actor network",
        description="`mode=two-mode` (default): holders -> targets, an edge per pair with "
        "its statements by side, weight the count. `mode=congruence` or `conflict`: the "
        "one-mode actor network of the Discourse Network Analyzer, actors tied by the "
        "targets on which they take the same side (congruence) or opposite sides "
        "(conflict), normalised by `normalization` (no, average, jaccard, cosine, "
        "activity, prominence). The `limit` most active actors (default 60). Formats: "
        "json, graphml (GraphML), gexf (GEXF 1.3), csv (one row per edge).",
        parameters=[
            *SELECTION,
            OpenApiParameter("mode", OpenApiTypes.STR, enum=["two-mode", "congruence", "conflict"]),
            OpenApiParameter(
                "normalization",
                OpenApiTypes.STR,
                enum=["no", "average", "jaccard", "cosine", "activity", "prominence"],
            ),
            _count(NetworkOptions, "limit", "The most active actors to draw (default 60)."),
        ],
        responses=_answers(
            "application/json", "application/graphml+xml", "application/gexf+xml", "text/csv"
        ),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        filters, params, options = self.selection(request)
        mode = options.get("mode") or "two-mode"
        graph = network_for(
            filters,
            mode=mode,
            normalization=options.get("normalization") or "no",
            limit=options.get("limit") or analysis.NETWORK_SIZE,
        )
        fmt = request.accepted_renderer.format
        # Streamed as it is written, in every format: a network of 500 actors has over a
        # hundred thousand ties.
        media_type = request.accepted_renderer.media_type
        if fmt == "json":  # JSON is UTF-8 by definition and takes no charset (RFC 8259)
            return StreamingHttpResponse(
                network_chunks(graph, params, fmt), content_type=media_type
            )
        response = StreamingHttpResponse(
            network_chunks(graph, params, fmt), content_type=f"{media_type}; charset=utf-8"
        )
        _attachment(response, f"network-{mode}.{fmt}")
        return response


class EventsView(AnalysisView):
    options_form = EventOptions
    renderer_classes = [CSVRenderer, JSONLinesRenderer]

    @extend_schema(
        summary="Event list: one row per statement",
        description="DNA's event list, streamed in time order: statement (the stance's id), "
        "time (its article's publication), holder, holder_id, target, target_id (empty "
        "for a topic), polarity, sign (1 support, -1 oppose, 0 other), text (the evidence), "
        "analyst (empty for the machine's), origin, status, article, article_title, outlet, "
        "quote. `holder`, `target` (node keys e<id> or t:<topic>) and `side` narrow it to a "
        "matrix cell; `actors` (two, e<id>,e<id>) and `relation` to a network tie. "
        "`?format=csv` (default) or `?format=jsonl`.",
        parameters=[
            *SELECTION,
            _key("holder", _ENTITY_KEY, "e<entity id>."),
            _key("target", f"(?:{_ENTITY_KEY}|{_TOPIC_KEY})", "e<entity id> or t:<topic>."),
            OpenApiParameter("side", OpenApiTypes.STR, enum=list(analysis.SIGNS)),
            # Two keys of 19 characters at most and a comma: 63 of the 64 actors takes.
            _key(
                "actors",
                rf"{_ENTITY_KEY}[{SPACE}]{{0,12}},[{SPACE}]{{0,12}}{_ENTITY_KEY}",
                "e<id>,e<id>: a tie.",
            ),
            OpenApiParameter("relation", OpenApiTypes.STR, enum=["congruence", "conflict"]),
        ],
        responses=_answers("text/csv", "application/jsonl"),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        filters, _, options = self.selection(request)
        rows = analysis.evidence(
            filters,
            holder=options.get("holder") or "",
            target=options.get("target") or "",
            side=options.get("side") or "",
            actors=options.get("actors") or (),
            relation=options.get("relation") or "",
        )
        fmt = request.accepted_renderer.format
        response = StreamingHttpResponse(
            analysis.event_stream(rows, fmt),
            content_type=f"{request.accepted_renderer.media_type}; charset=utf-8",
        )
        _attachment(response, f"events.{fmt}")
        return response


class TimelineView(AnalysisView):
    options_form = TimelineOptions
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Timeline",
        description="With `actor` (an entity id): the actor's quotes (as speaker) and "
        "stances held (support, oppose, other) per period. Without: articles per outlet "
        "per period, the coverage of the selection (of a story, with `story`). `interval`: "
        "day, week (default) or month; periods start on their first day (weeks on "
        "Monday).",
        parameters=[
            *SELECTION,
            id_parameter("actor", "An entity id: that actor's timeline."),
            OpenApiParameter("interval", OpenApiTypes.STR, enum=list(Interval.values)),
        ],
        responses=_answers("application/json", "text/csv"),
    )
    def get(self, request: Request) -> Response:
        filters, params, options = self.selection(request)
        actor = options.get("actor")
        if actor is not None and not Entity.objects.filter(pk=actor).exists():
            raise exceptions.ValidationError({"actor": [f"There is no entity {actor}."]})
        body = timeline_dict(
            filters, params, actor=options.get("actor"), interval=options.get("interval") or "week"
        )
        return _csv_or_json(request, "timeline", lambda: timeline_rows(body), lambda: body)


class SourcesView(AnalysisView):
    options_form = SourcesOptions
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Sources: who is quoted most",
        description="The `limit` (default 20) most quoted speakers of the selection, each "
        "with their quotes per outlet (a speaker x outlet matrix; with `story`, the "
        "story's). `?format=csv`: one row per speaker and outlet.",
        parameters=[*SELECTION, _count(SourcesOptions, "limit", "Speakers (default 20).")],
        responses=_answers("application/json", "text/csv"),
    )
    def get(self, request: Request) -> Response:
        filters, params, options = self.selection(request)
        sources = analysis.top_sources(filters, limit=options.get("limit") or analysis.TOP_SOURCES)
        return _csv_or_json(
            request,
            "sources",
            lambda: sources_rows(sources, params),
            lambda: sources_dict(sources, params),
        )


__all__ = [
    "EventsView",
    "NetworkView",
    "SourcesView",
    "StanceMatrixView",
    "TimelineView",
]
