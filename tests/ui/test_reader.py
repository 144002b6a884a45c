"""The reader page: the article's text with its marks, the side panel, what each viewer
may do, escaping, and a query count that does not grow with the annotations."""

import hashlib
import html
import re

import pytest
from django.urls import reverse

from annotations.models import Quote
from annotations.selectors.reader import Item, segments_of, speaker_labels
from articles.models import Article
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    ImportFileFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEXT_REGION = re.compile(r'<div id="article-text"[^>]*>(.*?)</div>', re.S)


def article_text(page: str) -> str:
    """The text the reader's article region holds, tags dropped: must be the body."""
    inner = TEXT_REGION.search(page).group(1)
    return html.unescape(re.sub(r"<[^>]+>", "", inner))


def long_article(words: int = 1200) -> Article:
    body = " ".join(f"word{i}" for i in range(words)) + "."
    return ArticleFactory(body=body, content_hash=hashlib.sha256(body.encode()).hexdigest())


def item(kind, start, end, pk=1, status=""):
    class Row:
        pass

    row = Row()
    row.pk = pk
    return Item(kind, row, start, end, status, False)


def test_segments_keep_every_character_and_mark_overlaps():
    body = "Putin said the talks went well."
    quote = item("quote", 11, 30, 1, "suggested")
    mention = item("mention", 0, 5, 2, "confirmed")
    stance = item("stance", 15, 20, 3)
    segments = segments_of(body, [quote, mention, stance])
    assert "".join(s.text for s in segments) == body
    by_text = {s.text: s for s in segments}
    assert by_text["Putin"].keys == "mention-2"
    assert by_text["talks"].keys == "quote-1 stance-3"
    assert "hl-quote-suggested" in by_text["talks"].classes
    assert by_text[" said "].items == []
    assert by_text[" went well"].keys == "quote-1"


def test_segments_of_nested_and_identical_spans():
    body = "abcdefghij"
    outer = item("quote", 0, 10, 1, "confirmed")
    inner = item("mention", 2, 4, 2, "suggested")
    twin = item("note", 2, 4, 3)
    segments = segments_of(body, [inner, outer, twin])
    assert [(s.text, s.keys) for s in segments] == [
        ("ab", "quote-1"),
        ("cd", "quote-1 mention-2 note-3"),
        ("efghij", "quote-1"),
    ]


class Speaker:
    def __init__(self, pk, name):
        self.pk, self.name = pk, name


def quote_item(pk, start, end, speaker=None, span=None, status="suggested"):
    quote = item("quote", start, end, pk, status)
    quote.row.speaker = speaker
    quote.row.speaker_id = speaker.pk if speaker else None
    quote.row.speaker_start, quote.row.speaker_end = span or (None, None)
    return quote


def mention_item(pk, start, end, entity_id, status="suggested"):
    mention = item("mention", start, end, pk, status)
    mention.row.entity_id = entity_id
    return mention


def test_a_quotes_label_leads_to_its_speaker_span_else_the_nearest_mention_of_the_speaker():
    putin, lavrov = Speaker(7, "Vladimir Putin"), Speaker(8, "Sergei Lavrov")
    mentions = [
        mention_item(1, 0, 5, putin.pk),  # 40 characters before the second quote
        mention_item(2, 60, 65, putin.pk, status="rejected"),  # rejected: not a mention
        mention_item(3, 90, 95, putin.pk),  # 40 characters after it: a tie, before wins
        mention_item(4, 46, 50, putin.pk),  # inside the quote: the quote's own words
    ]
    spanned = quote_item(10, 20, 40, putin, span=(12, 17))
    nearest = quote_item(11, 45, 50, putin)
    unnamed = quote_item(12, 100, 110, lavrov)
    nobody = quote_item(13, 120, 130)
    rejected = quote_item(14, 140, 150, putin, span=(12, 17), status="rejected")
    labels = {
        label.quote.key: label
        for label in speaker_labels([spanned, nearest, unnamed, nobody, rejected], mentions, 200)
    }
    assert set(labels) == {"quote-10", "quote-11", "quote-12", "quote-13"}
    assert labels["quote-10"].target == (12, 17)
    assert labels["quote-11"].target == (0, 5)
    assert labels["quote-12"].target is None
    assert labels["quote-12"].description == (
        "Quote by Sergei Lavrov: not named in the text: open their page"
    )
    assert (labels["quote-13"].text, labels["quote-13"].target) == ("speaker unknown", None)
    assert labels["quote-10"].anchor == "speaker-at-12"
    assert labels["quote-10"].description == (
        "Quote by Vladimir Putin: show where the text names them"
    )
    # A speaker span past the end of the body is not followed.
    broken = quote_item(15, 20, 40, putin, span=(190, 260))
    assert speaker_labels([broken], [], 200)[0].target is None


