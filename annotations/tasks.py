"""Celery tasks of the annotations app: thin wrappers that call one service."""

from celery import shared_task

from annotations import services
from articles.tasks import RETRY


# On a schedule (settings.CELERY_BEAT_SCHEDULE, run by `celery -A newsdesk beat`). Safe to
# run twice, at once or late: it deletes only what is past the retention when it runs.
@shared_task(**RETRY)
def tombstones_prune() -> int:
    return services.tombstones_prune()
