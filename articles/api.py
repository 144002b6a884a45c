"""REST endpoints of the articles app, under /api/v1/."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from articles import services
from articles.models import ImportBatch
from articles.permissions import IsAdminRole
from articles.serializers import (
    ImportBatchListSerializer,
    ImportBatchSerializer,
    ImportCreateSerializer,
)


class ImportBatchViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk imports: upload .txt files and zips, then follow the batch to the end."""

    permission_classes = [IsAdminRole]
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportBatch]:
        return ImportBatch.objects.select_related("created_by")

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
            )
        except services.ImportRefused as error:
            raise ValidationError({error.field: [str(error)]}) from error
        batch = self.get_queryset().get(pk=batch.pk)
        return Response(
            ImportBatchSerializer(batch).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path.rstrip('/')}/{batch.pk}/"},
        )
