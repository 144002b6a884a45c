"""Stance suggestions from explicit stance language, one behaviour per test, on short texts
of our own. Plain Python: the extractor over spaCy, no database."""

import pytest

from articles.nlp import extract, model
from articles.nlp.results import StanceSpan


@pytest.fixture(scope="module")
def nlp():
    return model.load()


def stances_of(nlp, text: str) -> list[StanceSpan]:
    return extract.extract_doc(nlp(text)).stances


def triples(found: list[StanceSpan]) -> set[tuple[str, str, str]]:
    return {(s.holder, s.target or s.target_text, s.polarity) for s in found}


@pytest.mark.parametrize(
    ("sentence", "polarity"),
    [
        ("Senator Maria Lindqvist supports Governor Paul Adebayo.", "support"),
        ("Senator Maria Lindqvist backed Governor Paul Adebayo on Monday.", "support"),
        ("Senator Maria Lindqvist welcomed Governor Paul Adebayo.", "support"),
        ("Senator Maria Lindqvist condemned Governor Paul Adebayo.", "oppose"),
        ("Senator Maria Lindqvist opposes Governor Paul Adebayo.", "oppose"),
        ("Senator Maria Lindqvist criticised Governor Paul Adebayo.", "oppose"),
        ("Senator Maria Lindqvist accused Governor Paul Adebayo of lying.", "oppose"),
    ],
)
def test_a_stance_verb_between_two_actors_is_a_stance(nlp, sentence, polarity):
    found = stances_of(nlp, sentence)
    assert triples(found) == {("Maria Lindqvist", "Paul Adebayo", polarity)}
    only = found[0]
    assert sentence[only.start : only.end] == sentence.strip()
    assert sentence[only.holder_start : only.holder_end] == "Maria Lindqvist"


def test_expressed_support_for_names_the_subject_as_holder(nlp):
    text = "Maria Lindqvist expressed support for Paul Adebayo at the rally."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_a_possessive_stance_noun_is_its_owners_stance(nlp):
    text = "Maria Lindqvist's support for Paul Adebayo surprised the party."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_a_target_that_is_not_an_actor_is_kept_as_a_topic(nlp):
    found = stances_of(nlp, "Maria Lindqvist rejected the fishing quota.")
    assert [(s.holder, s.target, s.target_text, s.polarity) for s in found] == [
        ("Maria Lindqvist", None, "fishing quota", "oppose")
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "Maria Lindqvist did not support Paul Adebayo.",
        "Maria Lindqvist never backed Paul Adebayo.",
        "Maria Lindqvist refused to endorse Paul Adebayo.",
        "Maria Lindqvist would oppose Paul Adebayo if he ran again.",
        "If Maria Lindqvist backs Paul Adebayo, the vote is over.",
        "Will Maria Lindqvist support Paul Adebayo?",
        "Maria Lindqvist urged voters to reject Paul Adebayo.",
        "There is a good reason for Maria Lindqvist to back Paul Adebayo.",
    ],
)
def test_negated_hedged_or_asked_stance_language_yields_no_stance(nlp, sentence):
    assert stances_of(nlp, sentence) == []


def test_an_unnamed_holder_yields_no_stance(nlp):
    assert stances_of(nlp, "Several officials condemned Paul Adebayo on Friday.") == []


def test_a_physical_attack_is_not_a_stance(nlp):
    text = "The militia attacked Kismayo on Friday and the army backed down."
    assert stances_of(nlp, text) == []


def test_a_pronoun_holder_takes_the_only_person_named_before_it(nlp):
    text = "Maria Lindqvist spoke in Oslo on Tuesday. She condemned Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_a_pronoun_holder_is_left_alone_when_two_people_could_be_meant(nlp):
    text = "Maria Lindqvist met Karin Holm in Oslo on Tuesday. She condemned Paul Adebayo."
    assert stances_of(nlp, text) == []


def test_a_pronoun_in_reported_speech_is_the_speaker(nlp):
    text = "Maria Lindqvist said she supports Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_a_passive_stance_takes_the_agent_as_holder(nlp):
    text = "Paul Adebayo was criticised by Maria Lindqvist."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_conjoined_holders_each_hold_the_stance(nlp):
    text = "Maria Lindqvist and Karin Holm endorsed Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {
        ("Maria Lindqvist", "Paul Adebayo", "support"),
        ("Karin Holm", "Paul Adebayo", "support"),
    }


def test_a_title_case_headline_gives_its_stance(nlp):
    text = "Senator Maria Lindqvist Finally Endorses Governor Paul Adebayo\n\nThe vote is Monday."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_winning_the_endorsement_of_an_actor_is_that_actors_support(nlp):
    text = "Paul Adebayo won the endorsement of the Harbour Workers Union on Monday."
    found = stances_of(nlp, text)
    assert [(s.holder, s.target, s.polarity) for s in found] == [
        ("Harbour Workers Union", "Paul Adebayo", "support")
    ]


