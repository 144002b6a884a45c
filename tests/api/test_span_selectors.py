"""Spans given as the browser has them: the selected text with what surrounds it (a W3C
TextQuoteSelector) and the client's own estimate of where it starts, located in the body
by the server. Offsets, when given, win and are checked as before. Every refusal leaves
the data as it was."""

import pytest

from annotations.models import Note, Quote, Stance
from tests.api.world import BODY, People, World, snapshot, span

pytestmark = pytest.mark.django_db

# "the talks" occurs twice in the world's article: "...prepared for the talks," Ushakov
# said' and "her government welcomed the talks but opposed".
FIRST = BODY.index("the talks")
SECOND = BODY.index("the talks", FIRST + 1)


def quote(world: World, **fields) -> dict:
    return {"article": world.article.pk, **fields}


def post_quote(people: People, world: World, **fields):
    return people.client("analyst_a").post("/api/v1/quotes/", quote(world, **fields), format="json")


def test_a_selection_that_occurs_once_is_located_without_offsets(world: World, people: People):
    response = post_quote(people, world, exact="welcomed the talks", speaker=world.keller.pk)
    assert response.status_code == 201, response.content
    body = response.json()
    start = BODY.index("welcomed the talks")
    assert (body["start"], body["end"]) == (start, start + len("welcomed the talks"))
    stored = Quote.objects.get(pk=body["id"])
    # The stored selector is the server's own (32 characters either side).
    assert stored.prefix == BODY[start - 32 : start]
    assert stored.suffix == BODY[stored.end : stored.end + 32]
    assert stored.history.get().history_user == people.users["analyst_a"]


def test_a_repeated_selection_without_context_is_refused_and_stores_nothing(
    world: World, people: People
):
    before = snapshot()
    response = post_quote(people, world, exact="the talks")
    assert response.status_code == 400
    assert response.json()["exact"] == [
        "The selected text occurs twice in the article; give its prefix and suffix, or near."
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"prefix": "prepared for "}, FIRST),
        ({"prefix": "government welcomed "}, SECOND),
        ({"suffix": ',"'}, FIRST),
        ({"suffix": " but opposed any new sanctions."}, SECOND),
        ({"prefix": "welcomed ", "suffix": " but"}, SECOND),
        ({"near": FIRST + 5}, FIRST),
        ({"near": SECOND - 40}, SECOND),
        ({"near": 0}, FIRST),
    ],
)
def test_prefix_suffix_or_near_tell_repeats_apart(context, expected, world, people):
    response = post_quote(people, world, exact="the talks", **context)
    assert response.status_code == 201, response.content
    assert (response.json()["start"], response.json()["end"]) == (expected, expected + 9)


def test_near_chooses_among_the_occurrences_that_fit_the_context(world, people):
    # "said" twice: "Ushakov said." and "Keller said her"; near points at the first, but
    # the suffix only fits the second.
    response = post_quote(people, world, exact="said", suffix=" her", near=0)
    assert response.status_code == 201, response.content
    assert response.json()["start"] == BODY.index("said her")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"exact": "the summit"}, "is not in the article's text"),
        (
            {"exact": "the talks", "prefix": "after "},
            "is in the article's text (twice), but not with this prefix and suffix",
        ),
        ({"exact": "the talks", "suffix": "!"}, "but not with this prefix and suffix"),
        ({"exact": "   "}, "empty"),
    ],
)
def test_a_selection_that_cannot_be_found_is_a_400_on_exact(fields, message, world, people):
    before = snapshot()
    response = post_quote(people, world, **fields)
    assert response.status_code == 400, response.content
    assert message in response.json()["exact"][0]
    assert snapshot() == before


def test_an_empty_exact_is_refused_in_either_form(world, people):
    before = snapshot()
    assert post_quote(people, world, exact="").status_code == 400
    assert post_quote(people, world, exact="", prefix="for ").status_code == 400
    assert snapshot() == before


def test_offsets_win_over_the_context_and_are_checked_as_before(world, people):
    # The offsets say the first "the talks", the prefix the second: the offsets win.
    response = post_quote(
        people, world, start=FIRST, end=FIRST + 9, exact="the talks", prefix="welcomed "
    )
    assert response.status_code == 201, response.content
    assert response.json()["start"] == FIRST
    before = snapshot()
    wrong = post_quote(people, world, start=FIRST + 1, end=FIRST + 10, exact="the talks")
    assert wrong.status_code == 400
    assert "exact" in wrong.json()
    assert snapshot() == before


