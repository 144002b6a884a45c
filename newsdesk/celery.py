"""The Celery application. Workers start with `celery -A newsdesk worker`."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")

app = Celery("newsdesk")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_configure.connect
def _create_filesystem_broker_folders(sender: Celery, **kwargs: object) -> None:
    # The filesystem transport fails on a missing folder instead of creating it, and the
    # embedded default must run on a fresh clone. Read Django's settings, not sender.conf:
    # touching the app's conf while it is being configured sends this signal again.
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    # The scheduler's record of when each entry last ran (a worker with -B, or beat).
    Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).parent.mkdir(parents=True, exist_ok=True)