def test_a_participle_clause_takes_the_subject_of_its_sentence(nlp):
    text = "Maria Lindqvist spoke for an hour, accusing Paul Adebayo of cowardice."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_an_apposition_naming_an_ally_is_a_stance(nlp):
    text = "Paul Adebayo, the governor and a close ally of Maria Lindqvist, arrived late."
    assert triples(stances_of(nlp, text)) == {("Paul Adebayo", "Maria Lindqvist", "support")}


def test_dismissing_a_person_is_not_a_stance_but_dismissing_a_report_is(nlp):
    assert stances_of(nlp, "Maria Lindqvist dismissed Paul Adebayo in March.") == []
    found = stances_of(nlp, "Maria Lindqvist dismissed the audit report.")
    assert [(s.holder, s.target_text, s.polarity) for s in found] == [
        ("Maria Lindqvist", "audit report", "oppose")
    ]


def test_she_is_not_resolved_to_a_man_the_article_calls_mr(nlp):
    text = (
        "Mr. Paul Adebayo met Ms. Maria Lindqvist in Oslo on Tuesday. "
        "She condemned the fishing quota."
    )
    found = stances_of(nlp, text)
    assert [(s.holder, s.target_text) for s in found] == [("Maria Lindqvist", "fishing quota")]


# --- second round: rules from the development set's misses (text of our own) -----------


@pytest.mark.parametrize(
    "sentence",
    [
        "Maria Lindqvist slammed the proposal as reckless.",
        "Maria Lindqvist attacked the plan on Tuesday.",
    ],
)
def test_an_ambiguous_verb_on_a_stance_topic_is_a_stance(nlp, sentence):
    found = stances_of(nlp, sentence)
    assert [(s.holder, s.polarity) for s in found] == [("Maria Lindqvist", "oppose")]
    assert found[0].target is None
    assert found[0].target_text.split()[-1] in ("proposal", "plan")


def test_an_ambiguous_verb_on_a_thing_that_is_no_stance_topic_stays_silent(nlp):
    assert stances_of(nlp, "Maria Lindqvist attacked the wall with a hammer.") == []


def test_a_stated_reason_makes_an_ambiguous_verb_a_stance_even_for_a_group(nlp):
    found = stances_of(nlp, "Democrats blasted Paul Adebayo for his silence.")
    assert triples(found) == {("Democrats", "Paul Adebayo", "oppose")}


@pytest.mark.parametrize(
    ("sentence", "polarity"),
    [
        ("Maria Lindqvist called Paul Adebayo a liar.", "oppose"),
        ("Maria Lindqvist called Paul Adebayo a dangerous demagogue.", "oppose"),
        ("Maria Lindqvist called Paul Adebayo a true friend.", "support"),
    ],
)
def test_the_name_one_actor_calls_another_says_the_stance(nlp, sentence, polarity):
    assert triples(stances_of(nlp, sentence)) == {("Maria Lindqvist", "Paul Adebayo", polarity)}


@pytest.mark.parametrize(
    "sentence",
    [
        "Maria Lindqvist called Paul Adebayo a lawyer.",
        "Maria Lindqvist did not call Paul Adebayo a liar.",
        "Maria Lindqvist called Paul Adebayo on Sunday.",
    ],
)
def test_calling_without_a_judging_name_or_negated_is_no_stance(nlp, sentence):
    assert stances_of(nlp, sentence) == []


def test_a_pronoun_target_is_the_one_other_person_named_just_before(nlp):
    text = "Paul Adebayo is running for mayor. The Harbour Workers Union endorsed him on Monday."
    found = stances_of(nlp, text)
    assert [(s.holder, s.target, s.polarity) for s in found] == [
        ("Harbour Workers Union", "Paul Adebayo", "support")
    ]


def test_a_pronoun_target_with_two_candidates_yields_no_stance(nlp):
    text = (
        "Paul Adebayo and Samuel Okonkwo are running for mayor. "
        "The Harbour Workers Union endorsed him on Monday."
    )
    assert stances_of(nlp, text) == []


def test_a_relative_clause_on_an_apposition_is_held_by_the_names(nlp):
    text = (
        "Its biggest donors include Maria Lindqvist and Tom Berg, two bankers who are "
        "backing Paul Adebayo."
    )
    assert triples(stances_of(nlp, text)) == {
        ("Maria Lindqvist", "Paul Adebayo", "support"),
        ("Tom Berg", "Paul Adebayo", "support"),
    }


def test_the_named_members_of_an_unnamed_group_hold_its_stance(nlp):
    text = "Paul Adebayo was criticized by conservatives like Senator Maria Lindqvist."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


@pytest.mark.parametrize(
    "sentence",
    [
        "Maria Lindqvist, one of Paul Adebayo's most loyal supporters, spoke first.",
        "Maria Lindqvist is one of the fiercest critics of Paul Adebayo.",
    ],
)
def test_one_of_the_supporters_or_critics_of_an_actor_holds_the_stance(nlp, sentence):
    polarity = "support" if "supporters" in sentence else "oppose"
    assert triples(stances_of(nlp, sentence)) == {("Maria Lindqvist", "Paul Adebayo", polarity)}


