"""The machine's stance suggestions: stored by the first pass, reviewed like quotes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import services
from annotations.models import ArticleReview, Stance
from annotations.services.stance_suggestions import stance_suggestions_store
from annotations.services.suggestions import suggestions_create
from articles.models import Entity, Origin, ReviewStatus
from articles.nlp.results import StanceSpan
from newsdesk.guards import NotAllowed
from tests.factories import ArticleFactory, EntityFactory, StanceFactory, UserFactory, polarity

pytestmark = pytest.mark.django_db

BODY = (
    "Foreign Minister Anna Keller condemned Governor Paul Adebayo on Tuesday. "
    "The two met in Oslo a week later. "
    "Senator Maria Lindqvist did not support the fishing quota."
)


@pytest.fixture
def article():
    polarity("support"), polarity("oppose")
    return ArticleFactory(body=BODY)


def machine_stances(article) -> list[Stance]:
    return list(
        Stance.objects.filter(article=article, origin=Origin.MACHINE).select_related(
            "holder", "target_entity", "polarity"
        )
    )


def test_the_first_pass_stores_a_stated_stance_as_a_suggestion(article):
    suggestions_create(article_ids=[article.pk])

    [stance] = machine_stances(article)
    assert (stance.holder.name, stance.target_entity.name, stance.polarity.slug) == (
        "Anna Keller",
        "Paul Adebayo",
        "oppose",
    )
    assert stance.status == ReviewStatus.SUGGESTED
    assert stance.exact == article.body[stance.start : stance.end]
    assert stance.exact.startswith("Foreign Minister Anna Keller condemned")
    # The negated sentence gives none, and the article still waits for a review.
    review = ArticleReview.objects.get(article=article)
    assert review.status == ArticleReview.Status.UNTOUCHED
    assert review.suggestions >= 1


def test_a_second_pass_keeps_the_ids_of_suggestions_found_again(article):
    suggestions_create(article_ids=[article.pk])
    first = [s.pk for s in machine_stances(article)]

    suggestions_create(article_ids=[article.pk])

    assert [s.pk for s in machine_stances(article)] == first


def test_a_rejected_suggestion_is_not_suggested_again(article):
    suggestions_create(article_ids=[article.pk])
    [stance] = machine_stances(article)
    analyst = UserFactory(role="analyst")
    services.stance_review(user=analyst, stance_id=stance.pk, status=ReviewStatus.REJECTED)

    suggestions_create(article_ids=[article.pk])

    assert [(s.pk, s.status) for s in machine_stances(article)] == [
        (stance.pk, ReviewStatus.REJECTED)
    ]


def test_a_suggestion_no_longer_found_is_dropped_and_a_reviewed_one_is_kept(article):
    keller = EntityFactory(name="Anna Keller")
    stale = StanceFactory(
        article=article,
        text="condemned Governor Paul Adebayo",
        holder=keller,
        origin=Origin.MACHINE,
        status=ReviewStatus.SUGGESTED,
    )
    kept = StanceFactory(
        article=article,
        text="The two met in Oslo",
        holder=keller,
        origin=Origin.MACHINE,
        status=ReviewStatus.CONFIRMED,
    )

    stance_suggestions_store(found=[(article, [])], entity_ids={})

    remaining = set(Stance.objects.filter(article=article).values_list("pk", flat=True))
    assert remaining == {kept.pk}
    assert stale.pk not in remaining


def test_storing_stances_costs_a_fixed_number_of_queries(article):
    entities = {
        name: EntityFactory(name=name).pk for name in ("Anna Keller", "Paul Adebayo", "Karin Holm")
    }
    sentence_end = BODY.index(".") + 1
    found = [
        StanceSpan(
            start=0,
            end=sentence_end,
            text=BODY[:sentence_end],
            holder="Anna Keller",
            holder_kind="PERSON",
            polarity="oppose",
            cue="condemned",
            cue_start=BODY.index("condemned"),
            cue_end=BODY.index("condemned") + 9,
            target=target,
            target_kind="PERSON",
        )
        for target in ("Paul Adebayo", "Karin Holm")
    ]
    ids = {(name, "PERSON"): pk for name, pk in entities.items()}
    with CaptureQueriesContext(connection) as queries:
        made = stance_suggestions_store(found=[(article, found)], entity_ids=ids)
    assert made == 2
    # Vocabulary, the article's stances, the quotes of the cues, the insert.
    assert len(queries) == 4


def test_accepting_a_suggestion_confirms_it_and_records_the_reviewer():
    suggestion = StanceFactory(origin=Origin.MACHINE, status=ReviewStatus.SUGGESTED)
    analyst = UserFactory(role="analyst")

    services.stance_review(user=analyst, stance_id=suggestion.pk, status=ReviewStatus.CONFIRMED)

    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.reviewed_by) == (ReviewStatus.CONFIRMED, analyst)
    latest = suggestion.history.first()
    assert (latest.history_user, latest.status) == (analyst, ReviewStatus.CONFIRMED)


def test_any_analyst_corrects_a_suggestion_which_confirms_it():
    suggestion = StanceFactory(origin=Origin.MACHINE, status=ReviewStatus.SUGGESTED)
    analyst = UserFactory(role="analyst")

    services.stance_update(user=analyst, stance_id=suggestion.pk, changes={"polarity": "support"})

    suggestion.refresh_from_db()
    assert (suggestion.polarity.slug, suggestion.status) == ("support", ReviewStatus.CONFIRMED)
    assert suggestion.reviewed_by == analyst
    assert suggestion.history.first().history_user == analyst


def test_an_analyst_may_not_delete_a_machine_suggestion():
    suggestion = StanceFactory(origin=Origin.MACHINE, status=ReviewStatus.SUGGESTED)
    analyst = UserFactory(role="analyst")

    with pytest.raises(NotAllowed):
        services.stance_delete(user=analyst, stance_id=suggestion.pk)

    assert Stance.objects.filter(pk=suggestion.pk).exists()


def test_an_analysts_own_stance_is_confirmed_from_the_start():
    article = ArticleFactory()
    analyst = UserFactory(role="analyst")
    holder = Entity.objects.create(name="Vladimir Putin", kind="PERSON")
    stance = services.stance_create(
        user=analyst,
        article_id=article.pk,
        exact="has been prepared",
        holder_id=holder.pk,
        polarity=polarity("support").slug,
        target_text="the statement",
        near=0,
    )
    assert (stance.origin, stance.status) == (Origin.ANALYST, ReviewStatus.CONFIRMED)
