"""The stance vocabulary is never left empty by a flush: post_migrate seeds it again."""

import pytest
from django.apps import apps
from django.db.models.signals import post_migrate

from annotations.apps import DEFAULT_POLARITIES, seed_empty_vocabulary
from annotations.models import Polarity

pytestmark = pytest.mark.django_db


def after_migrate() -> None:
    """What migrate and flush do: send post_migrate for the annotations app (to our
    receiver alone; the others want arguments flush gives them)."""
    receivers = [r for r in post_migrate._live_receivers(None)[0] if r is seed_empty_vocabulary]
    assert receivers, "seed_empty_vocabulary is not connected to post_migrate"
    seed_empty_vocabulary(sender=apps.get_app_config("annotations"), using="default")


def test_an_empty_vocabulary_gets_the_defaults_after_migrate():
    Polarity.objects.all().delete()
    after_migrate()
    assert sorted(Polarity.objects.values_list("slug", flat=True)) == sorted(
        slug for slug, *_ in DEFAULT_POLARITIES
    )


def test_a_vocabulary_an_admin_changed_is_left_alone():
    Polarity.objects.exclude(slug="support").delete()
    Polarity.objects.filter(slug="support").update(label="Backs")
    after_migrate()
    assert list(Polarity.objects.values_list("slug", "label")) == [("support", "Backs")]
