"""The reader's side panel as a review tool: one list of every kind, filtered by kind,
state and entity from the URL's query with a count on every option, the bulk review of
what it shows, the last review to undo, and grammatical wording (stances as sentences,
who suggested and who reviewed)."""

import hashlib
import html
import re

import pytest
from django.urls import reverse

from annotations.models import Polarity, QuoteDecision
from annotations.selectors.reader import PanelFilter, describe_suggestions, panel_filter
from annotations.services.reviews import suggestions_review
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

BODY = (
    "Xi Jinping met Vladimir Putin in Beijing. Xi Jinping said China supports Russia. "
    "Putin thanked Xi Jinping and said Russia backs China on Taiwan. Beijing welcomed it."
)


def at(text: str, nth: int = 0) -> dict[str, int]:
    start = -1
    for _ in range(nth + 1):
        start = BODY.index(text, start + 1)
    return {"start": start, "end": start + len(text)}


@pytest.fixture
def scene():
    ana = UserFactory(username="ana", role=roles.ANALYST)
    bob = UserFactory(username="bob", role=roles.ANALYST)
    article = ArticleFactory(body=BODY, content_hash=hashlib.sha256(BODY.encode()).hexdigest())
    xi = EntityFactory(name="Xi Jinping")
    putin = EntityFactory(name="Vladimir Putin")
    russia = EntityFactory(name="Russia", kind="GPE")
    china = EntityFactory(name="China", kind="GPE")
    xi_mentions = [
        MentionFactory(article=article, entity=xi, **at("Xi Jinping", n)) for n in range(3)
    ]
    putin_mention = MentionFactory(article=article, entity=putin, **at("Vladimir Putin"))
    china_mention = MentionFactory(
        article=article, entity=china, status="confirmed", reviewed_by=bob, **at("China")
    )
    quote = QuoteFactory(
        article=article,
        speaker=xi,
        origin="machine",
        status="suggested",
        **at("China supports Russia"),
    )
    stance = StanceFactory(
        article=article,
        holder=xi,
        target_entity=russia,
        target_text="",
        origin="machine",
        status="confirmed",
        reviewed_by=bob,
        polarity=polarity("support"),
        **at("China supports Russia"),
    )
    own = StanceFactory(
        article=article,
        holder=putin,
        target_entity=china,
        target_text="",
        created_by=ana,
        polarity=polarity("mixed"),
        **at("Russia backs China on Taiwan"),
    )
    note = NoteFactory(article=article, created_by=bob, text="Check the readout.")
    other = ArticleFactory()
    MentionFactory(article=other, entity=xi, text=other.body[:7])
    return {
        "ana": ana, "bob": bob, "article": article, "xi": xi, "putin": putin, "russia": russia,
        "china": china, "xi_mentions": xi_mentions, "putin_mention": putin_mention,
        "china_mention": china_mention, "quote": quote, "stance": stance, "own": own,
        "note": note,
    }  # fmt: skip