def test_a_topic_keeps_its_short_participle_clause(nlp):
    found = stances_of(nlp, "Maria Lindqvist opposes a measure authorizing new fishing quotas.")
    assert [(s.holder, s.target_text, s.polarity) for s in found] == [
        ("Maria Lindqvist", "measure authorizing new fishing quotas", "oppose")
    ]


def test_a_topic_too_long_for_a_target_falls_back_to_its_head(nlp):
    text = (
        "Maria Lindqvist supports the idea of harbour workers and fishermen having a "
        "guaranteed seat on the port board for the next ten years."
    )
    found = stances_of(nlp, text)
    assert [(s.holder, s.target_text, s.polarity) for s in found] == [
        ("Maria Lindqvist", "idea", "support")
    ]


def test_backing_someone_up_is_support(nlp):
    text = "Paul Adebayo spoke first. Maria Lindqvist backed him up in an interview."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_a_pronoun_object_with_nothing_to_stand_for_is_no_topic(nlp):
    text = "Maria Lindqvist disliked such groups, but she endorsed one in July."
    assert [s for s in stances_of(nlp, text) if s.polarity == "support"] == []


def test_a_possessive_in_the_reason_belongs_to_the_verbs_object(nlp):
    text = "Maria Lindqvist attacked Paul Adebayo for his support of the harbour tax."
    found = triples(stances_of(nlp, text))
    assert ("Maria Lindqvist", "Paul Adebayo", "oppose") in found
    assert ("Paul Adebayo", "harbour tax", "support") in found


def test_campaigning_for_an_election_is_no_stance_on_it(nlp):
    text = "Maria Lindqvist is campaigning for the November elections in the north."
    assert stances_of(nlp, text) == []


def test_spending_money_to_back_someone_is_support(nlp):
    text = "The Harbour Workers Union spent $40,000 to back Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Harbour Workers Union", "Paul Adebayo", "support")}


def test_a_message_put_out_speaks_for_its_author(nlp):
    text = "Maria Lindqvist issued a statement condemning Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


@pytest.mark.parametrize(
    "first",
    [
        "Maria Lindqvist and Tom Berg met the mayor on Monday.",
        "Critics like Maria Lindqvist and Tom Berg met the mayor on Monday.",
    ],
)
def test_they_after_two_joined_names_is_both_of_them(nlp, first):
    found = triples(stances_of(nlp, first + " They later condemned Paul Adebayo."))
    assert found == {
        ("Maria Lindqvist", "Paul Adebayo", "oppose"),
        ("Tom Berg", "Paul Adebayo", "oppose"),
    }


def test_they_after_a_single_name_or_a_group_is_nobody(nlp):
    for first in (
        "Maria Lindqvist met the mayor on Monday.",
        "Several senators met the mayor on Monday.",
    ):
        assert stances_of(nlp, first + " They later condemned Paul Adebayo.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Maria Lindqvist was praised even after she criticized Paul Adebayo.",
        "After Maria Lindqvist criticized Paul Adebayo, the crowd cheered.",
        "The hall went quiet because Maria Lindqvist criticized Paul Adebayo.",
        "The crowd grew louder as Maria Lindqvist, the mayor's sister, attacked Paul Adebayo "
        "for his remarks.",
    ],
)
def test_a_temporal_or_causal_clause_states_its_stance(nlp, text):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


@pytest.mark.parametrize(
    "text",
    [
        "If Maria Lindqvist criticized Paul Adebayo, the crowd would cheer.",
        "Unless Maria Lindqvist criticizes Paul Adebayo, nothing will change.",
    ],
)
def test_a_conditional_clause_still_states_no_stance(nlp, text):
    assert stances_of(nlp, text) == []


@pytest.mark.parametrize(
    "text",
    [
        '"I oppose the harbour tax," Maria Lindqvist said on Tuesday.',
        "Maria Lindqvist: I oppose the harbour tax.",
    ],
)
def test_first_person_in_a_quote_is_its_named_speaker(nlp, text):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour tax", "oppose")}


def test_first_person_with_no_named_speaker_is_nobody(nlp):
    assert stances_of(nlp, '"I oppose the harbour tax," one resident said.') == []


def test_charging_someone_with_an_offence_opposes_them(nlp):
    text = "The Rotterdam Institute issued a report charging the Harbour Authority with fraud."
    assert triples(stances_of(nlp, text)) == {
        ("Rotterdam Institute", "Harbour Authority", "oppose")
    }


def test_charging_someone_money_is_no_stance(nlp):
    assert stances_of(nlp, "The company charged Paul Adebayo $1,800 for the boxes.") == []


def test_a_report_speaks_for_its_owner(nlp):
    text = "A Reuters report accused the Harbour Authority of hiding losses."
    assert triples(stances_of(nlp, text)) == {("Reuters", "Harbour Authority", "oppose")}


