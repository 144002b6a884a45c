"""Texts longer than spaCy takes (nlp.max_length) are extracted in pieces cut at
paragraph breaks, with every offset pointing into the whole text."""

import itertools

import pytest

from articles.nlp import model
from articles.nlp.extract import extract, split
from tests.data import texts

PARAGRAPHS = texts.ARTICLE_ONE.split("\n\n")


def test_pieces_cover_the_text_in_order_and_end_at_paragraph_breaks():
    text = "\n\n".join(PARAGRAPHS * 6)
    pieces = list(split(text, 900))

    assert len(pieces) > 3
    assert "".join(piece for _, piece in pieces) == text
    for (offset, piece), (next_offset, _) in itertools.pairwise(pieces):
        assert len(piece) <= 900
        assert offset + len(piece) == next_offset
        assert piece.endswith("\n\n"), "cut after a blank line"


def test_a_paragraph_longer_than_the_limit_is_cut_at_a_sentence_then_a_space():
    sentence = "The committee met again on Friday and agreed on nothing at all. "
    text = sentence * 40  # one paragraph, no line break
    pieces = list(split(text, 500))

    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 500 for _, piece in pieces)
    assert all(piece.endswith(". ") for _, piece in pieces[:-1])
    unbroken = "x" * 1200
    assert [len(piece) for _, piece in split(unbroken, 500)] == [500, 500, 200]


def test_a_text_within_the_limit_is_one_piece():
    assert list(split(texts.ARTICLE_ONE, 10_000)) == [(0, texts.ARTICLE_ONE)]
    assert list(split("", 10)) == [(0, "")]


@pytest.fixture(scope="module")
def nlp():
    return model.load()


def test_a_long_text_gets_the_findings_of_each_piece_at_its_place(nlp):
    copy = "\n\n".join(PARAGRAPHS)
    text = "\n\n".join([copy] * 5)
    limit = len(copy) + 10  # one copy of the article per piece
    (alone,) = extract([copy + "\n\n"], nlp=nlp)
    (pieces,) = extract([text], nlp=nlp, max_length=limit)

    assert len(list(split(text, limit))) == 5
    for mention in pieces.entities:
        assert text[mention.start : mention.end] == mention.text
    for quote in pieces.quotes:
        assert text[quote.start : quote.end] == quote.text
        if quote.speaker_start is not None:
            assert quote.speaker_end is not None
            assert quote.speaker_start < quote.speaker_end <= len(text)
    last_varga = max(m.start for m in pieces.entities if m.text == "Elena Varga")
    assert last_varga > len(text) * 0.75, "the last copy's mention is found, shifted"
    # Each piece is one copy: its findings are those of the copy alone, moved along.
    step = len(copy) + 2
    assert {(m.start, m.end, m.kind, m.canonical) for m in pieces.entities} == {
        (m.start + k * step, m.end + k * step, m.kind, m.canonical)
        for k in range(5)
        for m in alone.entities
    }
    assert {(q.start, q.end, q.speaker_start) for q in pieces.quotes} == {
        (
            q.start + k * step,
            q.end + k * step,
            None if q.speaker_start is None else q.speaker_start + k * step,
        )
        for k in range(5)
        for q in alone.quotes
    }
    assert set(pieces.terms) == set(alone.terms), "the same copies give the same story terms"


def test_a_text_over_the_models_own_limit_is_extracted_not_refused(nlp):
    # Runs of spaces are one token each: over a million characters, parsed in seconds.
    filler = " " * 600_000
    text = f"{PARAGRAPHS[1]}\n\n{filler}\n\n{PARAGRAPHS[2]}\n\n{filler}\n\n{PARAGRAPHS[3]}"
    assert len(text) > nlp.max_length

    (found,) = extract([text], nlp=nlp)

    tomas = [m for m in found.entities if m.text == "Tomas Okafor"]
    assert tomas, "the paragraph after the first million characters is extracted"
    assert all(text[m.start : m.end] == m.text for m in found.entities)
    assert tomas[0].start > 1_000_000
    assert any(q.cue == "told" and text[q.start : q.end] == q.text for q in found.quotes)
