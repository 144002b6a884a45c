"""The batch page: its header and its rows always tell the same story, even while a
worker commits between the page's queries, and each imported file says what the machine's
first pass found in it (entities, quotes, stances, the story it joined) at a query count
that does not grow with the files."""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import selectors, services
from articles.models import Article, ImportBatch, ImportFile, Origin
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    ImportBatchFactory,
    ImportFileFactory,
    MentionFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
)

DONE = re.compile(r"<dt>Done</dt><dd>(\d+) / (\d+)</dd>")
HEADING = re.compile(r'<h2 id="progress-heading">Progress: <span class="status status-(\w+)">')


def figures(html: str) -> tuple[int, int]:
    done, total = DONE.search(html).groups()
    return int(done), int(total)


def row_statuses(html: str) -> list[str]:
    return re.findall(r'<tr class="file-(\w+)">', html)


def pending_batch(count: int) -> ImportBatch:
    batch = services.import_batch_create(
        uploads=[
            services.Upload.from_bytes(f"{i}.txt", f"Talks in Beijing, take {i}.\n".encode())
            for i in range(count)
        ],
        source=ImportBatch.Source.UPLOAD,
        enqueue=False,
    )
    assert batch.files.filter(status=ImportFile.Status.PENDING).count() == count
    return batch