def test_blaming_causes_is_no_stance_but_blaming_an_actor_is(nlp):
    assert stances_of(nlp, "Maria Lindqvist blamed several factors, including the rain.") == []
    text = "Maria Lindqvist blamed Paul Adebayo for the delays."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_it_is_the_topic_the_same_holder_took_a_stance_on_before(nlp):
    text = (
        "Maria Lindqvist, who had praised the harbour treaty as minister, "
        "opposed it as a candidate."
    )
    assert triples(stances_of(nlp, text)) == {
        ("Maria Lindqvist", "harbour treaty", "support"),
        ("Maria Lindqvist", "harbour treaty", "oppose"),
    }


def test_it_with_nothing_before_is_no_topic(nlp):
    assert stances_of(nlp, "Maria Lindqvist opposed it on Monday.") == []


def test_conjoined_targets_are_one_stance_each(nlp):
    text = "Maria Lindqvist lambasted Paul Adebayo and Tomas Reyes for the delays."
    assert triples(stances_of(nlp, text)) == {
        ("Maria Lindqvist", "Paul Adebayo", "oppose"),
        ("Maria Lindqvist", "Tomas Reyes", "oppose"),
    }


@pytest.mark.parametrize(
    ("text", "target", "polarity"),
    [
        (
            "Maria Lindqvist went on to attack Paul Adebayo over the delays.",
            "Paul Adebayo",
            "oppose",
        ),
        ("Maria Lindqvist came out against the harbour tax on Monday.", "harbour tax", "oppose"),
        ("Maria Lindqvist spoke out against the harbour tax on Monday.", "harbour tax", "oppose"),
        ("The Farmers Union threw its support behind Paul Adebayo.", "Paul Adebayo", "support"),
    ],
)
def test_phrasal_stance_verbs(nlp, text, target, polarity):
    found = triples(stances_of(nlp, text))
    assert len(found) == 1
    ((holder, got_target, got_polarity),) = found
    assert (got_target, got_polarity) == (target, polarity)
    assert holder in text


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Maria Lindqvist called on Paul Adebayo to resign.", "Paul Adebayo"),
        ("Maria Lindqvist urged Paul Adebayo to step down.", "Paul Adebayo"),
        ("Maria Lindqvist has called for the repeal of the harbour tax.", "harbour tax"),
    ],
)
def test_asking_for_an_end_opposes_what_would_end(nlp, text, target):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", target, "oppose")}


def test_asking_someone_to_stay_is_no_stance(nlp):
    assert stances_of(nlp, "Maria Lindqvist urged Paul Adebayo to stay on.") == []


def test_one_of_a_group_of_supporters_is_a_supporter(nlp):
    text = "Maria Lindqvist is one of a clutch of celebrity supporters of Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


# --- fourth round: general polarity and structural patterns -------------------------------


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        # verbs outside the hand lexicon, signed by VADER's valence
        ("Maria Lindqvist scorned Paul Adebayo at the hearing.", "oppose"),
        ("Maria Lindqvist belittled Paul Adebayo on Tuesday.", "oppose"),
        ("Maria Lindqvist admires Paul Adebayo.", "support"),
        ("Maria Lindqvist has repeatedly belittled Paul Adebayo.", "oppose"),
        ("Paul Adebayo was scorned by Maria Lindqvist.", "oppose"),
    ],
)
def test_a_strongly_valenced_verb_between_actors_is_a_stance(nlp, text, polarity):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", polarity)}


@pytest.mark.parametrize(
    "text",
    [
        "Maria Lindqvist defeated Paul Adebayo in the primary.",  # a contest
        "Maria Lindqvist bested Paul Adebayo by ten points.",
        "Maria Lindqvist helped Paul Adebayo with the paperwork.",  # help, not a side
        "Maria Lindqvist fired Paul Adebayo last week.",  # an act of office
        "Maria Lindqvist upset Paul Adebayo with her remarks.",  # a feeling caused
        "Maria Lindqvist did not scorn Paul Adebayo.",  # negated
    ],
)
def test_valenced_verbs_that_say_what_happened_are_no_stance(nlp, text):
    assert stances_of(nlp, text) == []


def test_a_valenced_verb_on_something_that_is_no_stance_topic_is_none(nlp):
    assert stances_of(nlp, "Maria Lindqvist scorned the weather in Oslo.") == []


@pytest.mark.parametrize(
    ("text", "holder", "target", "polarity"),
    [
        (
            "The panel heard longtime Adebayo critic Maria Lindqvist.",
            "Maria Lindqvist",
            "Adebayo",
            "oppose",
        ),
        (
            "Maria Lindqvist, a Paul Adebayo ally, spoke first.",
            "Maria Lindqvist",
            "Paul Adebayo",
            "support",
        ),
        (
            "Maria Lindqvist is a longtime Paul Adebayo supporter.",
            "Maria Lindqvist",
            "Paul Adebayo",
            "support",
        ),
        (
            "The show booked a billionaire and Adebayo critic Maria Lindqvist.",
            "Maria Lindqvist",
            "Adebayo",
            "oppose",
        ),
    ],
)
def test_a_stance_noun_before_a_name_is_that_persons_title(nlp, text, holder, target, polarity):
    assert triples(stances_of(nlp, text)) == {(holder, target, polarity)}


