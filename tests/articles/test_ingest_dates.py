"""`ingest.dates`: the date an article states, read only when it is clearly its own."""

from datetime import date

import pytest

from articles.ingest.dates import OPENING_CHARS, stated_date, stated_dates

IMPORTED = date(2026, 12, 6)


def day_of(text: str, imported: date = IMPORTED) -> date | None:
    found = stated_date(text, imported=imported)
    return found.day if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ministers met on 14 March 2026 in the old palace.", date(2026, 3, 14)),
        ("The ministers met on March 14, 2026 in the old palace.", date(2026, 3, 14)),
        ("VALDORA, March 14, 2026 - The ministers met in the old palace.", date(2026, 3, 14)),
        ("The ministers met on Saturday, 14th March 2026.", date(2026, 3, 14)),
        ("The ministers met on 14 Mar. 2026 at noon.", date(2026, 3, 14)),
    ],
)
def test_a_full_date_in_the_opening_is_the_articles_date(text, expected):
    assert day_of(text) == expected


def test_a_weekday_day_and_month_take_the_latest_year_that_fits_the_weekday():
    text = "The envoy shook hands with the governor on Wednesday, September 20, aides said."
    # 20 September fell on a Wednesday in 2023 (and in 2017): the latest such year wins.
    assert day_of(text, imported=date(2026, 12, 6)) == date(2023, 9, 20)
    assert day_of(text, imported=date(2023, 9, 19)) == date(2017, 9, 20)


def test_the_inferred_year_is_never_after_the_import():
    text = "The talks ended on Friday, December 11."
    # 11 December 2026 is a Friday, but after this import: the one before is 2020.
    assert day_of(text, imported=date(2026, 12, 6)) == date(2020, 12, 11)


def test_a_weekday_in_brackets_after_the_weekday_names_the_day():
    assert day_of("Talks ended on Friday (March 13) without a deal.") == date(2026, 3, 13)


def test_a_day_and_month_without_year_or_weekday_are_no_date():
    assert day_of("The ministers met on March 14 in the old palace.") is None


def test_a_weekday_alone_is_no_date():
    assert day_of("The adviser told reporters on Wednesday that the talks would go on.") is None


def test_a_month_and_year_without_a_day_are_no_date():
    assert day_of("The crossing has been closed since December 2024, traders said.") is None


@pytest.mark.parametrize(
    "text",
    [
        "The crossing, closed since 14 December 2024, reopened this week.",
        "The ceasefire held until 3 June 2025, when shelling resumed.",
        "Trade has halved after 1 January 2024, the ministry said.",
        "The accord dated 12 May 2019 still governs the river.",
        "The senator, born on 2 April 1961, spoke for an hour.",
    ],
)
def test_a_date_given_as_a_reference_point_is_not_the_articles_date(text):
    assert day_of(text) is None


def test_a_date_inside_a_quotation_is_someones_words_not_the_articles_date():
    text = "\u201cWe signed the accord on 3 May 2020 and kept it,\u201d the minister said."
    assert day_of(text) is None
    assert day_of('"We signed the accord on 3 May 2020," the minister said.') is None


def test_a_date_after_the_import_is_a_plan_not_a_report():
    assert day_of("The summit will open on 14 March 2027, officials said.") is None


def test_a_historical_date_beside_the_event_date_does_not_win():
    text = (
        "The crossing, closed since 14 December 2024, reopened on 2 June 2026. "
        "Traders returned on 2 June 2026 by the hundred."
    )
    assert day_of(text) == date(2026, 6, 2)


def test_the_most_often_stated_date_wins_and_a_tie_of_near_dates_goes_to_the_first():
    text = (
        "Envoys met on 1 June 2026. They met again on 2 June 2026, and on 2 June 2026 "
        "the communique was read out."
    )
    assert day_of(text) == date(2026, 6, 2)
    assert day_of("Envoys met on 1 June 2026 and signed on 2 June 2026.") == date(2026, 6, 1)


def test_an_opening_that_disagrees_with_itself_gives_no_date():
    text = "Envoys met on 1 March 2026. The accord was signed on 20 March 2026."
    assert day_of(text) is None


def test_a_weekday_that_does_not_fit_the_full_date_gives_no_date():
    # 14 March 2026 was a Saturday.
    assert day_of("The ministers met on Monday, 14 March 2026.") is None


def test_only_the_opening_is_read():
    filler = "The talks went on. " * (OPENING_CHARS // 19 + 1)
    assert day_of(filler + "They had begun on 14 March 2026.") is None


def test_lower_case_month_words_are_not_months():
    assert day_of("Officials said 14 may 2026 be too early, and on 3 mar 2026 too.") is None


def test_the_found_date_points_at_its_words():
    text = "Delegates met on Wednesday, September 20 at the palace."
    found = stated_date(text, imported=IMPORTED)
    assert found is not None
    assert text[found.start : found.end] == found.text == "Wednesday, September 20"
    assert [d.text for d in stated_dates(text, imported=IMPORTED)] == [found.text]