def test_segments_cut_where_the_speaker_is_named_and_carry_the_label_at_the_quote():
    body = "Putin said: peace is near, he added."
    putin = Speaker(7, "Vladimir Putin")
    quote = quote_item(1, 12, 25, putin, span=(0, 5))
    second = quote_item(2, 27, 29, putin, span=(0, 5))  # "he", but named as Putin before
    mention = mention_item(3, 0, 5, putin.pk)
    labels = speaker_labels([quote, second], [mention], len(body))
    segments = segments_of(body, [quote, second, mention], labels)
    assert "".join(s.text for s in segments) == body  # labels add no character
    by_text = {s.text: s for s in segments}
    assert by_text["Putin"].speaker_of == ["quote-1", "quote-2"]
    assert by_text["Putin"].anchor == "speaker-at-0"
    assert by_text["Putin"].focusable  # a mention starts there
    assert [label.quote.key for label in by_text["peace is near"].labels] == ["quote-1"]
    assert by_text["peace is near"].start == 12
    assert [label.quote.key for label in by_text["he"].labels] == ["quote-2"]
    assert by_text[" said: "].labels == []
    assert not by_text[" said: "].focusable


def test_reader_labels_each_quote_with_its_speaker_without_adding_to_the_text(client):
    analyst = UserFactory(role=roles.ANALYST)
    body = "Vladimir Putin told reporters: the talks went well. Nobody knows who said this."
    article = ArticleFactory(body=body, content_hash=hashlib.sha256(body.encode()).hexdigest())
    putin = EntityFactory(name='Vladimir <b>"Putin"</b>')
    MentionFactory(article=article, entity=putin, start=0, end=14, text="Vladimir Putin")
    spoken = QuoteFactory(
        article=article,
        start=31,
        end=51,
        speaker=putin,
        speaker_start=0,
        speaker_end=14,
        origin="machine",
        status="suggested",
    )
    anonymous = QuoteFactory(article=article, start=52, end=len(body), speaker=None)
    client.force_login(analyst)
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert article_text(page) == body
    label = re.search(
        rf'<a class="speaker-label[^"]*"[^>]*data-quote="quote-{spoken.pk}"[^>]*>', page
    )
    assert label, "the quote's label"
    assert 'href="#speaker-at-0"' in label.group(0)
    assert 'data-label="Vladimir &lt;b&gt;&quot;Putin&quot;&lt;/b&gt;"' in label.group(0)
    assert page[label.end() : label.end() + 4] == "</a>"  # empty: the words come from CSS
    assert re.search(r'<span[^>]*data-speaker-of="quote-\d+"[^>]*id="speaker-at-0"', page)
    assert re.search(
        rf'<span class="speaker-label[^"]*is-unknown"[^>]*data-label="speaker unknown"'
        rf'[^>]*data-quote="quote-{anonymous.pk}"',
        page,
    )
    # The label sits right before the quote's first piece.
    text = TEXT_REGION.search(page).group(1)
    assert re.search(rf'data-quote="quote-{spoken.pk}"[^>]*></a><span[^>]*quote-{spoken.pk}', text)
    # No native tooltip on the marks; the first piece of each describes what marks it.
    assert " title=" not in text
    assert 'aria-description="Quote by Vladimir &lt;b&gt;' in text


def test_reader_shows_text_metadata_and_items_in_text_order(client):
    analyst = UserFactory(role=roles.ANALYST)
    story = StoryFactory(label="Putin in Beijing")
    article = ArticleFactory(title="Putin meets Xi", story=story, url="https://news.example/a")
    ImportFileFactory(article=article, original_name="putin-xi.txt", status="imported")
    putin = EntityFactory(name="Vladimir Putin")
    MentionFactory(article=article, entity=putin, text="Vladimir Putin", status="suggested")
    quote = QuoteFactory(article=article, origin="machine", status="suggested", speaker=putin)
    stance = StanceFactory(article=article, holder=putin, created_by=analyst)
    NoteFactory(article=article, created_by=analyst, text="Check the readout")
    client.force_login(analyst)
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()

    assert article_text(page) == article.body
    assert "Putin meets Xi" in page
    assert "putin-xi.txt" in page
    assert 'href="https://news.example/a"' in page
    assert f'href="{reverse("story-detail", args=[story.pk])}"' in page
    assert 'role="region" aria-label="Article text"' in page
    assert 'aria-labelledby="panel-heading"' in page
    assert ">Annotations</h2>" in page
    # Side panel: quote (by start) before the stance; the note (no span) last.
    order = [page.index(f'id="{key}"') for key in (f"quote-{quote.pk}", f"stance-{stance.pk}")]
    assert order == sorted(order)
    assert "Suggested by the machine" in page
    assert page.count(">Accept</button>") == 2  # the quote and the mention
    assert "2</strong> suggestions to review" in page
    # The quote's span is marked as suggested, and says what it is when hovered.
    assert re.search(
        rf'class="[^"]*hl-quote-suggested[^"]*" data-items="[^"]*quote-{quote.pk}', page
    )
    assert "Quote by Vladimir Putin (suggested)" in page


