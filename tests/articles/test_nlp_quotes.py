"""Quote and attribution patterns, one behaviour per test, on short texts of our own.

Plain Python: the extractor over spaCy, no database.
"""

from pathlib import Path

import pytest

from articles.nlp import extract, model
from articles.nlp.quotemarks import quote_marks
from articles.nlp.results import QuoteSpan


@pytest.fixture(scope="module")
def nlp():
    return model.load()


def quotes_of(nlp, text: str) -> list[QuoteSpan]:
    return extract.extract_doc(nlp(text)).quotes


def only(found: list[QuoteSpan]) -> QuoteSpan:
    assert len(found) == 1, [q.text for q in found]
    return found[0]


def speaker_text(text: str, quote: QuoteSpan) -> str | None:
    if quote.speaker_start is None:
        return None
    return text[quote.speaker_start : quote.speaker_end]


# --- direct quotes -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opening", "closing"), [('"', '"'), ("\u201c", "\u201d"), ("''", "''")], ids=str
)
def test_a_direct_quote_is_found_between_straight_curly_or_doubled_marks(nlp, opening, closing):
    text = (
        f"{opening}The border talks will resume next week in Vienna,{closing} "
        "Foreign Minister Anna Keller said on Monday."
    )
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "direct"
    assert text[quote.start : quote.end].startswith(opening + "The border talks")
    assert text[quote.start : quote.end].endswith("Vienna," + closing)
    assert quote.cue == "said"
    assert speaker_text(text, quote) == "Foreign Minister Anna Keller"
    assert quote.speaker == "Anna Keller"


def test_the_cue_before_the_quote_attributes_it(nlp):
    text = 'Prime Minister Tomas Varga told reporters: "We will not sign this treaty."'
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "direct"
    assert quote.text == '"We will not sign this treaty."'
    assert quote.cue == "told"
    assert quote.speaker == "Tomas Varga"


def test_an_inverted_attribution_names_the_speaker_after_the_cue(nlp):
    text = "\u201cWe expect a full report by Friday,\u201d said Marta Olsen, a spokeswoman."
    quote = only(quotes_of(nlp, text))
    assert speaker_text(text, quote).startswith("Marta Olsen")
    assert quote.speaker == "Marta Olsen"


def test_a_quote_split_around_its_speaker_is_one_quote(nlp):
    text = (
        '"The ceasefire has held for three days," Colonel Pieter Daal said, '
        '"and we intend to keep it that way."'
    )
    quote = only(quotes_of(nlp, text))
    assert quote.start == 0
    assert quote.end == len(text)
    assert quote.cue == "said"
    assert quote.speaker == "Pieter Daal"
    assert speaker_text(text, quote) == "Colonel Pieter Daal"


def test_a_quote_over_several_paragraphs_is_one_quote(nlp):
    text = (
        "Minister Lena Brandt opened the session on Tuesday.\n\n"
        "\u201cWe came here to agree on the water quotas for the coming decade. "
        "Nobody in this room wants another dry summer.\n\n"
        "\u201cThat is why we will stay until the work is done,\u201d Brandt said."
    )
    quote = only(quotes_of(nlp, text))
    assert quote.text.startswith("\u201cWe came here")
    assert quote.text.endswith("work is done,\u201d")
    assert quote.speaker == "Lena Brandt"


def test_a_partial_quote_in_reported_speech_makes_one_mixed_quote(nlp):
    text = (
        "Kremlin aide Yury Ushakov said the talks between the two leaders "
        'would be "as frank and confidential as possible."'
    )
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "mixed"
    assert quote.text.startswith("the talks between")
    assert quote.text.endswith('possible."')
    assert quote.speaker == "Yury Ushakov"


def test_a_paragraph_that_is_only_a_quote_continues_the_last_speaker(nlp):
    text = (
        '"The harbour will reopen on Monday," port director Ines Kaur said.\n\n'
        '"Ships that waited outside will be served first, in the order they arrived."'
    )
    found = quotes_of(nlp, text)
    assert len(found) == 2
    assert found[1].text.startswith('"Ships')
    assert found[1].speaker == "Ines Kaur"
    assert found[1].cue == ""


