"""GET /api/v1/agreement/: agreement between analysts over a selection of articles, per
field, per article, per story, per pair of analysts and overall, each with its counts,
and the list of disagreements with links to the reader and the adjudication page.
`?format=csv`: one row per scope and field (and one per scope and kind for alpha_u)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotations.agreement.report import ScopeAgreement
from annotations.forms import AgreementForm
from annotations.selectors.agreement import (
    AgreementData,
    adjudication_path,
    agreement_for,
    disagreement_links,
    reader_path,
)
from newsdesk.api import CSVRenderer, id_parameter, text_parameter
from newsdesk.permissions import ReadsTeamWork

# --- the answer's shape, for the OpenAPI schema -------------------------------------------


class CountsFields(serializers.Serializer):
    units = serializers.IntegerField(help_text="Units scored.")
    matched = serializers.IntegerField(help_text="Units where every coder has an item.")
    agreed = serializers.IntegerField(help_text="Matched units with the same value for all.")
    disagreed = serializers.IntegerField(help_text="units - agreed (unmatched units count).")
    missing = serializers.IntegerField(help_text="Units where some coder has no item.")


class FieldScoreSerializer(CountsFields):
    kind = serializers.CharField(help_text="quote or stance.")
    field = serializers.CharField(help_text="speaker, cue, kind; holder, target, polarity.")
    percent = serializers.FloatField(allow_null=True)
    kappa = serializers.FloatField(allow_null=True, help_text="Null when undefined.")
    kappa_kind = serializers.ChoiceField(choices=["cohen", "fleiss", ""])
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's alpha, nominal.")


class SpanScoreSerializer(CountsFields):
    """alpha_u, and the kind's units where agreed means the very same span for all."""

    kind = serializers.CharField(help_text="quote or stance.")
    percent = serializers.FloatField(allow_null=True, help_text="Units with the same span.")
    alpha_u = serializers.FloatField(allow_null=True, help_text="Krippendorff's alpha_u.")
    observed = serializers.FloatField()
    expected = serializers.FloatField()
    coders = serializers.IntegerField()
    length = serializers.IntegerField(help_text="Characters of the continuum.")
    spans = serializers.IntegerField(help_text="Spans, each coder's overlapping ones merged.")
    merged = serializers.IntegerField()
    articles = serializers.IntegerField()
    left_out = serializers.IntegerField(help_text="Articles with another number of coders.")


class ScopeSerializer(CountsFields):
    scope = serializers.ChoiceField(choices=["overall", "article", "story", "pair"])
    key = serializers.JSONField(help_text="Null, an article or story id, or [coder, coder].")
    label = serializers.CharField()
    coders = serializers.ListField(child=serializers.IntegerField())
    articles = serializers.IntegerField()
    percent = serializers.FloatField(allow_null=True)
    fields = FieldScoreSerializer(many=True)
    spans = SpanScoreSerializer(many=True)
    links = serializers.DictField(child=serializers.CharField(), required=False)


class DisagreementSerializer(serializers.Serializer):
    article = serializers.IntegerField()
    kind = serializers.CharField(help_text="quote or stance.")
    field = serializers.CharField(help_text='A field, or "unit": some coder has no item.')
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    spans = serializers.DictField(help_text="Coder id -> [start, end] of their item.")
    values = serializers.DictField(help_text="Coder id -> the value; null: absent.")
    items = serializers.DictField(help_text="Coder id -> the quote's or stance's id.")
    links = serializers.DictField(help_text="reader (per coder) and adjudicate.")


class CoderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class AgreementSerializer(serializers.Serializer):
    selected = serializers.IntegerField(help_text="Articles the filters select.")
    compared = serializers.IntegerField(help_text="Of them, articles with two coders or more.")
    single_coded = serializers.IntegerField(help_text="Articles with fewer than two coders.")
    coders = CoderSerializer(many=True)
    overall = ScopeSerializer()
    stories = ScopeSerializer(many=True)
    pairs = ScopeSerializer(many=True)
    articles = ScopeSerializer(many=True)
    disagreements = DisagreementSerializer(many=True)


# --- rendering ----------------------------------------------------------------------------


def _key(scope: ScopeAgreement) -> Any:
    return list(scope.key) if isinstance(scope.key, tuple) else scope.key


