"""Chrome known by recurrence (articles.ingest.recurring): a line that many otherwise
different pages of a batch or outlet share goes, and news that copies of one story share
stays. Every text here is written for these tests."""

from articles.ingest import normalise, process, recurring
from articles.ingest.clean import RECURRING_REASON, clean
from articles.ingest.recurring import (
    MIN_FAMILIES,
    Evidence,
    LineCounts,
    Page,
    count_lines,
    evidence_from,
    evidence_from_json,
    evidence_to_json,
    is_candidate,
    line_key,
)

# Site furniture that no lexicon pattern knows: the evidence must come from recurrence.
FURNITURE = [
    "Quayside Wire | Harbour edition",
    "Tide tables and shipping notices",
    "Pick up the Tuesday print run at any kiosk on the quay",
]

TOPICS = [
    ("fishing quotas", "the northern fleet", "Harlen Bay", "Minister Ada Voss"),
    ("a new ferry route", "the island council", "Port Edry", "Councillor Ben Marsh"),
    ("harbour dredging", "the port authority", "Kelmouth", "Director Ines Calder"),
    ("a lighthouse sale", "the heritage trust", "Sorran Point", "Chair Petra Lind"),
    ("winter storm damage", "the coastguard", "Vell Sound", "Commander Ola Brandt"),
]


def story(topic: str, body: str, place: str, person: str) -> list[str]:
    """Four paragraphs about one topic; each sentence names the topic, so pages differ."""
    return [
        f"Officials in {place} said on Monday that talks on {topic} with {body} would "
        f"resume next week after a pause of several months.",
        f"{person} told reporters that {body} had agreed to share its figures on {topic} "
        f"before the first session in {place}.",
        f"Residents of {place} have followed the dispute over {topic} closely, and a "
        f"meeting in the town hall drew more than two hundred people last month.",
        f"A report on {topic} is expected in the spring, when {body} will set out its "
        f"plans for the next five years.",
    ]


def page(paragraphs: list[str], furniture: list[str]) -> str:
    return "\n\n".join([furniture[0], *paragraphs[:2], furniture[2], *paragraphs[2:], furniture[1]])


def outlet_pages() -> list[str]:
    return [page(story(*topic), FURNITURE) for topic in TOPICS]


def test_line_keys_ignore_numbers_dates_case_and_spacing():
    assert line_key("12  Comments") == line_key("7 comments")
    assert line_key("Published March 3, 2026") == line_key("published April 19, 2025")
    assert line_key("Read more") != line_key("Read less")


def test_furniture_shared_by_different_pages_of_one_outlet_is_removed_as_recurring():
    pages = outlet_pages()
    evidence = evidence_from(
        count_lines([Page(normalise(text), "Quayside Wire") for text in pages])
    )
    for text in pages:
        body, _, removed = clean(text, recurring_lines=evidence.lines_for("Quayside Wire"))
        for line in FURNITURE:
            assert line not in body.split("\n\n")
            assert (line, RECURRING_REASON) in {(r.line, r.reason) for r in removed}


def test_without_the_evidence_the_same_furniture_stays():
    body, _, _ = clean(outlet_pages()[0])
    assert FURNITURE[1] in body.split("\n\n")


def test_a_line_in_fewer_pages_than_the_threshold_is_not_recurring():
    pages = outlet_pages()[: MIN_FAMILIES - 1]
    counts = count_lines([Page(normalise(text)) for text in pages])
    assert not evidence_from(counts).batch


def test_a_batch_of_near_duplicates_keeps_its_text():
    # One story reprinted six times with a word changed and a different last line: its
    # paragraphs are in six pages, but the six are one family.
    # Its short paragraphs could be furniture by their length: only the families keep them.
    short = ["The fleet stays in port until Friday.", "Crossings resume next week"]
    assert all(is_candidate(line) for line in short)
    base = [*story(*TOPICS[0])[:2], *short, *story(*TOPICS[0])[2:]]
    pages = []
    for n in range(6):
        edited = [*base[:5], base[5].replace("spring", ["spring", "summer", "autumn"][n % 3])]
        pages.append("\n\n".join([*edited, f"Filed from desk number {n} of the newsroom."]))
    evidence = evidence_from(count_lines([Page(normalise(text)) for text in pages]))
    for text in pages:
        body, _, removed = clean(text, recurring_lines=evidence.batch)
        for paragraph in base[:5]:
            assert paragraph in body.split("\n\n")
        assert not [r for r in removed if r.reason == RECURRING_REASON]