def test_a_long_uncued_quote_goes_to_the_person_named_just_before_it(nlp):
    # No cue, no subject near the quote: the person the paragraph before names (not as
    # a subject) is a better guess than no speaker at all.
    text = (
        "The hall fell silent after a long speech by Minister Ana Torres.\n\n"
        '"We cannot build a new bridge with old money and the same tired promises of the '
        'past decade."'
    )
    quote = only(quotes_of(nlp, text))
    assert quote.cue == ""
    assert speaker_text(text, quote) == "Ana Torres"


def test_a_long_uncued_quote_with_no_person_before_it_has_no_speaker(nlp):
    text = (
        "The hall fell silent after the long speech.\n\n"
        '"We cannot build a new bridge with old money and the same tired promises of the '
        'past decade."'
    )
    quote = only(quotes_of(nlp, text))
    assert quote.speaker_start is None


def test_a_report_nested_after_a_partial_quote_is_its_own_quote(nlp):
    # The partial quote's report ends where 'though she admitted ...' begins, as
    # reported speech without quotation marks does.
    text = (
        'Ana Torres said the new bridge across the river would be "finished within a '
        'month" and open to traffic, though she admitted the budget was tight.'
    )
    outer, inner = quotes_of(nlp, text)
    assert outer.kind == "mixed"
    assert outer.text.endswith("open to traffic")
    assert speaker_text(text, outer) == "Ana Torres"
    assert inner.text == "the budget was tight"
    assert speaker_text(text, inner) == "she"


def test_quoted_titles_and_scare_quotes_are_not_quotes(nlp):
    text = 'She appeared on "Meet the Press" on Sunday. The so-called "new era" began in 2022.'
    assert quotes_of(nlp, text) == []


# --- indirect speech ---------------------------------------------------------------


def test_indirect_speech_with_that(nlp):
    text = "Finance Minister Karl Weiss said that the budget would be balanced by 2027."
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "indirect"
    assert quote.text == "that the budget would be balanced by 2027"
    assert quote.cue == "said"
    assert quote.speaker == "Karl Weiss"


def test_indirect_speech_without_that(nlp):
    text = "Karl Weiss said the budget would be balanced by 2027."
    quote = only(quotes_of(nlp, text))
    assert quote.text == "the budget would be balanced by 2027"


def test_indirect_speech_after_its_content(nlp):
    text = "The budget will be balanced by 2027, Karl Weiss said."
    quote = only(quotes_of(nlp, text))
    assert quote.text == "The budget will be balanced by 2027"
    assert quote.speaker == "Karl Weiss"


def test_a_clause_before_the_cue_beats_when_and_where_after_it(nlp):
    # '..., an adviser said on Wednesday': the content is the clause, not "on Wednesday".
    for attribution in ("said on Wednesday", "said in a statement"):
        text = (
            f"The two leaders will sign a joint statement in Vienna, a senior aide {attribution}."
        )
        quote = only(quotes_of(nlp, text))
        assert quote.text == "The two leaders will sign a joint statement in Vienna"
        assert speaker_text(text, quote) == "a senior aide"


def test_quoted_words_in_a_nested_relative_report_are_its_speakers(nlp):
    # '..., which she called "..."': the quoted words are hers through 'called'; Ana
    # Torres's report ends before the relative pronoun.
    text = (
        "Ana Torres said the talks had collapsed on Friday after a long night of arguments "
        'over the budget, which she called "a disgrace to everyone in the room."'
    )
    outer, quoted = quotes_of(nlp, text)
    assert outer.kind == "indirect"
    assert outer.text.endswith("over the budget")
    assert speaker_text(text, outer) == "Ana Torres"
    assert quoted.kind == "direct"
    assert quoted.cue == "called"
    assert speaker_text(text, quoted) == "she"


def test_a_clause_with_its_own_speaker_joined_to_the_content_is_its_own_report(nlp):
    # The parse hangs 'and the council insisted' on the mayor's content; it is the
    # council's report, and the mayor's ends before its 'and'.
    text = (
        "The mayor said the road through the old market would reopen to all traffic in "
        "May after the repairs and the council insisted that the money was there."
    )
    mayor, council = quotes_of(nlp, text)
    assert mayor.text.endswith("after the repairs")
    assert speaker_text(text, mayor) == "The mayor"
    assert council.text == "that the money was there"
    assert speaker_text(text, council) == "the council"


