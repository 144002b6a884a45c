"""A small annotated corpus and the five kinds of caller, for the REST API tests.

`world` makes one article with the machine's suggestions (a mention and a quote) and
analyst A's own quote, stance and note; `people` the callers: anonymous, analyst A (who
owns those), analyst B, an api-client and an admin, each with a token client.
`snapshot()` is every row an API write could touch, to show a refused request changed
nothing.
"""

from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotations.models import Deletion, Note, Quote, Stance, Statement
from articles.models import Article, Entity, Mention
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    MentionFactory,
    NoteFactory,
    QuoteFactory,
    StanceFactory,
    StatementFactory,
    StoryFactory,
    UserFactory,
    polarity,
)

BODY = (
    "Kremlin aide Yury Ushakov spoke to reporters in Moscow on Wednesday. "
    '"A joint statement on international relations entering a new era has been prepared '
    'for the talks," Ushakov said. Foreign Minister Anna Keller said her government '
    "welcomed the talks but opposed any new sanctions."
)
ROLES = ("anonymous", "analyst_a", "analyst_b", "api_client", "admin")
# Every list endpoint that syncs (`updated_since`, `sync_token`); `vocabulary` does not.
SYNCED_LISTS = (
    "articles",
    "entities",
    "stories",
    "mentions",
    "quotes",
    "statements",
    "stances",
    "notes",
    "annotations",
    "deleted",
)


@dataclass
class World:
    article: Article
    ushakov: Entity
    keller: Entity
    machine_mention: Mention
    machine_quote: Quote
    own_quote: Quote
    own_stance: Stance
    own_note: Note
    statement: Statement


@dataclass
class People:
    users: dict[str, Any]
    clients: dict[str, APIClient]

    def client(self, role: str) -> APIClient:
        return self.clients[role]


def token_client(user: Any) -> APIClient:
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def people(db) -> People:
    # Token clients need no password: None makes an unusable one without hashing, which
    # would cost a quarter of a second a user.
    users = {
        "anonymous": None,
        "analyst_a": UserFactory(username="analyst-a", role="analyst", password=None),
        "analyst_b": UserFactory(username="analyst-b", role="analyst", password=None),
        "api_client": UserFactory(username="robot", role="api-client", password=None),
        "admin": UserFactory(username="boss", role="admin", password=None),
    }
    return People(users, {role: token_client(user) for role, user in users.items()})


@pytest.fixture
def world(people) -> World:
    analyst = people.users["analyst_a"]
    story = StoryFactory()
    article = ArticleFactory(body=BODY, story=story)
    ushakov = EntityFactory(name="Yury Ushakov")
    keller = EntityFactory(name="Anna Keller")
    statement = StatementFactory(speaker=ushakov, story=story)
    machine_quote = QuoteFactory(
        article=article,
        text="A joint statement on international relations entering a new era",
        origin="machine",
        status="suggested",
        speaker=ushakov,
        cue="said",
        statement=statement,
    )
    return World(
        article=article,
        ushakov=ushakov,
        keller=keller,
        machine_mention=MentionFactory(
            article=article, text="Yury Ushakov", entity=ushakov, origin="machine"
        ),
        machine_quote=machine_quote,
        own_quote=QuoteFactory(
            article=article,
            text="her government welcomed the talks",
            speaker=keller,
            cue="said",
            kind="indirect",
            origin="analyst",
            status="confirmed",
            created_by=analyst,
        ),
        own_stance=StanceFactory(
            article=article,
            text="opposed any new sanctions",
            holder=keller,
            target_text="new sanctions",
            polarity=polarity("oppose"),
            created_by=analyst,
        ),
        own_note=NoteFactory(article=article, text="Compare the TASS readout.", created_by=analyst),
        statement=statement,
    )


def snapshot() -> dict[str, list[tuple]]:
    """Every row an API write could touch, with its version."""
    return {
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "updated_at", "status")),
        "stances": list(Stance.objects.order_by("pk").values_list("pk", "updated_at")),
        "notes": list(Note.objects.order_by("pk").values_list("pk", "updated_at")),
        "mentions": list(Mention.objects.order_by("pk").values_list("pk", "updated_at", "status")),
        "deletions": list(Deletion.objects.values_list("pk")),
        "history": [
            (model.__name__, model.history.count()) for model in (Quote, Stance, Note, Mention)
        ],
    }


def supporting_stance(world: World, author: Any, **fields: Any) -> Stance:
    """`author`'s stance on "welcomed the talks": Keller supports Ushakov (an entity
    target, no topic), with whatever else `fields` give (a note, a quote)."""
    return StanceFactory(
        article=world.article,
        text="welcomed the talks",
        holder=world.keller,
        target_entity=world.ushakov,
        target_text="",
        polarity=polarity("support"),
        created_by=author,
        **fields,
    )


def span(article: Article, text: str) -> dict[str, Any]:
    start = article.body.index(text)
    return {"start": start, "end": start + len(text), "exact": text}
