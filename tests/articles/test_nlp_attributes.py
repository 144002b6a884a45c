"""The attribute ruler matched by lookup gives the very attributes spaCy's Matcher gives."""

import spacy

from articles.nlp import attributes, model

# Written for the ruler's kinds of patterns: tags alone, tags with words, word pairs
# ("gon na", "let 's"), dependencies ("there is"), regular expressions ("ai n't",
# "y'all"), spaces.
TEXTS = [
    "The envoy said on Tuesday that talks would resume. There is no deadline, she added.",
    '"We ain\'t gonna sign it," a minister told reporters; "let\'s wait and see."',
    "Y'all know what they're doing - c'mon, he gets it, and she got it too.\n\n  Done.",
    "Officials were gotta leave early: there are 12 delegations, and there was a vote.",
    "",
    "   ",
]


def _attributes(doc):
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_) for t in doc]


def test_the_pipeline_matches_its_attribute_ruler_by_lookup():
    ruler = model.load().get_pipe(attributes.RULER_NAME)
    assert ruler.match.__self__.__class__ is attributes._Lookup


def test_lookup_finds_the_matches_the_rulers_matcher_finds(shipped):
    ruler = shipped.get_pipe(attributes.RULER_NAME)
    lookup = attributes._Lookup(ruler)
    before = shipped.pipe_names[: shipped.pipe_names.index(attributes.RULER_NAME)]
    with shipped.select_pipes(enable=before):
        docs = list(shipped.pipe(TEXTS))
    found = 0
    for doc in docs:
        expected = ruler.match(doc)
        assert lookup.matches(doc) == expected, doc.text
        found += len(expected)
    assert found > 50


def test_tokens_get_the_same_attributes_as_with_the_shipped_model(shipped):
    fast = spacy.load(model.model_name())
    assert attributes.speed_up(fast)
    for ours, theirs in zip(fast.pipe(TEXTS), shipped.pipe(TEXTS), strict=True):
        assert _attributes(ours) == _attributes(theirs)
    assert any(lemma == "be" for *_, lemma, _ in _attributes(fast("They ain't here.")))


def test_a_ruler_with_a_pattern_the_lookup_does_not_handle_is_left_alone():
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "the"}]], {"POS": "DET"})
    ruler.add([[{"LOWER": "very", "OP": "+"}, {"LOWER": "big"}]], {"POS": "ADJ"})
    assert attributes.speed_up(nlp) is False
    assert "match" not in vars(ruler), "the ruler's own match step stays"
    # The first token of each match ("very very big", "very big") takes the attributes.
    assert [t.pos_ for t in nlp("the very very big one")] == ["DET", "ADJ", "ADJ", "", ""]

    plain = spacy.blank("en")
    plain.add_pipe("attribute_ruler").add([[{"LOWER": "the"}]], {"POS": "DET"})
    assert attributes.speed_up(plain) is True
    assert [t.pos_ for t in plain("the one and The other")] == ["DET", "", "", "DET", ""]
