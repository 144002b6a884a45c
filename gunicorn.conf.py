"""gunicorn's settings file (read from the working directory: `gunicorn newsdesk.wsgi`).

In development mode gunicorn refuses to listen on anything but loopback or a unix socket
(newsdesk.loopback): the mode is read from the settings, as every process reads it (an
unset DJANGO_ENV is production).
"""

import os
from typing import Any


def on_starting(server: Any) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")
    from django.conf import settings

    from newsdesk.loopback import is_loopback, refusal

    if settings.DJANGO_ENV != "development":
        return
    for address in server.cfg.address:
        if isinstance(address, tuple) and not is_loopback(str(address[0])):
            host, port = address[0], address[1]
            raise SystemExit(refusal(f"{host}:{port}"))
