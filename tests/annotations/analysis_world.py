"""A seeded little discourse for the analysis tests: actors taking sides on entities and
topics across articles of three outlets, two stories and several months, in every layer
(the machine's suggestions, some confirmed or rejected; two analysts' own work; gold).

Every stance made is also recorded as a plain `Made` tuple, so that a test computes the
figures it expects from those tuples alone (Counters, networkx), never from the code under
test."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from annotations.models import Stance, StanceDecision, Verdict
from articles.models import Article, Entity, Origin, Outlet, ReviewStatus, Story
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    OutletFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
    polarity,
)

SENTENCE = (
    "The minister said the alliance would stand by its partners, "
    "and officials rejected the proposal. "
)
SIGN = {"support": 1, "oppose": -1, "neutral": 0, "mixed": 0}


@dataclass(frozen=True)
class Made:
    """One stance as the test knows it."""

    pk: int
    article: int
    outlet: int
    story: int | None
    published: datetime
    holder: int
    target: str  # e<id> or t:<topic>
    sign: int
    origin: str
    status: str
    creator: int | None
    accepted_by: tuple[int, ...] = ()  # analysts who confirmed the machine's suggestion


@dataclass
class AnalysisWorld:
    analyst_a: object
    analyst_b: object
    actors: list[Entity]
    outlets: list[Outlet]
    stories: list[Story]
    articles: list[Article]
    made: list[Made] = field(default_factory=list)

    def layer(self, name: str, analyst: int | None = None) -> list[Made]:
        """The statements a layer holds, by the rule the analysis section documents."""
        kept = [m for m in self.made if m.status != ReviewStatus.REJECTED]
        if name == "suggestions":
            return [m for m in kept if m.origin == Origin.MACHINE]
        if name == "confirmed":
            return [m for m in kept if m.status == "confirmed" and m.origin != Origin.GOLD]
        if name == "gold":
            return [m for m in kept if m.origin == Origin.GOLD]
        if name == "analyst":
            return [
                m
                for m in kept
                if (m.origin == Origin.ANALYST and m.creator == analyst)
                or (m.origin == Origin.MACHINE and analyst in m.accepted_by)
            ]
        return [m for m in kept if m.origin != Origin.GOLD]


def build(seed: int = 17, articles: int = 24, stances_per_article: int = 5) -> AnalysisWorld:
    rng = random.Random(seed)
    analyst_a = UserFactory(username="analyst-ana", role="analyst")
    analyst_b = UserFactory(username="analyst-bo", role="analyst")
    names = [
        "Anna Keller",
        "Yury Ushakov",
        'Le "Monde" <Ministry>',
        "NATO",
        "=SUM(A1) Council",
        "European Union",
        "Ministry of Foreign Affairs",
    ]
    actors = [
        EntityFactory(name=name, kind="ORG" if i % 3 else "PERSON") for i, name in enumerate(names)
    ]
    topics = ["sanctions", "the ceasefire plan", "Arctic shipping"]
    outlets = [OutletFactory(name=f"Outlet {c}") for c in "ABC"]
    stories = [StoryFactory(label="Summit talks"), StoryFactory(label="Sanctions row")]
    world = AnalysisWorld(analyst_a, analyst_b, actors, outlets, stories, [])
    start = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for index in range(articles):
        body = SENTENCE * (stances_per_article + 1)
        article = ArticleFactory(
            body=f"{body}(Copy {index}.)",
            outlet=outlets[index % 3],
            story=stories[index % 2] if index % 5 else None,
            published_at=start + timedelta(days=rng.randrange(0, 90), hours=rng.randrange(24)),
        )
        world.articles.append(article)
        quote = QuoteFactory(
            article=article,
            start=0,
            end=len(SENTENCE) - 1,
            speaker=rng.choice(actors),
            origin=Origin.MACHINE,
            status=ReviewStatus.SUGGESTED,
        )
        for n in range(stances_per_article):
            holder = rng.choice(actors)
            if rng.random() < 0.25:
                target_entity, target_text = None, rng.choice(topics)
                # Topics are keyed lowercased and trimmed: vary the spelling.
                if rng.random() < 0.5:
                    target_text = f"  {target_text.title()} "
                target_key = f"t:{target_text.strip().lower()}"
            else:
                target_entity = rng.choice([a for a in actors if a != holder])
                target_text = ""
                target_key = f"e{target_entity.pk}"
            slug = rng.choices(["support", "oppose", "neutral", "mixed"], weights=(4, 4, 1, 1))[0]
            roll = rng.random()
            accepted: tuple[int, ...] = ()
            if roll < 0.35:
                origin, creator = Origin.MACHINE, None
                status = rng.choice(
                    [ReviewStatus.SUGGESTED, ReviewStatus.CONFIRMED, ReviewStatus.REJECTED]
                )
            elif roll < 0.85:
                origin, status = Origin.ANALYST, ReviewStatus.CONFIRMED
                creator = rng.choice([analyst_a, analyst_b])
            else:
                origin, status, creator = Origin.GOLD, ReviewStatus.CONFIRMED, None
            offset = n * len(SENTENCE)
            stance = StanceFactory(
                article=article,
                start=offset,
                end=offset + len(SENTENCE) - 1,
                holder=holder,
                target_entity=target_entity,
                target_text=target_text,
                polarity=polarity(slug),
                origin=origin,
                status=status,
                created_by=creator,
                quote=quote if n == 0 and origin == Origin.MACHINE else None,
            )
            if origin == Origin.MACHINE and status != ReviewStatus.REJECTED and rng.random() < 0.6:
                who = rng.choice([analyst_a, analyst_b])
                StanceDecision.objects.create(stance=stance, analyst=who, verdict=Verdict.CONFIRMED)
                accepted = (who.pk,)
            world.made.append(
                Made(
                    pk=stance.pk,
                    article=article.pk,
                    outlet=article.outlet_id,
                    story=article.story_id,
                    published=article.published_at,
                    holder=holder.pk,
                    target=target_key,
                    sign=SIGN[slug],
                    origin=origin,
                    status=status,
                    creator=creator.pk if creator else None,
                    accepted_by=accepted,
                )
            )
    return world


def stance_ids(rows) -> set[int]:
    return set(Stance.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
