"""One door, one filter: a folder chosen in the browser is sorted exactly as the CLI sorts
a folder it is given. Its .txt and .zip files are imported under their paths in the
folder, a manifest.csv at its top is applied as the batch's manifest, and everything else
(hidden files and folders, README.md, .html...) is listed with the reason it was skipped.
"""

import hashlib
import json
from pathlib import PurePosixPath

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from articles import services
from articles.models import Article, ImportBatch, ImportFile
from newsdesk import roles
from tests.data import texts
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HIDDEN = "Hidden or system file; skipped."
NOT_TEXT = "Only .txt files and .zip archives are imported from a folder; this is a {}."

# The folder "wire" as a browser lists it (webkitRelativePath), in no particular order.
FOLDER: dict[str, bytes] = {
    "wire/sub/b.txt": texts.ARTICLE_TWO.encode(),
    "wire/README.md": b"# Wire copy\n\nWhat this folder holds.\n",
    "wire/manifest.csv": b"filename,title,outlet\na.txt,River talks to reopen,Meridian Post\n",
    "wire/.git/x.txt": b"ref: refs/heads/main\n",
    "wire/a.txt": texts.ARTICLE_ONE.encode(),
    "wire/page.html": b"<html><body><p>A saved web page.</p></body></html>\n",
    "wire/.hidden.txt": b"An editor's swap file, not an article.\n",
}

# What becomes of each file, whichever door the folder came through.
SORTED = {
    "wire/.git/x.txt": ("failed", HIDDEN),
    "wire/.hidden.txt": ("failed", HIDDEN),
    "wire/README.md": ("failed", NOT_TEXT.format(".md")),
    "wire/a.txt": ("pending", ""),
    "wire/page.html": ("failed", NOT_TEXT.format(".html")),
    "wire/sub/b.txt": ("pending", ""),
}


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """The batches are processed in this process (the worker tests use Celery)."""
    monkeypatch.setattr(services.imports, "import_files_offer", lambda batch_id, ids: None)
    monkeypatch.setattr(services.imports, "import_uploads_offer", lambda batch_id: None)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    return client


def browser_paths(paths: list[str]) -> str:
    """The folder_paths field as static/js/import.js fills it: each file's folder, as an
    index into the list of folders, in the order the files are sent."""
    folders: list[str] = []
    files = []
    for path in paths:
        folder = str(PurePosixPath(path).parent)
        if folder not in folders:
            folders.append(folder)
        files.append(folders.index(folder))
    return json.dumps({"folders": folders, "files": files})


def post_folder(client, folder: dict[str, bytes], paths: str | None, **fields):
    """Post the folder as a browser does: Django keeps only each file's base name."""
    files = [SimpleUploadedFile(PurePosixPath(path).name, raw) for path, raw in folder.items()]
    data = {"folder": files, **fields}
    if paths is not None:
        data["folder_paths"] = paths
    response = client.post(reverse("import-start"), data)
    # The request only stores the uploads; here the worker's part follows at once.
    for batch_id in ImportBatch.objects.values_list("pk", flat=True):
        services.import_batch_unpack(batch_id=batch_id, enqueue=False)
    return response


def rows(batch: ImportBatch) -> dict[str, tuple[str, str]]:
    return {f.original_name: (f.status, f.error) for f in batch.files.order_by("pk")}


def stored(raw: bytes) -> bool:
    sha256 = hashlib.sha256(raw).hexdigest()
    return default_storage.exists(f"imports/{sha256[:2]}/{sha256}")


def test_a_browser_folder_is_filtered_and_its_manifest_applied(admin_client):
    response = post_folder(admin_client, FOLDER, browser_paths(list(FOLDER)))

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import-detail", kwargs={"batch_id": batch.pk})
    assert list(rows(batch).items()) == list(SORTED.items()), "in path order, as the CLI's"
    assert batch.manifest_name == "wire/manifest.csv"
    assert batch.files.get(original_name="wire/a.txt").metadata == {
        "title": "River talks to reopen",
        "outlet": "Meridian Post",
    }
    # Skipped files were never read: nothing of theirs, nor the manifest, is stored.
    taken = {"wire/a.txt", "wire/sub/b.txt"}
    assert all(stored(raw) == (path in taken) for path, raw in FOLDER.items())
    assert set(batch.files.exclude(raw="").values_list("original_name", flat=True)) == taken

    services.import_batch_process_pending(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.files_total, batch.imported, batch.failed) == ("done", 6, 2, 4)
    articles = {f.original_name: f.article for f in batch.files.filter(article__isnull=False)}
    assert set(articles) == taken
    assert (articles["wire/a.txt"].title, articles["wire/a.txt"].outlet.name) == (
        "River talks to reopen",
        "Meridian Post",
    )
    assert Article.objects.count() == 2

    page = admin_client.get(response["Location"]).content.decode()
    assert "manifest wire/manifest.csv" in page
    for name, (_, error) in SORTED.items():
        assert f'<td data-label="File">{name}</td>' in page
        assert error in page


