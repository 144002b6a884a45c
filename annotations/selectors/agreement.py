"""Agreement between analysts over a selection of articles, read from the database and
scored by the plain-Python `annotations.agreement`.

An analyst's version of an article is what they made (quotes and stances with origin
analyst and created_by them) and the machine's suggestions they accepted (their own
decision `confirmed`). The coders of an article are the analysts with a live assignment
on it (not returned) that they finished (done_at set); `include_open` takes unfinished
ones too.

Six queries whatever the number of articles and rows: the selected articles (story
joined), the live assignments (analyst joined), the analysts' quotes, the machine quotes
they accepted (through their decisions), and the same two for stances. Everything after
is plain Python.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Length
from django.urls import reverse

from annotations.agreement import ArticleVersions, Item, build_report
from annotations.agreement.report import (
    QUOTE,
    STANCE,
    AgreementReport,
    Disagreement,
    ScopeAgreement,
)
from annotations.models import (
    Assignment,
    Quote,
    QuoteDecision,
    Stance,
    StanceDecision,
    Verdict,
)
from annotations.selectors import browse, team
from annotations.selectors.browse import ArticleFilters
from articles.models import Article, Origin


@dataclass(frozen=True)
class AgreementSelection:
    """Which articles, and whose work: the article list's filters, explicit ids, the
    articles an analyst coded, the assignments of one round."""

    articles: ArticleFilters = field(default_factory=ArticleFilters)
    ids: tuple[int, ...] = ()
    analyst: int | None = None
    round: int | None = None
    include_open: bool = False
    # A lead who codes some of the articles blind: those they have not finished are left
    # out, so that the figures and disagreements do not show them the others' work.
    not_blind_for: int | None = None


@dataclass
class AgreementData:
    """The report, and what a page or an export needs to name and link its figures."""

    report: AgreementReport
    coder_names: dict[int, str]
    titles: dict[int, str]
    story_labels: dict[int, str]
    coders_of: dict[int, tuple[int, ...]]  # article -> its coders (any number)
    selected: int  # articles selected, coded or not

    def coder_name(self, coder: int) -> str:
        return self.coder_names.get(coder, f"#{coder}")

    def label(self, scope: ScopeAgreement) -> str:
        """How a scope reads: an article's title, a story's label, a pair's usernames."""
        if scope.scope == "article":
            return self.titles.get(scope.key, "") or f"Article {scope.key}"
        if scope.scope == "story":
            return self.story_labels.get(scope.key, "") or f"Story {scope.key}"
        if scope.scope == "pair":
            return " & ".join(self.coder_name(c) for c in scope.key)
        return "All selected articles"


def adjudication_path(article_id: int) -> str:
    """The adjudication page of an article (built by the adjudication work of issue 16;
    its path is written here alone, for as long as its URL name does not exist)."""
    return f"/adjudicate/{article_id}/"


def reader_path(article_id: int, kind: str = "", row_id: int | None = None) -> str:
    """The reader, at one of the article's quotes or stances (their ids in the panel)."""
    path = reverse("article-detail", args=[article_id])
    return f"{path}#{kind}-{row_id}" if kind and row_id is not None else path


def disagreement_links(d: Disagreement) -> dict[str, Any]:
    """The reader at each coder's row, and the adjudication page."""
    return {
        "reader": {str(c): reader_path(d.article_id, d.kind, i) for c, i in d.items.items()},
        "adjudicate": adjudication_path(d.article_id),
    }


def selected_articles(selection: AgreementSelection) -> QuerySet[Article]:
    articles = browse.filtered_articles(selection.articles)
    if selection.ids:
        articles = articles.filter(pk__in=selection.ids)
    if selection.analyst is not None or selection.round is not None:
        # The articles this analyst (or anyone, in this round) coded.
        coded = _assignments(selection)
        if selection.analyst is not None:
            coded = coded.filter(analyst_id=selection.analyst)
        articles = articles.filter(pk__in=coded.values("article_id"))
    if selection.not_blind_for is not None:
        articles = articles.exclude(pk__in=team.blind_articles_of(selection.not_blind_for))
    return articles


def _assignments(selection: AgreementSelection) -> QuerySet[Assignment]:
    rows = Assignment.objects.filter(returned_at__isnull=True)
    if not selection.include_open:
        rows = rows.filter(done_at__isnull=False)
    if selection.round is not None:
        rows = rows.filter(round_id=selection.round)
    return rows


