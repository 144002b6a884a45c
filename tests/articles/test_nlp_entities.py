"""Entity mentions and their canonical names (articles.nlp.entities, articles.nlp.gazetteer).

Plain Python, no database. The pipeline is loaded once for the module; the seed test reads
../shared/corpus/seeds and skips without it.
"""

from pathlib import Path

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from articles.ingest import process
from articles.nlp import gazetteer, model
from articles.nlp.entities import (
    canonical_for,
    entity_mentions,
    is_title,
    is_title_word,
)
from articles.nlp.gazetteer import GazetteerError
from tests.data import nlp_entities as texts

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"


@pytest.fixture(scope="module")
def nlp() -> Language:
    return model.load()


def mentions(nlp: Language, text: str):
    return entity_mentions(nlp(text))


def labelled(nlp: Language, text: str, labels: list[tuple[str, str]]) -> Doc:
    """`text` parsed, with the entities replaced by `labels` ((text, label) in order), as
    if spaCy had found exactly those: for the repairs that depend on its mistakes."""
    with nlp.select_pipes(disable=[gazetteer.SNAPSHOT_NAME, gazetteer.RULER_NAME]):
        doc = nlp(text)
    spans, start = [], 0
    for surface, label in labels:
        at = doc.text.index(surface, start)
        span = doc.char_span(at, at + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
        start = at + len(surface)
    doc.ents = spans
    doc.spans[gazetteer.NER_SPANS_KEY] = spans
    return doc


# --- canonical names --------------------------------------------------------------------


def test_four_putin_forms_are_one_canonical(nlp):
    found = [m for m in mentions(nlp, texts.PUTIN_FORMS) if m.kind == "PERSON"]
    assert [m.text for m in found] == ["Vladimir Putin", "Putin", "Putin", "Putin"]
    assert {m.canonical for m in found} == {"Vladimir Putin"}


def test_ushakov_spellings_are_one_canonical(nlp):
    found = [m for m in mentions(nlp, texts.USHAKOV_SPELLINGS) if m.kind == "PERSON"]
    assert [m.text for m in found] == ["Yury Ushakov", "Yuri Ushakov"]
    assert {m.canonical for m in found} == {"Yury Ushakov"}


def test_xi_and_xi_jinping_are_one_canonical(nlp):
    found = [m for m in mentions(nlp, texts.XI_FORMS) if m.kind == "PERSON"]
    assert [m.text for m in found] == ["Xi Jinping", "Xi"]
    assert {m.canonical for m in found} == {"Xi Jinping"}


def test_surname_takes_the_full_name_from_the_same_document(nlp):
    found = [m for m in mentions(nlp, texts.SURNAME) if m.text.endswith("Velichko")]
    assert [(m.text, m.kind, m.canonical) for m in found] == [
        ("Tamara Velichko", "PERSON", "Tamara Velichko"),
        ("Velichko", "PERSON", "Tamara Velichko"),
    ]


def test_chinese_style_short_form_is_the_first_word_of_the_full_name(nlp):
    found = [m for m in mentions(nlp, texts.CHINESE_NAME) if m.kind == "PERSON"]
    assert [(m.text, m.canonical) for m in found] == [
        ("Zhang Wenhao", "Zhang Wenhao"),
        ("Zhang", "Zhang Wenhao"),
    ]


def test_short_form_of_two_full_names_keeps_its_own_text(nlp):
    found = {m.text: m.canonical for m in mentions(nlp, texts.TWO_ZHANGS)}
    assert found == {"Zhang Wenhao": "Zhang Wenhao", "Zhang Lifen": "Zhang Lifen", "Zhang": "Zhang"}


def test_spellings_with_one_identity_key_share_the_most_frequent_spelling(nlp):
    doc = labelled(
        nlp,
        "Sergei Ivanovsky spoke first. Sergey Ivanovsky spoke again. Sergei Ivanovsky left.",
        [
            ("Sergei Ivanovsky", "PERSON"),
            ("Sergey Ivanovsky", "PERSON"),
            ("Sergei Ivanovsky", "PERSON"),
        ],
    )
    assert {m.canonical for m in entity_mentions(doc)} == {"Sergei Ivanovsky"}


def test_model_name_around_a_gazetteer_alias_is_kept(nlp):
    # The ruler knows "Trump"; the model's longer "Melania Trump" is another person.
    [melania] = mentions(nlp, texts.LONGER_NAME_AROUND_ALIAS)
    assert (melania.text, melania.kind, melania.canonical) == (
        "Melania Trump",
        "PERSON",
        "Melania Trump",
    )


# --- spans --------------------------------------------------------------------------------


def test_titles_and_honorifics_stay_out_of_spans(nlp):
    found = mentions(nlp, texts.TITLES + " " + texts.PUTIN_FORMS + " " + texts.USHAKOV_SPELLINGS)
    people = [m.text for m in found if m.kind == "PERSON"]
    assert "Sergey Lavrov" in people
    assert "Recep Tayyip Erdogan" in people
    assert "Yury Ushakov" in people
    assert all(not is_title_word(word) for text in people for word in text.split())


def test_titles_alone_create_no_entity(nlp):
    # As if spaCy had tagged the titles themselves.
    doc = labelled(
        nlp,
        "The President and the Foreign Minister spoke, the aide said. Mr Tusk left.",
        [
            ("President", "PERSON"),
            ("Foreign Minister", "ORG"),
            ("the aide", "PERSON"),
            ("Mr", "PERSON"),
        ],
    )
    # No title is a mention; the name the model left out after "Mr" is the person's.
    assert [(m.text, m.kind) for m in entity_mentions(doc)] == [("Tusk", "PERSON")]
    assert not [m for m in mentions(nlp, texts.TITLES) if is_title(m.text)]


def test_title_inside_a_model_span_is_cut_off(nlp):
    doc = labelled(
        nlp,
        "Russian President Tamara Velichko and Mr. Oleg Brant met.",
        [("Russian President Tamara Velichko", "PERSON"), ("Mr. Oleg Brant", "PERSON")],
    )
    assert [m.text for m in entity_mentions(doc)] == ["Tamara Velichko", "Oleg Brant"]


def test_leading_the_and_possessive_stay_out_of_spans(nlp):
    doc = labelled(
        nlp,
        "They visited the Velichko Foundation\u2019s offices and the Brant Institute's library.",
        [("the Velichko Foundation\u2019s", "ORG"), ("the Brant Institute's", "ORG")],
    )
    assert [m.text for m in entity_mentions(doc)] == ["Velichko Foundation", "Brant Institute"]
    assert [m.text for m in mentions(nlp, texts.METONYMS) if m.kind == "ORG"] == ["Kremlin"] * 3


def test_fragments_of_one_name_become_one_person(nlp):
    doc = labelled(
        nlp,
        "The statement was read by Yury Ushakov on Wednesday.",
        [("Yury", "ORG"), ("Ushakov", "PERSON")],
    )
    [mention] = entity_mentions(doc)
    assert (mention.text, mention.kind, mention.canonical) == (
        "Yury Ushakov",
        "PERSON",
        "Yury Ushakov",
    )


def test_mentions_are_in_text_order_with_offsets_into_the_text(nlp):
    doc = nlp(texts.TITLES + "\n\n" + texts.METONYMS)
    found = entity_mentions(doc)
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(doc.text[m.start : m.end] == m.text for m in found)


def test_only_the_six_kinds_are_kept(nlp):
    # PUTIN_FORMS has a DATE (Thursday) and a TIME (three hours) for the model to find.
    found = mentions(nlp, texts.PUTIN_FORMS)
    assert {m.kind for m in found} <= {"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"}
    assert "Thursday" not in {m.text for m in found}


# --- the gazetteer's fixes of spaCy sm --------------------------------------------------


def test_kiev_and_kyiv_are_one_gpe(nlp):
    found = [m for m in mentions(nlp, texts.KYIV_SPELLINGS) if m.text in ("Kyiv", "Kiev")]
    assert [(m.text, m.kind, m.canonical) for m in found] == [
        ("Kyiv", "GPE", "Kyiv"),
        ("Kiev", "GPE", "Kyiv"),
    ]


def test_erdogan_is_a_person(nlp):
    found = [m for m in mentions(nlp, texts.ERDOGAN) if m.text == "Erdogan"]
    assert len(found) == 2
    assert {(m.kind, m.canonical) for m in found} == {("PERSON", "Recep Tayyip Erdoğan")}


def test_capitals_and_the_kremlin_are_found(nlp):
    found = {(m.text, m.kind, m.canonical) for m in mentions(nlp, texts.METONYMS)}
    assert {
        ("Moscow", "GPE", "Moscow"),
        ("Beijing", "GPE", "Beijing"),
        ("Kremlin", "ORG", "Kremlin"),
    } <= found


def test_acronyms_match_case_sensitively_and_longer_names_in_sentence_case(nlp):
    found = {m.text: m.canonical for m in mentions(nlp, texts.CASE)}
    assert found["UN"] == "United Nations"
    assert found["US"] == "United States"
    assert found["Russian foreign ministry"] == "Russian Foreign Ministry"
    assert "us" not in found


def test_canonical_for_looks_up_a_free_standing_name():
    assert canonical_for("Yuri Ushakov", "PERSON") == "Yury Ushakov"
    assert canonical_for("President Putin", "PERSON") == "Vladimir Putin"
    assert canonical_for("the Kremlin", "ORG") == "Kremlin"
    assert canonical_for("Kiev", "GPE") == "Kyiv"
    assert canonical_for("Erdogan", "GPE") == "Recep Tayyip Erdoğan"  # spaCy's wrong kind
    assert canonical_for("Tamara Velichko", "PERSON") is None


def test_title_words():
    assert is_title_word("President")
    assert is_title_word("Mr.")
    assert not is_title_word("Putin")
    assert is_title("Foreign Minister")
    assert is_title("the aide")
    assert not is_title("Foreign Ministry")


# --- the gazetteer file and the ruler ------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gazetteer.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bad_kind_is_a_clear_error(tmp_path):
    path = write(
        tmp_path,
        "- name: Vladimir Putin\n  kind: PERSON\n\n- name: Moscow\n  kind: CITY\n",
    )
    with pytest.raises(GazetteerError, match=r"entry 2 \(Moscow\): kind 'CITY' is not one of"):
        gazetteer.parse(path)


def test_missing_name_is_a_clear_error(tmp_path):
    path = write(tmp_path, "- name: Moscow\n  kind: GPE\n- kind: PERSON\n  aliases: [Putin]\n")
    with pytest.raises(GazetteerError, match=r"gazetteer.yaml, entry 2: missing name"):
        gazetteer.parse(path)


def test_alias_claimed_by_two_entries_of_one_kind_is_an_error(tmp_path):
    path = write(
        tmp_path,
        "- name: Wang Yi\n  kind: PERSON\n  aliases: [Wang]\n"
        "- name: Wang Wenbin\n  kind: PERSON\n  aliases: [wang]\n",
    )
    with pytest.raises(
        GazetteerError, match=r"entry 2 \(Wang Wenbin\): alias 'wang' is already claimed by entry 1"
    ):
        gazetteer.parse(path)


def test_one_alias_may_name_entries_of_different_kinds(tmp_path):
    path = write(
        tmp_path,
        "- name: Georgia\n  kind: GPE\n"
        "- name: Georgia Brant\n  kind: PERSON\n  aliases: [Georgia]\n",
    )
    assert len(gazetteer.parse(path).entries) == 2


def test_shipped_gazetteer_is_valid():
    entries = gazetteer.load().entries
    assert len(entries) > 300
    assert all(entry.description for entry in entries)


def test_ruler_is_idempotent(nlp):
    names = list(nlp.pipe_names)
    patterns = len(nlp.get_pipe(gazetteer.RULER_NAME))
    gazetteer.add_entity_ruler(nlp)
    assert nlp.pipe_names == names
    assert names.index(gazetteer.RULER_NAME) > names.index("ner")
    assert len(nlp.get_pipe(gazetteer.RULER_NAME)) == patterns


@Language.component("test_nlp_entities_must_not_run")
def _must_not_run(doc: Doc) -> Doc:
    raise AssertionError("building the ruler ran a pipeline component")


def test_ruler_is_built_with_the_tokenizer_alone():
    blank = spacy.blank("en")
    blank.add_pipe("test_nlp_entities_must_not_run")
    gazetteer.add_entity_ruler(blank)
    with blank.select_pipes(disable=["test_nlp_entities_must_not_run"]):
        doc = blank("Kiev and the Kremlin")
    assert [(e.text, e.label_, e.ent_id_) for e in doc.ents] == [
        ("Kiev", "GPE", "Kyiv"),
        ("Kremlin", "ORG", "Kremlin"),
    ]


# --- the seed articles --------------------------------------------------------------------


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed corpus is not at {SEEDS}")
def test_seed_actors_have_one_canonical_each_and_no_mention_is_a_title(nlp):
    found = []
    bodies = [process(p.read_bytes(), name=p.name).body for p in sorted(SEEDS.glob("*.txt"))]
    assert len(bodies) == 5
    for doc in nlp.pipe(bodies):
        found.extend(entity_mentions(doc))

    def canonicals(spellings: set[str]) -> set[str]:
        return {m.canonical for m in found if m.text in spellings}

    ushakov = {"Yury Ushakov", "Yuri Ushakov", "Ushakov"}
    assert {m.text for m in found} >= ushakov
    assert canonicals(ushakov) == {"Yury Ushakov"}
    assert canonicals({"Vladimir Putin", "Putin"}) == {"Vladimir Putin"}
    assert canonicals({"Xi Jinping", "Xi"}) == {"Xi Jinping"}
    assert [m.text for m in found if is_title(m.text) or is_title_word(m.text.split()[0])] == []


def test_a_surname_the_model_missed_is_a_mention_of_the_full_name(nlp):
    # spaCy sm tags "Tomas Okafor" GPE and misses the bare "Okafor"; the surname that
    # speaks makes both a person, one actor.
    text = (
        "Her counterpart, Tomas Okafor, said the talks would resume.\n\n"
        '"Nobody wins a drought," Okafor said.'
    )
    mentions = entity_mentions(nlp(text))
    okafor = [m for m in mentions if "Okafor" in m.text]
    assert [m.text for m in okafor] == ["Tomas Okafor", "Okafor"]
    assert {(m.kind, m.canonical) for m in okafor} == {("PERSON", "Tomas Okafor")}
