"""Wordings of one utterance compared word by word (articles.nlp.variants)."""

from articles.nlp import variants

REFERENCE = "The water quotas will be agreed before the autumn session of the commission,"


def ops(alignment: variants.Alignment) -> list[tuple[str, str]]:
    return [(d.op, d.text) for d in alignment.differences if d.op != "equal"]


def test_the_same_wording_is_similarity_one_with_no_differences():
    alignment = variants.align(variants.words(REFERENCE), variants.words(REFERENCE.upper()))
    assert alignment.similarity == 1.0
    assert ops(alignment) == []


def test_extra_words_in_a_variant_are_marked_as_insertions():
    variant = "The water quotas for the coming decade will be agreed in advance before the "
    variant += "autumn session of the commission"
    alignment = variants.align(variants.words(REFERENCE), variants.words(variant))
    assert ops(alignment) == [("insert", "for the coming decade"), ("insert", "in advance")]
    assert 0.7 < alignment.similarity < 1.0


def test_missing_and_changed_words_are_deletions_and_replacements():
    variant = "The water shares will be agreed before the session of the commission"
    alignment = variants.align(variants.words(REFERENCE), variants.words(variant))
    differences = [(d.op, d.text, d.reference) for d in alignment.differences if d.op != "equal"]
    assert differences == [("replace", "shares", "quotas"), ("delete", "", "autumn")]


def test_a_quote_running_past_the_utterance_is_extra_not_different():
    variant = (
        '"The water quotas will be agreed before the autumn session of the commission," '
        'she said. "Nobody wants another dry summer."'
    )
    alignment = variants.align(variants.words(REFERENCE), variants.quoted_words(variant))
    assert alignment.similarity == 1.0
    assert ops(alignment) == [("extra", "Nobody wants another dry summer")]


def test_the_same_utterance_needs_enough_words_in_order():
    short = variants.words("a new era")
    assert not variants.same_utterance(short, short)
    reworded = variants.words("Quotas for water are to be settled ahead of the autumn meeting")
    assert not variants.same_utterance(variants.words(REFERENCE), reworded)
    trimmed = variants.words("quotas will be agreed before the autumn session")
    assert variants.same_utterance(variants.words(REFERENCE), trimmed)


def test_quoted_text_joins_the_halves_of_a_split_quote():
    text = '"The border is open," he said, "and it will stay open."'
    assert variants.quoted_text(text) == "The border is open … and it will stay open."
