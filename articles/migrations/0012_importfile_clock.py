"""An import file's times from the database's clock too, as every other row's (0010's
newsdesk_clock_stamp): the import's bulk UPDATE no longer sends Python's time."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0011_article_review_moves"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER newsdesk_clock_stamp BEFORE INSERT OR UPDATE ON articles_importfile "
            "FOR EACH ROW EXECUTE FUNCTION newsdesk_clock_stamp()",
            "DROP TRIGGER IF EXISTS newsdesk_clock_stamp ON articles_importfile",
        ),
    ]
