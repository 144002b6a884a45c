"""What an adjudicator works from: the queue of articles whose finished versions disagree,
worst first, and one article's units, each with every coder's version, what differs, and
how it was settled into gold.

An article's units are its coders' versions (selectors.agreement.article_versions: what
each analyst made and the machine's suggestions they accepted) matched by span overlap
(agreement.match_units), one kind at a time. A unit is agreed when every coder has it,
with the very same span and the same fields: those merge into gold by themselves
(services.adjudication). A unit's key names its versions (coder and row of each), so a
decision belongs to the versions it settled; if an analyst changes their work after, the
decision no longer matches a unit and is shown apart (`orphans`), its gold kept."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from annotations.agreement import FIELDS, Item, Unit, match_units
from annotations.models import (
    AdjudicationDecision,
    ArticleAgreement,
    Assignment,
    Quote,
    Stance,
)
from annotations.selectors import team
from annotations.selectors.agreement import AgreementSelection, article_versions
from articles.models import Article

QUEUE_PAGE_SIZE = 50
KINDS = tuple(FIELDS)  # quote, stance: the order units of one span are shown in


@dataclass(frozen=True, slots=True)
class Coder:
    id: int
    username: str
    done_at: datetime | None


@dataclass(slots=True)
class VersionView:
    """One coder's version of a unit; `item` None when the coder has none (absent)."""

    coder: Coder
    item: Item | None
    exact: str = ""
    fields: list[tuple[str, str]] = field(default_factory=list)

    @property
    def row_id(self) -> int | None:
        return self.item.id if self.item else None

    @property
    def start(self) -> int | None:
        return self.item.start if self.item else None

    @property
    def end(self) -> int | None:
        return self.item.end if self.item else None


@dataclass(slots=True)
class UnitView:
    kind: str
    key: str
    start: int
    end: int
    text: str
    versions: list[VersionView]
    differs: set[str]
    agreed: bool
    decision: AdjudicationDecision | None = None
    gold: Quote | Stance | None = None

    @property
    def settled(self) -> bool:
        return self.decision is not None


@dataclass
class AdjudicationView:
    article: Article
    coders: list[Coder]
    units: list[UnitView]
    orphans: list[AdjudicationDecision]

    @property
    def settled(self) -> int:
        return sum(1 for unit in self.units if unit.settled)

    @property
    def open(self) -> int:
        return sum(1 for unit in self.units if not unit.settled)

    @property
    def agreed(self) -> int:
        return sum(1 for unit in self.units if unit.agreed)

    def unit(self, key: str) -> UnitView | None:
        return next((unit for unit in self.units if unit.key == key), None)


def unit_key(kind: str, unit: Unit) -> str:
    """The unit's versions, as a decision records them: kind, then coder:row pairs."""
    pairs = ",".join(f"{coder}:{item.id}" for coder, item in sorted(unit.items.items()))
    return f"{kind}-{pairs}"


def versions_key(kind: str, versions: dict[str, int]) -> str:
    pairs = ",".join(f"{coder}:{row}" for coder, row in sorted(
        (int(c), r) for c, r in versions.items()
    ))  # fmt: skip
    return f"{kind}-{pairs}"


def _differs(unit: Unit, coders: list[Coder], names: tuple[str, ...]) -> set[str]:
    items = list(unit.items.values())
    differs = {"absent"} if len(items) < len(coders) else set()
    if len({(item.start, item.end) for item in items}) > 1:
        differs.add("span")
    for name in names:
        if len({repr(item.values.get(name)) for item in items}) > 1:
            differs.add(name)
    return differs


def adjudication_queue(*, page: Any = 1, viewer: Any = None) -> Page:
    """Articles whose finished versions (two coders or more) still wait for gold, most
    disagreements first: one query for the page (and one COUNT), each row with its
    article and outlet and the number of units settled so far (`settled`). Not the
    articles `viewer` codes blind themselves and has not finished."""
    waiting = ArticleAgreement.objects.filter(coders__gte=2, adjudicated_at__isnull=True)
    if viewer is not None and team.codes_blind(viewer):
        waiting = waiting.exclude(article_id__in=team.blind_articles(viewer))
    rows = (
        waiting.select_related("article__outlet")
        .defer("article__body", "article__raw_text", "article__minhash")
        .annotate(settled=Count("article__adjudication_decisions"))
        .order_by("-disagreed", "article_id")
    )
    return Paginator(rows, QUEUE_PAGE_SIZE).get_page(page)


