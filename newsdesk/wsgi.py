"""WSGI entry point: `gunicorn newsdesk.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsdesk.settings")

application = get_wsgi_application()

# Every view and what it imports (DRF, numpy and SciPy for the analysis), loaded now rather
# than on the first request; then all of it, which lives as long as the process, is put
# out of the collector's reach: the full collections that a large answer (a network of
# tens of thousands of ties) sets off no longer walk it all. The worker does the same
# (articles.tasks).
get_resolver().url_patterns  # noqa: B018 - loading the URLconf imports every view
gc.collect()
gc.freeze()