def test_a_party_word_before_a_stance_noun_is_the_holders_side_not_a_target(nlp):
    assert stances_of(nlp, "Republican supporter Maria Lindqvist spoke first.") == []


def test_a_former_critic_is_no_stance(nlp):
    assert stances_of(nlp, "Former Adebayo critic Maria Lindqvist spoke first.") == []


def test_the_named_members_of_a_stance_nouns_group_hold_it(nlp):
    text = "Greenpeace's biggest backers include Maria Lindqvist and Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {
        ("Maria Lindqvist", "Greenpeace", "support"),
        ("Paul Adebayo", "Greenpeace", "support"),
    }


def test_early_supporters_such_as_named_people_hold_the_stance(nlp):
    text = "Early supporters of the harbour bill, such as Maria Lindqvist, now want changes."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour bill", "support")}


def test_an_agent_noun_after_another_noun_shares_its_of_phrase(nlp):
    text = "Maria Lindqvist, the former mayor and ally of Paul Adebayo, spoke first."
    assert ("Maria Lindqvist", "Paul Adebayo", "support") in triples(stances_of(nlp, text))


@pytest.mark.parametrize(
    "text",
    [
        "The Oslo City Council voted to condemn Paul Adebayo's decision.",
        "The Oslo City Council approved a resolution condemning Paul Adebayo's decision.",
    ],
)
def test_a_body_takes_a_stance_by_vote_or_resolution(nlp, text):
    found = stances_of(nlp, text)
    assert {(s.holder, s.target, s.polarity) for s in found} == {
        ("Oslo City Council", "Paul Adebayo", "oppose")
    }


def test_a_lawyer_for_an_actor_speaks_for_the_actor(nlp):
    found = stances_of(nlp, "Attorneys for Maria Lindqvist opposed the harbour motion.")
    assert triples(found) == {("Maria Lindqvist", "harbour motion", "oppose")}


def test_the_reason_for_praise_is_what_the_praised_did(nlp):
    text = "Maria Lindqvist praised Paul Adebayo for opposing the harbour tax."
    assert triples(stances_of(nlp, text)) == {
        ("Maria Lindqvist", "Paul Adebayo", "support"),
        ("Paul Adebayo", "harbour tax", "oppose"),
    }


def test_a_reason_hung_on_the_last_object_is_every_objects(nlp):
    text = (
        "The editorial went on to ridicule Maria Lindqvist, Paul Adebayo and Ingrid Solberg "
        "for criticizing Olaf Berg's harbour plan."
    )
    holders = {h for h, t, p in triples(stances_of(nlp, text)) if p == "oppose"}
    assert {"Maria Lindqvist", "Paul Adebayo"} <= holders


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ('"Paul Adebayo is a disgrace," Maria Lindqvist said.', "oppose"),
        ("Maria Lindqvist said Paul Adebayo is a menace to the town.", "oppose"),
        ("Maria Lindqvist said that Paul Adebayo was a true friend of the harbour.", "support"),
    ],
)
def test_a_speakers_verdict_on_an_actor_is_a_stance(nlp, text, polarity):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", polarity)}


@pytest.mark.parametrize(
    "text",
    [
        "Maria Lindqvist said Paul Adebayo was a victim of the storm.",
        "Maria Lindqvist said Paul Adebayo was not a disgrace.",
        "Maria Lindqvist said Paul Adebayo might be a menace.",
        "Maria Lindqvist said Paul Adebayo was sad about the result.",
    ],
)
def test_what_befell_someone_or_a_hedged_verdict_is_no_stance(nlp, text):
    assert stances_of(nlp, text) == []


def test_a_valenced_calling_name_outside_the_list_is_a_stance(nlp):
    text = "Maria Lindqvist called the harbour plan pathetic."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour plan", "oppose")}


def test_an_accusation_that_names_the_accused_by_its_subject(nlp):
    text = "Maria Lindqvist's accusation that Paul Adebayo lied angered the council."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


@pytest.mark.parametrize(
    ("text", "polarity"),
    [
        ("Maria Lindqvist agreed with Paul Adebayo on the budget.", "support"),
        ("Maria Lindqvist disagrees with Paul Adebayo on the budget.", "oppose"),
        ("Maria Lindqvist campaigned on behalf of Paul Adebayo in May.", "support"),
        ("Maria Lindqvist broke with Paul Adebayo over the budget.", "oppose"),
    ],
)
def test_stance_verbs_with_their_preposition(nlp, text, polarity):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", polarity)}


def test_standing_behind_someone_is_a_place_not_a_stance(nlp):
    assert stances_of(nlp, "Maria Lindqvist stood behind Paul Adebayo on the stage.") == []


def test_a_strongly_negative_noun_aimed_at_an_actor_is_its_owners_stance(nlp):
    text = "Maria Lindqvist's hostility toward Paul Adebayo is well known in Oslo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


@pytest.mark.parametrize(
    "text",
    [
        "Maria Lindqvist's battle against Paul Adebayo for the nomination went on.",  # a contest
        "Maria Lindqvist's loss of the harbour plan vote hurt her.",  # "of" aims nothing
    ],
)
def test_negative_nouns_of_contest_or_misfortune_are_no_stance(nlp, text):
    assert stances_of(nlp, text) == []


