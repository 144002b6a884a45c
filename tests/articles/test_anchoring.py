import pytest

from articles.anchoring import AnchorError, text_quote_selector, verified_selector

BODY = "Kremlin aide Yury Ushakov said a joint statement had been prepared for the talks."


def test_selector_carries_up_to_32_characters_of_context_either_side():
    start = BODY.index("joint")
    selector = text_quote_selector(BODY, start, start + len("joint statement"))
    assert selector.exact == "joint statement"
    assert selector.prefix == BODY[start - 32 : start]
    assert len(selector.prefix) == 32
    assert selector.suffix == " had been prepared for the talks"


def test_selector_at_the_edges_of_the_text_has_short_context():
    assert text_quote_selector(BODY, 0, 7).prefix == ""
    assert text_quote_selector(BODY, len(BODY) - 6, len(BODY)).suffix == ""


def test_offsets_count_characters_not_bytes():
    body = "Эрдоган встретился с Путиным — «важный шаг», said Ushakov."  # noqa: RUF001
    start = body.index("«")
    selector = text_quote_selector(body, start, start + len("«важный шаг»"))
    assert selector.exact == "«важный шаг»"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 4, "start must be 0 or more"),
        (5, 5, "must be greater than start"),
        (9, 3, "must be greater than start"),
        (0, len(BODY) + 1, "past the end of the text"),
    ],
)
def test_bad_offsets_are_refused_with_a_reason(start, end, message):
    with pytest.raises(AnchorError, match=message):
        text_quote_selector(BODY, start, end)


def test_verified_selector_refuses_text_that_is_not_there():
    with pytest.raises(AnchorError, match="is 'Kremlin', not 'Kremlim'"):
        verified_selector(BODY, 0, 7, "Kremlim")
    assert verified_selector(BODY, 0, 7, "Kremlin").exact == "Kremlin"
