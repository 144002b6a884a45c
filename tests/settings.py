"""The suite's settings module: newsdesk/settings.py itself, in development mode.

A process not told otherwise runs as production (newsdesk/settings.py), so the suite says
it is development before the settings are read (`make test` sets DJANGO_ENV=development
too). The processes the tests start (workers, manage.py, gunicorn) inherit the mode, and
read newsdesk.settings itself: the variable pytest-django set to this module is put back.
"""

import os

os.environ.setdefault("DJANGO_ENV", "development")
os.environ["DJANGO_SETTINGS_MODULE"] = "newsdesk.settings"

from newsdesk.settings import *  # noqa: F403