def test_reported_speech_never_runs_into_the_next_paragraph(nlp):
    # A headline without a full stop is parsed as one sentence with the next paragraph.
    text = "Varga tells Keller he will attend the forum\n\nThe forum opens in Vienna on Monday."
    quote = only(quotes_of(nlp, text))
    assert quote.text == "he will attend the forum"


def test_a_nationality_describes_a_speaker_it_does_not_name_one(nlp):
    text = (
        "President Tomas Varga arrived in Vienna on Monday.\n\n"
        "The Austrian chief said the border would reopen in May.\n\n"
        "Austrian officials said the talks had stalled."
    )
    chief, officials = quotes_of(nlp, text)
    assert speaker_text(text, chief) == "The Austrian chief"
    assert chief.speaker == "Tomas Varga"  # the person last named, not "Austrian"
    assert speaker_text(text, officials) == "Austrian officials"
    assert officials.speaker is None


def test_a_document_as_source_is_not_the_person_last_named(nlp):
    text = (
        "Tomas Varga met Anna Keller in Vienna.\n\n"
        "According to the readout, Varga told Keller the sanctions had failed."
    )
    according = [q for q in quotes_of(nlp, text) if q.cue == "According"]
    assert speaker_text(text, only(according)).endswith("readout")
    assert according[0].speaker is None


def test_according_to_names_the_source(nlp):
    text = "According to Interior Minister Rosa Lind, the border will stay closed until May."
    quote = only(quotes_of(nlp, text))
    assert quote.cue == "According"
    assert quote.text == "the border will stay closed until May"
    assert speaker_text(text, quote).endswith("Rosa Lind")
    assert quote.speaker == "Rosa Lind"


def test_told_with_a_listener(nlp):
    text = "Ambassador Omar Haddad told the council the evacuation had been completed."
    quote = only(quotes_of(nlp, text))
    assert quote.cue == "told"
    assert "the evacuation had been completed" in quote.text
    assert quote.speaker == "Omar Haddad"


@pytest.mark.parametrize(
    ("sentence", "cue", "content"),
    [
        (
            "General Ivo Marsh warned that the ceasefire could collapse within days.",
            "warned",
            "that the ceasefire could collapse within days",
        ),
        (
            "Senator Clara Voss argued that the sanctions had failed to change anything.",
            "argued",
            "that the sanctions had failed to change anything",
        ),
        (
            "Minister Paul Ferro accused the rebels of breaking the truce.",
            "accused",
            "the rebels of breaking the truce",
        ),
    ],
    ids=["warned", "argued", "accused"],
)
def test_reporting_verbs_beyond_said(nlp, sentence, cue, content):
    quote = only(quotes_of(nlp, sentence))
    assert quote.cue == cue
    assert quote.text == content
    assert quote.speaker is not None


# --- speakers ------------------------------------------------------------------------


def test_he_said_resolves_to_the_person_it_refers_to(nlp):
    text = (
        "Chinese Foreign Minister Wang Yi arrived in Moscow on Monday.\n\n"
        '"Our cooperation has no limits," he said.'
    )
    quote = only(quotes_of(nlp, text))
    assert speaker_text(text, quote) == "he"  # the mention in the attribution
    assert quote.speaker == "Wang Yi"  # the actor it refers to


def test_the_aide_resolves_to_the_person_last_named(nlp):
    text = (
        "Kremlin aide Yury Ushakov spoke to reporters.\n\n"
        '"The statement has been prepared in advance," the aide revealed.'
    )
    quote = only(quotes_of(nlp, text))
    assert speaker_text(text, quote) == "the aide"
    assert quote.speaker == "Yury Ushakov"


def test_a_relative_pronoun_points_at_its_person(nlp):
    text = "The plan was backed by Anna Keller, who said the vote would pass easily."
    quote = only(quotes_of(nlp, text))
    assert speaker_text(text, quote) == "who"
    assert quote.speaker == "Anna Keller"


