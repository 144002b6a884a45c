from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Articles"

    def ready(self) -> None:
        from articles import dbguards

        post_migrate.connect(dbguards.install_after_migrate, dispatch_uid="articles.dbguards")
