"""The lemmatizer that remembers its answers gives the very lemmas spaCy's gives."""

import spacy

from articles.nlp import lemmas, model

# Inflected nouns, verbs and adjectives, base forms, proper nouns, contractions the
# attribute ruler lemmatizes first ("ain't", "'s"), numbers, punctuation and spaces, and
# words repeated in other forms and roles ("talks", "talked", "talk").
TEXTS = [
    "The envoys talked for hours; their talks ended when the ministers' deadlines passed.",
    "\"We ain't signing anything,\" said Ms. Okonkwo, who's been the better negotiator.",
    "Prices rose 12% in 2024 - higher than forecast, the bank's economists wrote.\n\n  Done.",
    "She talks; he talked; they are talking. Bigger, biggest, best: the better offers won.",
    "",
    "   ",
]


def _attributes(doc):
    return [(t.text, t.pos_, str(t.morph), t.lemma_) for t in doc]


def test_the_pipeline_lemmatizer_remembers_its_answers():
    lemmatizer = model.load().get_pipe(lemmas.LEMMATIZER_NAME)
    assert isinstance(lemmatizer, lemmas._Remembering)


def test_tokens_get_the_lemmas_the_shipped_lemmatizer_gives(shipped):
    fast = spacy.load(model.model_name())
    assert lemmas.speed_up(fast)
    for ours, theirs in zip(fast.pipe(TEXTS), shipped.pipe(TEXTS), strict=True):
        assert _attributes(ours) == _attributes(theirs)
    doc = fast("The envoys talked and were talking.")
    assert [t.lemma_ for t in doc][:5] == ["the", "envoy", "talk", "and", "be"]


def test_the_lemmatizer_is_asked_once_per_word_tag_and_morphology():
    fast = spacy.load(model.model_name())
    assert lemmas.speed_up(fast)
    lemmatizer = fast.get_pipe(lemmas.LEMMATIZER_NAME)
    asked: list[str] = []
    answer = lemmatizer.lemmatize

    def counting(token):
        asked.append(token.text)
        return answer(token)

    lemmatizer.lemmatize = counting
    first = fast("The envoys talked. The envoys talked.")
    assert asked.count("envoys") == 1
    assert asked.count("talked") == 1
    asked.clear()
    second = fast("The envoys talked again.")
    assert "envoys" not in asked
    assert "talked" not in asked
    assert "again" in asked
    expected = ["the", "envoy", "talk"]
    assert [t.lemma_ for t in first][:3] == [t.lemma_ for t in second][:3] == expected


def test_a_lemma_set_before_the_lemmatizer_is_kept(shipped):
    fast = spacy.load(model.model_name())
    assert lemmas.speed_up(fast)
    # The attribute ruler lemmatizes "ai" in "ain't" as "be"; the lemmatizer, which does
    # not overwrite, leaves it.
    ours = [t.lemma_ for t in fast("They ain't here.")]
    assert ours == [t.lemma_ for t in shipped("They ain't here.")]
    assert "be" in ours


def test_a_lemmatizer_in_another_mode_is_left_alone():
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    assert not lemmas.speed_up(nlp)
    assert not lemmas.speed_up(spacy.blank("en"))