def test_an_unnamed_source_has_a_speaker_span_but_no_actor(nlp):
    text = "The talks have stalled, a senior diplomat said."
    quote = only(quotes_of(nlp, text))
    assert speaker_text(text, quote) == "a senior diplomat"
    assert quote.speaker is None


def test_captions_and_credits_are_never_speakers(nlp):
    text = (
        "File photo: AP\n\n"
        "Photo: Reuters/Ana Lopez\n\n"
        '"We will rebuild the bridge this year," Mayor Ivan Petrov said.\n\n'
        "Image credit: Getty Images"
    )
    found = quotes_of(nlp, text)
    quote = only(found)
    assert quote.speaker == "Ivan Petrov"
    for credit in ("AP", "Reuters", "Ana Lopez", "Getty Images"):
        assert credit not in (speaker_text(text, q) or "" for q in found)


def test_a_speaker_is_never_inside_the_quote(nlp):
    text = '"Mr. President, the vote is yours," Senator Dana Whitfield told him.'
    quote = only(quotes_of(nlp, text))
    assert quote.speaker_start >= text.index('" ') + 1
    assert quote.speaker == "Dana Whitfield"


# --- quotation marks -----------------------------------------------------------------


def test_quote_marks_pair_up_and_report_open_quotes():
    text = 'He said "yes" and left.\n\n\u201cAn open quote\n\nthat never closes'
    marks = quote_marks(text)
    assert [text[m.inner_start : m.inner_end] for m in marks] == [
        "yes",
        "An open quote",
    ]
    assert marks[1].open


# --- attribution boundaries (issue 15) -------------------------------------------------


def test_a_verb_in_a_relative_clause_after_a_quote_is_not_its_cue(nlp):
    text = (
        "Foreign Minister Anna Keller also said that the president "
        '"will attend the signing ceremony of the river treaty," which has seen several '
        "delegations announce a walkout over the dam."
    )
    quote = next(q for q in quotes_of(nlp, text) if "signing ceremony" in q.text)
    assert quote.cue == "said"
    assert speaker_text(text, quote) == "Foreign Minister Anna Keller"
    assert quote.speaker == "Anna Keller"


def test_a_sentence_whose_subject_is_a_group_is_not_the_last_speakers(nlp):
    text = (
        "Foreign Minister Anna Keller said the talks had gone well.\n"
        "The two governments have stressed the value of their trade ties in recent months."
    )
    found = quotes_of(nlp, text)
    group = [q for q in found if "trade ties" in q.text]
    assert group, [q.text for q in found]
    assert all(q.speaker != "Anna Keller" for q in group)


def test_someones_adviser_is_not_that_someone(nlp):
    text = (
        '"The border will stay open," Tomas Okafor told reporters in Geneva.\n'
        "President Grace Oduya's foreign policy adviser said the talks would resume."
    )
    quote = next(q for q in quotes_of(nlp, text) if "would resume" in q.text)
    assert quote.speaker != "Grace Oduya"


def test_a_quote_sentence_after_a_quoted_speaker_continues_that_speaker(nlp):
    text = (
        '"The first round took longer than anyone had planned," Anna Keller said after '
        'the meeting. "We will tell our partners how the second round unfolds."'
    )
    # Joined to the first half ('"...," she said. "..."') or a quote of its own: either
    # way it is direct and Keller's.
    second = next(q for q in quotes_of(nlp, text) if "We will tell our partners" in q.text)
    assert second.kind == "direct"
    assert speaker_text(text, second) == "Anna Keller"
    assert second.speaker == "Anna Keller"


def test_a_quote_sentence_after_a_long_attribution_continues_its_speaker(nlp):
    text = (
        '"The first round took longer than anyone had planned," Anna Keller said after '
        "the late meeting with the delegations of both riverside states in the old town "
        'hall. "We will tell our partners how the second round unfolds."'
    )
    found = quotes_of(nlp, text)
    second = next(q for q in found if "We will tell our partners" in q.text)
    assert second.text == '"We will tell our partners how the second round unfolds."'
    assert second.kind == "direct"
    assert speaker_text(text, second) == "Anna Keller"


