import getpass
import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk import roles, services


class Command(BaseCommand):
    help = (
        "Create a user with one role in one step: "
        "adduser USERNAME --role analyst|admin|api-client --password PASSWORD. "
        "Without --password the password is read from NEWSDESK_PASSWORD or asked for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=roles.ROLES)
        parser.add_argument("--password")
        parser.add_argument(
            "--lead",
            action="store_true",
            help="An analyst who also assigns work and adjudicates it (the lead group).",
        )

    def handle(
        self, *args, username: str, role: str, password: str | None, lead: bool, **options
    ) -> None:
        password = password or os.environ.get("NEWSDESK_PASSWORD") or self._ask_password()
        try:
            user = services.user_create(username=username, role=role, password=password, lead=lead)
        except services.UserCreateError as error:
            raise CommandError(str(error)) from error
        what = f"{role} (lead)" if lead else role
        self.stdout.write(self.style.SUCCESS(f"Created {what} {user.get_username()!r}."))

    def _ask_password(self) -> str:
        if not os.isatty(0):
            raise CommandError("Give --password (or NEWSDESK_PASSWORD): no terminal to ask on.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        return password