def scope_dict(data: AgreementData, scope: ScopeAgreement) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scope": scope.scope,
        "key": _key(scope),
        "label": data.label(scope),
        "coders": list(scope.coders),
        "articles": scope.articles,
        **scope.counts.as_dict(),
        "percent": scope.percent,
        "fields": [f.as_dict() for f in scope.fields],
        "spans": [s.as_dict() for s in scope.spans],
    }
    if scope.scope == "article":
        out["links"] = {
            "reader": reader_path(scope.key),
            "adjudicate": adjudication_path(scope.key),
        }
    return out


def report_dict(data: AgreementData) -> dict[str, Any]:
    report = data.report
    return {
        "selected": data.selected,
        "compared": len(report.articles),
        "single_coded": report.single_coded,
        "coders": [{"id": c, "username": n} for c, n in sorted(data.coder_names.items())],
        "overall": scope_dict(data, report.overall),
        "stories": [scope_dict(data, s) for s in report.stories],
        "pairs": [scope_dict(data, s) for s in report.pairs],
        "articles": [scope_dict(data, s) for s in report.articles],
        "disagreements": [
            {**d.as_dict(), "links": disagreement_links(d)} for d in report.disagreements
        ],
    }


def csv_rows(data: AgreementData) -> list[dict[str, Any]]:
    """One row per scope and field, and per scope and kind for alpha_u (field "span")."""
    report = data.report
    rows: list[dict[str, Any]] = []
    for scope in [report.overall, *report.stories, *report.pairs, *report.articles]:
        head = {
            "scope": scope.scope,
            "key": "-".join(map(str, scope.key)) if isinstance(scope.key, tuple) else scope.key,
            "label": data.label(scope),
            "coders": len(scope.coders),
            "articles": scope.articles,
        }
        for f in scope.fields:
            rows.append(
                {
                    **head,
                    "kind": f.kind,
                    "field": f.field,
                    **f.counts.as_dict(),
                    "percent": f.percent,
                    "kappa": f.kappa,
                    "kappa_kind": f.kappa_kind,
                    "alpha": f.alpha,
                    "alpha_u": None,
                }
            )
        for s in scope.spans:
            rows.append(
                {
                    **head,
                    "kind": s.kind,
                    "field": "span",
                    **s.counts.as_dict(),
                    "percent": s.percent,
                    "kappa": None,
                    "kappa_kind": "",
                    "alpha": None,
                    "alpha_u": s.alpha_u,
                }
            )
    return rows


class AgreementView(APIView):
    permission_classes = [ReadsTeamWork]
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        summary="Agreement between analysts",
        description=(
            "Agreement of the analysts' finished versions of the selected articles: "
            "matched units (quotes by their content span, stances by their evidence span), "
            "per field percent agreement, Cohen's kappa (two coders) or Fleiss' kappa, "
            "Krippendorff's alpha (nominal), and Krippendorff's alpha_u on the spans; an "
            "unmatched unit is a disagreement ('absent') in every field. Every score comes "
            "with its counts. Leads, admins and API clients only (analysts: 403). "
            "`?format=csv`: one row per scope (overall, story, pair, article) and field."
        ),
        parameters=[
            OpenApiParameter(
                "article",
                OpenApiTypes.STR,
                description="Article ids, comma-separated or repeated (at most 1000).",
            ),
            id_parameter("story", "Articles of this story."),
            id_parameter("outlet", "Articles of this outlet."),
            id_parameter("entity", "Articles that mention this entity."),
            id_parameter("speaker", "Articles that quote this entity."),
            id_parameter("analyst", "Articles this analyst coded."),
            id_parameter("round", "Only this assignment round's work."),
            text_parameter(
                "q", "Full-text search.", max_length=AgreementForm.base_fields["q"].max_length
            ),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Published on or after."),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Published on or before."),
            OpenApiParameter(
                "open", OpenApiTypes.BOOL, description="Count unfinished work too (default no)."
            ),
        ],
        responses={
            (200, "application/json"): AgreementSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            400: OpenApiResponse(description="A parameter is wrong; the body says which."),
            403: OpenApiResponse(description="Not a lead, an admin or an API client."),
        },
    )
    def get(self, request: Request) -> Response:
        form = AgreementForm(request.query_params)
        if not form.is_valid():
            raise exceptions.ValidationError(form.errors)
        data = agreement_for(form.selection(viewer=request.user))
        if request.accepted_renderer.format == "csv":
            response = Response(csv_rows(data))
            response["Content-Disposition"] = 'attachment; filename="agreement.csv"'
            return response
        return Response(report_dict(data))
