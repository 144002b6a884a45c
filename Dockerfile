# The image behind docker-compose.yml's web and worker services.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# htmx and any other front-end package: pinned tarballs from the npm registry, hash-checked.
RUN python scripts/vendor_static.py
# Hashed, compressed static files for whitenoise. Settings need a key, hosts and a database
# URL to load in production mode; these build-time values are not used at run time (and
# collectstatic connects to no database).
RUN DJANGO_ENV=production SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://collectstatic-only@localhost/unused \
    STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 newsdesk && mkdir -p /data/media \
    && chown -R newsdesk /data /app
USER newsdesk
ENV STATIC_ROOT=/app/staticfiles NEWSDESK_VAR_DIR=/data/var

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn newsdesk.wsgi"]
