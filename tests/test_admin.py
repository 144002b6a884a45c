"""The admin site: every model registered and usable, in constant queries per page, and
every write through it keeping the data's invariants (spans, aliases, immutable bodies)."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from annotations.models import Note, Polarity, Quote, Stance, Statement, Tag
from articles.models import (
    Article,
    Entity,
    EntityAlias,
    ImportBatch,
    ImportFile,
    Mention,
    NearDuplicate,
    Outlet,
    Story,
)
from newsdesk import roles
from tests.factories import (
    ArticleFactory,
    EntityAliasFactory,
    EntityFactory,
    ImportBatchFactory,
    ImportFileFactory,
    MentionFactory,
    NoteFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    StatementFactory,
    StoryFactory,
    TagFactory,
    UserFactory,
    polarity,
)

pytestmark = pytest.mark.django_db


def _make_quote():
    quote = QuoteFactory(speaker=EntityFactory(), statement=StatementFactory())
    quote.tags.add(TagFactory())
    return quote


def _make_import_file():
    return ImportFileFactory(
        article=ArticleFactory(), status="failed", error="Binary file: it has NUL bytes."
    )


def _make_import_batch():
    return ImportBatchFactory(created_by=UserFactory(), outlet=OutletFactory())


# One row of each model, with its relations filled in, so that a per-row query would show.
MAKERS = {
    Outlet: OutletFactory,
    Story: lambda: ArticleFactory(story=StoryFactory()).story,
    Article: lambda: ArticleFactory(story=StoryFactory()),
    Entity: lambda: EntityAliasFactory().entity,
    EntityAlias: EntityAliasFactory,
    Mention: lambda: MentionFactory(created_by=UserFactory()),
    ImportBatch: _make_import_batch,
    ImportFile: _make_import_file,
    Polarity: lambda: polarity(f"p{Polarity.objects.count()}"),
    Tag: TagFactory,
    Statement: lambda: _make_quote().statement,
    Quote: _make_quote,
    Stance: lambda: StanceFactory(target_entity=EntityFactory(), created_by=UserFactory()),
    Note: lambda: NoteFactory(created_by=UserFactory()),
    NearDuplicate: lambda: NearDuplicate.objects.create(
        article=ArticleFactory(), original=ArticleFactory(), similarity=0.9
    ),
}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="boss", role=roles.ADMIN))
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_project_model_is_in_the_admin():
    project_models = {
        model
        for model in admin.site._registry
        if model._meta.app_label in ("articles", "annotations")
    }
    assert project_models == set(MAKERS)
    assert admin.site.site_header == "Newsdesk administration"


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_changelist_costs_the_same_queries_for_one_row_or_many(admin_client, model):
    url = _url(model, "changelist")
    MAKERS[model]()

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = admin_client.get(url)
        assert response.status_code == 200
        return len(queries)

    one_row = count_queries()
    for _ in range(4):
        MAKERS[model]()
    assert count_queries() == one_row
    assert model.objects.count() >= 5


@pytest.mark.parametrize("model", list(MAKERS), ids=lambda m: m.__name__)
def test_change_and_history_pages_open(admin_client, model):
    obj = MAKERS[model]()
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(_url(model, "history", obj.pk)).status_code == 200


def test_changelists_search_and_filter(admin_client):
    putin = EntityFactory(name="Vladimir Putin")
    EntityAliasFactory(entity=putin, alias="Mr Putin")
    EntityFactory(name="Xi Jinping")
    response = admin_client.get(_url(Entity, "changelist"), {"q": "  MR   putin, "})
    assert list(response.context["cl"].result_list) == [putin]

    MentionFactory(entity=putin, status="confirmed")
    MentionFactory(status="suggested")
    response = admin_client.get(_url(Mention, "changelist"), {"status__exact": "confirmed"})
    assert [m.entity for m in response.context["cl"].result_list] == [putin]


def test_analysts_cannot_use_the_admin_site(client):
    client.force_login(UserFactory(role=roles.ANALYST))
    response = client.get(_url(Quote, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_article_text_is_escaped_in_the_admin(admin_client):
    article = ArticleFactory(title="<script>alert(1)</script>")
    for url in (_url(Article, "changelist"), _url(Article, "change", article.pk)):
        html = admin_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_articles_are_not_added_and_their_body_is_not_edited_here(admin_client):
    article = ArticleFactory(title="Old title")
    body, digest = article.body, article.content_hash
    assert admin_client.get(_url(Article, "add")).status_code == 403
    response = admin_client.post(
        _url(Article, "change", article.pk),
        {
            "title": "New title",
            "language": "en",
            "body": "Rewritten body.",
            "content_hash": "0" * 64,
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "New title"
    assert (article.body, article.content_hash) == (body, digest)
    # The title change is in the history, with who made it.
    record = article.history.latest()
    assert record.history_user.username == "boss"
    assert record.prev_record.title == "Old title"


def _mention_form(article, entity, **changes):
    return {
        "article": article.pk,
        "entity": entity.pk,
        "start": 18,
        "end": 32,
        "origin": "analyst",
        "status": "confirmed",
        **changes,
    }


def test_a_mention_added_here_takes_its_selector_from_the_body(admin_client):
    article, entity = ArticleFactory(), EntityFactory(name="Vladimir Putin")
    response = admin_client.post(_url(Mention, "add"), _mention_form(article, entity))
    assert response.status_code == 302, response.context["adminform"].form.errors
    mention = Mention.objects.get()
    assert mention.exact == "Vladimir Putin" == article.body[18:32]
    assert mention.prefix == "Russian President "
    assert mention.suffix == article.body[32:64]
    assert mention.created_by.username == "boss"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": 40, "end": 30}, "end", "end (30) must be greater than start (40)."),
        ({"start": 10, "end": 10_000}, "end", "is past the end of the text"),
        ({"start": -1}, "start", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_a_mention_that_does_not_fit_the_body_is_refused(admin_client, changes, field, message):
    article, entity = ArticleFactory(), EntityFactory()
    response = admin_client.post(_url(Mention, "add"), _mention_form(article, entity, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors[field])
    assert not Mention.objects.exists()


def test_an_alias_that_names_another_entity_is_refused_with_its_name(admin_client):
    EntityAliasFactory(entity=EntityFactory(name="Vladimir Putin"), alias="Putin")
    other = EntityFactory(name="Someone Else")
    response = admin_client.post(
        _url(EntityAlias, "add"), {"entity": other.pk, "alias": "  PUTIN "}
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["alias"]
    assert errors == ["'PUTIN' already names Vladimir Putin (PERSON)."]
    assert EntityAlias.objects.count() == 1


def _entity_form(entity, kind, aliases):
    data = {
        "name": entity.name,
        "kind": kind,
        "description": "",
        "wikidata_id": "",
        "aliases-TOTAL_FORMS": str(len(aliases)),
        "aliases-INITIAL_FORMS": str(sum(1 for pk, _ in aliases if pk)),
        "aliases-MIN_NUM_FORMS": "0",
        "aliases-MAX_NUM_FORMS": "1000",
    }
    for i, (pk, alias) in enumerate(aliases):
        data[f"aliases-{i}-id"] = pk or ""
        data[f"aliases-{i}-entity"] = entity.pk
        data[f"aliases-{i}-alias"] = alias
    return data


def test_entity_aliases_are_normalised_and_follow_the_entity_kind(admin_client):
    kremlin = EntityFactory(name="Kremlin", kind="GPE")
    alias = EntityAliasFactory(entity=kremlin, alias="Kremlin")
    response = admin_client.post(
        _url(Entity, "change", kremlin.pk),
        _entity_form(kremlin, "ORG", [(alias.pk, "Kremlin"), (None, " The  KREMLIN. ")]),
    )
    assert response.status_code == 302, response.context["errors"]
    assert sorted(kremlin.aliases.values_list("normalised", "kind")) == [
        ("kremlin", "ORG"),
        ("the kremlin", "ORG"),
    ]


def test_one_submission_cannot_add_the_same_alias_twice(admin_client):
    entity = EntityFactory(name="Xi Jinping")
    response = admin_client.post(
        _url(Entity, "change", entity.pk),
        _entity_form(entity, "PERSON", [(None, "Xi"), (None, "XI")]),
    )
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.non_form_errors() == ["'XI' and 'Xi' are the same alias."]
    assert not EntityAlias.objects.exists()


def test_a_kind_change_that_would_clash_is_refused(admin_client):
    EntityAliasFactory(entity=EntityFactory(name="Russia", kind="GPE"), alias="Moscow")
    city = EntityFactory(name="Moscow", kind="LOC")
    alias = EntityAliasFactory(entity=city, alias="Moscow")
    response = admin_client.post(
        _url(Entity, "change", city.pk), _entity_form(city, "GPE", [(alias.pk, "Moscow")])
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["kind"]
    assert "'Moscow' names Russia" in errors[0]
    city.refresh_from_db()
    alias.refresh_from_db()
    assert (city.kind, alias.kind) == ("LOC", "LOC")


def test_admins_extend_the_polarity_vocabulary(admin_client):
    fields = {
        "slug": "conditional-support",
        "label": "Conditional support",
        "position": "15",
        "is_active": "on",
        "sign": "1",  # it takes the support side in the analysis views
    }
    # The words that make its stances sentences are asked for: a label has no verb.
    refused = admin_client.post(_url(Polarity, "add"), fields)
    assert refused.status_code == 200
    assert "phrase" in refused.context["adminform"].form.errors
    assert not Polarity.objects.filter(slug="conditional-support").exists()
    response = admin_client.post(
        _url(Polarity, "add"), {**fields, "phrase": "conditionally supports"}
    )
    assert response.status_code == 302
    added = Polarity.objects.get(slug="conditional-support")
    assert added.is_active
    assert added.sign == Polarity.Sign.SUPPORT
    assert added.verb == "conditionally supports"


def test_a_quote_speaker_span_must_fit_the_body(admin_client):
    article = ArticleFactory()
    data = {
        "article": article.pk,
        "start": 86,
        "end": 150,
        "speaker_start": "180",
        "speaker_end": "99999",
        "cue": "told",
        "kind": "direct",
        "origin": "analyst",
        "status": "confirmed",
    }
    response = admin_client.post(_url(Quote, "add"), data)
    assert response.status_code == 200
    assert "past the end of the text" in response.context["adminform"].form.errors["speaker_end"][0]
    assert not Quote.objects.exists()

    speaker_at = article.body.index("Yury Ushakov")
    data.update(speaker_start=speaker_at, speaker_end=speaker_at + len("Yury Ushakov"))
    response = admin_client.post(_url(Quote, "add"), data)
    assert response.status_code == 302
    quote = Quote.objects.get()
    assert quote.exact == article.body[86:150]
    assert quote.created_by.username == "boss"


def test_a_note_may_cover_the_whole_article_or_a_span(admin_client):
    article = ArticleFactory()
    base = {"article": article.pk, "text": "Compare with the Chinese readout."}
    assert admin_client.post(_url(Note, "add"), base).status_code == 302
    assert admin_client.post(_url(Note, "add"), {**base, "start": 5}).status_code == 200
    response = admin_client.post(_url(Note, "add"), {**base, "start": 37, "end": 57})
    assert response.status_code == 302
    whole, span = Note.objects.order_by("id")
    assert (whole.start, whole.exact) == (None, "")
    assert span.exact == article.body[37:57] == "Chinese leader Xi Ji"


def test_import_records_are_read_only(admin_client):
    file = _make_import_file()
    batch = file.batch
    assert admin_client.get(_url(ImportBatch, "add")).status_code == 403
    html = admin_client.get(_url(ImportBatch, "change", batch.pk)).content.decode()
    # The per-file results live on the import page, which pages through any number.
    assert f'<a href="/imports/{batch.pk}/">' in html
    response = admin_client.post(_url(ImportFile, "change", file.pk), {"status": "imported"})
    assert response.status_code == 403
    file.refresh_from_db()
    assert file.status == "failed"
