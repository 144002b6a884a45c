"""factory_boy factories. Spans take their selector from the article body, as the
services will, so every row they make satisfies the anchor invariant."""

import hashlib

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from annotations.apps import PHRASES
from annotations.models import Note, Polarity, Quote, Stance, Statement, Tag
from articles.anchoring import text_quote_selector
from articles.models import (
    Article,
    Entity,
    EntityAlias,
    ImportBatch,
    ImportFile,
    Mention,
    Outlet,
    Story,
)
from articles.names import identity_key, normalise_alias
from newsdesk import roles

BODY = (
    "Russian President Vladimir Putin met Chinese leader Xi Jinping in Beijing on Friday. "
    '"A joint statement on international relations entering a new era has been prepared '
    'for the talks," Kremlin aide Yury Ushakov told reporters.'
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("a long enough test password")

    @factory.post_generation
    def role(self, create: bool, extracted: str | None, **kwargs) -> None:
        if create and extracted:
            self.groups.add(Group.objects.get(name=extracted))
            if extracted == roles.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Outlet {n}")
    domain = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "") + ".example")


class StoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Story

    label = factory.Sequence(lambda n: f"Story {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"{BODY} (Copy {n}.)")
    raw_text = factory.LazyAttribute(lambda a: a.body)
    outlet = factory.SubFactory(OutletFactory)
    content_hash = factory.LazyAttribute(lambda a: hashlib.sha256(a.body.encode()).hexdigest())
    word_count = factory.LazyAttribute(lambda a: len(a.body.split()))


class EntityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Entity {n}")
    kind = "PERSON"


class EntityAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EntityAlias

    entity = factory.SubFactory(EntityFactory)
    alias = factory.LazyAttribute(lambda a: a.entity.name)
    normalised = factory.LazyAttribute(lambda a: normalise_alias(a.alias))
    key = factory.LazyAttribute(lambda a: identity_key(a.normalised))
    kind = factory.LazyAttribute(lambda a: a.entity.kind)


class SpanFactory(factory.django.DjangoModelFactory):
    """A span of the article body; give `start`/`end`, or `text` to find in the body."""

    class Meta:
        abstract = True

    class Params:
        text = None
        selector = factory.LazyAttribute(
            lambda s: text_quote_selector(s.article.body, s.start, s.end)
        )

    article = factory.SubFactory(ArticleFactory)
    start = factory.LazyAttribute(lambda s: s.article.body.index(s.text) if s.text else 0)
    end = factory.LazyAttribute(lambda s: s.start + (len(s.text) if s.text else 7))
    exact = factory.SelfAttribute("selector.exact")
    prefix = factory.SelfAttribute("selector.prefix")
    suffix = factory.SelfAttribute("selector.suffix")


class MentionFactory(SpanFactory):
    class Meta:
        model = Mention

    text = "Vladimir Putin"
    entity = factory.SubFactory(EntityFactory)


class QuoteFactory(SpanFactory):
    class Meta:
        model = Quote

    text = "A joint statement on international relations entering a new era"
    cue = "told"


def polarity(slug: str = "support") -> Polarity:
    # The vocabulary is seeded by a migration; a transactional test's flush removes it.
    sign = {"support": Polarity.Sign.SUPPORT, "oppose": Polarity.Sign.OPPOSE}.get(
        slug, Polarity.Sign.NEITHER
    )
    return Polarity.objects.get_or_create(
        slug=slug, defaults={"label": slug.title(), "sign": sign, "phrase": PHRASES.get(slug, "")}
    )[0]


class StanceFactory(SpanFactory):
    class Meta:
        model = Stance

    text = "has been prepared"
    holder = factory.SubFactory(EntityFactory)
    target_text = "the joint statement"
    polarity = factory.LazyFunction(polarity)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    article = factory.SubFactory(ArticleFactory)
    text = "Check the Russian readout."


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    source = ImportBatch.Source.CLI


class ImportFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportFile

    batch = factory.SubFactory(ImportBatchFactory)
    original_name = factory.Sequence(lambda n: f"file-{n}.txt")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    label = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())


class StatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Statement

    reference_text = "A joint statement on international relations entering a new era"
    speaker = factory.SubFactory(EntityFactory)
