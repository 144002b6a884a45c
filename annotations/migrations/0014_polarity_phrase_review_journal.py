"""A polarity's phrase (the words that make a stance a sentence: "supports"), filled in
for the seeded vocabulary; an admin's own polarities get theirs in the admin site (until
then the reader says "takes the stance “<label>” on"). And the journal of reviews that
the reader's Undo reads (annotations.models.reviews)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

PHRASES = {
    "support": "supports",
    "oppose": "opposes",
    "neutral": "is neutral on",
    "mixed": "has mixed views on",
}


def phrases(apps, schema_editor):
    Polarity = apps.get_model("annotations", "Polarity")
    for slug, phrase in PHRASES.items():
        Polarity.objects.filter(slug=slug, phrase="").update(phrase=phrase)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0013_polarity_sign"),
        ("articles", "0022_import_uploads"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="polarity",
            name="phrase",
            field=models.CharField(
                default="",
                help_text='The words between holder and target, in the third person: "supports", "is neutral on", "has mixed views on".',
                max_length=80,
            ),
        ),
        migrations.RunPython(phrases, migrations.RunPython.noop),
        migrations.CreateModel(
            name="ReviewAction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("verdict", models.CharField(max_length=10)),
                ("summary", models.CharField(max_length=300)),
                ("rows", models.JSONField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("undone_at", models.DateTimeField(blank=True, null=True)),
                (
                    "analyst",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "article",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="articles.article",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["analyst", "article", "-id"], name="reviewaction_last_idx")
                ],
            },
        ),
    ]
