"""Chrome evidence across the files of an import: the batch's pre-pass, what it stores,
and what each file's cleaning makes of it. Texts are written for these tests."""

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from articles import services
from articles.ingest.clean import RECURRING_REASON
from articles.ingest.recurring import MIN_FAMILIES
from articles.models import ImportBatch
from newsdesk import roles
from tests.articles.test_ingest_recurring import FURNITURE, TOPICS, page, story
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _import(pages: dict[str, str], **kwargs) -> ImportBatch:
    uploads = [services.Upload.from_bytes(name, text.encode()) for name, text in pages.items()]
    batch = services.import_batch_create(
        uploads=uploads, source=ImportBatch.Source.CLI, enqueue=False, **kwargs
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


def _outlet_pages(topics=TOPICS) -> dict[str, str]:
    return {f"{n}.txt": page(story(*topic), FURNITURE) for n, topic in enumerate(topics)}


def test_lines_recurring_across_a_batch_are_removed_and_recorded_as_recurring():
    batch = _import(_outlet_pages(), outlet_name="Quayside Wire")
    assert batch.imported == len(TOPICS)
    assert batch.chrome.lines["outlets"]["quayside wire"]
    for file in batch.files.select_related("article"):
        paragraphs = file.article.body.split("\n\n")
        assert not set(FURNITURE) & set(paragraphs)
        assert [FURNITURE[1], RECURRING_REASON] in file.removed_lines
        assert all(reason for _, reason in file.removed_lines)


def test_a_batch_of_near_duplicates_keeps_every_paragraph():
    short = "The fleet stays in port until Friday."
    base = [*story(*TOPICS[0]), short]
    pages = {
        f"copy{n}.txt": "\n\n".join([*base[:-2], base[-2].replace("spring", f"month {n}"), short])
        for n in range(6)
    }
    batch = _import(pages)
    assert batch.imported == 6
    for file in batch.files.select_related("article"):
        assert short in file.article.body.split("\n\n")
        assert not [line for line, reason in file.removed_lines if reason == RECURRING_REASON]


def test_an_outlet_furniture_is_known_from_its_earlier_imports():
    first = _import(dict(list(_outlet_pages().items())[:2]), outlet_name="Quayside Wire")
    assert first.chrome.lines["outlets"] == {}  # two pages are not enough on their own
    later = {"later.txt": page(story(*TOPICS[4]), FURNITURE)}
    second = _import(later, outlet_name="Quayside Wire")
    body = second.files.get().article.body
    assert FURNITURE[1] not in body.split("\n\n")

    # Another outlet's page with the same lines learns nothing from Quayside Wire's imports.
    other = {"other.txt": page(story(*TOPICS[3]), FURNITURE)}
    third = _import(other, outlet_name="Harbour Herald")
    assert FURNITURE[1] in third.files.get().article.body.split("\n\n")


def test_each_file_counts_under_the_outlet_its_manifest_gives():
    manifest = "filename,outlet\n" + "".join(
        f"{n}.txt,{'Quayside Wire' if n < 3 else 'Harbour Herald'}\n" for n in range(5)
    )
    batch = _import(
        _outlet_pages(),
        manifest=services.Upload.from_bytes("manifest.csv", manifest.encode()),
    )
    assert set(batch.chrome.line_counts) == {"quayside wire", "harbour herald"}
    assert batch.chrome.outlets == ["harbour herald", "quayside wire"]
    assert batch.chrome.line_counts["quayside wire"]
    assert max(batch.chrome.line_counts["harbour herald"].values()) == 2


def test_the_batch_page_shows_each_removed_line_and_why_escaped(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    furniture = ["<b>Quayside</b> Wire | Harbour edition", *FURNITURE[1:]]
    pages = {f"{n}.txt": page(story(*topic), furniture) for n, topic in enumerate(TOPICS)}
    pages["0.txt"] = "Advertisement\n\n" + pages["0.txt"]
    batch = _import(pages, outlet_name="Quayside Wire")
    html = client.get(reverse("import-detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert "recurs across the batch" in html
    assert "&lt;b&gt;Quayside&lt;/b&gt; Wire" in html
    assert "<b>Quayside</b>" not in html
    assert "<q>Advertisement</q> — page chrome: advertisement" in html


def test_importing_the_same_pages_again_does_not_make_their_lines_furniture():
    pages = {"a.txt": page(story(*TOPICS[0]), FURNITURE)}
    for _ in range(MIN_FAMILIES):
        batch = _import(pages, outlet_name="Quayside Wire")
    assert batch.chrome.line_counts == {}
    fresh = _import({"b.txt": page(story(*TOPICS[1]), FURNITURE)}, outlet_name="Quayside Wire")
    assert FURNITURE[1] in fresh.files.get().article.body.split("\n\n")


def test_the_api_lists_each_file_s_removed_lines_with_their_reasons(client):
    batch = _import(_outlet_pages(), outlet_name="Quayside Wire")
    token = Token.objects.create(user=UserFactory(role=roles.ADMIN, password=None))
    url = reverse("api-import-detail", args=[batch.pk])
    files = client.get(url, headers={"Authorization": f"Token {token.key}"}).json()["files"]
    assert len(files) == len(TOPICS)
    for file in files:
        assert {"line": FURNITURE[1], "reason": RECURRING_REASON} in file["removed_lines"]
        assert all(set(removed) == {"line", "reason"} for removed in file["removed_lines"])
