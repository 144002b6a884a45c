"""python manage.py import_articles PATH [PATH ...] [--outlet NAME] [--manifest FILE]
[--wait] [--json] [--inline]"""

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import selectors, services
from articles.models import ImportBatch

POLL_SECONDS = 0.1


class Command(BaseCommand):
    # Scripts run this in loops; the system checks (a third of a second) belong to
    # `manage.py check` and the server, not to every import.
    requires_system_checks: list[str] = []
    help = (
        "Import plain-text news files: each PATH is a .txt file, a folder (read recursively; "
        "a manifest.csv at its top is used) or a .zip. The files go to the Celery workers; "
        "--wait follows the batch to the end."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        parser.add_argument(
            "--outlet", default="", help="Outlet of every file, unless the manifest says otherwise."
        )
        parser.add_argument(
            "--manifest",
            type=Path,
            help="CSV with columns filename, title, outlet, url, published_at.",
        )
        parser.add_argument("--wait", action="store_true", help="Block until the batch is done.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print the batch summary as JSON, and nothing else, on standard output.",
        )
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Import in this process, not by a worker (implies --wait).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        manifest = None
        if options["manifest"]:
            if not options["manifest"].is_file():
                raise CommandError(f"The manifest {options['manifest']} does not exist.")
            manifest = services.Upload.from_path(options["manifest"])
        try:
            uploads, folder_manifest = services.uploads_from_paths(
                options["paths"], manifest_taken=manifest.name if manifest else ""
            )
            batch = services.import_batch_create(
                uploads=uploads,
                source=ImportBatch.Source.CLI,
                outlet_name=options["outlet"],
                manifest=manifest or folder_manifest,
                enqueue=not options["inline"],
            )
        except services.ImportRefused as error:
            raise CommandError(str(error)) from error
        if not options["json"]:
            self.stdout.write(f"Batch #{batch.pk}: {batch.files_total} files recorded.")
        if options["inline"]:
            services.import_batch_process_pending(batch_id=batch.pk)
        elif options["wait"]:
            self._wait(batch)
        batch.refresh_from_db()
        summary = selectors.import_batch_summary(batch)
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            self._report(summary)

    def _wait(self, batch: ImportBatch) -> None:
        bar = sys.stderr.isatty()
        warned = False
        while True:
            batch.refresh_from_db()
            if bar:
                self._draw(batch)
            if batch.status not in (ImportBatch.Status.PENDING, ImportBatch.Status.RUNNING):
                break
            if not warned and selectors.import_batch_waiting_for_worker(batch):
                warned = True
                self.stderr.write(
                    ("\n" if bar else "")
                    + "Waiting for a worker: none has started this batch yet. Start one "
                    "with `make worker`, or import with --inline."
                )
            time.sleep(POLL_SECONDS)
        if bar:
            sys.stderr.write("\n")

    def _draw(self, batch: ImportBatch) -> None:
        width = 30
        total = max(batch.files_total, 1)
        filled = width * batch.files_done // total
        sys.stderr.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {batch.files_done}/{batch.files_total} "
            f"imported {batch.imported}, duplicates {batch.duplicate}, failed {batch.failed}"
        )
        sys.stderr.flush()

    def _report(self, summary: dict[str, Any]) -> None:
        counts = summary["counts"]
        self.stdout.write(
            f"Batch #{summary['batch']} {summary['status']}: {counts['done']} of "
            f"{counts['total']} files done; {counts['imported']} imported, "
            f"{counts['duplicate']} duplicates, {counts['failed']} failed."
        )
        for file in summary["files"]:
            if file["status"] == "failed":
                self.stdout.write(f"  failed  {file['name']}: {file['error']}")
