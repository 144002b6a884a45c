"""The import pages (admins): upload, then watch a batch's progress and per-file errors."""

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from articles import selectors, services
from articles.forms import ImportForm
from articles.models import ImportBatch, ImportFile
from newsdesk.views import admin_required

FILES_PER_PAGE = 100


@admin_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        manifest = form.cleaned_data.get("manifest")
        chosen = services.Upload.from_file(manifest) if manifest else None
        # The folder is sorted out as the CLI sorts one; the form's manifest wins over its.
        folder, found = services.folder_uploads(
            [services.Upload.from_file(f, path) for path, f in form.cleaned_data["folder"]],
            manifest_taken=chosen.name if chosen else "",
        )
        uploads = [services.Upload.from_file(f) for f in form.cleaned_data["files"]] + folder
        try:
            batch = services.import_batch_create(
                uploads=uploads,
                source=ImportBatch.Source.UPLOAD,
                user=request.user,
                outlet_name=form.cleaned_data["outlet"],
                manifest=chosen or found,
                # Stored whole and unpacked by a worker: the request returns in moments.
                unpack_in_worker=True,
            )
        except services.ImportRefused as error:
            form.add_error(
                error.field if error.field in ("manifest", "outlet") else None, str(error)
            )
        else:
            return redirect("import-detail", batch_id=batch.pk)
    batches = ImportBatch.objects.select_related("created_by")[:20]
    return render(request, "articles/import_start.html", {"form": form, "batches": batches})


def _progress_context(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    batch = (
        ImportBatch.objects.select_related("created_by")
        .annotate(unpacking=Count("uploads", filter=Q(uploads__unpacked_at__isnull=True)))
        .filter(pk=batch_id)
        .first()
    )
    if batch is None:
        raise Http404(f"There is no import #{batch_id}.")
    status = request.GET.get("status", "")
    files = (
        ImportFile.objects.filter(batch=batch)
        .select_related("article")
        .defer("article__body", "article__raw_text", "article__minhash")
        .prefetch_related("article__reprint_of")
        .order_by("pk")
    )
    if status in ImportFile.Status.values:
        files = files.filter(status=status)
    else:
        status = ""
    page = Paginator(files, FILES_PER_PAGE).get_page(request.GET.get("page"))
    finished = batch.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING)
    extraction = selectors.import_batch_extraction(batch) if settings.INGEST_EXTRACTION else None
    return {
        "extraction": extraction,
        # The panel polls on until the machine's first pass is through as well.
        "polling": not finished or bool(extraction and extraction["pending"]),
        "batch": batch,
        "page": page,
        "status_filter": status,
        "statuses": ImportFile.Status.choices,
        "finished": finished,
        "waiting": selectors.import_batch_waiting_for_worker(batch),
        "unpacking": selectors.import_batch_unpacking(batch),
        "sweep_seconds": round(settings.WORK_SWEEP_SECONDS),
        "query": request.GET.urlencode(),
    }


@admin_required
def import_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    return render(request, "articles/import_detail.html", _progress_context(request, batch_id))


@admin_required
def import_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The progress panel alone, polled by htmx until the batch is finished."""
    return render(request, "articles/_import_progress.html", _progress_context(request, batch_id))
