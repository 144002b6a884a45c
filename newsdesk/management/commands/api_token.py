from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from newsdesk import services


class Command(BaseCommand):
    help = (
        "Print USERNAME's REST API token, and nothing else, creating it if there is none: "
        "api_token USERNAME. With --revoke, delete it instead, so that clients using it get 401."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--revoke", action="store_true", help="Delete the user's token (says so on stderr)."
        )

    def handle(self, *args, username: str, revoke: bool, **options) -> None:
        User = get_user_model()
        try:
            user = User.objects.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        if revoke:
            if services.api_token_revoke(user=user):
                self.stderr.write(f"Revoked the API token of {username!r}: it now gets 401.")
            else:
                self.stderr.write(f"{username!r} has no API token: nothing to revoke.")
            return
        try:
            token = services.api_token_obtain(user=user)
        except services.ApiTokenRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(token.key)
