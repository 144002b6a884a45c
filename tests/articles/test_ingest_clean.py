"""normalise() and clean(): canonical text, chrome out, every article sentence kept."""

import textwrap
import unicodedata
from pathlib import Path

import pytest

from articles.ingest import IngestError, clean, normalise, process

DATA = Path(__file__).resolve().parents[1] / "data" / "ingest"
ARTICLE = (DATA / "article.txt").read_text(encoding="utf-8")
WEB_PAGE = (DATA / "web_page.txt").read_text(encoding="utf-8")
ARTICLE_TITLE, _, ARTICLE_BODY = ARTICLE.strip().partition("\n\n")
ARTICLE_PARAGRAPHS = ARTICLE_BODY.split("\n\n")


def reasons(removed):
    return {line.line: line.reason for line in removed}


# -- normalise ---------------------------------------------------------------------------


def test_normalise_composes_to_nfc():
    decomposed = "Cafe\u0301 in Zu\u0308rich"
    assert normalise(decomposed) == "Café in Zürich"
    assert unicodedata.is_normalized("NFC", normalise(decomposed))


def test_normalise_turns_crlf_and_cr_into_lf():
    assert normalise("One.\r\nTwo.\rThree.\n") == "One.\nTwo.\nThree."


def test_normalise_collapses_spaces_tabs_and_strips_line_ends():
    assert normalise("  Too \t many   spaces\u00a0here.  \n\tNext line. ") == (
        "Too many spaces here.\nNext line."
    )


def test_normalise_removes_invisible_characters():
    text = "zero\u200bwidth, non\u200cjoiner, soft\u00adhyphen, stray\ufeffmark, word\u2060joiner"
    assert normalise(text) == "zerowidth, nonjoiner, softhyphen, straymark, wordjoiner"


def test_normalise_keeps_the_zero_width_joiner_of_emoji():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert normalise(f"A family {family} emoji.") == f"A family {family} emoji."


def test_normalise_maps_unicode_spaces_and_separators():
    assert normalise("thin\u2009space\u2028next\u2029para") == "thin space\nnext\n\npara"


def test_normalise_collapses_three_or_more_blank_lines():
    assert normalise("One.\n\n\n\n\nTwo.\n \n \n\nThree.") == "One.\n\nTwo.\n\nThree."


@pytest.mark.parametrize("width", [60, 72, 80, 100])
def test_normalise_unwraps_a_hard_wrapped_article(width):
    wrapped = "\n\n".join(textwrap.fill(p, width) for p in [ARTICLE_TITLE, *ARTICLE_PARAGRAPHS])
    assert max(len(line) for line in wrapped.splitlines()) <= width

    assert normalise(wrapped) == normalise(ARTICLE)


def test_normalise_rejoins_a_compound_broken_at_its_hyphen():
    text = textwrap.fill(" ".join(ARTICLE_PARAGRAPHS[:4]), 64)
    assert "tide-\n" in text or "tide-gauge" in text
    assert "tide-gauge" in normalise(text)
    assert "tide- gauge" not in normalise(text)


def test_normalise_unwraps_paragraphs_separated_by_a_short_last_line_only():
    paragraphs = ARTICLE_PARAGRAPHS[:6]
    wrapped = "\n".join(textwrap.fill(p, 70) for p in paragraphs)

    assert normalise(wrapped).split("\n") == paragraphs


def test_normalise_leaves_short_lines_and_chrome_alone():
    text = (
        "Advertisement\nGet more with myNEWS\n"
        "A personalised news feed of stories that matter to you\n"
        "Learn more\nHarbour states agree to share tide data after a winter of flooding\n"
    )
    assert normalise(text) == text.strip()


def test_normalise_leaves_long_paragraph_lines_alone():
    text = "\n".join(ARTICLE_PARAGRAPHS)
    assert normalise(text) == text


def test_normalise_does_not_join_a_list_of_short_headlines():
    headlines = "\n".join(
        [
            "3/2 - Harbour states agree to share their tide data",
            "3/1 - Saltmere counts the cost of the winter surge",
            "2/28 - Northern ferry line doubles its crossings",
            "2/27 - Fishermen welcome the deal but call it late",
            "2/25 - Maritime school to run the new register",
        ]
    )
    text = f"{ARTICLE_PARAGRAPHS[0]}\n\n{headlines}\n\n{ARTICLE_PARAGRAPHS[1]}"
    assert normalise(text) == text


# -- clean: the web page fixture ---------------------------------------------------------