def test_the_cli_sorts_the_same_folder_the_same_way(admin_client, tmp_path):
    for path, raw in FOLDER.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_bytes(raw)
    call_command("import_articles", str(tmp_path / "wire"), "--json")
    cli = ImportBatch.objects.get()
    post_folder(admin_client, FOLDER, browser_paths(list(FOLDER)))
    web = ImportBatch.objects.exclude(pk=cli.pk).get()

    assert rows(cli) == rows(web) == SORTED
    assert cli.manifest_name == web.manifest_name == "wire/manifest.csv"
    assert [f.metadata for f in cli.files.order_by("pk")] == [
        f.metadata for f in web.files.order_by("pk")
    ]


@pytest.mark.parametrize(
    "paths",
    [
        pytest.param(None, id="no JavaScript"),
        pytest.param("not json", id="unreadable"),
        pytest.param(json.dumps({"folders": ["wire"], "files": [0, 0]}), id="too few paths"),
        pytest.param(json.dumps({"folders": ["wire"], "files": [0] * 6 + [3]}), id="bad index"),
    ],
)
def test_without_the_paths_the_folder_is_filtered_on_its_file_names(admin_client, paths):
    """Nothing is lost when the paths do not come (or do not fit): the files keep the
    names Django gives them, and the filter works on those."""
    post_folder(admin_client, FOLDER, paths)

    batch = ImportBatch.objects.get()
    assert rows(batch) == {
        ".hidden.txt": ("failed", HIDDEN),
        "README.md": ("failed", NOT_TEXT.format(".md")),
        "a.txt": ("pending", ""),
        "b.txt": ("pending", ""),
        "page.html": ("failed", NOT_TEXT.format(".html")),
        # The one loss: without its path, a file in a hidden folder cannot be told apart.
        "x.txt": ("pending", ""),
    }
    assert batch.manifest_name == "manifest.csv"
    assert batch.files.get(original_name="a.txt").metadata["outlet"] == "Meridian Post"


def test_the_forms_manifest_wins_and_the_folders_is_listed_as_not_applied(admin_client):
    chosen = SimpleUploadedFile(
        "chosen.csv", b"filename,outlet\na.txt,Harbour Times\nb.txt,Harbour Times\n"
    )
    post_folder(admin_client, FOLDER, browser_paths(list(FOLDER)), manifest=chosen)

    batch = ImportBatch.objects.get()
    assert batch.manifest_name == "chosen.csv"
    assert rows(batch) == {
        **SORTED,
        "wire/manifest.csv": (
            "failed",
            "Not applied: this import's manifest is chosen.csv (one manifest per import).",
        ),
    }
    assert [f.metadata for f in batch.files.filter(status="pending").order_by("pk")] == [
        {"outlet": "Harbour Times"},
        {"outlet": "Harbour Times"},
    ]
    assert not stored(FOLDER["wire/manifest.csv"])


def test_the_cli_lists_a_folders_manifest_it_does_not_apply(tmp_path, capsys):
    """--manifest wins over a folder's manifest.csv, and only the first folder's applies:
    the others are listed, where they used to vanish."""
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{folder}.txt").write_text(texts.ARTICLE_ONE, encoding="utf-8")
        (tmp_path / folder / "manifest.csv").write_text(
            f"filename,outlet\n{folder}.txt,Outlet {folder}\n", encoding="utf-8"
        )
    call_command("import_articles", str(tmp_path / "one"), str(tmp_path / "two"), "--json")
    first = ImportBatch.objects.get()
    assert first.manifest_name == "one/manifest.csv"
    assert rows(first)["two/manifest.csv"] == (
        "failed",
        "Not applied: this import's manifest is one/manifest.csv (one manifest per import).",
    )

    chosen = tmp_path / "chosen.csv"
    chosen.write_text("filename,outlet\none.txt,Harbour Times\n", encoding="utf-8")
    call_command("import_articles", str(tmp_path / "one"), "--manifest", str(chosen), "--json")
    capsys.readouterr()
    second = ImportBatch.objects.exclude(pk=first.pk).get()
    assert second.manifest_name == "chosen.csv"
    assert rows(second) == {
        "one/manifest.csv": (
            "failed",
            "Not applied: this import's manifest is chosen.csv (one manifest per import).",
        ),
        "one/one.txt": ("pending", ""),
    }
    assert ImportFile.objects.get(batch=second, status="pending").metadata == {
        "outlet": "Harbour Times"
    }


def test_the_import_page_loads_the_script_that_sends_the_paths(admin_client):
    html = admin_client.get(reverse("import-start")).content.decode()
    assert '<input type="hidden" name="folder_paths"' in html
    assert 'src="/static/js/import.js"' in html
    assert "webkitdirectory" in html


def test_a_folders_unusable_manifest_refuses_the_upload_and_says_why(admin_client):
    broken = {**FOLDER, "wire/manifest.csv": b"title,outlet\nNo file names here,Nowhere\n"}
    response = post_folder(admin_client, broken, browser_paths(list(broken)))

    assert response.status_code == 200
    assert "The manifest wire/manifest.csv is not usable" in response.content.decode()
    assert not ImportBatch.objects.exists()
    assert not ImportFile.objects.exists()