def test_near_duplicates_counted_as_unrelated_pages_would_lose_their_short_lines(monkeypatch):
    # The control for the test above: with no page ever joining another's family, the
    # same short paragraphs count six times and go.
    monkeypatch.setattr(recurring, "FAMILY_SIMILARITY", 2.0)
    base = [*story(*TOPICS[0]), "The fleet stays in port until Friday."]
    pages = ["\n\n".join([*base, f"Filed from desk number {n}."]) for n in range(6)]
    evidence = evidence_from(count_lines([Page(normalise(text)) for text in pages]))
    assert line_key(base[-1]) in evidence.batch


def test_one_wire_story_from_several_outlets_keeps_its_text_and_loses_their_furniture():
    wire = story(*TOPICS[1])
    sites = [
        ["Ferrytown Echo", "Echo weather and tides", "Buy the Echo weekend edition today"],
        ["Gullcliff News", "Gullcliff classifieds", "Buy the News weekend edition today"],
        ["Sandbar Times", "Times puzzles and games", "Buy the Times weekend edition today"],
        ["Reefside Journal", "Journal obituaries", "Buy the Journal weekend edition today"],
    ]
    own = [story(*topic) for topic in TOPICS[2:]]
    pages: list[tuple[str, str]] = []
    for furniture in sites:
        pages.append((furniture[0], page(wire, furniture)))
        pages += [(furniture[0], page(paragraphs, furniture)) for paragraphs in own]
    counts = count_lines([Page(normalise(text), outlet) for outlet, text in pages])
    evidence = evidence_from(counts)
    for outlet, text in pages:
        body, _, _ = clean(text, recurring_lines=evidence.lines_for(outlet))
        paragraphs = body.split("\n\n")
        assert outlet not in paragraphs
        if text.count(wire[0]):
            assert all(paragraph in paragraphs for paragraph in wire)


def test_a_quotation_a_long_sentence_or_a_short_reply_is_never_recurring_chrome():
    quoted = 'The minister said: "We will not sign anything that harms the fleet."'
    long_sentence = (
        "The harbour has been closed to heavy traffic since the storm in January, officials said."
    )
    assert not is_candidate(quoted)
    assert not is_candidate(long_sentence)
    assert not is_candidate("Yes.")
    assert not is_candidate("Why not?")
    assert not is_candidate("2016")
    assert is_candidate("Sign up and we will send you the morning briefing every day.")
    pages = ["\n\n".join([*story(*topic), quoted, long_sentence]) for topic in TOPICS]
    evidence = evidence_from(count_lines([Page(normalise(text)) for text in pages]))
    body, _, _ = clean(pages[0], recurring_lines=evidence.batch)
    assert quoted in body
    assert long_sentence in body


def test_earlier_imports_of_an_outlet_add_their_counts():
    line = "Quayside Wire | Harbour edition"
    this_batch = LineCounts(outlets={"quayside wire": {line_key(line): 1}})  # type: ignore[dict-item]
    earlier = {"quayside wire": [{line_key(line): 1}, {line_key(line): 1}]}
    assert line_key(line) in evidence_from(this_batch, earlier=earlier).lines_for("Quayside Wire")
    assert not evidence_from(this_batch).lines_for("Quayside Wire")
    assert not evidence_from(this_batch, earlier=earlier).lines_for("Other Paper")


def test_evidence_survives_its_json_round_trip():
    evidence = Evidence(batch=frozenset({"a"}), outlets={"x": frozenset({"b", "c"})})
    assert evidence_from_json(evidence_to_json(evidence)) == evidence
    assert not evidence_from_json({})


def test_process_takes_the_outlet_from_the_front_matter_when_none_is_given():
    evidence = Evidence(outlets={"quayside wire": frozenset({line_key(FURNITURE[1])})})
    text = "Outlet: Quayside Wire\n\n" + page(story(*TOPICS[0]), FURNITURE)
    cleaned = process(text.encode(), evidence=evidence)
    assert FURNITURE[1] not in cleaned.body.split("\n\n")
    other = process(text.encode(), evidence=evidence, outlet="Another Paper")
    assert FURNITURE[1] in other.body.split("\n\n")


def test_a_long_pages_signature_is_taken_in_slices_and_equals_the_whole_tables():
    """The signature is the minimum over every shingle of each permutation, however many
    slices it is computed in (a long page never builds the whole table at once)."""
    import numpy as np

    from articles.ingest import recurring
    from articles.ingest.dedupe import shingle_hashes

    line = "The delegations met again in the old hall and talked until late at night, {}."
    text = "\n".join(line.format(i) for i in range(3000))  # ~ 45,000 shingles: 11 slices
    hashes = shingle_hashes(text)
    assert len(hashes) > 2 * recurring._SIGNATURE_SLICE
    whole = (hashes[:, None] * recurring._A + recurring._B).min(axis=0)
    assert np.array_equal(recurring._signature(text), whole)
