"""Two analysts' versions of articles, built through the models, for the agreement tests.

`coded_article(a, b)`, on the factories' BODY, gives (in text order):
- the machine's quote of Ushakov (cue told, direct), accepted by both: agreed;
- A's quote "Putin met Chinese leader Xi Jinping" (speaker Putin) against B's "Vladimir
  Putin met Chinese leader Xi Jinping" (speaker Xi), both cue met, indirect: one unit,
  the speaker disagreed;
- B's own quote "in Beijing on Friday" (speaker Putin, cue met, indirect): A absent;
- the machine's quote "Kremlin aide Yury Ushakov" (speaker Ushakov, told, direct),
  rejected by A and accepted by B: A absent;
- the machine's stance (Ushakov opposes Xi) on the long quote, accepted by both: agreed;
- A's stance Putin supports Xi against B's Putin neutral on Xi, on A's quote's words:
  the polarity disagreed.
So 6 units (4 quotes, 2 stances), 2 agreed, 4 disagreed, 2 with A absent.
"""

from dataclasses import dataclass
from itertools import count

from django.contrib.auth.models import Group
from django.utils import timezone

from annotations.models import Assignment, QuoteDecision, StanceDecision, Verdict
from newsdesk import roles
from tests.factories import (
    BODY,
    ArticleFactory,
    EntityFactory,
    QuoteFactory,
    StanceFactory,
    StoryFactory,
    UserFactory,
    polarity,
)

_BODIES = count(1)

LONG_QUOTE = "A joint statement on international relations entering a new era has been prepared"


@dataclass
class Cast:
    putin: object
    xi: object
    ushakov: object


def cast() -> Cast:
    return Cast(
        putin=EntityFactory(name="Vladimir Putin"),
        xi=EntityFactory(name="Xi Jinping"),
        ushakov=EntityFactory(name="Yury Ushakov"),
    )


def lead_user(**kwargs):
    user = UserFactory(role=roles.ANALYST, **kwargs)
    user.groups.add(Group.objects.get(name=roles.LEAD))
    return user


def assign(article, analyst, *, done=True, returned=False):
    now = timezone.now()
    return Assignment.objects.create(
        article=article,
        analyst=analyst,
        done_at=now if done and not returned else None,
        returned_at=now if returned else None,
    )


def coded_article(a, b, people: Cast, *, story=None, done=True):
    """One article with A's and B's finished versions (see the module's docstring)."""
    n = next(_BODIES)
    article = ArticleFactory(body=f"{BODY} (Coded {n}.)", story=story or StoryFactory())
    told = QuoteFactory(
        article=article,
        text=LONG_QUOTE,
        origin="machine",
        status="suggested",
        speaker=people.ushakov,
        cue="told",
        kind="direct",
    )
    aide = QuoteFactory(
        article=article,
        text="Kremlin aide Yury Ushakov",
        origin="machine",
        status="suggested",
        speaker=people.ushakov,
        cue="told",
        kind="direct",
    )
    QuoteDecision.objects.create(quote=told, analyst=a, verdict=Verdict.CONFIRMED)
    QuoteDecision.objects.create(quote=told, analyst=b, verdict=Verdict.CONFIRMED)
    QuoteDecision.objects.create(quote=aide, analyst=a, verdict=Verdict.REJECTED)
    QuoteDecision.objects.create(quote=aide, analyst=b, verdict=Verdict.CONFIRMED)
    own = {"origin": "analyst", "cue": "met", "kind": "indirect"}
    QuoteFactory(
        article=article,
        text="Putin met Chinese leader Xi Jinping",
        speaker=people.putin,
        created_by=a,
        **own,
    )
    QuoteFactory(
        article=article,
        text="Vladimir Putin met Chinese leader Xi Jinping",
        speaker=people.xi,
        created_by=b,
        **own,
    )
    QuoteFactory(
        article=article,
        text="in Beijing on Friday",
        speaker=people.putin,
        created_by=b,
        **own,
    )
    machine_stance = StanceFactory(
        article=article,
        text=LONG_QUOTE,
        holder=people.ushakov,
        target_entity=people.xi,
        target_text="",
        polarity=polarity("oppose"),
        origin="machine",
        status="suggested",
    )
    StanceDecision.objects.create(stance=machine_stance, analyst=a, verdict=Verdict.CONFIRMED)
    StanceDecision.objects.create(stance=machine_stance, analyst=b, verdict=Verdict.CONFIRMED)
    for analyst, slug in ((a, "support"), (b, "neutral")):
        StanceFactory(
            article=article,
            text="Putin met Chinese leader Xi Jinping",
            holder=people.putin,
            target_entity=people.xi,
            target_text="",
            polarity=polarity(slug),
            origin="analyst",
            created_by=analyst,
        )
    assign(article, a, done=done)
    assign(article, b, done=done)
    return article
