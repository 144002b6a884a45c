"""The three doors to one import service: the browser page, the REST API and the CLI."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from articles import services
from articles.models import Article, ImportBatch, ImportFile
from newsdesk import roles
from tests.data import texts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [roles.ANALYST, roles.API_CLIENT]


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Record what would be queued instead of sending it (the worker tests send it)."""
    queued: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(
        services.imports, "import_files_offer", lambda batch_id, ids: queued.append((batch_id, ids))
    )
    # The web's and the API's uploads are unpacked by a worker: here, as it would, at once.
    monkeypatch.setattr(
        services.imports,
        "import_uploads_offer",
        lambda batch_id: services.import_batch_unpack(batch_id=batch_id),
    )
    return queued


def _upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def _nothing_created() -> bool:
    return not ImportBatch.objects.exists() and not ImportFile.objects.exists()


# --- Browser page -----------------------------------------------------------------------


def test_import_page_sends_anonymous_users_to_the_login_page(client):
    for name, kwargs in [("import-start", {}), ("import-detail", {"batch_id": 1})]:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    response = client.post(reverse("import-start"), {"files": _upload("a.txt", "x")})
    assert response.status_code == 302
    assert _nothing_created()


@pytest.mark.parametrize("role", ROLES)
def test_import_page_is_refused_to_everyone_but_admins(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(reverse("import-start")).status_code == 403
    response = client.post(reverse("import-start"), {"files": _upload("a.txt", texts.ARTICLE_ONE)})
    assert response.status_code == 403
    assert _nothing_created()


def test_admin_uploads_files_and_lands_on_the_batch_page(
    client, no_broker, django_capture_on_commit_callbacks
):
    admin = UserFactory(role=roles.ADMIN)
    client.force_login(admin)
    page = client.get(reverse("import-start"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="files"' in html
    assert "multiple" in html
    assert "webkitdirectory" in html

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("two.txt", texts.ARTICLE_TWO)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("import-start"),
            {
                "files": [
                    _upload("one.txt", texts.ARTICLE_ONE),
                    SimpleUploadedFile("bundle.zip", archive.getvalue()),
                ],
                "outlet": "Meridian Post",
            },
        )
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import-detail", kwargs={"batch_id": batch.pk})
    assert (batch.source, batch.created_by, batch.outlet.name) == ("upload", admin, "Meridian Post")
    assert sorted(batch.files.values_list("original_name", flat=True)) == [
        "bundle.zip/two.txt",
        "one.txt",
    ]
    assert no_broker == [(batch.pk, sorted(batch.files.values_list("pk", flat=True)))]

    detail = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in detail, "a pending batch polls for progress"
    assert '<progress id="import-progress-bar" max="2" value="0">' in detail
    assert "Waiting for a worker" not in detail

    services.import_batch_process_pending(batch_id=batch.pk)
    fragment = client.get(reverse("import-progress", kwargs={"batch_id": batch.pk}))
    html = fragment.content.decode()
    assert "hx-trigger" not in html, "a finished batch stops polling"
    assert '<progress id="import-progress-bar" max="2" value="2">' in html
    assert "<title>" not in html, "the fragment is not a whole page"


def test_upload_with_no_file_is_a_form_error_and_creates_nothing(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    response = client.post(reverse("import-start"), {"outlet": "x"})
    assert response.status_code == 200
    assert "Choose at least one file" in response.content.decode()
    assert _nothing_created()


def test_a_bad_manifest_is_shown_on_the_form_and_creates_nothing(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    response = client.post(
        reverse("import-start"),
        {
            "files": _upload("one.txt", texts.ARTICLE_ONE),
            "manifest": SimpleUploadedFile("m.csv", b"title\nno filename column\n"),
        },
    )
    assert response.status_code == 200
    assert "m.csv is not usable" in response.content.decode()
    assert _nothing_created()


def test_batch_page_says_when_no_worker_has_picked_the_batch_up(client, settings):
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", texts.ARTICLE_ONE.encode())],
        source=ImportBatch.Source.UPLOAD,
    )
    url = reverse("import-progress", kwargs={"batch_id": batch.pk})
    assert "Waiting for a worker" not in client.get(url).content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.IMPORT_WORKER_WAIT_SECONDS + 1)
    )
    html = client.get(url).content.decode()
    assert "Waiting for a worker" in html
    assert 'role="alert"' in html
    services.import_files_process(
        batch_id=batch.pk, file_ids=list(batch.files.values_list("pk", flat=True))
    )
    assert "Waiting for a worker" not in client.get(url).content.decode()


def test_file_names_and_errors_are_escaped_on_the_batch_page(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("<script>alert(1)</script>.txt", b"")],
        source=ImportBatch.Source.UPLOAD,
        enqueue=False,
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    html = client.get(reverse("import-detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in html


def test_batch_page_costs_the_same_queries_for_few_files_or_many(client, django_assert_num_queries):
    client.force_login(UserFactory(role=roles.ADMIN))
    batches = []
    for count in (1, 30):
        batch = services.import_batch_create(
            uploads=[
                services.Upload.from_bytes(f"{i}.txt", f"{texts.ARTICLE_ONE}\n{i}\n".encode())
                for i in range(count)
            ],
            source=ImportBatch.Source.UPLOAD,
            enqueue=False,
        )
        services.import_batch_process_pending(batch_id=batch.pk)
        batches.append(batch)
    for batch in batches:
        url = reverse("import-progress", kwargs={"batch_id": batch.pk})
        # session, user, user's groups (role), batch, its files counted by status (the
        # figures and the pager), page of files with their findings, their articles'
        # reprint links, the machine's first pass over its articles
        with django_assert_num_queries(8):
            assert client.get(url).status_code == 200


def test_batch_page_follows_the_machine_s_first_pass_until_every_article_is_through(client):
    """A batch is done once its files are imported; extraction runs in tasks of its own
    after, so the page says how far it is and keeps polling until it is through."""
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = services.import_batch_create(
        uploads=[
            services.Upload.from_bytes(f"{i}.txt", text.encode())
            for i, text in enumerate([texts.ARTICLE_ONE, texts.ARTICLE_TWO, texts.ARTICLE_THREE])
        ],
        source=ImportBatch.Source.UPLOAD,
        enqueue=False,
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    url = reverse("import-progress", kwargs={"batch_id": batch.pk})
    first, second, third = Article.objects.order_by("pk")
    Article.objects.filter(pk__in=[first.pk, second.pk, third.pk]).update(
        extracted_at=None, extraction_failed_at=None
    )

    html = client.get(url).content.decode()
    assert "0 of 3 articles extracted; the rest are queued" in html
    assert 'hx-trigger="every 1s"' in html  # done importing, but the first pass goes on

    Article.objects.filter(pk=first.pk).update(extracted_at=timezone.now())
    Article.objects.filter(pk=second.pk).update(extraction_failed_at=timezone.now())
    html = client.get(url).content.decode()
    assert "1 of 3 articles extracted; <strong>1 failed</strong>" in html
    assert 'hx-trigger="every 1s"' in html

    Article.objects.filter(pk=third.pk).update(extracted_at=timezone.now())
    html = client.get(url).content.decode()
    assert (
        "2 of 3 articles extracted; <strong>1 failed</strong> (each says why on its page)." in html
    )
    assert "hx-trigger" not in html  # through: polling stops


# --- REST API ---------------------------------------------------------------------------


def test_api_import_needs_an_admin_and_a_refusal_creates_nothing(client):
    url = reverse("api-import-list")
    payload = {"files": [_upload("one.txt", texts.ARTICLE_ONE)]}
    assert client.post(url, payload).status_code == 401
    for role in ROLES:
        user = UserFactory(role=role)
        token = Token.objects.create(user=user)
        response = client.post(
            url,
            {"files": [_upload("one.txt", texts.ARTICLE_ONE)]},
            headers={"Authorization": f"Token {token.key}"},
        )
        assert response.status_code == 403, role
        assert client.get(url, headers={"Authorization": f"Token {token.key}"}).status_code == 403
    assert _nothing_created()


def test_a_batch_is_a_404_to_everyone_but_admins(client):
    batch = services.import_batch_create(
        uploads=[services.Upload.from_bytes("one.txt", b"Text.")],
        source=ImportBatch.Source.CLI,
        enqueue=False,
    )
    url = reverse("api-import-detail", kwargs={"pk": batch.pk})
    for role in [*ROLES, roles.ADMIN]:
        token = Token.objects.create(user=UserFactory(role=role, password=None))
        status = client.get(url, headers={"Authorization": f"Token {token.key}"}).status_code
        assert status == (200 if role == roles.ADMIN else 404), role


def test_api_import_returns_the_batch_and_its_status(client, django_assert_num_queries):
    admin = UserFactory(role=roles.ADMIN)
    token = Token.objects.create(user=admin)
    auth = {"Authorization": f"Token {token.key}"}
    response = client.post(
        reverse("api-import-list"),
        {
            "files": [_upload("one.txt", texts.ARTICLE_ONE), _upload("empty.txt", "")],
            "outlet": "Harbour Times",
        },
        headers=auth,
    )
    assert response.status_code == 201, response.content
    created = response.json()
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"/api/v1/imports/{batch.pk}/"
    assert created["batch"] == batch.pk
    assert created["status"] == "pending"
    assert created["source"] == "api"
    # The request stored the two uploads whole; a worker unpacks them into files.
    assert created["counts"] == {"total": 0, "done": 0, "imported": 0, "duplicate": 0, "failed": 0}
    assert (created["files"], created["unpacking"], created["enqueue_error"]) == ([], 2, "")
    assert not ImportFile.objects.exists()

    services.import_batch_process_pending(batch_id=batch.pk)
    # token with its user and role, batch with its creator, files, the first pass's counts
    with django_assert_num_queries(4):
        status = client.get(response["Location"], headers=auth).json()
    assert status["status"] == "done"
    # Imported in this process, so extracted inline as well.
    assert status["extraction"] == {"articles": 1, "extracted": 1, "failed": 0, "pending": 0}
    assert status["counts"] == {"total": 2, "done": 2, "imported": 1, "duplicate": 0, "failed": 1}
    article = Article.objects.get()
    assert status["files"] == [
        {
            "name": "one.txt",
            "status": "imported",
            "error": None,
            "article": article.pk,
            "removed_lines": [{"line": texts.ARTICLE_ONE.splitlines()[0], "reason": "title"}],
        },
        {
            "name": "empty.txt",
            "status": "failed",
            "error": "The file is empty.",
            "article": None,
            "removed_lines": [],
        },
    ]
    assert status["created_by"] == admin.username
    assert status["waiting_for_worker"] is False


def test_api_status_costs_the_same_queries_for_any_number_of_files(
    client, django_assert_num_queries
):
    admin = UserFactory(role=roles.ADMIN)
    client.force_login(admin)
    for count in (1, 40):
        batch = services.import_batch_create(
            uploads=[services.Upload.from_bytes(f"{i}.txt", b"") for i in range(count)],
            source=ImportBatch.Source.API,
            enqueue=False,
        )
        services.import_batch_process_pending(batch_id=batch.pk)
        # session, user, user's groups (role), batch with its creator, files, first pass
        with django_assert_num_queries(6):
            body = client.get(reverse("api-import-detail", kwargs={"pk": batch.pk})).json()
        assert len(body["files"]) == count


def test_api_import_without_files_is_a_400_that_names_the_field(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    response = client.post(reverse("api-import-list"), {"outlet": "x"})
    assert response.status_code == 400
    assert "files" in response.json()
    assert _nothing_created()


def test_api_zip_bomb_is_a_failed_row_not_a_server_error(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", b"\0" * 20_000_000)
    response = client.post(
        reverse("api-import-list"), {"files": [SimpleUploadedFile("bomb.zip", archive.getvalue())]}
    )
    assert response.status_code == 201
    services.import_batch_unpack(batch_id=response.json()["batch"])  # the worker's part
    (row,) = client.get(response["Location"]).json()["files"]
    assert row["status"] == "failed"
    assert "zip bomb" in row["error"]


# --- CLI --------------------------------------------------------------------------------


def test_cli_json_prints_the_batch_summary_and_nothing_else(tmp_path, capsys):
    folder = tmp_path / "coverage"
    (folder / "deeper").mkdir(parents=True)
    (folder / "one.txt").write_text(texts.ARTICLE_ONE, encoding="utf-8")
    (folder / "deeper" / "two.txt").write_text(texts.ARTICLE_TWO, encoding="utf-8")
    (folder / "deeper" / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 not text")
    (folder / "manifest.csv").write_text(
        "filename,outlet\none.txt,Meridian Post\n", encoding="utf-8"
    )
    call_command("import_articles", str(folder), "--inline", "--json")
    out = capsys.readouterr().out
    summary = json.loads(out)  # the whole of stdout is one JSON document
    batch = ImportBatch.objects.get()
    articles = dict(
        ImportFile.objects.filter(article__isnull=False).values_list("original_name", "article")
    )
    assert summary == {
        "batch": batch.pk,
        "status": "done",
        "counts": {"total": 3, "done": 3, "imported": 2, "duplicate": 0, "failed": 1},
        "files": [
            {
                "name": "coverage/deeper/photo.jpg",
                "status": "failed",
                "error": "Only .txt files and .zip archives are imported from a folder; "
                "this is a .jpg.",
                "article": None,
                "removed_lines": [],
            },
            {
                "name": "coverage/deeper/two.txt",
                "status": "imported",
                "error": None,
                "article": articles["coverage/deeper/two.txt"],
                "removed_lines": [{"line": texts.ARTICLE_TWO.splitlines()[0], "reason": "title"}],
            },
            {
                "name": "coverage/one.txt",
                "status": "imported",
                "error": None,
                "article": articles["coverage/one.txt"],
                "removed_lines": [{"line": texts.ARTICLE_ONE.splitlines()[0], "reason": "title"}],
            },
        ],
    }
    assert batch.manifest_name == "coverage/manifest.csv"
    assert Article.objects.get(pk=articles["coverage/one.txt"]).outlet.name == "Meridian Post"


def test_cli_without_json_says_what_happened(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    call_command("import_articles", str(path), "--inline", "--outlet", "Harbour Times")
    out = capsys.readouterr().out
    assert "1 failed" in out
    assert "failed  empty.txt: The file is empty." in out


def test_cli_refuses_a_missing_path_and_creates_nothing(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_articles", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="manifest"):
        call_command("import_articles", str(tmp_path), "--manifest", str(tmp_path / "missing.csv"))
    assert _nothing_created()


def test_cli_queues_the_files_for_the_workers_by_default(
    tmp_path, no_broker, capsys, django_capture_on_commit_callbacks
):
    path = tmp_path / "one.txt"
    path.write_text(texts.ARTICLE_ONE, encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_articles", str(path), "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "pending"
    assert no_broker == [(summary["batch"], list(ImportFile.objects.values_list("pk", flat=True)))]


def test_batch_page_shows_a_reprint_and_its_original(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    for name, text in [
        ("wire.txt", texts.ARTICLE_ONE),
        ("copy.txt", texts.reprint(texts.ARTICLE_ONE)),
    ]:
        batch = services.import_batch_create(
            uploads=[services.Upload.from_bytes(name, text.encode())],
            source=ImportBatch.Source.UPLOAD,
            enqueue=False,
        )
        services.import_batch_process_pending(batch_id=batch.pk)
    original = ImportFile.objects.get(original_name="wire.txt").article_id
    html = client.get(reverse("import-detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert (
        f'Reprint of <a href="/admin/articles/article/{original}/change/">#{original}</a>' in html
    )
