"""History records of quotes, stances, notes and statements carry the database's times,
as articles 0013 does for that app's (its function, newsdesk_history_clock)."""

from django.db import migrations

TABLES = (
    ("annotations_historicalquote", "annotations_quote"),
    ("annotations_historicalstance", "annotations_stance"),
    ("annotations_historicalnote", "annotations_note"),
    ("annotations_historicalstatement", "annotations_statement"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0008_article_review"),
        ("articles", "0013_history_clock"),
    ]

    operations = [
        migrations.RunSQL(
            [
                f"CREATE TRIGGER newsdesk_history_clock BEFORE INSERT ON {history} "
                f"FOR EACH ROW EXECUTE FUNCTION newsdesk_history_clock('{live}')"
                for history, live in TABLES
            ],
            [f"DROP TRIGGER IF EXISTS newsdesk_history_clock ON {history}" for history, _ in TABLES],
        ),
    ]