@pytest.fixture(scope="module")
def page():
    return clean(WEB_PAGE)


def test_title_is_the_first_headline_and_leaves_the_body(page):
    body, title, removed = page
    assert title == "Harbour states agree to share tide data after a winter of flooding"
    assert title not in body
    assert reasons(removed)[title] == "title"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("Advertisement", "advertisement"),
        ("Coastal affairs", "section-kicker"),
        ("Get more with myNEWS", "subscription"),
        ("A personalised news feed of stories that matter to you", "subscription"),
        ("Learn more", "subscription"),
        (
            "Harbour commissioner Mira Castell signs the tide agreement at the old customs house"
            " in Varnholm on Monday. Photo: Harbour Wire",
            "caption",
        ),
        ("01:48", "video-timestamp"),
        ("Saltmere residents count the cost of the winter surge", "video-title"),
        ("Northern ferry line doubles its crossings while the coast bridge stays shut", "teaser"),
        ("The new gauge on the Varnholm breakwater.", "caption"),
        ("Reuters Archive", "photo-credit"),
        ("READ MORE: Varnholm opens its maritime school to visiting students", "read-more"),
        ("Loading...", "loading"),
        ("Related Articles", "related"),
        ("Lighthouse keepers return to the northern cape", "related"),
        ("Leave a Reply", "comment-form"),
        ("Your email address will not be published. Required fields are marked *", "comment-form"),
        ("Post Comment", "comment-form"),
        ("17", "comment-count"),
    ],
)
def test_page_chrome_is_removed_with_its_reason(page, line, reason):
    body, _, removed = page
    assert reasons(removed)[line] == reason
    assert line not in body.split("\n\n")


def test_article_text_survives_the_chrome(page):
    body, _, _ = page
    paragraphs = body.split("\n\n")
    assert paragraphs == [
        "Three states will publish their tide-gauge readings within an hour in a single public"
        " register",
        "A gauge that falls silent for a week must be explained in writing",
        ARTICLE_PARAGRAPHS[0],
        ARTICLE_PARAGRAPHS[2].split(' "Today')[0],
        "The dispute began two winters ago, when a surge flooded the lower quarter of Saltmere.",
        "Boats back in the water",  # a crosshead: short, so not a teaser
        "Fishermen's associations welcomed the deal but said it had come late.",
        "The register will be run by the maritime school at Varnholm.",
        "The three states will review the arrangement in two years.",
    ]


def test_every_input_line_is_in_the_body_the_title_or_removed(page):
    body, title, removed = page
    paragraphs = set(body.split("\n\n"))
    removed_lines = {line.line for line in removed}
    for line in normalise(WEB_PAGE).split("\n"):
        if line:
            assert line.lstrip("\u2013 ") in paragraphs or line == title or line in removed_lines, (
                line
            )


def test_body_paragraphs_are_separated_by_exactly_one_blank_line(page):
    body, _, _ = page
    assert "\n\n\n" not in body
    assert all(paragraph.strip() == paragraph and paragraph for paragraph in body.split("\n\n"))
    assert "\n" not in body.replace("\n\n", "")


# -- clean: what must stay ---------------------------------------------------------------


def test_a_plain_article_loses_nothing_but_its_headline():
    body, title, removed = clean(ARTICLE)
    assert title == ARTICLE_TITLE
    assert body.split("\n\n") == ARTICLE_PARAGRAPHS
    assert [(line.line, line.reason) for line in removed] == [(ARTICLE_TITLE, "title")]


def test_a_paragraph_above_an_agency_byline_is_not_a_caption():
    text = (
        f"{ARTICLE_PARAGRAPHS[0]}\n{ARTICLE_PARAGRAPHS[1]}\n"
        "Officials said the register would open in the spring.\nAP"
    )
    body, _, removed = clean(text)
    assert body.endswith("Officials said the register would open in the spring.")
    assert reasons(removed) == {"AP": "photo-credit"}


def test_a_sentence_that_lost_its_full_stop_is_not_a_teaser():
    lines = [
        "Advertisement",
        ARTICLE_PARAGRAPHS[0],
        "'We are aware of nothing that supports this claim,' a harbour spokesman said",
        ARTICLE_PARAGRAPHS[1],
        "During the talks the commissioner offered her thanks to the fishermen of Saltmere",
        ARTICLE_PARAGRAPHS[3],
    ]
    body, _, _ = clean("\n\n".join(lines))
    assert body.split("\n\n") == lines[1:]


