"""Adjudication into gold: the units of two analysts' finished versions, agreed ones
merged by themselves, disagreements settled by a pick, an edit or a drop, with the
reason and the history; the article leaves the queue once every unit is settled; a
refusal changes nothing."""

import pytest
from django.utils import timezone

from annotations.models import (
    AdjudicationDecision,
    ArticleAgreement,
    Assignment,
    Quote,
    QuoteDecision,
    Stance,
)
from annotations.selectors.adjudication import adjudication_for, adjudication_queue
from annotations.services.adjudication import (
    adjudication_merge_agreed,
    adjudication_reopen,
    adjudication_settle,
)
from annotations.services.agreement import agreement_refresh
from articles.models import Article
from newsdesk import roles
from newsdesk.guards import NotAllowed, WriteRefused
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    QuoteFactory,
    StanceFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db

BODY = (
    "Minister Ana Ortiz said the quota talks had stalled. Senator Rui Prado called the "
    "fishing quota unfair and backed the boycott of the summit."
)


@pytest.fixture
def coded():
    article = ArticleFactory(body=BODY)
    ortiz, prado = EntityFactory(name="Ana Ortiz"), EntityFactory(name="Rui Prado")
    ana = UserFactory(username="ana", role=roles.ANALYST)
    ben = UserFactory(username="ben", role=roles.ANALYST)
    lead = UserFactory(username="lea", role=roles.ADMIN)
    for analyst in (ana, ben):
        Assignment.objects.create(
            article=article, analyst=analyst, mode="blind", done_at=timezone.now()
        )
    machine = QuoteFactory(
        article=article, text="the quota talks had stalled", speaker=ortiz, origin="machine",
        status="suggested", cue="said", kind="indirect",
    )  # fmt: skip
    # Both accept the machine's quote: agreed.
    for analyst in (ana, ben):
        QuoteDecision.objects.create(quote=machine, analyst=analyst, verdict="confirmed")

    # A quote both tagged, with different speakers: a disagreement on the speaker.
    def quote(by, speaker):
        return QuoteFactory(
            article=article, text="the fishing quota unfair", speaker=speaker, cue="called",
            kind="indirect", origin="analyst", status="confirmed", created_by=by,
        )  # fmt: skip

    ana_quote, ben_quote = quote(ana, prado), quote(ben, ortiz)
    # A stance only ana saw: a unit ben is absent from.
    ana_stance = StanceFactory(
        article=article, text="backed the boycott", holder=prado, target_text="the boycott",
        polarity=polarity("support"), created_by=ana,
    )  # fmt: skip
    agreement_refresh(article_ids=[article.pk])
    return locals()


def _unit(view, kind, differs_has=None):
    units = [u for u in view.units if u.kind == kind]
    if differs_has:
        units = [u for u in units if differs_has in u.differs]
    (unit,) = units
    return unit


def test_units_show_every_version_and_what_differs(coded):
    view = adjudication_for(coded["article"].pk)
    assert [c.username for c in view.coders] == ["ana", "ben"]
    assert len(view.units) == 3
    agreed = [u for u in view.units if u.agreed]
    assert [u.versions[0].row_id for u in agreed] == [coded["machine"].pk]
    speaker = _unit(view, "quote", "speaker")
    assert speaker.differs == {"speaker"}
    assert [dict(v.fields)["speaker"] for v in speaker.versions] == ["Rui Prado", "Ana Ortiz"]
    absent = _unit(view, "stance")
    assert absent.differs == {"absent"}
    assert absent.versions[1].item is None


def test_agreed_units_merge_into_gold_once(coded):
    assert adjudication_merge_agreed(user=coded["lead"], article_id=coded["article"].pk) == 1
    assert adjudication_merge_agreed(user=coded["lead"], article_id=coded["article"].pk) == 0
    (gold,) = Quote.objects.filter(origin="gold")
    assert (gold.exact, gold.speaker, gold.created_by) == (
        "the quota talks had stalled",
        coded["ortiz"],
        coded["lead"],
    )
    decision = AdjudicationDecision.objects.get()
    assert (decision.how, decision.gold_quote) == ("agreed", gold)


