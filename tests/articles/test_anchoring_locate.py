"""Finding a client's selection in the body from its TextQuoteSelector (exact, prefix,
suffix) and its own estimate of the start (near). Plain Python, no database."""

import pytest

from articles.anchoring import AnchorError, locate

BODY = (
    "The talks began on Monday. Ushakov said the talks were useful. "
    "Keller said the talks were a waste of time, and the talks ended."
)


def starts(text: str) -> list[int]:
    found, at = [], BODY.find(text)
    while at != -1:
        found.append(at)
        at = BODY.find(text, at + 1)
    return found


def test_a_selection_that_occurs_once_is_found_without_context():
    start = BODY.index("Ushakov")
    assert locate(BODY, "Ushakov") == (start, start + len("Ushakov"))


def test_a_repeated_selection_without_context_or_near_is_refused_with_the_count():
    with pytest.raises(AnchorError) as refused:
        locate(BODY, "the talks")
    message = str(refused.value)
    assert "occurs 3 times in the article" in message
    assert "give its prefix and suffix, or near" in message


def test_a_repeat_is_told_apart_by_its_prefix_and_suffix():
    ushakovs, kellers, last = starts("the talks")
    assert locate(BODY, "the talks", prefix="Keller said ") == (kellers, kellers + 9)
    assert locate(BODY, "the talks", suffix=" were useful") == (ushakovs, ushakovs + 9)
    assert locate(BODY, "the talks", prefix="and ", suffix=" ended.") == (last, last + 9)


def test_context_longer_than_the_stored_selector_is_used_whole():
    start = BODY.index("the talks were a waste")
    prefix = BODY[:start]  # everything before it: far more than 32 characters
    assert locate(BODY, "the talks", prefix=prefix) == (start, start + 9)


def test_near_picks_the_nearest_of_several_matches():
    occurrences = starts("the talks")
    assert len(occurrences) == 3
    for at in occurrences:
        assert locate(BODY, "the talks", near=at + 3)[0] == at
    assert locate(BODY, "the talks", near=0)[0] == occurrences[0]
    assert locate(BODY, "the talks", near=10_000)[0] == occurrences[-1]


def test_near_chooses_among_those_that_fit_the_context_only():
    # "said the talks" twice; near points at the first "the talks" of all, which does
    # not follow "said ", so the nearest that does is taken.
    first_said = BODY.index("said the talks") + len("said ")
    assert locate(BODY, "the talks", prefix="said ", near=0)[0] == first_said


def test_a_tie_goes_to_the_earlier_occurrence():
    body = "ab xx ab"
    assert locate(body, "ab", near=3) == (0, 2)


def test_still_ambiguous_with_context_says_so():
    with pytest.raises(AnchorError, match="occurs twice in the article with this prefix"):
        locate(BODY, "the talks", prefix="said ")


def test_text_not_in_the_body_is_refused():
    with pytest.raises(AnchorError, match="is not in the article's text"):
        locate(BODY, "the summit")


def test_text_in_the_body_but_not_with_this_context_says_so():
    with pytest.raises(AnchorError) as refused:
        locate(BODY, "Ushakov", prefix="Minister ")
    assert "is in the article's text (once), but not with this prefix and suffix" in str(
        refused.value
    )


@pytest.mark.parametrize("exact", ["", " ", "\n\t "])
def test_an_empty_or_blank_selection_is_refused(exact):
    with pytest.raises(AnchorError, match="empty"):
        locate(BODY, exact)


def test_overlapping_occurrences_all_count():
    assert locate("aaa", "aa", near=1) == (1, 3)
    with pytest.raises(AnchorError, match="twice"):
        locate("aaa", "aa")


def test_offsets_are_in_characters():
    body = "«Да», сказал Ушаков. «Да», ответил Келлер."
    start = body.rindex("«Да»")
    assert locate(body, "«Да»", suffix=", ответил") == (start, start + 4)


def test_context_at_the_edges_of_the_body():
    assert locate(BODY, "The talks", prefix="") == (0, 9)
    end = len(BODY)
    assert locate(BODY, "ended.", suffix="") == (end - 6, end)
    with pytest.raises(AnchorError, match="not with this prefix"):
        locate(BODY, "The talks", prefix="x")