@pytest.mark.django_db(transaction=True)
def test_header_and_rows_agree_when_a_worker_commits_between_the_page_s_queries(client):
    """A worker's chunk commits its rows after the page counted the files and before it
    read them: the page shows one snapshot, never "0 / 5" above five finished rows."""
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = pending_batch(5)
    url = reverse("import-progress", kwargs={"batch_id": batch.pk})
    committed = []

    def worker_commits() -> None:
        try:
            # What a chunk's transaction leaves before the refresh recounts the batch.
            ImportFile.objects.filter(batch_id=batch.pk).update(
                status=ImportFile.Status.FAILED, error="The file is empty."
            )
        finally:
            connection.close()

    def between_queries(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not committed and "GROUP BY" in sql and "articles_importfile" in sql:
            thread = threading.Thread(target=worker_commits)
            thread.start()
            thread.join()
            committed.append(True)
        return result

    with connection.execute_wrapper(between_queries):
        html = client.get(url).content.decode()
    assert committed, "the worker's commit came between the count and the rows"
    assert ImportFile.objects.filter(status=ImportFile.Status.FAILED).count() == 5
    assert figures(html) == (0, 5)
    assert row_statuses(html) == ["pending"] * 5
    assert '<progress id="import-progress-bar" max="5" value="0">' in html

    # The next poll sees the commit: figures and rows move together.
    html = client.get(url).content.decode()
    assert figures(html) == (5, 5)
    assert row_statuses(html) == ["failed"] * 5
    assert HEADING.search(html).group(1) == "running", "the refresh has not marked it done yet"


@pytest.mark.django_db
def test_rows_done_before_the_batch_is_recounted_show_it_running_with_their_figures(client):
    """The stored counters lag the rows until the chunk's refresh: the page counts the
    rows, so it never says "Pending, 0 / 5" above rows that say "Imported"."""
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = pending_batch(5)
    files = list(batch.files.order_by("pk"))
    for file in files[:3]:
        ImportFile.objects.filter(pk=file.pk).update(
            status=ImportFile.Status.IMPORTED, article=ArticleFactory()
        )
    batch.refresh_from_db()
    assert (batch.status, batch.files_done) == (ImportBatch.Status.PENDING, 0)

    html = client.get(reverse("import-detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert figures(html) == (3, 5)
    assert HEADING.search(html).group(1) == "running"
    assert 'Progress: <span class="status status-running">Running</span>' in html
    assert row_statuses(html) == ["imported"] * 3 + ["pending"] * 2
    assert "<dt>Imported</dt><dd>3</dd>" in html


@pytest.mark.django_db
def test_the_counters_are_recounted_before_the_first_pass_runs(monkeypatch):
    """The in-process import (the CLI without workers) extracts for seconds after a chunk
    is stored: the batch's counters are written before that, not after."""
    batch = pending_batch(2)
    seen = []

    def extraction(*, article_ids):
        seen.append(ImportBatch.objects.get(pk=batch.pk).files_done)

    monkeypatch.setattr("articles.services.import_work.articles_extract_safely", extraction)
    ids = list(batch.files.values_list("pk", flat=True))
    services.import_files_process(batch_id=batch.pk, file_ids=ids)
    assert seen == [2]


def imported_file(batch: ImportBatch, story=None, extracted=True, **article) -> ImportFile:
    article = ArticleFactory(
        story=story, extracted_at=timezone.now() if extracted else None, **article
    )
    return ImportFileFactory(batch=batch, status=ImportFile.Status.IMPORTED, article=article)


def findings_cell(html: str, name: str) -> str:
    row = re.search(rf"<td data-label=\"File\">{re.escape(name)}</td>(.*?)</tr>", html, re.S)
    cell = re.search(r'<td data-label="First pass found">(.*?)</td>', row.group(1), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", cell.group(1))).strip()


@pytest.mark.django_db
def test_each_imported_file_says_what_the_first_pass_found(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = ImportBatchFactory(status=ImportBatch.Status.DONE)
    story = StoryFactory(label="Putin and Xi meet in Beijing")
    rich = imported_file(batch, story=story)
    rich.original_name = "rich.txt"
    rich.save()
    ArticleFactory(story=story)  # an earlier article of the same story
    putin, xi, ushakov, kremlin, beijing = (
        EntityFactory(name=name)
        for name in ("Putin", "Xi Jinping", "Ushakov", "Kremlin", "Beijing")
    )
    spans = iter(range(0, 100, 5))
    for entity, times in ((putin, 3), (xi, 2), (ushakov, 1), (kremlin, 1), (beijing, 1)):
        for _ in range(times):
            start = next(spans)
            MentionFactory(
                article=rich.article,
                entity=entity,
                origin=Origin.MACHINE,
                start=start,
                end=start + 4,
            )
    MentionFactory(article=rich.article, entity=EntityFactory(name="Added"), origin=Origin.ANALYST)
    QuoteFactory(article=rich.article, origin=Origin.MACHINE)
    QuoteFactory(article=rich.article, origin=Origin.MACHINE, text="has been prepared")
    QuoteFactory(article=rich.article, origin=Origin.ANALYST)
    StanceFactory(article=rich.article, holder=putin, origin=Origin.MACHINE)

    bare = imported_file(batch)
    bare.original_name = "bare.txt"
    bare.save()
    queued = imported_file(batch, extracted=False)
    queued.original_name = "queued.txt"
    queued.save()
    failed = imported_file(batch, extracted=False, extraction_failed_at=timezone.now())
    Article.objects.filter(pk=failed.article_id).update(extraction_error="spaCy ran out of memory.")
    failed.original_name = "failed.txt"
    failed.save()
    ImportFileFactory(
        batch=batch,
        original_name="again.txt",
        status=ImportFile.Status.DUPLICATE,
        article=rich.article,
    )

    html = client.get(reverse("import-detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert findings_cell(html, "rich.txt") == (
        "5 entities: Putin, Xi Jinping, Beijing, Kremlin and 1 more "
        "2 quotes 1 stance suggested "
        "Story Putin and Xi meet in Beijing, joined 1 other article Review in the reader"
    )
    assert f'href="/stories/{story.pk}/"' in html
    assert f'href="/articles/{rich.article_id}/">Review in the reader' in html
    assert findings_cell(html, "bare.txt") == (
        "No entities No quotes No stances suggested No story yet Review in the reader"
    )
    assert findings_cell(html, "queued.txt") == "Queued for the first pass"
    assert findings_cell(html, "failed.txt") == (
        "The first pass failed on this article: spaCy ran out of memory."
    )
    assert findings_cell(html, "again.txt") == "Nothing new: the text was already imported"


@pytest.mark.django_db
def test_the_summaries_escape_entity_names_and_story_labels(client):
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = ImportBatchFactory(status=ImportBatch.Status.DONE)
    file = imported_file(batch, story=StoryFactory(label="<b>story</b>"))
    MentionFactory(
        article=file.article, entity=EntityFactory(name="<img src=x>"), origin=Origin.MACHINE
    )
    html = client.get(reverse("import-detail", kwargs={"batch_id": batch.pk})).content.decode()
    assert "<img src=x>" not in html
    assert "&lt;img src=x&gt;" in html
    assert "&lt;b&gt;story&lt;/b&gt;" in html


@pytest.mark.django_db
@pytest.mark.parametrize("count", [1, 25])
def test_the_files_and_their_findings_cost_the_same_queries_for_any_number(
    client, django_assert_num_queries, count
):
    client.force_login(UserFactory(role=roles.ADMIN))
    batch = ImportBatchFactory(status=ImportBatch.Status.DONE)
    for _ in range(count):
        file = imported_file(batch, story=StoryFactory())
        MentionFactory(article=file.article, origin=Origin.MACHINE)
        QuoteFactory(article=file.article, origin=Origin.MACHINE)
        StanceFactory(article=file.article, origin=Origin.MACHINE)
    url = reverse("import-progress", kwargs={"batch_id": batch.pk})
    # 1 session, 2 user, 3 user's groups (admin_required's role), 4 the batch with its
    # uploads still packed, 5 its files counted by status, 6 the page of files with their
    # articles, stories and findings (entity count and names, story size, quotes,
    # stances: correlated subqueries of the same query), 7 the articles they reprint,
    # 8 the first pass's progress over the batch's articles.
    with django_assert_num_queries(8):
        html = client.get(url).content.decode()
    assert html.count("<strong>1</strong> stance suggested") == count


@pytest.mark.django_db
def test_the_api_and_cli_summary_counts_the_rows_it_lists():
    """The summary the API returns and the CLI prints agrees with its own files even
    before the chunk's refresh has recounted the batch's stored counters."""
    batch = pending_batch(4)
    first, second = batch.files.order_by("pk")[:2]
    ImportFile.objects.filter(pk=first.pk).update(
        status=ImportFile.Status.IMPORTED, article=ArticleFactory()
    )
    ImportFile.objects.filter(pk=second.pk).update(
        status=ImportFile.Status.FAILED, error="The file is empty."
    )
    batch.refresh_from_db()
    assert batch.files_done == 0  # the stored counters lag
    summary = selectors.import_batch_summary(batch)
    assert summary["counts"] == {
        "total": 4,
        "done": 2,
        "imported": 1,
        "duplicate": 0,
        "failed": 1,
    }
    assert [f["status"] for f in summary["files"]] == ["imported", "failed", "pending", "pending"]
