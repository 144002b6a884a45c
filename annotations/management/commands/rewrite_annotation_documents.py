from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from annotations import w3c_sql


class Command(BaseCommand):
    help = (
        "Rewrite every stored W3C annotation document (PostgreSQL): after rows were written "
        "with triggers switched off, e.g. a data-only restore with --disable-triggers. "
        "`migrate` does it by itself when the rendering changes."
    )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Only PostgreSQL stores annotation documents; on "
                f"{connection.vendor} they are rendered when asked for."
            )
        count = w3c_sql.refresh(connection)
        self.stdout.write(f"Rewrote {count} annotation documents.")
