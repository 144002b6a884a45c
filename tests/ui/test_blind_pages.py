"""Blind coding in the pages: an analyst coding an article blind sees nothing of another
analyst's work there, on any page (reader, article list with its facets and counts,
entity, story and overview pages), until they mark it done; the machine's suggestions
show their own decisions. Admins, and analysts not coding it, see every layer."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import Assignment, QuoteDecision
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    StatementFactory,
    StoryFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

BODY = (
    "Foreign Minister Ana Ortiz said the quota talks had stalled. Senator Rui Prado said "
    "the fishing quota was unfair and backed the boycott. Officials met on Tuesday."
)


@pytest.fixture
def scene():
    story = StoryFactory(label="Quota talks")
    article = ArticleFactory(body=BODY, story=story)
    ortiz, prado = EntityFactory(name="Ana Ortiz"), EntityFactory(name="Rui Prado")
    a = UserFactory(username="coder-a", role=roles.ANALYST)
    b = UserFactory(username="coder-b", role=roles.ANALYST)
    admin = UserFactory(username="boss", role=roles.ADMIN)
    for analyst in (a, b):
        Assignment.objects.create(article=article, analyst=analyst, mode="blind")
    statement = StatementFactory(speaker=prado, story=story)
    machine = QuoteFactory(
        article=article,
        text="the quota talks had stalled",
        speaker=ortiz,
        origin="machine",
        status="suggested",
    )
    a_quote = QuoteFactory(
        article=article,
        text="the fishing quota was unfair",
        speaker=prado,
        kind="indirect",
        origin="analyst",
        status="confirmed",
        created_by=a,
        statement=statement,
    )
    a_stance = StanceFactory(
        article=article,
        text="backed the boycott",
        holder=prado,
        target_text="the boycott",
        polarity=polarity("support"),
        created_by=a,
    )
    a_note = NoteFactory(article=article, text="Prado's title is wrong.", created_by=a)
    return locals()


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client, name, *args, **params) -> str:
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response.content.decode()


def test_reader_shows_a_blind_coder_only_the_machine_and_their_own(scene):
    page = _page(_as(scene["b"]), "article-detail", scene["article"].pk)
    assert f'id="quote-{scene["machine"].pk}"' in page
    for key in (f'quote-{scene["a_quote"].pk}"', f'stance-{scene["a_stance"].pk}"',
                f'note-{scene["a_note"].pk}"', "title is wrong"):  # fmt: skip
        assert key not in page, key
    for user in (scene["a"], scene["admin"]):
        page = _page(_as(user), "article-detail", scene["article"].pk)
        assert f'id="quote-{scene["a_quote"].pk}"' in page


def test_reader_shows_the_coders_own_decision(scene):
    QuoteDecision.objects.create(quote=scene["machine"], analyst=scene["b"], verdict="rejected")
    page = _page(_as(scene["b"]), "article-detail", scene["article"].pk)
    assert "Suggested by the machine, rejected by you" in page
    page = _page(_as(scene["a"]), "article-detail", scene["article"].pk)
    assert "Suggested by the machine" in page
    assert "rejected by you" not in page


def test_done_coder_sees_everyones_work(scene):
    Assignment.objects.filter(analyst=scene["b"]).update(done_at=timezone.now())
    page = _page(_as(scene["b"]), "article-detail", scene["article"].pk)
    assert f'id="quote-{scene["a_quote"].pk}"' in page


def _listing(client, **params):
    response = client.get(reverse("home"), params)
    assert response.status_code == 200
    return response


def _facets(client, **params) -> dict:
    """The list's facets, from their own URL (the list loads them after itself)."""
    response = client.get(reverse("article-facets"), params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return {f.name: f for f in response.context["facets"]}


def test_article_list_counts_and_facets_leave_out_others_work(scene):
    b = _listing(_as(scene["b"]))
    row = b.context["listing"].page.object_list[0]
    assert (row.quote_count, row.annotation_status) == (1, "untouched")
    speakers = _facets(_as(scene["b"]))["speaker"].options
    assert {o.label for o in speakers} == {"Ana Ortiz"}
    assert _listing(_as(scene["b"]), speaker=scene["prado"].pk).context["listing"].total == 0
    statuses = {o.label: o.count for o in _facets(_as(scene["b"]))["status"].options}
    assert statuses["Untouched"] == 1
    # A sees their own work: the article is in progress for them, with both quotes.
    a = _listing(_as(scene["a"]))
    row = a.context["listing"].page.object_list[0]
    assert (row.quote_count, row.annotation_status) == (2, "in_progress")
    # B's own decision puts the article in progress for B alone.
    QuoteDecision.objects.create(quote=scene["machine"], analyst=scene["b"], verdict="confirmed")
    row = _listing(_as(scene["b"]), status="in_progress").context["listing"].page.object_list[0]
    assert row.annotation_status == "in_progress"
    # Filtered by the speaker only others quoted there: none of the coder's articles.
    by_prado = _facets(_as(scene["b"]), speaker=scene["prado"].pk)
    assert sum(o.count for o in by_prado["status"].options) == 0
    assert {o.label for o in _facets(_as(scene["admin"]))["speaker"].options} == {
        "Ana Ortiz",
        "Rui Prado",
    }


def test_entity_story_and_overview_pages_leave_out_others_work(scene):
    b = _as(scene["b"])
    entity = _page(b, "entity-detail", scene["prado"].pk)
    assert "the fishing quota was unfair" not in entity
    assert "the boycott" not in entity
    story = _page(b, "story-detail", scene["story"].pk)
    assert "the fishing quota was unfair" not in story
    overview = _as(scene["b"]).get(reverse("overview"))
    assert overview.context["quotes"]["total"] == 1
    assert overview.context["stances"] == 0
    assert overview.context["notes"] == 0
    admin = _as(scene["admin"])
    assert "the fishing quota was unfair" in _page(admin, "entity-detail", scene["prado"].pk)
    assert "the fishing quota was unfair" in _page(admin, "story-detail", scene["story"].pk)


def test_reader_says_a_corrected_suggestion_was_replaced(scene):
    copy = QuoteFactory(
        article=scene["article"], text="the quota talks had stalled", speaker=scene["prado"],
        origin="analyst", status="confirmed", created_by=scene["b"],
    )  # fmt: skip
    QuoteDecision.objects.create(
        quote=scene["machine"], analyst=scene["b"], verdict="corrected", correction=copy
    )
    page = _page(_as(scene["b"]), "article-detail", scene["article"].pk)
    assert "Suggested by the machine, replaced by your own version" in page


def test_reader_offers_a_blind_coder_no_review_of_the_shared_mentions(scene):
    from tests.factories import MentionFactory

    mention = MentionFactory(
        article=scene["article"], text="Ana Ortiz", entity=scene["ortiz"], origin="machine"
    )
    page = _page(_as(scene["b"]), "article-detail", scene["article"].pk)
    item = page[page.index(f'id="mention-{mention.pk}"') :]
    item = item[: item.index("</li>")]
    assert "data-suggested" not in item
    assert 'data-action="accept"' not in item
    assert 'data-action="edit"' not in item
    page = _page(_as(scene["admin"]), "article-detail", scene["article"].pk)
    item = page[page.index(f'id="mention-{mention.pk}"') :]
    assert 'data-action="accept"' in item[: item.index("</li>")]