@pytest.mark.parametrize(
    ("text", "target", "polarity"),
    [
        ("Maria Lindqvist has been highly critical of Paul Adebayo.", "Paul Adebayo", "oppose"),
        ("Maria Lindqvist is opposed to the harbour tax.", "harbour tax", "oppose"),
        ("Maria Lindqvist, who is supportive of Paul Adebayo, spoke.", "Paul Adebayo", "support"),
        ("Maria Lindqvist remains skeptical of the harbour plan.", "harbour plan", "oppose"),
    ],
)
def test_a_stance_adjective_after_a_copula_is_the_subjects_stance(nlp, text, target, polarity):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", target, polarity)}


@pytest.mark.parametrize(
    "text",
    [
        "Maria Lindqvist is not critical of Paul Adebayo.",
        "Maria Lindqvist, whose newspaper is friendly to Paul Adebayo, spoke.",
    ],
)
def test_a_negated_adjective_or_one_said_of_someone_elses_paper_is_no_stance(nlp, text):
    assert stances_of(nlp, text) == []


# --- round five: pronouns resolved further back, and structures read in more places ---


def test_a_subject_pronoun_takes_the_one_person_of_the_nearest_sentence_naming_any(nlp):
    text = (
        "Senator Maria Lindqvist arrived in Oslo on Monday. The harbour was busy. "
        "She condemned Paul Adebayo."
    )
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_a_subject_pronoun_is_left_alone_when_the_nearest_sentence_names_two_people(nlp):
    text = (
        "Maria Lindqvist met Karin Holm in Oslo. The harbour was busy. She condemned Paul Adebayo."
    )
    assert stances_of(nlp, text) == []


def test_a_pronoun_of_the_other_gender_skips_a_person_the_article_calls_she(nlp):
    text = (
        "Maria Lindqvist said she was tired. The harbour was busy. "
        "Tomas Berg spoke in Oslo. The weather was cold. He condemned Paul Adebayo."
    )
    assert triples(stances_of(nlp, text)) == {("Tomas Berg", "Paul Adebayo", "oppose")}


def test_a_pronoun_in_a_clause_before_the_main_clause_is_its_subject(nlp):
    text = "Ever since she endorsed Paul Adebayo, Maria Lindqvist has been busy."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_refraining_from_a_stance_is_no_stance(nlp):
    assert stances_of(nlp, "Maria Lindqvist has refrained from endorsing Paul Adebayo.") == []


@pytest.mark.parametrize(
    ("text", "target", "polarity"),
    [
        ("Maria Lindqvist voted in support of the harbour bill.", "harbour bill", "support"),
        ("Maria Lindqvist spoke in opposition to the harbour bill.", "harbour bill", "oppose"),
    ],
)
def test_in_support_of_and_in_opposition_to_after_a_verb_are_stances(nlp, text, target, polarity):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", target, polarity)}


def test_blaming_with_a_reason_aims_at_a_topic_too(nlp):
    text = "Maria Lindqvist blamed the national press for its coverage of the strike."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "national press", "oppose")}


def test_blaming_without_a_reason_still_needs_an_actor(nlp):
    assert stances_of(nlp, "Maria Lindqvist blamed several factors.") == []


@pytest.mark.parametrize(
    "text",
    [
        "Paul Adebayo drew praise from Maria Lindqvist for the harbour deal.",
        "Paul Adebayo won strong support from Maria Lindqvist.",
    ],
)
def test_praise_or_support_received_from_someone_is_their_stance(nlp, text):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "support")}


def test_a_stance_on_the_efforts_of_someone_is_on_them(nlp):
    text = "Maria Lindqvist praised the efforts by Paul Adebayo to end the strike."
    assert {(s.holder, s.target, s.polarity) for s in stances_of(nlp, text)} == {
        ("Maria Lindqvist", "Paul Adebayo", "support")
    }


def test_the_killing_of_someone_is_no_stance_on_them(nlp):
    text = "Maria Lindqvist condemned the killing of Paul Adebayo."
    assert {s.target for s in stances_of(nlp, text)} == {None}


def test_a_stance_verb_with_only_a_preposition_takes_its_object(nlp):
    text = "Maria Lindqvist came to Oslo and ripped into Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_a_push_for_something_supports_it(nlp):
    text = "Maria Lindqvist's push for a harbour tax won few votes."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour tax", "support")}


def test_a_stance_on_a_relative_pronoun_is_on_its_antecedent(nlp):
    text = "The council funds the harbour programs that Maria Lindqvist supports."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour programs", "support")}


def test_an_i_in_a_quote_is_the_resolved_pronoun_speaker(nlp):
    text = 'Maria Lindqvist spoke in Oslo on Monday. "I oppose the harbour tax," she said.'
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour tax", "oppose")}


