"""/api/v1/adjudications/: the adjudication queue, one article's units with every coder's
version and how each was settled, and the writes that settle them into gold (leads and
admins). Gold itself is read as any layer: `?layer=gold` on quotes, stances and the feed.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.selectors import adjudication as selectors
from annotations.selectors import team
from annotations.selectors.agreement import adjudication_path
from annotations.services import adjudication as services
from articles.models import Article
from newsdesk.api import REFUSALS
from newsdesk.permissions import ReadsTeamWork


class QueueRowSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="article_id")
    title = serializers.CharField(source="article.title")
    outlet = serializers.CharField(source="article.outlet.name", allow_null=True, default=None)
    coders = serializers.IntegerField()
    units = serializers.IntegerField()
    agreed = serializers.IntegerField()
    disagreed = serializers.IntegerField()
    settled = serializers.IntegerField(help_text="Units settled so far.")
    computed_at = serializers.DateTimeField()
    page = serializers.SerializerMethodField(help_text="The adjudication page.")

    def get_page(self, row: Any) -> str:
        return adjudication_path(row.article_id)


class QueueSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = QueueRowSerializer(many=True)


class VersionSerializer(serializers.Serializer):
    coder = serializers.IntegerField(source="coder.id")
    username = serializers.CharField(source="coder.username")
    row = serializers.IntegerField(source="row_id", allow_null=True, help_text="Null: absent.")
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)
    exact = serializers.CharField()
    values = serializers.SerializerMethodField(help_text="Each field's value, as it reads.")

    def get_values(self, version: Any) -> dict[str, str]:
        return dict(version.fields)


class AdjudicationDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    how = serializers.CharField()
    kind = serializers.CharField()
    versions = serializers.DictField(child=serializers.IntegerField())
    picked = serializers.IntegerField(source="picked_analyst_id", allow_null=True)
    gold_quote = serializers.IntegerField(source="gold_quote_id", allow_null=True)
    gold_stance = serializers.IntegerField(source="gold_stance_id", allow_null=True)
    reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    updated_at = serializers.DateTimeField()


class UnitSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Names the unit's versions; send it back to settle.")
    kind = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    text = serializers.CharField()
    agreed = serializers.BooleanField()
    differs = serializers.ListField(child=serializers.CharField())
    versions = VersionSerializer(many=True)
    decision = AdjudicationDecisionSerializer(allow_null=True)


class AdjudicationCoderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    done_at = serializers.DateTimeField(allow_null=True)


class ArticleUnitsSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="article.pk")
    title = serializers.CharField(source="article.title")
    coders = AdjudicationCoderSerializer(many=True)
    units = UnitSerializer(many=True)
    settled = serializers.IntegerField()
    open = serializers.IntegerField()
    orphans = AdjudicationDecisionSerializer(
        many=True, help_text="Decisions whose versions changed since."
    )


class SettleSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=2000, help_text="The unit's key.")
    kind = serializers.ChoiceField(choices=["quote", "stance"])
    pick = serializers.IntegerField(required=False, allow_null=True, help_text="A coder's id.")
    drop = serializers.BooleanField(required=False, default=False, help_text="No gold unit.")
    changes = serializers.DictField(
        required=False,
        help_text="An edit: speaker, cue, kind (quotes); holder, target, target_text, "
        "polarity (stances).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReopenSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=2000)


def _units(article_id: int) -> dict[str, Any]:
    try:
        view = selectors.adjudication_for(article_id)
    except Article.DoesNotExist as error:
        raise exceptions.NotFound(f"There is no article {article_id}.") from error
    for unit in view.units:
        unit.differs = sorted(unit.differs)  # type: ignore[assignment]
    return ArticleUnitsSerializer(view).data


class AdjudicationViewSet(viewsets.ViewSet):
    """Adjudication into gold, for leads and admins (api-clients read)."""

    permission_classes = [ReadsTeamWork]
    parser_classes = [JSONParser]
    lookup_field = "article"
    lookup_value_regex = r"[0-9]{1,18}"

    @extend_schema(
        summary="The adjudication queue: articles still to settle, most disagreements first",
        parameters=[OpenApiParameter("page", int, description="A page of 50.")],
        responses={200: QueueSerializer},
    )
    def list(self, request: Request) -> Response:
        page = selectors.adjudication_queue(
            page=request.query_params.get("page", 1), viewer=request.user
        )
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": QueueRowSerializer(page.object_list, many=True).data,
            }
        )

    @extend_schema(
        summary="One article's units: every finished coder's version and its decision",
        responses={200: ArticleUnitsSerializer, 404: REFUSALS[404]},
    )
    def retrieve(self, request: Request, article: str) -> Response:
        if team.blind_on(request.user, int(article)):
            raise exceptions.PermissionDenied(
                "You code this article blind yourself: mark it done before you adjudicate it."
            )
        return Response(_units(int(article)))

    @extend_schema(
        summary="Merge the units every coder agrees on into gold (idempotent)",
        request=None,
        responses={200: ArticleUnitsSerializer, 403: REFUSALS[403], 404: REFUSALS[404]},
    )
    @action(detail=True, methods=["post"])
    def merge(self, request: Request, article: str) -> Response:
        self._exists(article)
        services.adjudication_merge_agreed(user=request.user, article_id=int(article))
        return Response(_units(int(article)))

    @extend_schema(
        summary="Settle one unit: pick a coder's version, edit it, or drop the unit",
        request=SettleSerializer,
        responses={
            200: ArticleUnitsSerializer,
            400: REFUSALS[400],
            403: REFUSALS[403],
            404: REFUSALS[404],
        },
    )
    @action(detail=True, methods=["post"])
    def settle(self, request: Request, article: str) -> Response:
        self._exists(article)
        form = SettleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        services.adjudication_settle(
            user=request.user,
            article_id=int(article),
            kind=data["kind"],
            unit_key=data["unit"],
            pick=data.get("pick"),
            drop=data["drop"],
            changes=data.get("changes") or None,
            reason=data["reason"],
        )
        return Response(_units(int(article)), status=status.HTTP_200_OK)

    @extend_schema(
        summary="Reopen a settled unit: its decision and gold row go (into history)",
        request=ReopenSerializer,
        responses={200: ArticleUnitsSerializer, 400: REFUSALS[400], 403: REFUSALS[403]},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, article: str) -> Response:
        self._exists(article)
        form = ReopenSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.adjudication_reopen(
            user=request.user, article_id=int(article), unit_key=form.validated_data["unit"]
        )
        return Response(_units(int(article)))

    def _exists(self, article: str) -> None:
        # Writes are for adjudicators; the permission class lets api-clients read only.
        services.require_adjudicator(self.request.user, int(article))
        if not Article.objects.filter(pk=int(article)).exists():
            raise exceptions.NotFound(f"There is no article {article}.")

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Article.DoesNotExist):
            exc = exceptions.NotFound(str(exc))
        return super().handle_exception(exc)
