"""python manage.py reextract_articles [ID ...] [--failed] [--all]: the admin's
re-extraction from the command line (the admin site's "Re-extract" action does the same).

Queues the machine's first pass again on the articles named: suggestions it finds again
keep their ids, changed ones are updated in place, reviewed ones stay as they are.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from articles import services
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Queue a re-extraction of the articles with these ids, of those whose extraction "
        "failed (--failed), or of every article (--all)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ids", nargs="*", type=int, metavar="ID")
        parser.add_argument(
            "--failed", action="store_true", help="The articles whose extraction failed."
        )
        parser.add_argument("--all", action="store_true", help="Every article.")

    def handle(self, *args: Any, **options: Any) -> None:
        ids: set[int] = set(options["ids"])
        articles = Article.objects.order_by("pk")
        if options["all"]:
            ids.update(articles.values_list("pk", flat=True))
        elif options["failed"]:
            ids.update(
                articles.filter(extraction_failed_at__isnull=False).values_list("pk", flat=True)
            )
        if not ids and not (options["all"] or options["failed"]):
            raise CommandError("Name article ids, or pass --failed or --all.")
        count = services.articles_reextract(article_ids=sorted(ids))
        self.stdout.write(f"Queued a re-extraction of {count} article{'s' if count != 1 else ''}.")
