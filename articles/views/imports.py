"""The import pages (admins): upload, then watch a batch's progress and per-file errors."""

from typing import Any

from django.conf import settings
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
    shown = selectors.import_batch_page(
        batch_id=batch_id,
        status=request.GET.get("status", ""),
        page_number=request.GET.get("page"),
        per_page=FILES_PER_PAGE,
    )
    if shown is None:
        raise Http404(f"There is no import #{batch_id}.")
    extraction = shown.extraction
    return {
        "shown": shown,
        "batch": shown.batch,
        "figures": shown.figures,
        "extraction": extraction,
        # The panel polls on until the machine's first pass is through as well.
        "polling": not shown.finished or bool(extraction and extraction["pending"]),
        "page": shown.files,
        "status_filter": shown.status_filter,
        "statuses": ImportFile.Status.choices,
        "finished": shown.finished,
        "waiting": selectors.import_batch_waiting_for_worker(shown.batch),
        "unpacking": shown.unpacking,
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
