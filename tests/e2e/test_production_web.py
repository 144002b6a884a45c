"""The compose web command, run natively in production mode: migrations, then gunicorn
serving the login page and whitenoise's hashed static files."""

import re
import subprocess
import urllib.request

import pytest

from tests import processes
from tests.test_settings import PRODUCTION_KEY

# The database mark makes pytest-django create the test database the server uses.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def production_web(real_stack, test_database_url, tmp_path_factory):
    static_root = tmp_path_factory.mktemp("static")
    port = processes.free_port()
    env = processes.native_env(
        DJANGO_ENV="production",
        SECRET_KEY=PRODUCTION_KEY,
        ALLOWED_HOSTS="127.0.0.1",
        HTTPS="false",
        DEBUG=None,
        DATABASE_URL=test_database_url,
        STATIC_ROOT=str(static_root),
        GUNICORN_CMD_ARGS=f"--bind 127.0.0.1:{port} --workers 2 --access-logfile -",
    )
    # The image runs collectstatic at build time (Dockerfile); do the same here.
    subprocess.run(
        ["python", "manage.py", "collectstatic", "--noinput"],
        cwd=processes.ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    web = processes.Process(
        processes.compose_command("web"),
        env=env,
        log=tmp_path_factory.mktemp("web") / "web.log",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        web.wait_until(lambda: processes.http_ok(f"{base}/accounts/login/"), "gunicorn", 90)
        yield base, web
    finally:
        web.stop()


def test_gunicorn_serves_the_login_page_with_security_headers(production_web):
    base, web = production_web
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
        html = response.read().decode()
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert '<button type="submit">Log in</button>' in html
    assert "No migrations to apply" in web.output() or "Applying" in web.output()
    assert "Booting worker" in web.output()


def test_anonymous_visitors_are_sent_to_login(production_web):
    base, _ = production_web
    request = urllib.request.Request(f"{base}/", method="GET")  # noqa: S310

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(request, timeout=5)
    assert caught.value.code == 302
    assert caught.value.headers["Location"] == "/accounts/login/?next=/"


def test_static_files_are_hashed_compressed_and_cached_for_long(production_web):
    base, _ = production_web
    with urllib.request.urlopen(f"{base}/accounts/login/", timeout=5) as response:  # noqa: S310
        html = response.read().decode()
    href = re.search(r'href="(/static/css/newsdesk\.[0-9a-f]{12}\.css)"', html).group(1)
    request = urllib.request.Request(base + href, headers={"Accept-Encoding": "gzip"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        assert response.status == 200
        assert response.headers["Content-Encoding"] == "gzip"
        assert "max-age=315360000" in response.headers["Cache-Control"]