def test_two_quoted_fragments_of_reported_speech_are_two_quotes(nlp):
    text = (
        'Foreign Minister Anna Keller called the plan a "bold, careful start" and told '
        'journalists that Ardenia was "ready to be judged".'
    )
    found = quotes_of(nlp, text)
    fragments = [q for q in found if "bold, careful start" in q.text or "judged" in q.text]
    assert len(fragments) == 2, [q.text for q in found]
    assert not any("bold" in q.text and "judged" in q.text for q in found)
    assert all(q.speaker == "Anna Keller" for q in fragments)


def test_any_verb_closing_a_quotes_sentence_after_a_comma_is_its_cue(nlp):
    text = '"We have waited long enough for this bridge," Anna Keller fumed on Tuesday.'
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "direct"
    assert quote.cue == "fumed"
    assert speaker_text(text, quote) == "Anna Keller"


def test_a_name_before_a_colon_says_what_follows(nlp):
    text = (
        "Anna Keller: Talks With Ardenia Will Resume Next Month.\n"
        "The minister spoke to reporters in Geneva."
    )
    quote = next(q for q in quotes_of(nlp, text) if "Talks With Ardenia" in q.text)
    assert quote.cue == ":"
    assert speaker_text(text, quote) == "Anna Keller"


def test_a_phrase_of_place_or_time_is_not_reported_content(nlp):
    text = "The summit opens in Vienna on Monday."
    assert quotes_of(nlp, text) == []


def test_the_demo_files_two_partial_quotes_in_one_sentence_stay_apart(nlp):
    # samples/03: a minister's two quoted fragments, each inside its own report. A quote
    # holds two fragments only when it is one quote split by its attribution, the first
    # half ending in a comma (or ? or !) inside its marks.
    path = Path(__file__).resolve().parents[2] / "samples"
    text = next(path.glob("03_*.txt")).read_text(encoding="utf-8")
    found = quotes_of(nlp, text)
    for quote in found:
        inside = text[quote.start : quote.end]
        if inside.count("\u201c") >= 2:
            first_half = inside[: inside.index("\u201d")]
            assert first_half[-1:] in ",?!", inside
    fragments = [
        q for q in found if "first, fragile step" in q.text or "ready to be measured" in q.text
    ]
    assert len(fragments) == 2, [q.text for q in fragments]


def test_a_long_quoted_stretch_without_a_cue_is_still_a_direct_quote(nlp):
    text = (
        "The minister's reply came within the hour. "
        '"We will not let a single lorry through the pass until the bridge has been '
        'inspected by engineers from both sides of the river."'
    )
    quote = only(quotes_of(nlp, text))
    assert quote.kind == "direct"
    assert quote.text.startswith('"We will not let')


def test_a_short_quoted_fragment_without_a_cue_is_not_a_quote(nlp):
    text = 'The delegates called it the "river question" over dinner.'
    assert all("river question" not in q.text or q.cue for q in quotes_of(nlp, text))


def test_a_verb_with_a_prepositional_phrase_needs_the_stricter_cue_counts(monkeypatch):
    from articles.nlp import cues

    rows = {("murmur", "ccomp"): (2, 8), ("murmur", "prep"): (2, 8), ("hum", "prep"): (5, 10)}
    monkeypatch.setattr(cues, "table", lambda: rows)
    cues.lexicon.cache_clear()
    try:
        assert cues.is_cue("murmur", "ccomp")
        assert not cues.is_cue("murmur", "prep")
        assert cues.is_cue("hum", "prep")
    finally:
        monkeypatch.undo()
        cues.lexicon.cache_clear()


def test_a_participle_after_a_comma_speaks_for_the_clauses_subject(nlp):
    text = (
        "Anna Keller closed the session with a nod to the engineers, remarking that "
        "the bridge would open before the rains."
    )
    quote = next(q for q in quotes_of(nlp, text) if "the bridge would open" in q.text)
    assert speaker_text(text, quote) == "Anna Keller"


def test_a_left_curly_mark_typed_as_the_closing_one_still_closes_the_quote():
    text = "\u201cThe bridge is safe,\u201c said the engineer. \u201cWe checked it twice.\u201d"
    found = [text[m.start : m.end] for m in quote_marks(text)]
    assert found == ["\u201cThe bridge is safe,\u201c", "\u201cWe checked it twice.\u201d"]


