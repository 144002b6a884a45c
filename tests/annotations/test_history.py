"""Every change to an analyst-facing row is kept: who, when, before and after."""

import pytest

from annotations.models import Quote
from tests.factories import EntityFactory, QuoteFactory, StanceFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_quote_change_is_recorded_with_who_when_and_before_after():
    analyst = UserFactory(username="ana")
    putin = EntityFactory(name="Vladimir Putin")
    quote = QuoteFactory(status="suggested", origin="machine", cue="said")

    quote.speaker = putin
    quote.status = "confirmed"
    quote._history_user = analyst
    quote.save()

    latest, created = quote.history.all()[:2]
    assert latest.history_type == "~"
    assert latest.history_user == analyst
    assert latest.history_date >= created.history_date
    changes = {c.field: (c.old, c.new) for c in latest.diff_against(created).changes}
    assert changes == {"speaker": (None, putin.pk), "status": ("suggested", "confirmed")}


def test_a_deleted_stance_stays_in_history():
    stance = StanceFactory(note="Backs the statement.")
    stance_id = stance.pk
    stance.delete()
    records = list(stance.history.model.objects.filter(id=stance_id))
    assert [r.history_type for r in records] == ["-", "+"]
    assert records[0].note == "Backs the statement."


def test_tag_changes_on_a_quote_are_recorded():
    from annotations.models import Tag

    quote = QuoteFactory()
    quote.tags.add(Tag.objects.create(slug="sanctions", label="Sanctions"))
    assert quote.history.count() >= 2
    assert [t.tag.slug for t in quote.history.first().tags.all()] == ["sanctions"]


def test_entity_corrections_are_recorded():
    entity = EntityFactory(name="Erdogan", kind="GPE")
    entity.kind = "PERSON"
    entity.save()
    assert list(entity.history.values_list("kind", flat=True)) == ["PERSON", "GPE"]


def test_history_is_kept_for_quotes_stances_notes_mentions_entities_and_articles():
    from simple_history.models import registered_models

    tracked = {model._meta.label for model in registered_models.values()}
    assert {
        "annotations.Quote",
        "annotations.Stance",
        "annotations.Note",
        "annotations.Statement",
        "articles.Mention",
        "articles.Entity",
        "articles.EntityAlias",
        "articles.Article",
    } <= tracked
    assert Quote.history.model._meta.db_table == "annotations_historicalquote"


def test_history_records_carry_the_times_the_database_stored():
    """The rows' times are the database's clock (a trigger); their history copies them
    from the stored row, not from the ORM's Python object."""
    quote = QuoteFactory(status="suggested", origin="machine", cue="said")
    quote.cue = "told"
    quote.save()
    stored = Quote.objects.values_list("created_at", "updated_at").get(pk=quote.pk)
    assert (quote.created_at, quote.updated_at) != stored  # the ORM's own, overwritten
    latest = quote.history.first()
    assert (latest.created_at, latest.updated_at) == stored
    entity = EntityFactory(name="Wang Yi")
    record = entity.history.first()
    assert record.updated_at == type(entity).objects.get(pk=entity.pk).updated_at