def test_a_run_of_unpunctuated_summary_lines_is_kept():
    summary = [
        "Three harbour states will pool their tide readings in one public register",
        "A town flooded two winters ago while a gauge up the coast saw the surge coming",
        "Fishermen say the governments are only now catching up with them",
    ]
    text = "\n\n".join(["Advertisement", ARTICLE_PARAGRAPHS[0], *summary, ARTICLE_PARAGRAPHS[1]])
    body, _, _ = clean(text)
    for line in summary:
        assert line in body.split("\n\n")


def test_teasers_are_only_looked_for_on_pages_with_web_furniture():
    teaser = "Northern ferry line doubles its crossings while the coast bridge stays shut"
    text = "\n\n".join([ARTICLE_PARAGRAPHS[0], teaser, ARTICLE_PARAGRAPHS[1]])
    assert teaser in clean(text)[0]
    assert teaser not in clean("Advertisement\n\n" + text)[0]


def test_short_replies_that_repeat_are_kept_but_repeated_paragraphs_go():
    text = "\n\n".join(
        [
            "Q: Will the register open this year?",
            "Yes.",
            "Q: And will the gauges be checked every quarter?",
            "Yes.",
            ARTICLE_PARAGRAPHS[0],
            ARTICLE_PARAGRAPHS[0],
        ]
    )
    body, _, removed = clean(text)
    assert body.split("\n\n").count("Yes.") == 2
    assert body.split("\n\n").count(ARTICLE_PARAGRAPHS[0]) == 1
    assert [line.reason for line in removed] == ["repeated-line"]


def test_trailing_comment_count_and_short_junk_are_removed():
    body, _, removed = clean(f"{ARTICLE}\nRoute 6\n\n24")
    assert body.split("\n\n") == ARTICLE_PARAGRAPHS
    assert reasons(removed) == {
        ARTICLE_TITLE: "title",
        "Route 6": "trailing-junk",
        "24": "comment-count",
    }


def test_a_list_of_short_lines_at_the_end_is_not_junk():
    items = ["Varnholm", "Saltmere", "Northern cape", "Ayrholm", "Eastport"]
    body, _, removed = clean(ARTICLE + "\nGauges will stand at:\n" + "\n".join(items) + "\n24")
    assert body.split("\n\n")[-5:] == items
    assert reasons(removed)["24"] == "comment-count"


def test_a_page_of_chrome_only_has_no_body():
    body, _, _ = clean("Advertisement\nLoading...\nRelated Articles\nLeave a Reply\n")
    assert body == ""
    with pytest.raises(IngestError) as caught:
        process(b"Advertisement\nLoading...\nRelated Articles\nLeave a Reply\n")
    assert str(caught.value) == "The file has no article text left after removing page chrome."


def test_a_one_line_file_keeps_its_line_as_body():
    body, title, removed = clean("Harbour states agree to share tide data")
    assert body == "Harbour states agree to share tide data"
    assert title == body
    assert removed == ()


# -- title fallbacks ---------------------------------------------------------------------


def test_without_a_headline_the_title_is_the_first_sentence_clipped_at_a_word():
    body, title, removed = clean(ARTICLE_BODY)
    assert removed == ()
    assert body.split("\n\n") == ARTICLE_PARAGRAPHS
    assert title.endswith("…")
    assert len(title) <= 120
    assert ARTICLE_PARAGRAPHS[0].startswith(title[:-1])
    assert ARTICLE_PARAGRAPHS[0][len(title) - 1] == " "  # cut at a word boundary


def test_a_short_first_sentence_is_the_whole_title():
    body, title, _ = clean("The talks ended on Monday. Both sides signed the text.")
    assert title == "The talks ended on Monday."
    assert body == "The talks ended on Monday. Both sides signed the text."


def test_metadata_title_is_the_fallback_and_removes_its_line():
    _, title, _ = clean(ARTICLE_BODY, metadata_title="Tide data to be shared")
    assert title == "Tide data to be shared"

    body, title, removed = clean(
        "Tide data to be shared.\n\n" + ARTICLE_BODY, metadata_title="Tide data to be shared"
    )
    assert title == "Tide data to be shared"
    assert body.split("\n\n") == ARTICLE_PARAGRAPHS
    assert reasons(removed) == {"Tide data to be shared.": "title"}


def test_a_question_headline_stays_in_the_body_and_still_titles_the_article():
    body, title, _ = clean("Will the harbour states share their tide data?\n\n" + ARTICLE_BODY)
    assert title == "Will the harbour states share their tide data?"
    assert body.startswith(title)


