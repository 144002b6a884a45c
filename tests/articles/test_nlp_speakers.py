"""The learned speaker choice (`articles.nlp.speakers`) and its learning script, on
sentences and annotations of our own.

Plain Python: the extractor over spaCy, no database.
"""

from pathlib import Path

import pytest

from articles.nlp import extract, learn_speakers, model, quotes, speakers
from tests.articles.test_nlp_quotes import only, speaker_text


@pytest.fixture(scope="module")
def nlp():
    return model.load()


NUMBER_SAYING = "The number of teachers saying they plan to leave has doubled since 2019."
PORTRAYING = "Governor Amaka Obi spent much of the campaign portraying her rival as weak on crime."


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (NUMBER_SAYING, "teachers"),
        ("The proportion of nurses saying they would strike is higher than last year.", "nurses"),
    ],
)
def test_the_people_a_count_is_of_say_what_the_participle_reports(nlp, text, speaker):
    # The parse makes "The number" the subject; the teachers are the ones saying it.
    quote = only(extract.extract_doc(nlp(text)).quotes)
    assert quote.cue == "saying"
    assert quote.text.startswith("they")
    assert speaker_text(text, quote) == speaker


def test_a_participle_hanging_on_an_object_is_the_main_subjects_report(nlp):
    # 'spent much of the campaign portraying': the governor portrays, not the campaign.
    quote = only(extract.extract_doc(nlp(PORTRAYING)).quotes)
    assert quote.cue == "portraying"
    assert speaker_text(PORTRAYING, quote) == "Governor Amaka Obi"


def test_without_learned_weights_the_rules_choice_stands(nlp, monkeypatch):
    monkeypatch.setattr(speakers, "weights", lambda: {})
    quote = only(extract.extract_doc(nlp(NUMBER_SAYING)).quotes)
    assert speaker_text(NUMBER_SAYING, quote) == "The number"


def test_a_plain_attribution_keeps_its_subject(nlp):
    text = '"We will rebuild the school before the rains," said Ana Torres of the Education Office.'
    quote = only(extract.extract_doc(nlp(text)).quotes)
    assert speaker_text(text, quote) == "Ana Torres"


def test_candidates_include_the_subject_of_a_report_that_holds_the_cue(nlp):
    text = "Kofi Mensah said his cousin told him that the river had flooded the fields."
    doc = nlp(text)
    told = next(t for t in doc if t.lower_ == "told")
    reader = quotes._Reader(doc, [])
    inner = reader.subject_of(told)
    assert inner is not None
    assert inner.text == "his cousin"
    found = speakers.candidates(told, inner, (0, 0), reader.inside, reader.phrase, "indirect")
    by_text = {c.span.text: c for c in found}
    assert {"Kofi Mensah", "his cousin"} <= set(by_text)
    assert by_text["his cousin"].rule
    assert not by_text["Kofi Mensah"].rule
    # Kofi Mensah is the subject of a speech verb ('said') that governs 'told'.
    assert "gov=nsubj|ccomp" in by_text["Kofi Mensah"].features
    assert any(f.startswith("govspeech=nsubj|True") for f in by_text["Kofi Mensah"].features)
    assert "rule=True" in by_text["his cousin"].features


def test_the_shipped_weights_favour_the_rules_choice():
    table = speakers.weights()
    assert table, "data/speakers.json is missing or empty"
    assert table["rule=True"] > table.get("rule=False", 0.0)


def test_learning_prefers_the_candidates_that_were_right():
    # Two features; in every quote the candidate with "good" is the gold source.
    data: list[learn_speakers.Group] = [
        ([["bias", "good"], ["bias", "bad"], ["bias", "bad", "far"]], [1, 0, 0], 1, 0)
        for _ in range(20)
    ] + [([["bias", "bad"], ["bias", "good", "far"]], [0, 2], 2, 0) for _ in range(10)]
    fitted = learn_speakers.fit(data, l2=1.0, min_count=1, steps=200)
    weights = dict(zip(fitted.names, fitted.weights.tolist(), strict=True))
    assert weights["good"] > weights["bad"]
    learned, rules = learn_speakers.accuracy(fitted, data)
    assert learned == 1.0
    assert rules == 0.0


def test_gold_attributions_pair_each_content_with_its_source(tmp_path: Path):
    folder = tmp_path / "attributions"
    folder.mkdir()
    (folder / "article-one_1a2b.ann").write_text(
        "T1\tSource 0 9\tAna Torres\n"
        "T2\tCue 10 14\tsaid\n"
        "T3\tContent 15 40;45 50\tthe bridge would reopen\n"
        "E1\tAttribution:T2 Source:T1 Content:T3\n"
        "T4\tContent 60 70\tno source\n"
        "T5\tCue 71 75\tsaid\n"
        "E2\tAttribution:T5 Content:T4\n",
        encoding="utf-8",
    )
    # A second annotator's file of the same article is not read.
    (folder / "article-one_ffff.ann").write_text("T1\tSource 1 2\tx\n", encoding="utf-8")
    gold = learn_speakers.gold_attributions(tmp_path)
    assert gold == {"article-one": [([(15, 40), (45, 50)], [(0, 9)])]}


def test_a_quote_after_a_learned_speakers_quote_stays_with_that_speaker(nlp):
    text = (
        "Governor Amaka Obi spent the whole campaign portraying her rival as "
        '"a man who has never run anything bigger than a corner shop." '
        '"He would ruin this province within a year and nobody could stop him."'
    )
    first, second = extract.extract_doc(nlp(text)).quotes
    assert first.cue == "portraying"
    assert speaker_text(text, first) == "Governor Amaka Obi"
    assert second.cue == ""
    assert second.text.startswith('"He would ruin')
    assert speaker_text(text, second) == "Governor Amaka Obi"