def test_a_name_after_the_verb_introducing_a_quote_paragraph_is_its_speaker(nlp):
    text = (
        "The senator spoke at length on the radio.\n"
        "Declared Anna Keller:\n"
        '"We will not sign a treaty that leaves the valley without water."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "We will not sign" in q.text)
    assert speaker_text(text, quote) == "Anna Keller"


def test_a_report_nested_in_another_is_its_own_attribution_and_ends_the_outer_one(nlp):
    text = (
        "Senator Ruth Albers praised the governor for cutting fuel taxes and repairing rural "
        "bridges across the state, moves which he said had saved farmers a fortune."
    )
    found = quotes_of(nlp, text)
    outer = next(q for q in found if q.cue == "praised")
    inner = next(q for q in found if q.cue == "said")
    assert outer.text.endswith("across the state")
    assert speaker_text(text, outer) == "Senator Ruth Albers"
    assert "saved farmers" in inner.text
    assert outer.end <= inner.start
    assert speaker_text(text, inner) == "he"


def test_a_nested_report_that_is_most_of_the_outer_one_stays_inside_it(nlp):
    text = (
        "Mayor Dana Kell said on Monday that two engineers who had inspected the bridge "
        "said it would reopen in the spring."
    )
    outer = next(q for q in quotes_of(nlp, text) if q.start < text.index("two engineers"))
    assert "reopen in the spring" in outer.text
    assert speaker_text(text, outer) == "Mayor Dana Kell"


# --- speakers the subject of the cue does not name (issue 16) ---------------------------


def test_a_dateline_before_the_subject_is_not_the_speaker(nlp):
    text = (
        "BERLIN (Wire) \u2014 Anna Keller and her aides dove deeper into the budget on "
        "Tuesday, saying that the dam would be rebuilt."
    )
    quote = next(q for q in quotes_of(nlp, text) if "rebuilt" in q.text)
    assert speaker_text(text, quote) == "Anna Keller"


def test_a_timestamp_line_is_not_the_speaker_of_the_next_paragraph(nlp):
    text = (
        "4:40 p.m.\n\nGovernor Tomas Varga says, win or lose in the vote, he is staying in "
        "the race."
    )
    quote = next(q for q in quotes_of(nlp, text) if "staying" in q.text)
    assert speaker_text(text, quote) == "Governor Tomas Varga"


def test_the_object_of_a_causative_verb_speaks_its_infinitive(nlp):
    text = "The storm prompted the governor to warn that the dam could fail."
    quote = next(q for q in quotes_of(nlp, text) if "dam could fail" in q.text)
    assert speaker_text(text, quote) == "the governor"


def test_the_subject_of_a_verb_that_only_obliges_is_the_source(nlp):
    text = "The old treaty requires both countries to declare that the river is shared."
    quote = next(q for q in quotes_of(nlp, text) if "river is shared" in q.text)
    assert speaker_text(text, quote) == "The old treaty"


def test_an_infinitive_after_an_object_speaks_for_the_object(nlp):
    text = (
        "The flooding of the valley led farmers to demand that the dam be rebuilt before "
        "the spring."
    )
    quote = next(q for q in quotes_of(nlp, text) if "rebuilt" in q.text)
    assert speaker_text(text, quote) == "farmers"


def test_an_infinitive_after_a_thing_is_not_spoken_by_the_thing(nlp):
    text = "Mayor Dana Kell has found ways to cast herself as the heir of the old party."
    quote = next(q for q in quotes_of(nlp, text) if "heir" in q.text)
    assert speaker_text(text, quote) == "Mayor Dana Kell"


def test_the_clause_a_colon_ends_names_the_speaker_of_the_quote_after_it(nlp):
    text = (
        "Later he returned to his familiar lines: "
        '"There will be no new taxes on farms while I am the governor of this state."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "new taxes" in q.text)
    assert speaker_text(text, quote) == "he"


@pytest.mark.parametrize("signature", ["\n- Lena Marsh.", "\n\u2014 Lena Marsh"], ids=str)
def test_a_name_after_a_dash_signs_the_quote_before_it(nlp, signature):
    text = (
        "Readers wrote in after the debate.\n\n"
        '"He never answered a single question about the farms, and that tells you '
        'everything you need to know."' + signature
    )
    quote = next(q for q in quotes_of(nlp, text) if "never answered" in q.text)
    assert speaker_text(text, quote) == "Lena Marsh"


def test_a_quote_paragraph_goes_on_with_the_report_in_the_paragraph_before(nlp):
    text = (
        "The mayor spoke for an hour on Monday.\n\n"
        "Councillor Lena Marsh argues that the city was never told about the cracks in the "
        "dam.\n\n"
        '"We asked for the engineering reports twice and nobody ever sent them to the '
        'council."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "engineering reports" in q.text)
    assert speaker_text(text, quote) == "Councillor Lena Marsh"


def test_a_report_opened_by_though_is_its_own_attribution(nlp):
    text = (
        "Mayor Dana Kell insisted that the bridge was safe for traffic all winter, though "
        "the engineers warned that the cracks were spreading."
    )
    found = quotes_of(nlp, text)
    outer = next(q for q in found if q.cue == "insisted")
    inner = next(q for q in found if q.cue == "warned")
    assert outer.text == "that the bridge was safe for traffic all winter"
    assert speaker_text(text, outer) == "Mayor Dana Kell"
    assert speaker_text(text, inner) == "the engineers"


def test_the_subject_of_a_paragraph_ending_in_a_colon_speaks_the_quote_after_it(nlp):
    text = (
        "On Monday, Mayor Dana Kell made the following comment:\n\n"
        '"We will rebuild the bridge before the winter, whatever the council decides about '
        'the budget."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "rebuild" in q.text)
    assert speaker_text(text, quote) == "Mayor Dana Kell"


def test_a_quote_after_a_sentence_that_reports_in_its_paragraph_goes_on_with_it(nlp):
    text = (
        "The vote was close. Lena Marsh, the council's spokeswoman, said in a statement. "
        '"There are no paper ballots to recount, and the result will stand as it was '
        'announced."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "paper ballots" in q.text)
    assert speaker_text(text, quote) == "Lena Marsh"


def test_a_cue_after_a_relative_clause_speaks_for_the_name_before_it(nlp):
    text = "Marsh, meanwhile, who sits on no committee at all, said that fact speaks volumes."
    quote = next(q for q in quotes_of(nlp, text) if "speaks volumes" in q.text)
    assert speaker_text(text, quote) == "Marsh"


def test_a_relative_pronoun_that_is_the_cues_own_subject_stays_the_speaker(nlp):
    text = (
        "It was Councillor Lena Marsh, who, after a long night of talks, said that the "
        "budget would pass."
    )
    quote = next(q for q in quotes_of(nlp, text) if "budget would pass" in q.text)
    assert speaker_text(text, quote) == "who"


def test_what_respondents_say_in_a_poll_is_the_polls_finding(nlp):
    text = (
        "In a new county poll released Monday, 38 percent of farmers said the water tax "
        "should be scrapped."
    )
    quote = next(q for q in quotes_of(nlp, text) if "water tax" in q.text)
    assert speaker_text(text, quote) == "a new county poll"


def test_a_pollster_named_as_subject_stays_the_speaker(nlp):
    text = "In an online poll, Valley Research found that most farmers oppose the water tax."
    quote = next(q for q in quotes_of(nlp, text) if "water tax" in q.text)
    assert speaker_text(text, quote) == "Valley Research"


@pytest.mark.parametrize(
    "text",
    [
        "Marsh's argument on Sunday was that the council should consider moving the vote to March.",
        "The fact-checkers seized on Marsh's claim that there have been thousands of floods "
        "this year.",
    ],
    ids=["copula", "noun-clause"],
)
def test_a_report_noun_with_its_owner_and_a_that_clause_is_the_owners_report(nlp, text):
    quote = next(q for q in quotes_of(nlp, text) if "that" in q.text)
    assert quote.text.startswith("that ")
    assert speaker_text(text, quote) == "Marsh's"


def test_an_aside_he_said_reports_the_clause_that_follows_it(nlp):
    text = "Still, he said, the council has to decide who pays for the new bridge."
    quote = only([q for q in quotes_of(nlp, text) if q.cue == "said"])
    assert quote.text == "the council has to decide who pays for the new bridge"
    assert speaker_text(text, quote) == "he"


def test_a_name_before_a_colon_the_parser_runs_into_the_quote_introduces_it(nlp):
    text = (
        "The governor spoke on the radio on Monday.\n\nStated Kell:\n\n"
        '"I think that the stakes are so high that the council would do anything necessary '
        'to keep the dam open."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "stakes" in q.text)
    assert speaker_text(text, quote).endswith("Kell")


def test_a_relative_clause_report_splits_off_even_from_a_shorter_outer_report(nlp):
    text = (
        "Kell praised the long-awaited plan for the valley, which she said would save the "
        "farmers a fortune in the drought."
    )
    found = quotes_of(nlp, text)
    outer = next(q for q in found if q.cue == "praised")
    inner = next(q for q in found if q.cue == "said")
    assert outer.text == "the long-awaited plan for the valley"
    assert speaker_text(text, outer) == "Kell"
    assert speaker_text(text, inner) == "she"


def test_a_cue_the_parser_gave_no_subject_takes_the_name_before_it(nlp):
    # The parser reads the name "Will" as a modal verb and finds no subject for "urged".
    text = "Quoting the old proverb at length, Will urged the council to abandon the plan."
    quote = next(q for q in quotes_of(nlp, text) if q.cue == "urged")
    assert speaker_text(text, quote) == "Will"


@pytest.mark.parametrize(
    "text",
    [
        "As Kell reported, the council was also accused of hiding the report.",
        "The council agreed to share its flood maps, as Kell reported on Monday.",
    ],
    ids=["before", "after"],
)
def test_as_x_reported_vouches_for_the_clause_it_hangs_on(nlp, text):
    quote = only([q for q in quotes_of(nlp, text) if q.cue == "reported"])
    assert "council" in quote.text
    assert speaker_text(text, quote) == "Kell"


def test_as_the_day_went_on_is_no_report(nlp):
    text = "As the day went on, Mayor Dana Kell offered ever stronger defenses of the plan."
    assert all(q.cue != "went" for q in quotes_of(nlp, text))


def test_according_to_a_document_by_someone_is_according_to_its_maker(nlp):
    text = (
        "The dam needs two billion dollars of repairs, according to a recent analysis by "
        "the Valley Water Board."
    )
    quote = only([q for q in quotes_of(nlp, text) if q.cue == "according"])
    assert speaker_text(text, quote) == "the Valley Water Board"


def test_a_repeated_cue_the_parser_hangs_on_the_first_report_keeps_its_speaker(nlp):
    text = (
        "Kell says the obvious response was to break up the old water board and says she "
        "introduced legislation to accomplish that."
    )
    quote = next(q for q in quotes_of(nlp, text) if "introduced legislation" in q.text)
    assert speaker_text(text, quote) == "Kell"


def test_a_long_quote_with_no_cue_goes_to_the_person_named_just_before_it(nlp):
    text = (
        "The river rose overnight, and Kell toured the flooded farms at dawn.\n\n"
        '"Nobody in this valley should have to wait three weeks for the council to send a '
        'single pump."'
    )
    quote = next(q for q in quotes_of(nlp, text) if "Nobody" in q.text)
    assert speaker_text(text, quote) == "Kell"


def test_two_quotes_each_with_its_own_cue_are_not_one_split_quote(nlp):
    text = (
        '"Her normal demeanor is grumpy," he said, but despite the increasingly fractious '
        'tone, "I think she will do it," said Kell, who has been critical of the mayor.'
    )
    first, second = sorted(
        (q for q in quotes_of(nlp, text) if q.kind == "direct"), key=lambda q: q.start
    )
    assert first.text == '"Her normal demeanor is grumpy,"'
    assert speaker_text(text, first) == "he"
    assert second.text == '"I think she will do it,"'
    assert speaker_text(text, second) == "Kell"
