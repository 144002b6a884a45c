from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self) -> None:
        from annotations import w3c_sql

        post_migrate.connect(w3c_sql.install_after_migrate, dispatch_uid="annotations.w3c_sql")
