"""ArticleReview now belongs to the annotations app (annotations migration 0008 renamed its
table): this app forgets it, and the database keeps it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_sync_tokens"),
        ("annotations", "0008_article_review"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ArticleReview")],
        ),
    ]