def next_in_queue(after_article_id: int) -> int | None:
    """The article to adjudicate after this one: the worst other one still waiting."""
    return (
        ArticleAgreement.objects.filter(coders__gte=2, adjudicated_at__isnull=True)
        .exclude(article_id=after_article_id)
        .order_by("-disagreed", "article_id")
        .values_list("article_id", flat=True)
        .first()
    )


def _coders(article_id: int) -> list[Coder]:
    return [
        Coder(pk, username, done_at)
        for pk, username, done_at in Assignment.objects.filter(
            article_id=article_id, returned_at__isnull=True, done_at__isnull=False
        )
        .order_by("analyst_id")
        .values_list("analyst_id", "analyst__username", "done_at")
    ]


def _gold_rows(decisions: list[AdjudicationDecision]) -> dict[tuple[str, int], Any]:
    quotes = [d.gold_quote_id for d in decisions if d.gold_quote_id]
    stances = [d.gold_stance_id for d in decisions if d.gold_stance_id]
    gold: dict[tuple[str, int], Any] = {}
    for quote in Quote.objects.filter(pk__in=quotes).select_related("speaker"):
        gold[("quote", quote.pk)] = quote
    for stance in Stance.objects.filter(pk__in=stances).select_related(
        "holder", "target_entity", "polarity"
    ):
        gold[("stance", stance.pk)] = stance
    return gold


def adjudication_for(article_id: int) -> AdjudicationView:
    """One article's units with every finished coder's version, what differs and how each
    was settled. Article.DoesNotExist when there is none. Eleven queries whatever the
    number of units: the article, its coders, the six of their versions, the decisions,
    the gold quotes and stances."""
    article = (
        Article.objects.select_related("outlet", "story")
        .defer("raw_text", "minhash")
        .get(pk=article_id)
    )
    coders = _coders(article_id)
    versions = article_versions(AgreementSelection(ids=(article_id,)))[0]
    items = versions[0].items if versions else {}
    decisions = list(
        AdjudicationDecision.objects.filter(article_id=article_id)
        .select_related("decided_by", "picked_analyst")
        .order_by("id")
    )
    by_key = {versions_key(d.kind, d.versions): d for d in decisions}
    gold = _gold_rows(decisions)
    body = article.body
    units: list[UnitView] = []
    used: set[int] = set()
    ids = [c.id for c in coders]
    for kind in KINDS:
        names = FIELDS[kind]
        for unit in match_units(items.get(kind, ()), ids, names):
            key = unit_key(kind, unit)
            differs = _differs(unit, coders, names)
            decision = by_key.get(key)
            if decision is not None:
                used.add(decision.pk)
            gold_id = decision and (decision.gold_quote_id or decision.gold_stance_id)
            widest = max(unit.items.values(), key=lambda i: i.end - i.start)
            units.append(
                UnitView(
                    kind=kind,
                    key=key,
                    start=unit.start,
                    end=unit.end,
                    text=body[widest.start : widest.end],
                    versions=[
                        VersionView(
                            coder=coder,
                            item=unit.items.get(coder.id),
                            exact=body[unit.items[coder.id].start : unit.items[coder.id].end]
                            if coder.id in unit.items
                            else "",
                            fields=[(n, unit.items[coder.id].label(n)) for n in names]
                            if coder.id in unit.items
                            else [],
                        )
                        for coder in coders
                    ],
                    differs=differs,
                    agreed=not differs,
                    decision=decision,
                    gold=gold.get((kind, gold_id)) if gold_id else None,
                )
            )
    units.sort(key=lambda u: (u.start, u.end, KINDS.index(u.kind), u.key))
    orphans = [d for d in decisions if d.pk not in used]
    return AdjudicationView(article=article, coders=coders, units=units, orphans=orphans)


def decisions_of(article_id: int) -> QuerySet[AdjudicationDecision]:
    """An article's adjudication decisions, oldest first (the API's record)."""
    return (
        AdjudicationDecision.objects.filter(article_id=article_id)
        .select_related("decided_by", "picked_analyst")
        .order_by("id")
    )
