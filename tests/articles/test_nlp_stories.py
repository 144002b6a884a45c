"""Story terms and story choice (articles.nlp.stories), on short texts written for these
tests. Plain Python, no database; the spaCy pipeline is loaded once for the module."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from spacy.language import Language

from articles.names import identity_key
from articles.nlp import entities, model
from articles.nlp.stories import (
    ACTOR_MARK,
    MAX_TERM_CHARS,
    TOP_K,
    Member,
    StoryIndex,
    StoryParams,
    is_actor,
    story_terms,
)

# One event (a fisheries pact signed in Oslo), as three outlets might word it.
PACT = [
    "Norway and Chile signed a fisheries agreement in Oslo on Tuesday, ending a decade of "
    "disputes over salmon quotas in the southern Pacific. Norwegian Foreign Minister Ingrid "
    "Halvorsen said the accord would protect spawning grounds and fishing jobs. Chilean "
    "envoy Mateo Araya called the salmon pact a model for cooperation between the two "
    "fishing nations.",
    "Chile and Norway ended their long quarrel over salmon quotas: the two countries "
    "signed a fisheries accord in Oslo, where Chilean envoy Mateo Araya praised Norwegian "
    "Foreign Minister Ingrid Halvorsen for a deal he said protects spawning grounds. "
    "Fishing crews in both nations had waited a decade for the agreement.",
    "A decade-old dispute over Pacific salmon is over. Norway's Ingrid Halvorsen and "
    "Chile's Mateo Araya put their names to a fisheries agreement in the Norwegian capital, "
    "Oslo, fixing salmon quotas and closing spawning grounds to trawlers, officials said.",
]
# Another event with the same countries and one of the same people.
COPPER = (
    "Chile banned copper exports to Norway on Friday after a row over mining taxes, "
    "Chilean envoy Mateo Araya told reporters in Santiago. Norwegian smelters warned the "
    "copper embargo would halt production lines and cost hundreds of factory jobs."
)
# Other news, so that the document frequencies mean something.
BACKGROUND = [
    "Heavy storms flooded the river valleys of northern Italy, forcing thousands of "
    "residents from their homes as rescue teams searched for missing hikers.",
    "The central bank raised interest rates by half a point, its fourth increase this "
    "year, as inflation in food and energy prices stayed stubbornly high.",
    "A football club from Lisbon won the cup final after a penalty shootout, their first "
    "trophy since the coach took over two seasons ago.",
    "Engineers in Japan tested a magnetic train that reached record speeds on a new line "
    "between two mountain cities, the railway operator announced.",
] + [
    # Diplomatic routine, so that "foreign minister", "talks" and "said" are common words.
    f"The foreign minister of {country} held talks in {city} on {topic} on Monday, "
    "officials said, and the two sides agreed to meet again."
    for country, city, topic in [
        ("Brazil", "Brasilia", "soybean tariffs"),
        ("Kenya", "Nairobi", "a border dispute"),
        ("Poland", "Warsaw", "gas pipelines"),
        ("Vietnam", "Hanoi", "rice exports"),
        ("Canada", "Ottawa", "Arctic research"),
        ("Egypt", "Cairo", "water rights on the Nile"),
    ]
]
CHROME = (
    "Advertisement. Click here to subscribe to our newsletter. Share this article on "
    "Facebook, Twitter and WhatsApp. Photo: Getty Images / AFP. Loading video... Read more. "
    "Related articles. Leave a comment. Sign up for the app and follow us. "
)
DAY = datetime(2024, 5, 14, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def nlp() -> Language:
    return model.load()


def terms_of(nlp: Language, text: str) -> dict[str, float]:
    doc = nlp(text)
    return story_terms(doc, [m.canonical for m in entities.entity_mentions(doc)])


def assign_all(nlp: Language, texts: list[str], when: datetime | None = DAY) -> list[int]:
    index = StoryIndex()
    return [index.assign(key, terms_of(nlp, text), when) for key, text in enumerate(texts)]


def test_one_event_reworded_by_three_outlets_is_one_story(nlp):
    stories = assign_all(nlp, [*BACKGROUND, *PACT])
    assert len(set(stories[-3:])) == 1
    assert stories[-1] not in stories[: len(BACKGROUND)]


def test_another_event_sharing_names_is_another_story(nlp):
    stories = assign_all(nlp, [*BACKGROUND, *PACT, COPPER])
    assert len(set(stories[-4:-1])) == 1
    assert stories[-1] != stories[-2]


def test_page_chrome_does_not_make_unrelated_articles_alike(nlp):
    storm, bank = (CHROME + BACKGROUND[0] + " " + CHROME), (CHROME + BACKGROUND[1])
    storm_terms, bank_terms = terms_of(nlp, storm), terms_of(nlp, bank)
    chrome_words = {"advertisement", "subscribe", "newsletter", "share", "facebook", "getty"}
    assert not chrome_words & (storm_terms.keys() | bank_terms.keys())
    assert storm_terms.keys() - terms_of(nlp, BACKGROUND[0]).keys() <= {"leave", "sign"}
    stories = assign_all(nlp, [*BACKGROUND[2:], storm, bank])
    assert stories[-1] != stories[-2]


def test_terms_are_lemmas_of_content_words_and_folded_names(nlp):
    terms = terms_of(nlp, PACT[0])
    assert {"sign", "agreement", "salmon", "quota", "fishery", "dispute"} <= terms.keys()
    # Actors are one term each, their identity key marked as an actor, in place of the
    # words of the name.
    actors = {ACTOR_MARK + identity_key(n) for n in ("Oslo", "Norway", "Chile", "Ingrid Halvorsen")}
    assert actors <= terms.keys()
    assert all(is_actor(term) for term in actors)
    assert not any(is_actor(term) for term in ("sign", "agreement", "salmon"))
    assert not {"ingrid", "halvorsen", "@ingrid", "@halvorsen"} & terms.keys()
    assert not {"the", "and", "on", "of", ",", "."} & terms.keys()
    assert all(term == term.lower() for term in terms)
    # Transliterations of one name meet.
    yury = terms_of(nlp, "Kremlin aide Yury Ushakov said talks were planned.")
    yuri = terms_of(nlp, "Kremlin aide Yuri Ushakov said talks were planned.")
    assert {t for t in yury if " " in t} == {t for t in yuri if " " in t}


def test_terms_are_l2_normalised_capped_and_fit_the_column(nlp):
    long_name = "The " + " ".join(f"Committee{n}" for n in range(30)) + " of Ministers"
    text = " ".join(PACT + BACKGROUND + [COPPER])
    terms = story_terms(nlp(text), [long_name, long_name, long_name])
    assert len(terms) == TOP_K
    assert math.isclose(math.sqrt(sum(w * w for w in terms.values())), 1.0)
    assert all(0 < len(term) <= MAX_TERM_CHARS for term in terms)
    assert story_terms(nlp("Advertisement. Loading..."), []) == {}


def test_the_same_text_outside_the_window_starts_its_own_story(nlp):
    index = StoryIndex(params=StoryParams(window_days=3))
    background = [index.assign(-n - 1, terms_of(nlp, t), DAY) for n, t in enumerate(BACKGROUND)]
    first = index.assign(1, terms_of(nlp, PACT[0]), DAY)
    near = index.assign(2, terms_of(nlp, PACT[1]), DAY + timedelta(days=2))
    far = index.assign(3, terms_of(nlp, PACT[0]), DAY + timedelta(days=40))
    assert first == near
    assert far not in {first, *background}


def test_known_members_are_candidates_and_new_stories_get_negative_keys():
    index = StoryIndex(count_terms=False, articles_seen=100)
    index.document_frequency.update({"oslo": 3, "salmon": 2, "quota": 2, "say": 90})
    index.add_known(Member(7, {"oslo": 0.6, "salmon": 0.6, "say": 0.52}, DAY, story=42))
    assert index.assign(8, {"oslo": 0.5, "salmon": 0.5, "quota": 0.5, "say": 0.5}, DAY) == 42
    assert index.assign(9, {"tokyo": 1.0}, DAY) == -1
    assert index.articles_seen == 100  # counts come from the caller


def test_sharing_a_storys_actors_without_its_words_is_not_joining_it():
    index = StoryIndex(count_terms=False, articles_seen=50)
    index.document_frequency.update(
        {"@halvorsen": 3, "@araya": 3, "@oslo": 3, "salmon": 2, "quota": 2, "copper": 1}
    )
    summit = {"@halvorsen": 0.5, "@araya": 0.5, "@oslo": 0.4, "salmon": 0.4, "quota": 0.4}
    index.add_known(Member(1, summit, None, story=5))
    # The same two envoys in the same city, about something else: the names alone
    # would pass the threshold, the words do not.
    embargo = {"@halvorsen": 0.5, "@araya": 0.5, "@oslo": 0.4, "copper": 0.58}
    vector = index.vector(embargo)
    assert index.similarity(vector, None, 5) >= index.params.threshold
    assert index.word_similarity(vector, None, 5) < index.params.word_threshold
    assert index.assign(2, embargo, None) != 5
    # A report of the same event with its words joins.
    reworded = {"@halvorsen": 0.5, "@oslo": 0.4, "salmon": 0.5, "quota": 0.5}
    assert index.assign(3, reworded, None) == 5


def test_member_vectors_are_reused_only_while_the_frequencies_stand():
    member = Member(7, {"oslo": 0.6, "salmon": 0.8}, DAY, story=42)
    fixed = StoryIndex(count_terms=False, articles_seen=100)
    fixed.document_frequency.update({"oslo": 3, "salmon": 2})
    fixed.add_known(member)
    first = fixed.member_vector(member)
    assert first == fixed.vector(member.terms)
    fixed.assign(8, {"oslo": 1.0}, DAY)  # counts nothing: the same frequencies
    assert fixed.member_vector(member) is first
    # An index that counts each article's terms weighs the member anew after each one.
    counting = StoryIndex(count_terms=True, articles_seen=1)
    counting.document_frequency.update({"oslo": 1, "salmon": 1})
    counting.add_known(member)
    before = counting.member_vector(member)
    counting.assign(8, {"oslo": 1.0}, DAY)
    after = counting.member_vector(member)
    assert after == counting.vector(member.terms)
    assert after != before