def page(client, user, article, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("article-detail", args=[article.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def panel(text: str) -> str:
    return re.search(r'<section id="panel".*?</section>', text, re.S).group(0)


def listed(text: str) -> list[str]:
    return re.findall(r'<li id="((?:mention|quote|stance|note)-\d+)"', panel(text))


def option(text: str, filter_name: str, value: str) -> tuple[str, int, bool]:
    """A kind or state chip: its label, count and whether it is the one chosen."""
    chip = re.search(
        rf'<a href="[^"]*" class="chip[^"]*" data-filter="{filter_name}" data-value="{value}"'
        r'( aria-current="true")?>([^<]*)<span class="count">(\d+)</span>',
        text,
    )
    return chip.group(2).strip(), int(chip.group(3)), bool(chip.group(1))


def entity_options(text: str) -> dict[str, str]:
    select = re.search(r'<select id="filter-entity".*?</select>', text, re.S).group(0)
    return {
        html.unescape(label): value
        for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select)
    }


def test_every_kind_is_one_list_in_text_order(client, scene):
    text = page(client, scene["ana"], scene["article"])
    keys = listed(text)
    assert len(keys) == 9  # 5 mentions, a quote, 2 stances, a note
    assert keys[0] == f"mention-{scene['xi_mentions'][0].pk}"
    assert keys[-1] == f"note-{scene['note'].pk}"  # no span: last
    assert "<details" not in panel(text)
    assert "9 items in this article." in text
    assert "<strong>5</strong> suggestions to review." in text  # 4 mentions and the quote


def test_the_query_filters_the_panel_and_every_option_counts(client, scene):
    xi = scene["xi"]
    text = page(
        client, scene["ana"], scene["article"], f"?kind=mention&state=review&entity={xi.pk}"
    )
    assert listed(text) == [f"mention-{m.pk}" for m in scene["xi_mentions"]]
    # Kinds counted with the state and entity kept: Xi's suggestions to review.
    assert option(text, "kind", "") == ("All", 4, False)
    assert option(text, "kind", "mention") == ("Mentions", 3, True)
    assert option(text, "kind", "quote") == ("Quotes", 1, False)
    assert option(text, "kind", "stance") == ("Stances", 0, False)
    # States counted with kind and entity kept: Xi's mentions.
    assert option(text, "state", "review") == ("To review", 3, True)
    assert option(text, "state", "mine") == ("Mine", 0, False)
    assert option(text, "state", "all") == ("Everything", 3, False)
    # Entities counted with kind and state kept: suggested mentions per entity.
    assert entity_options(text) == {
        "Xi Jinping (3)": str(xi.pk),
        "Vladimir Putin (1)": str(scene["putin"].pk),
    }
    assert re.search(rf'<option value="{xi.pk}" selected>', text)
    # Each option is a link to its own filter; the others are kept.
    assert 'href="?kind=quote&amp;state=review&amp;entity=' in text
    assert "Showing 3 of 9." in text


def test_counts_follow_the_reviews(client, scene):
    xi = scene["xi"]
    query = f"?kind=mention&state=review&entity={xi.pk}"
    first = scene["xi_mentions"][0]
    suggestions_review(
        user=scene["ana"], article_id=scene["article"].pk, items=[f"mention-{first.pk}"],
        status="confirmed",
    )  # fmt: skip
    text = page(client, scene["ana"], scene["article"], query)
    assert listed(text) == [f"mention-{m.pk}" for m in scene["xi_mentions"][1:]]
    assert option(text, "kind", "mention") == ("Mentions", 2, True)
    assert option(text, "state", "mine") == ("Mine", 1, False)
    assert option(text, "state", "all") == ("Everything", 3, False)
    assert "<strong>4</strong> suggestions to review." in text


def test_mine_is_what_the_viewer_created_or_decided(client, scene):
    QuoteDecision.objects.create(quote=scene["quote"], analyst=scene["ana"], verdict="rejected")
    text = page(client, scene["ana"], scene["article"], "?state=mine")
    assert sorted(listed(text)) == sorted(
        [f"stance-{scene['own'].pk}", f"quote-{scene['quote'].pk}"]
    )
    bob = page(client, scene["bob"], scene["article"], "?state=mine")
    assert sorted(listed(bob)) == sorted(
        [
            f"mention-{scene['china_mention'].pk}",
            f"stance-{scene['stance'].pk}",
            f"note-{scene['note'].pk}",
        ]
    )


def test_an_unknown_filter_value_shows_more_never_an_error(client, scene):
    text = page(client, scene["ana"], scene["article"], "?kind=poem&state=<b>&entity=abc")
    assert len(listed(text)) == 9
    assert "Showing" not in text
    assert panel_filter({"entity": "9" * 30}) == PanelFilter()


def test_an_empty_filter_says_so_and_offers_everything(client, scene):
    text = page(
        client, scene["ana"], scene["article"], f"?kind=stance&state=review&entity={scene['xi'].pk}"
    )
    assert listed(text) == []
    assert "Nothing here with this filter: every such suggestion is reviewed." in text
    assert '<a href="?" data-filter="clear">Show everything</a>' in text


def test_bulk_buttons_say_what_the_filter_shows(client, scene):
    text = page(
        client,
        scene["ana"],
        scene["article"],
        f"?kind=mention&state=review&entity={scene['xi'].pk}",
    )
    assert "3 suggested mentions of Xi Jinping shown:" in text
    what = 'data-what="3 suggested mentions of Xi Jinping"'
    assert f'data-bulk="accept" data-count="3" {what}>Accept all 3<' in text
    assert 'data-bulk="reject" data-count="3"' in text
    # Everything: what it shows that is still to review, by kind.
    everything = page(client, scene["ana"], scene["article"])
    assert "5 suggestions (1 quote, 4 mentions) shown:" in everything
    # A read-only client has nothing to review and no confirmation.
    robot = page(client, UserFactory(role=roles.API_CLIENT), scene["article"])
    assert "data-bulk" not in robot
    assert 'id="bulk-confirm"' not in robot


def test_describe_suggestions_is_grammatical(scene):
    quote, xi_mentions, stance = scene["quote"], scene["xi_mentions"], scene["stance"]
    assert (
        describe_suggestions([("mention", xi_mentions[0])]) == "1 suggested mention of Xi Jinping"
    )
    assert describe_suggestions([("quote", quote)]) == "1 suggested quote by Xi Jinping"
    assert describe_suggestions([("stance", stance)]) == "1 suggested stance taken by Xi Jinping"
    assert (
        describe_suggestions([("stance", stance)], "Russia")
        == "1 suggested stance involving Russia"
    )
    mixed = [("mention", xi_mentions[0]), ("mention", scene["putin_mention"])]
    assert describe_suggestions(mixed) == "2 suggested mentions"
    assert describe_suggestions([*mixed, ("quote", quote)], "Xi Jinping") == (
        "3 suggestions involving Xi Jinping (1 quote, 2 mentions)"
    )
    assert describe_suggestions([]) == ""


def test_the_last_review_is_offered_for_undo(client, scene):
    keys = [f"mention-{m.pk}" for m in scene["xi_mentions"]]
    action = suggestions_review(
        user=scene["ana"], article_id=scene["article"].pk, items=keys, status="confirmed"
    )
    text = page(client, scene["ana"], scene["article"])
    assert "You accepted 3 suggested mentions of Xi Jinping." in text
    assert f'data-undo="{action.pk}"' in text
    # It is ana's: bob sees no undo of it.
    assert "data-undo" not in page(client, scene["bob"], scene["article"])


def test_stances_read_as_sentences(client, scene):
    text = page(client, scene["ana"], scene["article"])
    stance = re.search(rf'<li id="stance-{scene["stance"].pk}".*?</li>', text, re.S).group(0)
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", stance))
    assert "Xi Jinping supports Russia" in words
    own = re.search(rf'<li id="stance-{scene["own"].pk}".*?</li>', text, re.S).group(0)
    assert "Vladimir Putin has mixed views on China" in re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", "", own)
    )


@pytest.mark.parametrize(
    ("slug", "phrase"),
    [
        ("support", "supports"),
        ("oppose", "opposes"),
        ("neutral", "is neutral on"),
        ("mixed", "has mixed views on"),
    ],
)
def test_the_seeded_vocabulary_has_its_phrases(slug, phrase):
    assert Polarity.objects.get(slug=slug).verb == phrase


def test_a_polarity_without_a_phrase_still_reads_as_a_sentence():
    added = Polarity.objects.create(slug="hedged", label="Hedged")
    assert added.verb == "takes the stance “Hedged” on"


def status_of(text: str, key: str) -> str:
    item = re.search(rf'<li id="{key}".*?</li>', text, re.S).group(0)
    return html.unescape(re.search(r'<span class="status">([^<]*)</span>', item).group(1))


def test_who_suggested_and_who_reviewed_in_words(client, scene):
    stance, own, quote, note = scene["stance"], scene["own"], scene["quote"], scene["note"]
    as_ana = page(client, scene["ana"], scene["article"])
    assert status_of(as_ana, f"stance-{stance.pk}") == "Suggested by the machine, confirmed by bob"
    assert status_of(as_ana, f"quote-{quote.pk}") == "Suggested by the machine"
    assert status_of(as_ana, f"stance-{own.pk}") == "Added by you"
    assert status_of(as_ana, f"note-{note.pk}") == "Added by bob"
    as_bob = page(client, scene["bob"], scene["article"])
    assert status_of(as_bob, f"stance-{stance.pk}") == "Suggested by the machine, confirmed by you"
    assert status_of(as_bob, f"mention-{scene['china_mention'].pk}") == (
        "Suggested by the machine, confirmed by you"
    )
    assert status_of(as_bob, f"stance-{own.pk}") == "Added by ana"
    own.status, own.reviewed_by = "rejected", scene["bob"]
    own.save()
    assert status_of(page(client, scene["ana"], scene["article"]), f"stance-{own.pk}") == (
        "Added by you, rejected by bob"
    )
    for text in (as_ana, as_bob):
        assert "Confirmed (machine)" not in text
        assert not re.search(r'class="status">(Confirmed|Rejected) by', text)


def test_the_filtered_reader_keeps_its_query_count(client, scene, django_assert_num_queries):
    client.force_login(scene["ana"])
    url = reverse("article-detail", args=[scene["article"].pk])
    # As tests/ui/test_reader.py names them: session, user, role, article, source file,
    # mentions, quotes, stances, notes, the viewer's last review, polarities.
    with django_assert_num_queries(11):
        response = client.get(f"{url}?kind=mention&state=review&entity={scene['xi'].pk}")
    assert response.status_code == 200


def test_the_panel_part_alone_for_htmx_keeps_the_filter(client, scene):
    client.force_login(scene["ana"])
    url = reverse("article-detail", args=[scene["article"].pk])
    part = client.get(
        f"{url}?kind=quote", headers={"HX-Request": "true", "HX-Target": "reader"}
    ).content.decode()
    assert part.lstrip().startswith('<div id="reader"')
    assert listed(part) == [f"quote-{scene['quote'].pk}"]


def test_the_reader_loads_the_review_script_and_lists_its_keys(client, scene):
    text = page(client, scene["ana"], scene["article"])
    assert re.search(r'<script type="module" src="/static/js/review[^"]*\.js"></script>', text)
    shortcuts = re.search(r'<dialog id="shortcuts".*?</dialog>', text, re.S).group(0)
    for key in ("<kbd>A</kbd>", "<kbd>R</kbd>", "<kbd>u</kbd>", "<kbd>f</kbd>", "<kbd>F</kbd>"):
        assert key in shortcuts
