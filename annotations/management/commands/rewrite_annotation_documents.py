from django.core.management.base import BaseCommand
from django.db import connection

from annotations import w3c_sql


class Command(BaseCommand):
    help = (
        "Rewrite every stored W3C annotation document: after rows were written with "
        "triggers switched off, e.g. a data-only restore with --disable-triggers. "
        "`migrate` does it by itself when the rendering changes. The documents rewritten "
        "come again in every client's next sync."
    )

    def handle(self, *args, **options) -> None:
        count = w3c_sql.refresh(connection)
        self.stdout.write(f"Rewrote {count} annotation documents.")