def test_a_verb_misread_as_an_adjective_after_has_is_still_the_subjects_stance(nlp):
    # the parser reads "assailed" as an adjective of "policies"
    text = "Karin Holm, who has assailed policies of the Adebayo government, spoke."
    found = stances_of(nlp, text)
    assert triples(found) == {("Karin Holm", "policies of the Adebayo government", "oppose")}
    assert found[0].cue == "assailed"


def test_a_stance_on_nothing_is_no_stance(nlp):
    assert stances_of(nlp, "The Lindqvist campaign has endorsed none of this.") == []


def test_a_subject_pronoun_two_people_later_is_the_person_who_spoke_last(nlp):
    text = (
        '"The harbour plan is finished," Tomas Berg said on Monday. '
        "Berg later thanked Karin Holm for her help. He condemned the harbour tax."
    )
    assert triples(stances_of(nlp, text)) == {("Tomas Berg", "harbour tax", "oppose")}


def test_the_last_speaker_is_not_a_pronoun_after_someone_else_became_the_subject(nlp):
    text = (
        '"The harbour plan is finished," Tomas Berg said on Monday. '
        "Paul Adebayo arrived later with Karin Holm. He condemned the harbour tax."
    )
    assert stances_of(nlp, text) == []


def test_protesting_something_opposes_it(nlp):
    text = "Maria Lindqvist protested the harbour tax outside the town hall."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour tax", "oppose")}


def test_a_possessive_is_its_clause_subjects_person(nlp):
    text = "Paul Adebayo spoke in Oslo. Tomas Berg told reporters his support for Adebayo held."
    assert triples(stances_of(nlp, text)) == {("Tomas Berg", "Paul Adebayo", "support")}


def test_a_possessive_after_a_subject_pronoun_is_whoever_the_pronoun_is(nlp):
    text = (
        "Tomas Berg arrived in Oslo. He has shrugged off attacks from Karin Holm, "
        "and has been mild in his critiques of Paul Adebayo."
    )
    found = {(s.holder, s.target, s.polarity) for s in stances_of(nlp, text)}
    assert ("Tomas Berg", "Paul Adebayo", "oppose") in found
    assert ("Karin Holm", "Paul Adebayo", "oppose") not in found


@pytest.mark.parametrize(
    "text",
    [
        "The Lindqvist campaign ran new ads against Paul Adebayo in Oslo.",
        "Maria Lindqvist spent a fortune on ads against Paul Adebayo.",
    ],
)
def test_whoever_puts_out_ads_against_someone_opposes_them(nlp, text):
    assert {(s.target, s.polarity) for s in stances_of(nlp, text)} == {("Paul Adebayo", "oppose")}


def test_ads_that_only_might_run_are_no_stance(nlp):
    assert stances_of(nlp, "Maria Lindqvist might run ads against Paul Adebayo.") == []


def test_me_and_i_in_a_quote_attributed_by_name_are_its_speaker(nlp):
    text = (
        '"Paul Adebayo is spending a fortune on ads against me. '
        'And I like Karin Holm," Maria Lindqvist said on Monday.'
    )
    found = triples(stances_of(nlp, text))
    assert ("Paul Adebayo", "Maria Lindqvist", "oppose") in found
    assert ("Maria Lindqvist", "Karin Holm", "support") in found


@pytest.mark.parametrize(
    "text",
    [
        "The mayor of Bergen, Maria Lindqvist, decided to back Paul Adebayo.",
        "The founder of the party, Maria Lindqvist, condemned Paul Adebayo.",
    ],
)
def test_a_title_subject_is_the_name_in_apposition_to_it(nlp, text):
    assert ("Maria Lindqvist", "Paul Adebayo") in {
        (s.holder, s.target) for s in stances_of(nlp, text)
    }


@pytest.mark.parametrize(
    "text",
    [
        "An officer from Greenpeace accused Paul Adebayo of fraud.",
        "The board of Greenpeace condemned Paul Adebayo on Monday.",
        "Greenpeace's executive director condemned Paul Adebayo.",
    ],
)
def test_an_officer_of_an_organisation_speaks_for_it(nlp, text):
    assert triples(stances_of(nlp, text)) == {("Greenpeace", "Paul Adebayo", "oppose")}


def test_a_customer_of_an_organisation_does_not_speak_for_it(nlp):
    assert stances_of(nlp, "A customer of Greenpeace condemned Paul Adebayo.") == []


def test_criticism_from_someone_that_a_subject_rejects_is_aimed_at_the_subject(nlp):
    found = triples(stances_of(nlp, "Paul Adebayo rejected criticism from Maria Lindqvist."))
    assert ("Maria Lindqvist", "Paul Adebayo", "oppose") in found


