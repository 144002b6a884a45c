"""One identity per actor: name variants of one person meet, different people stay apart,
one kind per name, and analysts' splits and merges win over the machine's joins.

Every name here is invented for these tests.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse
from spacy.language import Language

from annotations.models import Statement
from annotations.selectors.browse import ArticleFilters, article_facets
from annotations.services import statements_link
from articles.models import Article, Entity, EntityAlias, EntityApart, EntityJoin, Mention
from articles.nlp import model
from articles.nlp.entities import entity_mentions
from articles.nlp.identity import compare
from articles.services.entities import (
    entities_keep_apart,
    entities_reconcile,
    entity_merge,
    entity_split,
)
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    MentionFactory,
    QuoteFactory,
    StoryFactory,
    UserFactory,
)

# --- the rule, pair by pair -------------------------------------------------------------

MEET = [
    # transliterations and accents
    ("Yunus Karadag", "Younes Karadag"),
    ("Ilyas Brennik", "Ilias Brennik"),
    ("Jerónimo Vasta", "Jeronimo Vasta"),
    ("Mehmet \u00d6zk\u0131r\u0131m", "Mehmet Ozkirim"),  # dotless i
    ("Farah Abdulle Waris", "Farah Abdule Warris"),
    ("Dmitriy Kolbasov", "Dmitri Kolbasov"),
    ("Mukhtar Hallow", "Mokhtar Hallow"),
    ("Aleksei Tverin", "Alexei Tverin"),
    # a middle name present or absent, an initial for it
    ("Wanjiru Atieno Koros", "Wanjiru Koros"),
    ("Harold P. Quenby", "Harold Quenby"),
    # name order
    ("Lin Zhaoyun", "Zhaoyun Lin"),
    # a surname alone (the caller wants evidence before it joins)
    ("Brennik", "Ilyas Brennik"),
    ("Koross", "Wanjiru Atieno Koros"),
]

APART = [
    # relatives and namesakes: a shared surname, different given names
    ("Ilyas Brennik", "Amina Brennik"),
    ("Teodor Halvard", "Teodora Halvard"),
    ("Marek Ostrander", "Mirek Ostrander"),
    # given names one letter apart
    ("Mark Pellow", "Mary Pellow"),
    ("Dario Fenwell", "Daria Fenwell"),
    ("Jan Oskarsen", "Jana Oskarsen"),
    # different middle names, a generational suffix
    ("Carl J. Wickes", "Carl T. Wickes"),
    ("Pieter Vorland Jr.", "Pieter Vorland"),
    # different surnames, close given names
    ("Yunus Karadag", "Yunus Karadeniz"),
    ("Li Peng", "Lu Peng"),
    # a surname alone that is not this person's
    ("Brennan", "Ilyas Brennik"),
]


@pytest.mark.parametrize(("a", "b"), MEET)
def test_variants_of_one_name_meet(a, b):
    decision = compare(a, b)
    assert decision.meet, decision.reason
    assert compare(b, a).meet


@pytest.mark.parametrize(("a", "b"), APART)
def test_different_people_stay_apart(a, b):
    decision = compare(a, b)
    assert not decision.meet, decision.reason
    assert not compare(b, a).meet


def test_a_surname_alone_is_only_a_candidate():
    assert compare("Brennik", "Ilyas Brennik").surname_only
    assert not compare("Younes Karadag", "Yunus Karadag").surname_only


def test_the_decision_says_why():
    decision = compare("Yunus Karadag", "Younes Karadag")
    assert "transliteration" in decision.reason
    assert 0 < decision.similarity < 1
    assert "middle name" in compare("Wanjiru Atieno Koros", "Wanjiru Koros").reason
    assert "different given names" in compare("Ilyas Brennik", "Amina Brennik").reason


# --- the extractor, within an article -------------------------------------------------------


@pytest.fixture(scope="module")
def nlp() -> Language:
    return model.load()


def people(nlp: Language, text: str) -> dict[str, str]:
    return {m.text: m.canonical for m in entity_mentions(nlp(text)) if m.kind == "PERSON"}


def test_roles_and_common_nouns_alone_are_no_entities(nlp):
    text = (
        "“Harbours like Tessport are not just docks,” said Councillor Wilma Drennan. "
        "Fishermen's groups met on Monday. Officials said the Ministers would return."
    )
    found = {m.text for m in entity_mentions(nlp(text))}
    assert not found & {"Councillor", "Harbours", "Fishermen", "Officials", "Ministers"}
    assert "Wilma Drennan" in found


def test_one_article_gives_one_canonical_name_to_a_person_s_forms(nlp):
    text = (
        "Dr Wanjiru Atieno Koros opened the session in Nairobi. Wanjiru Koros later told "
        "reporters the plan was sound. Ms Koros left before noon."
    )
    found = people(nlp, text)
    assert {found[form] for form in found if "Koros" in form} == {"Wanjiru Atieno Koros"}


def test_a_name_is_a_person_s_when_its_surname_alone_is_tagged_a_person(nlp):
    # Whatever spaCy makes of the full name, its surname speaking makes it a person.
    text = "Envoy Tobiah Ferrante arrived on Monday. Ferrante said the talks would resume."
    kinds = {m.text: m.kind for m in entity_mentions(nlp(text))}
    assert kinds.get("Tobiah Ferrante") == "PERSON"


# --- the second pass, across the articles of a story --------------------------------------


def person(name: str, *spellings: str, kind: str = "PERSON") -> Entity:
    entity = EntityFactory(name=name, kind=kind)
    for spelling in {name, *spellings}:
        EntityAliasFactory(entity=entity, alias=spelling)
    return entity


def mentioned(entity: Entity, story, text: str | None = None, times: int = 1) -> list[int]:
    ids = []
    for n in range(times):
        body = f"Today {text or entity.name} spoke ({entity.pk}.{n}, story {story.pk})."
        article = ArticleFactory(story=story, body=body)
        MentionFactory(article=article, entity=entity, text=text or entity.name)
        ids.append(article.pk)
    return ids


@pytest.mark.django_db
def test_spellings_of_one_person_in_one_story_become_one_entity_with_a_reason():
    story = StoryFactory(label="Harbour talks")
    yunus = person("Yunus Karadag")
    younes = person("Younes Karadag")
    lone = person("Karadag")
    ids = mentioned(yunus, story, times=2) + mentioned(younes, story) + mentioned(lone, story)
    joins = entities_reconcile(article_ids=ids)
    assert len(joins) == 2
    assert set(Mention.objects.values_list("entity_id", flat=True)) == {yunus.pk}
    assert not Entity.objects.filter(pk__in=[younes.pk, lone.pk]).exists()
    join = EntityJoin.objects.get(joined_name="Younes Karadag")
    assert join.entity_id == yunus.pk
    assert join.story_id == story.pk
    assert "transliteration" in join.reason
    assert "Harbour talks" in join.reason
    aliases = set(EntityAlias.objects.filter(entity=yunus).values_list("normalised", flat=True))
    assert {"yunus karadag", "younes karadag", "karadag"} <= aliases


@pytest.mark.django_db
def test_relatives_in_one_story_stay_apart_and_their_surname_joins_neither():
    story = StoryFactory()
    ilyas = person("Ilyas Brennik")
    amina = person("Amina Brennik")
    lone = person("Brennik")
    ids = mentioned(ilyas, story) + mentioned(amina, story) + mentioned(lone, story)
    assert entities_reconcile(article_ids=ids) == []
    assert Entity.objects.count() == 3


@pytest.mark.django_db
def test_a_surname_in_another_story_is_not_joined():
    ilyas = person("Ilyas Brennik")
    lone = person("Brennik")
    ids = mentioned(ilyas, StoryFactory()) + mentioned(lone, StoryFactory())
    assert entities_reconcile(article_ids=ids) == []
    assert Entity.objects.count() == 2


@pytest.mark.django_db
def test_a_name_seen_as_a_person_and_as_a_place_gets_one_kind_by_evidence():
    story = StoryFactory()
    as_person = person("Tessaria")
    as_org = person("Tessaria", kind="ORG")
    demonym = person("Tessarian", kind="NORP")
    ids = (
        mentioned(as_person, story, times=3) + mentioned(as_org, story) + mentioned(demonym, story)
    )
    entities_reconcile(article_ids=ids)
    assert set(Entity.objects.filter(name="Tessaria").values_list("kind", flat=True)) == {"GPE"}
    join = EntityJoin.objects.filter(joined_name="Tessaria").first()
    assert join is not None
    assert "demonym" in join.reason


@pytest.mark.django_db
def test_without_other_evidence_the_majority_of_mentions_decides_the_kind():
    story = StoryFactory()
    as_org = person("Corvane", kind="ORG")
    as_person = person("Corvane")
    ids = mentioned(as_org, story, times=3) + mentioned(as_person, story)
    entities_reconcile(article_ids=ids)
    assert list(Entity.objects.values_list("name", "kind")) == [("Corvane", "ORG")]


@pytest.mark.django_db
def test_an_analysts_split_is_never_undone_by_a_later_pass():
    analyst = UserFactory(role=roles.ANALYST)
    story = StoryFactory()
    yunus = person("Yunus Karadag")
    younes = person("Younes Karadag")
    ids = mentioned(yunus, story, times=2) + mentioned(younes, story)
    article = ArticleFactory(story=story, body="Younes Karadag said the harbour is open.")
    QuoteFactory(
        article=article, text="the harbour is open", speaker=yunus, speaker_start=0, speaker_end=14
    )
    [join] = entities_reconcile(article_ids=ids)
    split = entity_split(user=analyst, join_id=join.pk)
    assert split.name == "Younes Karadag"
    assert Mention.objects.filter(entity=split).count() == 1
    assert split.quotes.count() == 1  # the quote whose speaker was written "Younes Karadag"
    assert EntityApart.objects.filter(first="younes karadag", second="yunus karadag").exists()
    # A later article of the story, and the pass over it, leave the two apart.
    ids += mentioned(split, story)
    assert entities_reconcile(article_ids=ids) == []
    assert Entity.objects.filter(pk__in=[yunus.pk, split.pk]).count() == 2


@pytest.mark.django_db
def test_two_entities_an_analyst_keeps_apart_are_not_joined():
    analyst = UserFactory(role=roles.ANALYST)
    story = StoryFactory()
    a = person("Wanjiru Atieno Koros")
    b = person("Wanjiru Koros")
    entities_keep_apart(user=analyst, entity_id=a.pk, other_id=b.pk)
    ids = mentioned(a, story) + mentioned(b, story)
    assert entities_reconcile(article_ids=ids) == []


@pytest.mark.django_db
def test_an_analysts_merge_keeps_the_machines_reasons_with_the_survivor():
    analyst = UserFactory(role=roles.ANALYST)
    story = StoryFactory()
    yunus = person("Yunus Karadag")
    younes = person("Younes Karadag")
    ids = mentioned(yunus, story, times=2) + mentioned(younes, story)
    entities_reconcile(article_ids=ids)
    other = person("Y. Karadag")
    entity_merge(user=analyst, entity_id=yunus.pk, into_id=other.pk)
    assert EntityJoin.objects.get().entity_id == other.pk


# --- the entity page says why -------------------------------------------------------------


def joined_pair(story_label: str = "Harbour talks") -> tuple[Entity, EntityJoin]:
    story = StoryFactory(label=story_label)
    yunus = person("Yunus Karadag")
    younes = person("Younes Karadag")
    entities_reconcile(article_ids=mentioned(yunus, story, times=2) + mentioned(younes, story))
    return yunus, EntityJoin.objects.get()


@pytest.mark.django_db
def test_the_entity_page_says_why_two_spellings_were_joined(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    entity, join = joined_pair(story_label="Harbour <talks>")
    page = client.get(reverse("entity-detail", args=[entity.pk])).content.decode()
    assert "Younes Karadag</strong> joined to <strong>Yunus Karadag" in page
    assert "given names a transliteration apart (similarity 0." in page
    assert "Harbour &lt;talks&gt;" in page  # the story's label, escaped
    assert reverse("entity-join-split", args=[entity.pk, join.pk]) in page


@pytest.mark.django_db
def test_an_analyst_splits_a_join_from_the_entity_page(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    entity, join = joined_pair()
    response = client.post(reverse("entity-join-split", args=[entity.pk, join.pk]))
    assert response.status_code == 302
    assert Entity.objects.filter(name="Younes Karadag").count() == 1
    assert not EntityJoin.objects.exists()


@pytest.mark.django_db
def test_a_read_only_client_cannot_split_a_join(client):
    client.force_login(UserFactory(role=roles.API_CLIENT))
    entity, join = joined_pair()
    response = client.post(reverse("entity-join-split", args=[entity.pk, join.pk]))
    assert response.status_code == 403
    assert EntityJoin.objects.filter(pk=join.pk).exists()
    assert Entity.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 4])
def test_the_entity_page_query_count_does_not_grow_with_joins(client, django_assert_num_queries, n):
    client.force_login(UserFactory(role=roles.ANALYST))
    story = StoryFactory()
    kept = person("Wanjiru Atieno Koros")
    for i in range(n):
        EntityJoin.objects.create(
            entity=kept,
            joined_name=f"W. Koros {i}",
            joined_kind="PERSON",
            reason="test",
            story=story,
        )
    # Session, user, the user's role, the entity with its counts, its aliases, its joins,
    # its quotes, stances held, stances received.
    with django_assert_num_queries(9):
        page = client.get(reverse("entity-detail", args=[kept.pk])).content.decode()
    assert page.count('<li class="join">') == n


# --- the demo samples, imported through the real service ----------------------------------

# samples/README.md, "Cast": the forms each actor's name takes across outlets.
CAST = [
    {"Elena Varga", "Varga"},
    {"Yusuf Demir", "Yousef Demir", "Demir"},
    {"Tomas Okafor", "Tomás Okafor", "Okafor"},
    {"Grace Achieng Oduya", "Grace Oduya", "Oduya"},
    {"Samuel Ateka", "Ateka"},
    {"Abdirashid Nuur Hasan", "Abdirashid Nur Hassan", "Hassan", "Hasan"},
    {"Peter Lokwang", "Lokwang"},
    {"Rhona MacAllister", "MacAllister"},
    {"Graham Tully", "Tully"},
]


@pytest.mark.django_db
def test_samples_give_each_actor_one_entity_one_speaker_and_shared_statements(capsys):
    call_command("demo")
    capsys.readouterr()
    ids = list(Article.objects.values_list("pk", flat=True))
    # What suggestions_create does once the chunk's stories are assigned.
    entities_reconcile(article_ids=ids)
    statements_link(article_ids=ids)

    for forms in CAST:
        named = Entity.objects.filter(mentions__exact__in=forms).distinct()
        assert [e.kind for e in named] == ["PERSON"], forms
    speakers = [v.label for v in article_facets(ArticleFilters()).speakers]
    assert len(speakers) == len(set(speakers))
    for forms in CAST:
        assert len([s for s in speakers if s in forms]) <= 1, (forms, speakers)
    # One kind per name; common nouns and titles alone are no entities.
    for name in ("Velmora", "Ardania", "Kessaland", "Namaru", "Lokor"):
        assert Entity.objects.filter(name=name).count() == 1, name
    assert not Entity.objects.filter(name__in=["Borders", "Farmers", "Councillor"]).exists()
    # Statements reported by more than one article.
    shared = [
        s for s in Statement.objects.all() if len({q.article_id for q in s.variants.all()}) > 1
    ]
    assert {s.speaker.name for s in shared if s.speaker} >= {
        "Grace Achieng Oduya",
        Entity.objects.filter(mentions__exact="Yusuf Demir").distinct().get().name,
    }


def mentioned_beside(entity: Entity, company: list[Entity], story) -> list[int]:
    names = ", ".join(e.name for e in [entity, *company])
    article = ArticleFactory(story=story, body=f"Present: {names} (story {story.pk}).")
    for one in [entity, *company]:
        MentionFactory(article=article, entity=one, text=one.name)
    return [article.pk]


@pytest.mark.django_db
def test_across_stories_a_variant_joins_only_with_the_same_company():
    port, authority, union = (
        person("Tessport", kind="GPE"),
        person("Harbour Authority", kind="ORG"),
        person("Dockers Union", kind="ORG"),
    )
    yunus = person("Yunus Karadag")
    younes = person("Younes Karadag")
    ids = mentioned_beside(yunus, [port, authority], StoryFactory())
    ids += mentioned_beside(yunus, [union], StoryFactory())
    ids += mentioned_beside(younes, [port, authority], StoryFactory())
    [join] = entities_reconcile(article_ids=ids)
    assert join.entity_id == yunus.pk
    assert "beside 2 of the same actors" in join.reason


@pytest.mark.django_db
def test_across_stories_a_variant_without_shared_company_stays_apart():
    yunus = person("Yunus Karadag")
    younes = person("Younes Karadag")
    ids = mentioned_beside(yunus, [person("Tessport", kind="GPE")], StoryFactory())
    ids += mentioned_beside(younes, [person("Corvane", kind="GPE")], StoryFactory())
    assert entities_reconcile(article_ids=ids) == []
    assert Entity.objects.filter(kind="PERSON").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("n", [1, 4])
def test_a_pass_writes_its_joins_together_whatever_their_number(django_assert_num_queries, n):
    """Each join keeps its reason and history, but a pass of n joins costs what one does:
    its writes go one statement per table, not one analyst's merge per join."""
    story = StoryFactory(label="Harbour talks")
    ids: list[int] = []
    pairs = []
    for given, variant in [
        ("Yunus", "Younes"),
        ("Mikhail", "Mikhael"),
        ("Dmitry", "Dmitri"),
        ("Aleksandr", "Alexandr"),
    ][:n]:
        first = person(f"{given} Vostrikov{len(pairs)}")
        second = person(f"{variant} Vostrikov{len(pairs)}")
        ids += mentioned(first, story, times=2) + mentioned(second, story)
        pairs.append((first, second))
    # The lock, the apart pairs, the three passes' reads (16), and one pass's writes: the
    # entities locked, the mentions at shared places, per table pointing at entities a
    # read and an UPDATE and its history, the aliases' read, moves and history, the
    # earlier joins and the new ones, the joined entities' delete and history, the
    # survivors' update and history: 32 for one join as for four.
    with django_assert_num_queries(32):
        joins = entities_reconcile(article_ids=ids)
    assert len(joins) == n
    for first, second in pairs:
        assert not Entity.objects.filter(pk=second.pk).exists()
        assert Mention.objects.filter(entity=first).count() == 3
        join = EntityJoin.objects.get(joined_name=second.name)
        assert join.entity_id == first.pk
        assert "Harbour talks" in join.reason
        assert Entity.history.filter(id=second.pk, history_type="-").count() == 1
        assert Mention.history.filter(entity_id=first.pk, history_type="~").count() == 1
