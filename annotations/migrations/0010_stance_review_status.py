"""Stances get a review status, as quotes have: the machine's stance suggestions are
suggested until an analyst accepts, corrects or rejects them; analysts' own stances (all
the stances stored so far) are confirmed.

The review figures count stance suggestions too: an article whose only machine work is
suggested stances is still untouched, and one with suggested stances left is in progress
(the function is annotations 0008's, with a third LATERAL for stances).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

REFRESH = """
CREATE OR REPLACE FUNCTION annotations_review_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlereview (article_id, quotes, suggestions, status)
    SELECT a.id, 0, 0, 'untouched' FROM articles_article a WHERE a.id = ANY(ids)
    ON CONFLICT (article_id) DO NOTHING;
    PERFORM 1 FROM annotations_articlereview
     WHERE article_id = ANY(ids) ORDER BY article_id FOR UPDATE;
    UPDATE annotations_articlereview r
       SET quotes = c.kept,
           suggestions = c.suggested,
           status = CASE WHEN NOT c.worked THEN 'untouched'
                         WHEN c.suggested > 0 THEN 'in_progress'
                         ELSE 'done' END
      FROM (
        SELECT a.id, q.kept, q.suggested + m.suggested + s.suggested AS suggested,
               q.worked OR m.worked OR s.worked
               OR EXISTS (SELECT 1 FROM annotations_note n WHERE n.article_id = a.id)
               AS worked
          FROM articles_article a,
          LATERAL (
            SELECT count(*) FILTER (WHERE status <> 'rejected') AS kept,
                   count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM annotations_quote WHERE article_id = a.id
          ) q,
          LATERAL (
            SELECT count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM articles_mention WHERE article_id = a.id
          ) m,
          LATERAL (
            SELECT count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM annotations_stance WHERE article_id = a.id
          ) s
         WHERE a.id = ANY(ids)
      ) c
     WHERE r.article_id = c.id
       AND (r.quotes, r.suggestions, r.status) IS DISTINCT FROM
           (c.kept, c.suggested, CASE WHEN NOT c.worked THEN 'untouched'
                                      WHEN c.suggested > 0 THEN 'in_progress'
                                      ELSE 'done' END);
END $$;
"""

OLD_REFRESH = """
CREATE OR REPLACE FUNCTION annotations_review_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO annotations_articlereview (article_id, quotes, suggestions, status)
    SELECT a.id, 0, 0, 'untouched' FROM articles_article a WHERE a.id = ANY(ids)
    ON CONFLICT (article_id) DO NOTHING;
    PERFORM 1 FROM annotations_articlereview
     WHERE article_id = ANY(ids) ORDER BY article_id FOR UPDATE;
    UPDATE annotations_articlereview r
       SET quotes = c.kept,
           suggestions = c.suggested,
           status = CASE WHEN NOT c.worked THEN 'untouched'
                         WHEN c.suggested > 0 THEN 'in_progress'
                         ELSE 'done' END
      FROM (
        SELECT a.id, q.kept, q.suggested + m.suggested AS suggested,
               q.worked OR m.worked
               OR EXISTS (SELECT 1 FROM annotations_stance s WHERE s.article_id = a.id)
               OR EXISTS (SELECT 1 FROM annotations_note n WHERE n.article_id = a.id)
               AS worked
          FROM articles_article a,
          LATERAL (
            SELECT count(*) FILTER (WHERE status <> 'rejected') AS kept,
                   count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM annotations_quote WHERE article_id = a.id
          ) q,
          LATERAL (
            SELECT count(*) FILTER (WHERE status = 'suggested') AS suggested,
                   coalesce(bool_or(origin = 'analyst' OR status <> 'suggested'), false)
                   AS worked
              FROM articles_mention WHERE article_id = a.id
          ) m
         WHERE a.id = ANY(ids)
      ) c
     WHERE r.article_id = c.id
       AND (r.quotes, r.suggestions, r.status) IS DISTINCT FROM
           (c.kept, c.suggested, CASE WHEN NOT c.worked THEN 'untouched'
                                      WHEN c.suggested > 0 THEN 'in_progress'
                                      ELSE 'done' END);
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0009_history_clock"),
        ("articles", "0013_history_clock"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalstance",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalstance",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalstance",
            name="status",
            field=models.CharField(
                choices=[
                    ("suggested", "Suggested"),
                    ("confirmed", "Confirmed"),
                    ("rejected", "Rejected"),
                ],
                default="confirmed",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="stance",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="stance",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="stances_reviewed",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="stance",
            name="status",
            field=models.CharField(
                choices=[
                    ("suggested", "Suggested"),
                    ("confirmed", "Confirmed"),
                    ("rejected", "Rejected"),
                ],
                default="confirmed",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="stance",
            index=models.Index(fields=["status", "origin"], name="stance_status_origin_idx"),
        ),
        migrations.AlterField(
            model_name="articlereview",
            name="suggestions",
            field=models.PositiveIntegerField(
                default=0, help_text="Suggested quotes, mentions and stances not yet reviewed."
            ),
        ),
        migrations.RunSQL(REFRESH, OLD_REFRESH),
    ]
