"""A story's first and last seen span its dated articles only.

Before migration 0014's change to the story service, an undated article counted at its
import time (created_at) in its story's first/last seen, so a story could say it was
first seen at an import's moment, to the minute. Those dates are recomputed here from the
story's articles' own publication dates: the very rule the service keeps now (articles/
services/stories.py), so a story it has kept since is left as it is (IS DISTINCT FROM),
and a story with no dated article is undated. Only stories whose dates change are
touched, with a new updated_at so that API clients syncing with updated_since see it."""

from django.db import migrations

RECOMPUTE = """
UPDATE articles_story AS story
   SET first_seen = dated.first, last_seen = dated.last, updated_at = now()
  FROM (
        SELECT s.id, min(a.published_at) AS first, max(a.published_at) AS last
          FROM articles_story AS s
          LEFT JOIN articles_article AS a ON a.story_id = s.id
         GROUP BY s.id
       ) AS dated
 WHERE dated.id = story.id
   AND (story.first_seen IS DISTINCT FROM dated.first
        OR story.last_seen IS DISTINCT FROM dated.last)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0022_import_uploads"),
    ]

    operations = [migrations.RunSQL(RECOMPUTE, reverse_sql=migrations.RunSQL.noop)]
