"""/api/v1/assignments/: who codes which article, given out in rounds.

Analysts list their own assignments (a lead or an admin, everyone's; an api-client reads
everyone's, as it reads everything), mark them done and reopen them; leads and admins
make rounds (a list of article ids, or the article list's query string as `selection`),
unassign (DELETE: the row stays, marked returned) and reassign. The services decide who
may do what (annotations.services.assignments); a refusal changes nothing.
"""

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.models import Assignment, AssignmentMode, AssignmentRound
from annotations.selectors.browse import selection_ids
from annotations.services import assignments as service
from annotations.views.browse import list_query
from articles.serializers import StrictCharField, id_field
from newsdesk import roles
from newsdesk.api import (
    ID_REGEX,
    REFUSALS,
    STREAMED_FORMATS,
    ExportMixin,
    RoleReadAnnotatorWrite,
    SizedPages,
    list_schema,
    page_size_of,
)
from newsdesk.filters import IdFilter, StrictFilterSet

STATES = (("open", "Open"), ("done", "Done"), ("returned", "Returned"))


class AssignmentFilter(StrictFilterSet):
    analyst = IdFilter(field_name="analyst_id", help_text="The analyst's user id.")
    article = IdFilter(field_name="article_id", help_text="Article id.")
    round = IdFilter(field_name="round_id", help_text="Round id.")
    mode = filters.ChoiceFilter(choices=AssignmentMode.choices)
    state = filters.ChoiceFilter(
        choices=STATES,
        method="by_state",
        help_text="open: live and not done; done; returned (unassigned, reassigned or past due).",
    )

    class Meta:
        model = Assignment
        fields: list[str] = []

    def by_state(self, queryset: QuerySet[Assignment], name: str, value: str) -> Any:
        if value == "returned":
            return queryset.filter(returned_at__isnull=False)
        live = queryset.filter(returned_at__isnull=True)
        return live.filter(done_at__isnull=value == "open")