@pytest.mark.parametrize(("given", "missing"), [({"start": FIRST}, "end"), ({"end": 9}, "start")])
def test_one_offset_without_the_other_is_refused(given, missing, world, people):
    before = snapshot()
    response = post_quote(people, world, exact="the talks", near=0, **given)
    assert response.status_code == 400
    assert "Give start and end together" in response.json()[missing][0]
    assert snapshot() == before


def test_context_is_limited_to_200_characters(world, people):
    response = post_quote(people, world, exact="the talks", prefix="x" * 201)
    assert response.status_code == 400
    assert "prefix" in response.json()


def test_moving_a_quote_by_its_text(world: World, people: People):
    url = f"/api/v1/quotes/{world.own_quote.pk}/"
    client = people.client("analyst_a")
    before = snapshot()
    ambiguous = client.patch(url, {"exact": "the talks"}, format="json")
    assert ambiguous.status_code == 400
    assert "occurs twice" in ambiguous.json()["exact"][0]
    context_alone = client.patch(url, {"prefix": "welcomed "}, format="json")
    assert context_alone.status_code == 400
    assert "exact" in context_alone.json()
    assert snapshot() == before

    moved = client.patch(url, {"exact": "the talks", "prefix": "welcomed "}, format="json")
    assert moved.status_code == 200, moved.content
    assert (moved.json()["start"], moved.json()["exact"]) == (SECOND, "the talks")
    quote = Quote.objects.get(pk=world.own_quote.pk)
    assert (quote.start, quote.end, quote.suffix) == (SECOND, SECOND + 9, BODY[SECOND + 9 :][:32])
    assert quote.history.first().history_user == people.users["analyst_a"]


def test_a_stance_by_its_text_created_and_moved(world: World, people: People):
    client = people.client("analyst_a")
    created = client.post(
        "/api/v1/stances/",
        {
            "article": world.article.pk,
            "exact": "the talks",
            "near": SECOND,
            "holder": world.keller.pk,
            "target_text": "the talks",
            "polarity": "support",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["start"] == SECOND
    stance_id = created.json()["id"]
    moved = client.patch(
        f"/api/v1/stances/{stance_id}/",
        {"exact": "welcomed the talks", "suffix": " but"},
        format="json",
    )
    assert moved.status_code == 200, moved.content
    stance = Stance.objects.get(pk=stance_id)
    assert (stance.start, stance.exact) == (BODY.index("welcomed the talks"), "welcomed the talks")


def test_a_note_by_its_text_created_moved_and_taken_off_its_span(world: World, people: People):
    client = people.client("analyst_a")
    created = client.post(
        "/api/v1/notes/",
        {"article": world.article.pk, "text": "Which talks?", "exact": "the talks", "near": 999},
        format="json",
    )
    assert created.status_code == 201, created.content
    note_id = created.json()["id"]
    assert created.json()["start"] == SECOND
    url = f"/api/v1/notes/{note_id}/"
    before = snapshot()
    refused = client.patch(url, {"exact": "Moscow", "prefix": "in St "}, format="json")
    assert refused.status_code == 400
    assert "not with this prefix" in refused.json()["exact"][0]
    assert snapshot() == before
    moved = client.patch(url, {"exact": "Moscow"}, format="json")
    assert moved.status_code == 200, moved.content
    assert moved.json()["start"] == BODY.index("Moscow")
    cleared = client.patch(url, {"start": None, "end": None, "exact": None}, format="json")
    assert cleared.status_code == 200
    note = Note.objects.get(pk=note_id)
    assert (note.start, note.end, note.exact) == (None, None, "")


def test_a_note_without_a_span_still_needs_none(world: World, people: People):
    response = people.client("analyst_a").post(
        "/api/v1/notes/", {"article": world.article.pk, "text": "General remark."}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["start"] is None


def test_the_offsets_form_still_works_everywhere(world: World, people: People):
    # What clients sent before the selector form: unchanged.
    response = post_quote(people, world, **span(world.article, "opposed any new sanctions"))
    assert response.status_code == 201
