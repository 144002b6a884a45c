from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate

# The stance vocabulary a new installation starts with (migrations 0002, 0013 and 0014
# seed it, with the side each takes in the analysis views and the words that make a stance
# a sentence; admins add to it in the admin site).
DEFAULT_POLARITIES = [
    ("support", "Support", "The holder backs the target.", 10, 1, "supports"),
    ("oppose", "Oppose", "The holder is against the target.", 20, -1, "opposes"),
    ("neutral", "Neutral", "The holder takes no side.", 30, 0, "is neutral on"),
    (
        "mixed",
        "Mixed",
        "The holder both backs and criticises the target.",
        40,
        0,
        "has mixed views on",
    ),
]
PHRASES = {row[0]: row[5] for row in DEFAULT_POLARITIES}


def seed_empty_vocabulary(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """An empty vocabulary gets the defaults again, after a migrate or a flush (which
    empties every table, the migration's rows too): stances need a polarity to exist.
    A vocabulary an admin has changed is left as it is."""
    from annotations.models import Polarity

    if sender.name != "annotations" or Polarity.objects.using(using).exists():
        return
    Polarity.objects.using(using).bulk_create(
        Polarity(
            slug=slug,
            label=label,
            description=description,
            position=position,
            sign=sign,
            phrase=phrase,
        )
        for slug, label, description, position, sign, phrase in DEFAULT_POLARITIES
    )


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Annotations"

    def ready(self) -> None:
        from annotations import dbguards, w3c_sql

        post_migrate.connect(dbguards.install_after_migrate, dispatch_uid="annotations.dbguards")
        post_migrate.connect(w3c_sql.install_after_migrate, dispatch_uid="annotations.w3c_sql")
        post_migrate.connect(seed_empty_vocabulary, dispatch_uid="annotations.vocabulary")
