"""python manage.py demo [PATH ...] [--if-empty]: demo users and articles, for a first run."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import services
from articles.models import Article, ImportBatch
from newsdesk import roles
from newsdesk.services import user_create

SAMPLES = Path(settings.BASE_DIR) / "samples"
# Known passwords, for the embedded default on a developer's machine only.
DEMO_USERS = (
    ("analyst", roles.ANALYST, "quote-and-stance"),
    ("admin", roles.ADMIN, "import-and-review"),
)


def embedded_default() -> bool:
    """True on `make run`'s SQLite database, where a first run gets the demo."""
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3")


class Command(BaseCommand):
    help = (
        "Create the demo analyst and admin (if missing) and import PATHs (default: the "
        "project's samples/) in this process. Never runs under production settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing unless the database has no users and no articles (first run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo never runs under production settings (DJANGO_ENV).")
        User = get_user_model()
        if options["if_empty"]:
            if not embedded_default():
                return  # the first-run demo is for the embedded default only
            if User.objects.exists() or Article.objects.exists():
                return
        created = []
        for username, role, password in DEMO_USERS:
            if not User.objects.filter(username=username).exists():
                user_create(username=username, role=role, password=password)
                created.append((username, role, password))
        try:
            if options["paths"]:
                uploads, manifest = services.uploads_from_paths(options["paths"])
            else:  # the samples, without their README
                uploads, _ = services.uploads_from_paths(sorted(SAMPLES.glob("*.txt")))
                manifest = services.Upload.from_path(SAMPLES / "manifest.csv")
            batch = services.import_batch_create(
                uploads=uploads, source=ImportBatch.Source.CLI, manifest=manifest, enqueue=False
            )
        except services.ImportRefused as error:
            raise CommandError(str(error)) from error
        progress = services.import_batch_process_pending(batch_id=batch.pk)
        self.stdout.write(
            f"Imported batch #{batch.pk}: {progress.imported} articles, "
            f"{progress.duplicate} duplicates, {progress.failed} failed "
            f"(details at /imports/{batch.pk}/)."
        )
        for username, role, password in created:
            self.stdout.write(f"Demo {role}: log in as {username} / {password}")