def test_edit_buttons_only_on_what_the_viewer_may_change(client):
    author, other, admin = (
        UserFactory(role=roles.ANALYST),
        UserFactory(role=roles.ANALYST),
        UserFactory(role=roles.ADMIN),
    )
    article = ArticleFactory()
    stance = StanceFactory(article=article, created_by=author)
    machine = QuoteFactory(article=article, origin="machine", status="suggested")

    def buttons(user, key):
        client.force_login(user)
        page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
        li = re.search(rf'<li id="{key}".*?</li>', page, re.S).group(0)
        return set(re.findall(r'data-action="(\w+)"', li))

    assert buttons(author, f"stance-{stance.pk}") == {"show", "edit", "delete"}
    assert buttons(other, f"stance-{stance.pk}") == {"show"}
    assert buttons(admin, f"stance-{stance.pk}") == {"show", "edit", "delete"}
    # A machine suggestion is any analyst's to review and correct, an admin's to delete.
    assert buttons(other, f"quote-{machine.pk}") == {"show", "accept", "reject", "edit"}
    assert buttons(admin, f"quote-{machine.pk}") == {"show", "accept", "reject", "edit", "delete"}
    api_client = UserFactory(role=roles.API_CLIENT)
    assert buttons(api_client, f"quote-{machine.pk}") == {"show"}
    client.force_login(api_client)
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert 'id="annotate"' not in page  # no annotation dialog for a read-only client


def test_untrusted_text_is_escaped_everywhere(client):
    payload = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    body = f"He said {payload} and left. javascript:alert(3)"
    article = ArticleFactory(
        title=payload,
        body=body,
        url="javascript:alert(4)",
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
    )
    bad = EntityFactory(name=payload)
    MentionFactory(article=article, entity=bad, text="He")
    QuoteFactory(article=article, text=payload, speaker=bad)
    NoteFactory(article=article, text=payload, created_by=UserFactory(role=roles.ANALYST))
    client.force_login(UserFactory(role=roles.ANALYST))
    page = client.get(reverse("article-detail", args=[article.pk])).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert article_text(page) == body


def test_the_csp_header_forbids_inline_scripts(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    response = client.get(reverse("article-detail", args=[ArticleFactory().pk]))
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert script_src.split() == ["'self'"]
    assert "unsafe-inline" not in policy
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # every script is a file
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    assert not re.search(r'\sstyle="', page)  # no style attributes either


def test_missing_article_is_404_and_anonymous_is_sent_to_login(client):
    assert client.get(reverse("article-detail", args=[1])).status_code == 302
    client.force_login(UserFactory(role=roles.ANALYST))
    assert client.get(reverse("article-detail", args=[987654])).status_code == 404


def test_htmx_request_answers_the_reader_part_alone(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    article = ArticleFactory()
    url = reverse("article-detail", args=[article.pk])
    part = client.get(url, headers={"HX-Request": "true", "HX-Target": "reader"})
    text = part.content.decode()
    assert text.lstrip().startswith('<div id="reader"')
    assert "<html" not in text
    assert 'id="annotate"' not in text
    whole = client.get(url, headers={"HX-Request": "true", "HX-Target": "elsewhere"})
    assert "<html" in whole.content.decode()


def test_reader_queries_do_not_grow_with_annotations(client, django_assert_num_queries):
    analyst = UserFactory(role=roles.ANALYST)
    client.force_login(analyst)
    article = long_article()
    url = reverse("article-detail", args=[article.pk])

    def page():
        # 1 session, 2 user, 3 user's role, 4 article with outlet and story,
        # 5 source file, 6 mentions with entities and reviewers, 7 quotes with speakers,
        # authors, reviewers and whether the viewer decided on each, 8 stances with
        # holders, targets, polarities, authors and the viewer's decisions, 9 notes with
        # authors, 10 the viewer's latest review here (Undo), 11 polarities for the dialog.
        # The panel's filters and counts are computed from these rows: no query of theirs.
        with django_assert_num_queries(11):
            response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    page()
    words = article.body.split(" ")
    offsets = []
    position = 0
    for word in words:
        offsets.append((position, position + len(word)))
        position += len(word) + 1
    entities = [EntityFactory() for _ in range(5)]
    authors = [analyst, UserFactory(role=roles.ANALYST)]
    for i in range(200):
        start, end = offsets[i * 5]
        MentionFactory(article=article, entity=entities[i % 5], start=start, end=end)
    for i in range(150):
        start, _ = offsets[i * 7]
        _, end = offsets[i * 7 + 6]
        QuoteFactory(
            article=article,
            start=start,
            end=end,
            speaker=entities[i % 5],
            origin="machine" if i % 2 else "analyst",
            status="suggested" if i % 2 else "confirmed",
            created_by=None if i % 2 else authors[i % 4 // 2],
        )
    for i in range(100):
        start, end = offsets[i * 9 + 1]
        StanceFactory(
            article=article, start=start, end=end, holder=entities[i % 5], created_by=authors[i % 2]
        )
    for i in range(50):
        start, end = offsets[i * 11 + 3]
        NoteFactory(
            article=article,
            start=start,
            end=end,
            exact=article.body[start:end],
            prefix=article.body[max(0, start - 32) : start],
            suffix=article.body[end : end + 32],
            created_by=authors[i % 2],
        )
    text = page()
    assert text.count('class="item item-') == 500
    assert Quote.objects.filter(article=article).count() == 150
    assert article_text(text) == article.body