def _quote_item(row: dict[str, Any], coder: int) -> Item:
    return Item(
        id=row["id"],
        coder=coder,
        start=row["start"],
        end=row["end"],
        values={
            "speaker": row["speaker_id"],
            # "Said" and "said " are one cue.
            "cue": (row["cue"] or "").strip().lower(),
            "kind": row["kind"],
        },
        labels={"speaker": row["speaker__name"] or "no speaker"},
    )


def _stance_item(row: dict[str, Any], coder: int) -> Item:
    entity = row["target_entity_id"]
    topic = " ".join((row["target_text"] or "").split()).lower()
    return Item(
        id=row["id"],
        coder=coder,
        start=row["start"],
        end=row["end"],
        values={
            "holder": row["holder_id"],
            "target": ("entity", entity) if entity is not None else ("topic", topic),
            "polarity": row["polarity__slug"],
        },
        labels={
            "holder": row["holder__name"],
            "target": row["target_entity__name"] if entity is not None else row["target_text"],
        },
    )


QUOTE_COLUMNS = ("id", "article_id", "start", "end", "speaker_id", "speaker__name", "cue", "kind")
STANCE_COLUMNS = (
    "id",
    "article_id",
    "start",
    "end",
    "holder_id",
    "holder__name",
    "target_entity_id",
    "target_entity__name",
    "target_text",
    "polarity__slug",
)


def article_versions(
    selection: AgreementSelection,
) -> tuple[list[ArticleVersions], dict[int, str], dict[int, str], dict[int, str], int]:
    """Each selected article's coders and their versions (six queries)."""
    # 1. The articles: their text's length is the continuum of alpha_u.
    articles = list(
        selected_articles(selection)
        .order_by("pk")
        .values_list("pk", "title", "story_id", "story__label", Length("body"))
    )
    ids = [row[0] for row in articles]
    # 2. The coders: live assignments, finished unless open ones are asked for.
    coders: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    for article_id, analyst_id, username in (
        _assignments(selection)
        .filter(article_id__in=ids)
        .values_list("article_id", "analyst_id", "analyst__username")
    ):
        coders[article_id].add(analyst_id)
        names[analyst_id] = username
    analysts = sorted(names)
    items: dict[tuple[int, str], list[Item]] = defaultdict(list)

    def add(kind: str, make: Any, rows: Iterable[dict[str, Any]], coder_key: str) -> None:
        for row in rows:
            coder = row[coder_key]
            if coder in coders.get(row["article_id"], ()):
                items[(row["article_id"], kind)].append(make(row, coder))

    # 3-6. Each kind: the analysts' own rows, and the machine's they accepted (through
    # their decisions).
    for kind, model, decisions, columns, make in (
        (QUOTE, Quote, QuoteDecision, QUOTE_COLUMNS, _quote_item),
        (STANCE, Stance, StanceDecision, STANCE_COLUMNS, _stance_item),
    ):
        add(
            kind,
            make,
            model.objects.filter(
                article_id__in=ids, origin=Origin.ANALYST, created_by_id__in=analysts
            ).values(*columns, "created_by_id"),
            "created_by_id",
        )
        accepted = decisions.objects.filter(
            verdict=Verdict.CONFIRMED,
            analyst_id__in=analysts,
            **{f"{kind}__origin": Origin.MACHINE, f"{kind}__article_id__in": ids},
        ).values("analyst_id", *(f"{kind}__{c}" for c in columns))
        add(
            kind,
            make,
            (
                {**{c: row[f"{kind}__{c}"] for c in columns}, "analyst_id": row["analyst_id"]}
                for row in accepted
            ),
            "analyst_id",
        )
    versions = [
        ArticleVersions(
            article_id=pk,
            length=length or 0,
            coders=tuple(sorted(coders.get(pk, ()))),
            items={QUOTE: items.get((pk, QUOTE), []), STANCE: items.get((pk, STANCE), [])},
            story_id=story_id,
            title=title,
        )
        for pk, title, story_id, _, length in articles
    ]
    titles = {pk: title for pk, title, *_ in articles}
    stories = {story_id: label for _, _, story_id, label, _ in articles if story_id is not None}
    return versions, names, titles, stories, len(articles)


def agreement_for(selection: AgreementSelection) -> AgreementData:
    """The agreement report of the selected articles (six queries)."""
    versions, names, titles, stories, selected = article_versions(selection)
    return AgreementData(
        report=build_report(versions),
        coder_names=names,
        titles=titles,
        story_labels=stories,
        coders_of={v.article_id: v.coders for v in versions},
        selected=selected,
    )
