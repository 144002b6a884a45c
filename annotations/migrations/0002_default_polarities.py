"""Seed the stance vocabulary; admins add to it in the admin site."""

from django.db import migrations

DEFAULTS = [
    ("support", "Support", "The holder backs the target.", 10),
    ("oppose", "Oppose", "The holder is against the target.", 20),
    ("neutral", "Neutral", "The holder takes no side.", 30),
    ("mixed", "Mixed", "The holder both backs and criticises the target.", 40),
]


def seed(apps, schema_editor):
    Polarity = apps.get_model("annotations", "Polarity")
    for slug, label, description, position in DEFAULTS:
        Polarity.objects.get_or_create(
            slug=slug,
            defaults={"label": label, "description": description, "position": position},
        )


def unseed(apps, schema_editor):
    Polarity = apps.get_model("annotations", "Polarity")
    Polarity.objects.filter(slug__in=[d[0] for d in DEFAULTS], stances__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("annotations", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