def test_criticism_with_its_own_content_is_not_aimed_at_who_rejects_it(nlp):
    text = "Paul Adebayo rejected criticism from Maria Lindqvist that the plan would fail."
    assert ("Maria Lindqvist", "Paul Adebayo", "oppose") not in triples(stances_of(nlp, text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The anti-immigrant senator Paul Adebayo spoke in Bergen.",
            ("Paul Adebayo", "immigrant", "oppose"),
        ),
        (
            "Greenpeace, a pro-environment group, spoke in Bergen.",
            ("Greenpeace", "environment", "support"),
        ),
        ("Anti-war Democrats met in Bergen.", ("Democrats", "war", "oppose")),
        (
            "The Lindqvist-supporting Sierra Club held a rally.",
            ("Sierra Club", "Lindqvist", "support"),
        ),
    ],
)
def test_an_anti_or_pro_modifier_is_the_stance_of_the_actor_it_describes(nlp, text, expected):
    assert triples(stances_of(nlp, text)) == {expected}


@pytest.mark.parametrize(
    "text",
    [
        "The Anti-Pollution League met Paul Adebayo.",
        "Paul Adebayo is not an anti-war senator.",
        "The anti-aircraft guns were moved.",
    ],
)
def test_a_prefix_in_a_name_negated_or_on_no_actor_is_no_stance(nlp, text):
    assert stances_of(nlp, text) == []


def test_a_topic_target_keeps_its_relative_clause_when_short(nlp):
    found = stances_of(nlp, "Paul Adebayo dismissed critics who called his remarks sexist.")
    assert triples(found) == {("Paul Adebayo", "critics who called his remarks sexist", "oppose")}


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("Maria Lindqvist hit back at Paul Adebayo on Monday.", "Paul Adebayo"),
        ("Maria Lindqvist lashed out at the harbour plan.", "harbour plan"),
    ],
)
def test_a_verb_turned_back_or_out_at_someone_opposes_them(nlp, text, target):
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", target, "oppose")}


def test_a_verb_out_at_a_time_is_no_stance(nlp):
    assert stances_of(nlp, "Maria Lindqvist went out at noon.") == []


def test_a_named_group_and_the_members_it_includes_hold_its_stance(nlp):
    text = "Democrats -- including Maria Lindqvist -- quickly accused Paul Adebayo of lying."
    assert triples(stances_of(nlp, text)) == {
        ("Democrats", "Paul Adebayo", "oppose"),
        ("Maria Lindqvist", "Paul Adebayo", "oppose"),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The harbour bill, backed by Greenpeace, passed on Monday.",
            ("Greenpeace", "harbour bill", "support"),
        ),
        (
            "Paul Adebayo, endorsed by the Sierra Club, won the seat.",
            ("Sierra Club", "Paul Adebayo", "support"),
        ),
        ("The Greenpeace-backed harbour bill passed.", ("Greenpeace", "harbour bill", "support")),
    ],
)
def test_a_participle_by_an_actor_is_that_actors_stance_on_the_noun(nlp, text, expected):
    assert triples(stances_of(nlp, text)) == {expected}


def test_a_participle_by_a_country_on_a_group_that_is_no_stance_topic_stays_silent(nlp):
    assert stances_of(nlp, "The Swedish-backed rebels took the town.") == []


def test_the_named_members_of_an_antecedent_hold_its_relative_clauses_stance(nlp):
    text = "Several senators who oppose the harbour bill, like Maria Lindqvist, spoke."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "harbour bill", "oppose")}


def test_a_relative_clause_of_a_message_still_speaks_for_its_author(nlp):
    text = "Paul Adebayo has released a video that accuses Maria Lindqvist of lying."
    assert triples(stances_of(nlp, text)) == {("Paul Adebayo", "Maria Lindqvist", "oppose")}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Greenpeace held a rally in opposition to the harbour bill.",
            ("Greenpeace", "harbour bill", "oppose"),
        ),
        (
            "Paul Adebayo testified in favor of the harbour bill.",
            ("Paul Adebayo", "harbour bill", "support"),
        ),
    ],
)
def test_in_favor_of_or_in_opposition_to_is_the_stance_of_who_did_it(nlp, text, expected):
    assert triples(stances_of(nlp, text)) == {expected}


@pytest.mark.parametrize(
    "text",
    [
        "Paul Adebayo did not testify in favor of the harbour bill.",
        "Maria Lindqvist called her vote in favor of the harbour bill a mistake.",
    ],
)
def test_in_favor_of_negated_or_on_a_possessed_act_is_no_stance_of_the_subject(nlp, text):
    assert stances_of(nlp, text) == []


def test_the_title_alone_is_the_one_person_named_with_it_before(nlp):
    text = "Senator Maria Lindqvist spoke in Oslo on Monday. The senator condemned Paul Adebayo."
    assert triples(stances_of(nlp, text)) == {("Maria Lindqvist", "Paul Adebayo", "oppose")}


def test_the_title_alone_is_nobody_when_two_people_bore_it(nlp):
    text = "Senator Maria Lindqvist met Senator Karin Holm. The senator condemned Paul Adebayo."
    assert stances_of(nlp, text) == []


def test_his_campaign_as_a_target_is_the_other_person_named_before(nlp):
    text = "Paul Adebayo spoke in Oslo. Maria Lindqvist attacked his campaign for its lies."
    assert ("Maria Lindqvist", "Paul Adebayo", "oppose") in {
        (s.holder, s.target, s.polarity) for s in stances_of(nlp, text)
    }
