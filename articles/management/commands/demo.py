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


class Command(BaseCommand):
    help = (
        "Create the demo analyst and admin (if missing) and import PATHs (default: the "
        "project's samples/) in this process, then print the demo logins that work. Never "
        "runs under production settings."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path, metavar="PATH")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "For `make run`, on the embedded database only: the demo if the database has "
                "no users and no articles (a first run), else just the demo logins that work."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo never runs under production settings (DJANGO_ENV).")
        User = get_user_model()
        if options["if_empty"]:
            if not settings.EMBEDDED_DATABASE:
                return  # the demo is for the embedded default only, never DATABASE_URL's
            if User.objects.exists() or Article.objects.exists():
                self.show_logins()  # every start of `make run` says how to log in
                return
        for username, role, password in DEMO_USERS:
            if not User.objects.filter(username=username).exists():
                user_create(username=username, role=role, password=password)
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
        self.show_logins()

    def show_logins(self) -> None:
        """The demo users that still have their demo password (one changed is not shown)."""
        users = get_user_model().objects.in_bulk(
            [username for username, _, _ in DEMO_USERS], field_name="username"
        )
        for username, role, password in DEMO_USERS:
            user = users.get(username)
            if user is not None and user.is_active and user.check_password(password):
                self.stdout.write(f"Demo {role}: log in as {username} / {password}")
