"""Article text is untrusted: an imported article full of script payloads is shown on every
workbench page in real Chromium, and none of them runs."""

import pytest
from playwright.sync_api import Page, expect

from annotations.models import Note
from articles import services
from articles.models import Article, Entity, ImportBatch, ImportFile
from newsdesk import roles
from tests.factories import QuoteFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long enough test password"
TITLE = "Summit ends <script>window.__xss = 'title'</script> in Geneva"
BODY = f"""\
{TITLE}

Delegates met on Monday. <img src=x onerror="window.__xss = 'img'"> was posted by an \
official, with a link javascript:window.__xss='link' and <a href="javascript:window.__xss='a'">\
a second one</a>.

"We agreed <b onmouseover="window.__xss='b'">nothing</b> today," Foreign Minister Elena \
Varga said after the talks. <svg onload="window.__xss='svg'"></svg>
"""
MANIFEST = 'filename,title,url\npayload.txt,"{title}",{url}\n'


# Anything the payloads could have put into the page if they had been parsed as markup.
INJECTED = """() => ({
  scripts: [...document.scripts].filter((s) => !s.src).length,
  handlers: [...document.querySelectorAll('*')].filter(
    (el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
  javascriptLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
  images: document.querySelectorAll('main img, main svg').length,
  xss: window.__xss ?? null,
})"""


def test_payloads_in_an_imported_article_never_run(live_server, page: Page, tmp_path):
    (tmp_path / "payload.txt").write_text(BODY, encoding="utf-8")
    title = TITLE.replace('"', '""')
    # A `javascript:` address in a manifest is refused before anything is stored.
    (tmp_path / "manifest.csv").write_text(MANIFEST.format(title=title, url="javascript:x=1"))
    uploads, manifest = services.uploads_from_paths([tmp_path])
    with pytest.raises(services.ImportRefused, match="not a web address"):
        services.import_batch_create(
            uploads=uploads, manifest=manifest, source=ImportBatch.Source.CLI, enqueue=False
        )
    assert not ImportBatch.objects.exists()
    (tmp_path / "manifest.csv").write_text(MANIFEST.format(title=title, url=""))
    uploads, manifest = services.uploads_from_paths([tmp_path])
    batch = services.import_batch_create(
        uploads=uploads, manifest=manifest, source=ImportBatch.Source.CLI, enqueue=False
    )
    services.import_batch_process_pending(batch_id=batch.pk)
    file = ImportFile.objects.get(batch=batch)
    assert file.status == ImportFile.Status.IMPORTED, file.error
    article = Article.objects.get()
    assert "<script>" in article.title
    assert "<img src=x" in article.body
    analyst = UserFactory(username="ana", password=PASSWORD, role=roles.ANALYST)
    speaker = Entity.objects.create(
        name="<img src=x onerror=\"window.__xss='entity'\">", kind="PERSON"
    )
    quote = QuoteFactory(article=article, text="nothing", speaker=speaker, origin="machine")
    Note.objects.create(
        article=article, text="<script>window.__xss='note'</script>", created_by=analyst
    )

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    pages = [
        "/?q=Delegates",
        f"/articles/{article.pk}/",
        f"/entities/{speaker.pk}/",
        "/entities/?q=img",
    ]
    if article.story_id:
        pages.append(f"/stories/{article.story_id}/")
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()
        page.mouse.move(10, 10)
        found = page.evaluate(INJECTED)
        assert found == {
            "scripts": 0,
            "handlers": 0,
            "javascriptLinks": 0,
            "images": 0,
            "xss": None,
        }, path
    # The reader shows the payloads as text, exactly as imported.
    page.goto(f"{live_server.url}/articles/{article.pk}/")
    region = page.get_by_role("region", name="Article text")
    assert region.text_content() == article.body
    expect(page.get_by_role("heading", level=1)).to_have_text(article.title)
    region.get_by_text("nothing").hover()
    assert page.evaluate("window.__xss ?? null") is None
    # The quote's speaker label says the entity's name as text (CSS content, not markup).
    label = region.locator(f'.speaker-label[data-quote="quote-{quote.pk}"]')
    expect(label).to_have_attribute("data-label", speaker.name)
    assert label.evaluate("el => getComputedStyle(el, '::before').content") == (
        '"' + speaker.name.replace('"', '\\"') + '"'
    )
    assert label.evaluate("el => el.children.length") == 0
    # A payload typed as a new speaker's name is echoed as text beside the field.
    page.evaluate(
        """() => {
          const node = [...document.querySelectorAll('#article-text [data-items]')]
            .map((el) => el.firstChild).find((n) => n.data.includes('nothing'));
          const at = node.data.indexOf('nothing');
          const range = document.createRange();
          range.setStart(node, at);
          range.setEnd(node, at + 'nothing'.length);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }"""
    )
    page.keyboard.press("q")
    dialog = page.get_by_role("dialog", name="Annotate selection")
    payload = "<img src=x onerror=\"window.__xss='typed'\">"
    dialog.get_by_label("Speaker").fill(payload)
    expect(dialog.locator("#f-speaker-new")).to_contain_text(f"“{payload}” is not an entity yet")
    assert dialog.locator("#f-speaker-new img").count() == 0
    assert page.evaluate(INJECTED)["xss"] is None
    page.keyboard.press("Escape")
    assert dialogs == []
