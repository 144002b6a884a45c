from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class NewsdeskConfig(AppConfig):
    """The shared kit as an app: its roles' groups after every migrate, its commands
    (adduser, api_token, runserver), and the folder uploads arrive in. It has no models."""

    name = "newsdesk"
    verbose_name = "Newsdesk"

    def ready(self) -> None:
        from newsdesk import roles

        post_migrate.connect(roles.sync_after_migrate, dispatch_uid="newsdesk.roles")
        # Where big uploads are written while they arrive (settings.FILE_UPLOAD_TEMP_DIR):
        # Django expects the folder to exist.
        Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)