def test_pick_edit_drop_settle_the_article_and_it_leaves_the_queue(coded):
    lead, article = coded["lead"], coded["article"]
    assert [row.article_id for row in adjudication_queue()] == [article.pk]
    adjudication_merge_agreed(user=lead, article_id=article.pk)
    view = adjudication_for(article.pk)
    speaker = _unit(view, "quote", "speaker")
    decision = adjudication_settle(
        user=lead, article_id=article.pk, kind="quote", unit_key=speaker.key,
        pick=coded["ben"].pk, reason="Ortiz is the one quoted here.",
    )  # fmt: skip
    assert (decision.how, decision.picked_analyst, decision.reason) == (
        "picked", coded["ben"], "Ortiz is the one quoted here.",
    )  # fmt: skip
    assert decision.gold_quote.speaker == coded["ortiz"]
    assert decision.versions == {
        str(coded["ana"].pk): coded["ana_quote"].pk,
        str(coded["ben"].pk): coded["ben_quote"].pk,
    }
    # Settled again, by an edit: the old gold row goes, one gold quote stays.
    adjudication_settle(
        user=lead, article_id=article.pk, kind="quote", unit_key=speaker.key,
        pick=coded["ana"].pk, changes={"cue": "called", "kind": "mixed"},
    )  # fmt: skip
    assert Quote.objects.filter(origin="gold", kind="mixed").count() == 1
    assert Quote.objects.filter(origin="gold").count() == 2
    assert ArticleAgreement.objects.get(article=article).adjudicated_at is None
    stance = _unit(adjudication_for(article.pk), "stance")
    adjudication_settle(
        user=lead, article_id=article.pk, kind="stance", unit_key=stance.key, drop=True
    )
    assert not Stance.objects.filter(origin="gold").exists()
    row = ArticleAgreement.objects.get(article=article)
    assert (row.adjudicated_at is not None, row.adjudicated_by) == (True, lead)
    assert list(adjudication_queue()) == []
    # Every decision is in the history: created, then changed.
    assert AdjudicationDecision.history.filter(how="picked").exists()
    assert AdjudicationDecision.history.filter(how="edited").exists()
    # Reopening a unit puts the article back in the queue and removes its gold.
    adjudication_reopen(user=lead, article_id=article.pk, unit_key=speaker.key)
    assert Quote.objects.filter(origin="gold").count() == 1
    assert [row.article_id for row in adjudication_queue()] == [article.pk]


def _snapshot():
    return (
        list(Quote.objects.values_list("pk", "updated_at").order_by("pk")),
        list(Stance.objects.values_list("pk", "updated_at").order_by("pk")),
        list(AdjudicationDecision.objects.values_list("pk", "how").order_by("pk")),
    )


def test_refusals_change_nothing(coded):
    article, key = (
        coded["article"],
        _unit(adjudication_for(coded["article"].pk), "quote", "speaker").key,
    )
    before = _snapshot()
    with pytest.raises(NotAllowed):
        adjudication_settle(
            user=coded["ana"],
            article_id=article.pk,
            kind="quote",
            unit_key=key,
            pick=coded["ana"].pk,
        )
    bad = [
        {"unit_key": "quote-1:2", "pick": coded["ana"].pk},
        {"unit_key": key},
        {"unit_key": key, "pick": coded["lead"].pk},
        {"unit_key": key, "pick": coded["ana"].pk, "drop": True},
        {"unit_key": key, "pick": coded["ana"].pk, "changes": {"kind": "shouted"}},
        {"unit_key": key, "pick": coded["ana"].pk, "changes": {"holder": 1}},
    ]
    for kwargs in bad:
        with pytest.raises(WriteRefused):
            adjudication_settle(user=coded["lead"], article_id=article.pk, kind="quote", **kwargs)
    with pytest.raises(WriteRefused):
        adjudication_reopen(user=coded["lead"], article_id=article.pk, unit_key=key)
    assert _snapshot() == before


def test_a_changed_version_orphans_its_decision(coded):
    lead, article = coded["lead"], coded["article"]
    unit = _unit(adjudication_for(article.pk), "quote", "speaker")
    adjudication_settle(
        user=lead, article_id=article.pk, kind="quote", unit_key=unit.key, pick=coded["ana"].pk
    )
    coded["ben_quote"].delete()
    view = adjudication_for(article.pk)
    assert len(view.orphans) == 1
    assert view.orphans[0].gold_quote is not None


def test_marking_done_puts_the_article_in_the_queue(coded):
    from annotations.services.assignments import assignment_done, assignment_reopen

    ArticleAgreement.objects.all().delete()
    Assignment.objects.update(done_at=None)
    ana, ben = (Assignment.objects.get(analyst=coded[name]) for name in ("ana", "ben"))
    assignment_done(user=coded["ana"], assignment_id=ana.pk)
    assert list(adjudication_queue()) == []  # one coder: nothing to compare
    assignment_done(user=coded["ben"], assignment_id=ben.pk)
    (row,) = adjudication_queue()
    assert (row.article_id, row.coders, row.units, row.disagreed) == (
        coded["article"].pk, 2, 3, 2,
    )  # fmt: skip
    assignment_reopen(user=coded["ben"], assignment_id=ben.pk)
    assert list(adjudication_queue()) == []


def test_a_lone_finished_version_is_not_gold(coded):
    Assignment.objects.filter(analyst=coded["ben"]).update(done_at=None)
    assert adjudication_merge_agreed(user=coded["lead"], article_id=coded["article"].pk) == 0
    unit = adjudication_for(coded["article"].pk).units[0]
    with pytest.raises(WriteRefused):
        adjudication_settle(
            user=coded["lead"], article_id=coded["article"].pk, kind=unit.kind,
            unit_key=unit.key, pick=coded["ana"].pk,
        )  # fmt: skip
    assert not Quote.objects.filter(origin="gold").exists()
    with pytest.raises(Article.DoesNotExist):
        adjudication_merge_agreed(user=coded["lead"], article_id=10**9)
    assert not ArticleAgreement.objects.filter(article_id=10**9).exists()