class AssignmentSerializer(serializers.ModelSerializer):
    analyst = serializers.SerializerMethodField(help_text="The analyst's username.")
    assigned_by = serializers.SerializerMethodField(help_text="Who assigned it (username).")
    article_title = serializers.CharField(source="article.title", read_only=True)
    state = serializers.ChoiceField(choices=STATES, read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "article",
            "article_title",
            "analyst_id",
            "analyst",
            "round",
            "mode",
            "state",
            "assigned_by",
            "due_at",
            "done_at",
            "returned_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_analyst(self, row: Assignment) -> str:
        return row.analyst.get_username()

    @extend_schema_field(OpenApiTypes.STR)
    def get_assigned_by(self, row: Assignment) -> str | None:
        return row.assigned_by.get_username() if row.assigned_by is not None else None


class RoundCreateSerializer(serializers.Serializer):
    analysts = serializers.ListField(
        child=id_field(), min_length=1, max_length=1000, help_text="User ids of analysts."
    )
    articles = serializers.ListField(
        child=id_field(),
        required=False,
        min_length=1,
        max_length=service.MAX_ROUND_ARTICLES,
        help_text="Article ids, in the order to share them out. Or give `selection`.",
    )
    selection = StrictCharField(
        required=False,
        max_length=2000,
        help_text=(
            "The article list's query string (`q=...&story=3&batch=2&from=2026-01-01`): "
            "every article it selects, in the list's order. Or give `articles`."
        ),
    )
    k = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    overlap_share = serializers.FloatField(min_value=0, max_value=1, default=0.0)
    overlap_analysts = serializers.IntegerField(min_value=2, max_value=1000, default=2)
    strategy = serializers.ChoiceField(
        choices=AssignmentRound.Strategy.choices, default=AssignmentRound.Strategy.ROUND_ROBIN
    )
    seed = serializers.IntegerField(min_value=0, max_value=service.MAX_SEED, default=0)
    mode = serializers.ChoiceField(choices=AssignmentMode.choices, default=AssignmentMode.BLIND)
    return_after_days = serializers.IntegerField(
        min_value=1, max_value=service.MAX_RETURN_DAYS, required=False, allow_null=True
    )
    label = StrictCharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("articles" in attrs) == ("selection" in attrs):
            raise serializers.ValidationError(
                {"articles": ["Give either `articles` (ids) or `selection` (a query string)."]}
            )
        return attrs


class RoundResultSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    articles = serializers.IntegerField(help_text="Articles in the selection.")
    overlap_articles = serializers.IntegerField(help_text="Of those, coded by more than one.")
    assigned = serializers.IntegerField(help_text="Assignments made.")
    skipped = serializers.IntegerField(
        help_text="(article, analyst) pairs the analyst already had live, not made again."
    )
    per_analyst = serializers.DictField(
        child=serializers.IntegerField(), help_text="Assignments made, by analyst id."
    )

    class Meta:
        model = AssignmentRound
        fields = [
            "id",
            "label",
            "mode",
            "strategy",
            "seed",
            "analysts_per_article",
            "overlap_share",
            "overlap_analysts",
            "return_after_days",
            "selection",
            "created_by",
            "created_at",
            "articles",
            "overlap_articles",
            "assigned",
            "skipped",
            "per_analyst",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_created_by(self, row: AssignmentRound) -> str | None:
        return row.created_by.get_username() if row.created_by is not None else None


class ReassignSerializer(serializers.Serializer):
    analyst = id_field(help_text="User id of the analyst to give the article to.")


class AssignmentPage(SizedPages):
    """Cursor pages, oldest assignment first (assignments do not sync: no sync_token)."""

    ordering = ("id",)


class AssignmentAccess(RoleReadAnnotatorWrite):
    """Every role reads (the queryset says what); analysts and admins write (the services
    say whose)."""

    write_message = "Only analysts, leads and admins change assignments."


@extend_schema_view(
    list=list_schema(
        "Assignments: an analyst's own; a lead's, an admin's or an api-client's, everyone's",
        AssignmentSerializer,
    ),
    retrieve=extend_schema(summary="One assignment"),
    create=extend_schema(
        summary="Assign articles to analysts in a round (leads and admins)",
        description=service.__doc__,
        request=RoundCreateSerializer,
        responses={201: RoundResultSerializer, **REFUSALS},
    ),
    destroy=extend_schema(
        summary="Unassign open work (leads and admins): it is kept, marked returned",
        responses={204: None, **REFUSALS},
    ),
)
class AssignmentViewSet(
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssignmentSerializer
    permission_classes = [AssignmentAccess]
    pagination_class = AssignmentPage
    filter_backends = [DjangoFilterBackend]
    filterset_class = AssignmentFilter
    parser_classes = [JSONParser]
    lookup_value_regex = ID_REGEX

    def get_queryset(self) -> QuerySet[Assignment]:
        rows = Assignment.objects.select_related("analyst", "assigned_by", "article").only(
            *(f.name for f in Assignment._meta.concrete_fields),
            "analyst__username",
            "assigned_by__username",
            "article__title",
        )
        user = self.request.user
        if roles.role_of(user) == roles.API_CLIENT or roles.is_lead(user):
            return rows
        return rows.filter(Q(analyst_id=user.pk))

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        if request.accepted_renderer.format in STREAMED_FORMATS:
            page_size_of(request)  # unused by an export, but a bad one is still refused
            rows = self.filter_queryset(self.get_queryset()).order_by("id")
            return self.streamed(rows)
        return mixins.ListModelMixin.list(self, request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # Who first: a non-lead is a 403 whatever the body says, and nothing is read for it.
        service.require_lead(request.user)
        form = RoundCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        selection = data.get("selection", "")
        if "articles" in data:
            ids = data["articles"]
        else:
            params, found = list_query(selection)
            ids = selection_ids(
                found, sort=params.get("sort", ""), limit=service.MAX_ROUND_ARTICLES + 1
            )
        result = service.assignment_round_create(
            user=request.user,
            article_ids=ids,
            analyst_ids=data["analysts"],
            mode=data["mode"],
            k=data["k"],
            overlap_share=data["overlap_share"],
            overlap_analysts=data["overlap_analysts"],
            strategy=data["strategy"],
            seed=data["seed"],
            return_after_days=data.get("return_after_days"),
            selection=selection,
            label=data["label"],
        )
        round_ = result.round
        for name in ("articles", "overlap_articles", "assigned", "skipped"):
            setattr(round_, name, getattr(result, name))
        round_.per_analyst = {str(k): v for k, v in result.per_analyst.items()}  # type: ignore[attr-defined]
        round_.refresh_from_db(fields=["created_at"])
        return Response(RoundResultSerializer(round_).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        service.assignment_unassign(user=request.user, assignment_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _answer(self, row: Assignment) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=row.pk)).data)

    @extend_schema(
        summary="Mark an assignment done (its analyst, a lead or an admin)",
        request=None,
        responses={200: AssignmentSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        row = service.assignment_done(user=request.user, assignment_id=self.get_object().pk)
        return self._answer(row)

    @extend_schema(
        summary="Reopen a done assignment (its analyst, a lead or an admin)",
        request=None,
        responses={200: AssignmentSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        row = service.assignment_reopen(user=request.user, assignment_id=self.get_object().pk)
        return self._answer(row)

    @extend_schema(
        summary="Give open work to another analyst (leads and admins); answers the new one",
        request=ReassignSerializer,
        responses={201: AssignmentSerializer, **REFUSALS},
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str) -> Response:
        form = ReassignSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        new = service.assignment_reassign(
            user=request.user,
            assignment_id=self.get_object().pk,
            analyst_id=form.validated_data["analyst"],
        )
        row = self.get_queryset().get(pk=new.pk)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)