# -- the lexicon's general patterns: furniture in many phrasings, and the prose that is not --

LEAD = (
    "Negotiators from the two coastal states met for a third day on Thursday to settle "
    "the fishing quotas for the coming season, officials said."
)
FOLLOW = (
    "A spokesman for the delegation said the talks had been constructive and would go on "
    "until a deal was reached, possibly at the weekend."
)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("We use cookies to make our site work better for you.", "cookie-notice"),
        ("Accept all cookies", "cookie-notice"),
        ("Cookie settings", "cookie-notice"),
        ("Skip to main content", "navigation"),
        ("News | Weather | Sport | Culture", "navigation"),
        ("Updated 4 May 2025, 10:12 GMT", "dateline"),
        ("Posted: Jan 7, 2024 at 6:30 pm", "dateline"),
        ("7 min read", "reading-time"),
        ("Reading time: 2 minutes", "reading-time"),
        ("Try our weekly briefing, free in your inbox", "subscription"),
        ("Download the app on Google Play", "subscription"),
        ("You have 2 free articles remaining this month.", "subscription"),
        ("ADVERTISEMENT - CONTINUE READING BELOW", "advertisement"),
        ("Story continues after this advertisement", "advertisement"),
        ("Read next: Ferry fares to rise in the autumn", "read-more"),
        ("Jon Ferris, Senior Correspondent", "byline"),
        ("Reporting by Ana Ruiz and Tom Hale", "byline"),
        ("Share via WhatsApp", "share"),
        ("► Ferry fares to rise in the autumn", "read-more"),
        ("MORE: Ferry fares to rise in the autumn", "read-more"),
        ("© 2025 Coastal Press Ltd", "share"),
        ("Be the first to comment", "comment-form"),
        ("48 replies", "comment-form"),
        ("Was this story helpful?", "comment-form"),
    ],
)
def test_furniture_in_its_many_phrasings_is_removed_with_its_reason(line, reason):
    body, _, removed = clean(f"{LEAD}\n\n{line}\n\n{FOLLOW}")
    assert line not in body.split("\n\n")
    assert (line, reason) in {(r.line, r.reason) for r in removed}


@pytest.mark.parametrize(
    "line",
    [
        # Prose that shares words with furniture.
        "Support for the measure among members of the council has grown since March.",
        "Get-out-the-vote volunteers knocked on doors across the district on Sunday.",
        "The company said subscriptions to its app rose by a tenth last year.",
        "Cookies were handed out to the children waiting at the border post.",
        "“We sent cookies and letters to the crews every week,” she said.",
        "Try as they might, officials could not trace the account or the app behind it.",
        "More — far more — people voted than in any election since 1990.",
        "Copyright law has not kept pace with the platforms, the committee found.",
        "Our volunteers baked cookies for you and the other drivers, the organiser said.",
        "By Tuesday, the talks had collapsed.",
        "Published in 2019, the report warned that the harbour wall was failing.",
        "Accepting the offer, he said, would mean giving up the northern grounds.",
    ],
)
def test_prose_that_shares_words_with_furniture_stays(line):
    body, _, _ = clean(f"{LEAD}\n\n{line}\n\n{FOLLOW}")
    assert line in body.split("\n\n")


@pytest.mark.parametrize(
    "caption",
    [
        "Fishing boats moored in the harbour on Thursday. | Photo: AFP",
        "Delegates arrive for the third day of talks. (AP Photo/Jane Okoro)",
        "The quay at dawn before the fleet set out. [Photo: Reuters]",
    ],
)
def test_a_caption_with_its_credit_in_any_of_the_usual_forms_is_removed(caption):
    body, _, removed = clean(f"{LEAD}\n\n{caption}\n\n{FOLLOW}")
    assert caption not in body
    assert (caption, "caption") in {(r.line, r.reason) for r in removed}


def test_a_section_label_under_web_furniture_goes_but_a_plain_file_keeps_its_first_line():
    page = f"Skip to main content\n\nFisheries\n\n{LEAD}\n\n{FOLLOW}"
    body, _, removed = clean(page)
    assert ("Fisheries", "section-kicker") in {(r.line, r.reason) for r in removed}
    assert body.startswith(LEAD)
    plain, _, _ = clean(f"Fisheries\n\n{LEAD}\n\n{FOLLOW}")
    assert plain.startswith("Fisheries")
