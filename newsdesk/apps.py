from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NewsdeskConfig(AppConfig):
    """The shared kit as an app: its roles' groups after every migrate, and its commands
    (adduser, api_token). It has no models."""

    name = "newsdesk"
    verbose_name = "Newsdesk"

    def ready(self) -> None:
        from newsdesk import roles

        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="newsdesk.roles")
