"""What the reader shows of one article: its text cut into highlighted segments, and its
mentions, quotes, stances and notes in text order. A fixed number of queries whatever the
number of annotations (tests/ui/test_reader.py counts them)."""

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from annotations.models import (
    Assignment,
    AssignmentMode,
    Note,
    Polarity,
    Quote,
    QuoteDecision,
    ReviewAction,
    Stance,
    StanceDecision,
)
from annotations.selectors import team
from articles.models import Article, EntityKind, ImportFile, Mention, Origin, ReviewStatus
from articles.services import guards
from newsdesk import roles

# Characters of an item's text shown in the side panel before it is cut with an ellipsis.
SNIPPET_CHARS = 160


@dataclass(slots=True)
class Item:
    """One annotation as the side panel lists it and the text marks it."""

    kind: str  # mention | quote | stance | note
    row: Any
    start: int | None
    end: int | None
    status: str  # suggested | confirmed | rejected | "" (notes are not reviewed)
    editable: bool = False  # the viewer may edit (correct) it, as its service decides
    deletable: bool = False  # the viewer may delete it
    # The status is the viewer's own decision (a suggestion on an article they code blind).
    own_decision: bool = False
    # The viewer may accept or reject it (not a mention of an article they code blind).
    reviewable: bool = True
    # The panel's filter and wording (panel_of): the viewer created or decided it, the
    # entities it is about, and who suggested, added and reviewed it, in words.
    mine: bool = False
    entity_ids: tuple[int, ...] = ()
    provenance: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.row.pk}"

    @property
    def suggested(self) -> bool:
        return self.status == ReviewStatus.SUGGESTED

    @property
    def machine(self) -> bool:
        return getattr(self.row, "origin", Origin.ANALYST) == Origin.MACHINE

    @property
    def snippet(self) -> str:
        text = getattr(self.row, "exact", "") or ""
        return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 1] + "…"

    @property
    def label(self) -> str:
        """Words for the hover title of the text it marks."""
        row = self.row
        if self.kind == "mention":
            return f"Mention of {row.entity.name} ({row.entity.kind}, {self.status})"
        if self.kind == "quote":
            who = row.speaker.name if row.speaker else "unknown speaker"
            return f"Quote by {who} ({self.status})"
        if self.kind == "stance":
            target = row.target_entity.name if row.target_entity else row.target_text
            return f"Stance: {row.holder.name} {row.polarity.verb} {target} ({self.status})"
        return f"Note: {row.text[:60]}"


@dataclass(slots=True)
class SpeakerLabel:
    """The label shown in the text just before a quote: who says it, and where the text
    names them (the quote's speaker span, else the speaker's nearest mention), so that the
    label can lead there. Rendered as an empty link whose words come from CSS, so that the
    text region's textContent stays the body, offset for offset."""

    quote: Item
    # Where the text names the speaker: (start, end), or None (then the entity's page).
    target: tuple[int, int] | None = None

    @property
    def speaker(self) -> Any:
        return self.quote.row.speaker

    @property
    def text(self) -> str:
        return self.speaker.name if self.speaker else "speaker unknown"

    @property
    def anchor(self) -> str:
        """The id of the first piece of text that names the speaker ("" without one)."""
        return anchor_id(self.target[0]) if self.target else ""

    @property
    def description(self) -> str:
        """What a screen reader says for the label (it contains the visible words)."""
        if not self.speaker:
            if self.target:
                return "Quote by an unknown speaker: show where the text attributes it"
            return "Quote by an unknown speaker"
        where = (
            "show where the text names them"
            if self.target
            else "not named in the text: open their page"
        )
        return f"Quote by {self.speaker.name}: {where}"


def anchor_id(offset: int) -> str:
    """The id of the piece of text that starts at `offset` and names a speaker. Keyed by
    offset, not by quote: two quotes by the speaker named at one place share it."""
    return f"speaker-at-{offset}"


@dataclass(slots=True)
class Segment:
    """A run of the body covered by the same set of items (none for plain text)."""

    text: str
    items: list[Item] = field(default_factory=list)
    start: int = 0
    # Speaker labels of the quotes that start here, shown before the text.
    labels: list[SpeakerLabel] = field(default_factory=list)
    # Keys of the quotes whose speaker this text names.
    speaker_of: list[str] = field(default_factory=list)
    anchor: str = ""  # anchor_id() when a speaker's name starts here
    # An item starts here: the piece takes keyboard focus and describes its items.
    focusable: bool = False

    @property
    def keys(self) -> str:
        return " ".join(item.key for item in self.items)

    @property
    def speaker_keys(self) -> str:
        return " ".join(self.speaker_of)

    @property
    def classes(self) -> str:
        names = []
        for item in self.items:
            names.append(f"hl-{item.kind}")
            if item.status:
                names.append(f"hl-{item.kind}-{item.status}")
        return " ".join(dict.fromkeys(names))

    @property
    def title(self) -> str:
        return "; ".join(item.label for item in self.items)


def speaker_labels(
    quotes: list[Item], mentions: list[Item], body_length: int
) -> list[SpeakerLabel]:
    """A label for every quote not rejected, with where the text names its speaker: the
    quote's own speaker span (the machine's attribution, "he" included), else the mention
    of the speaker nearest the quote outside it (before it on a tie), else nowhere."""
    by_entity: dict[int, list[Item]] = {}
    for mention in mentions:
        if mention.status != ReviewStatus.REJECTED and mention.start is not None:
            by_entity.setdefault(mention.row.entity_id, []).append(mention)
    labels = []
    for quote in quotes:
        if quote.status == ReviewStatus.REJECTED or quote.start is None or quote.end is None:
            continue
        row = quote.row
        target: tuple[int, int] | None = None
        if (
            row.speaker_start is not None
            and row.speaker_end is not None
            and 0 <= row.speaker_start < row.speaker_end <= body_length
        ):
            target = (row.speaker_start, row.speaker_end)
        elif row.speaker_id is not None:
            outside = []
            for mention in by_entity.get(row.speaker_id, []):
                m_start, m_end = mention.start or 0, mention.end or 0
                if m_end <= quote.start:
                    outside.append((quote.start - m_end, 0, m_start, m_end))
                elif m_start >= quote.end:
                    outside.append((m_start - quote.end, 1, m_start, m_end))
            if outside:
                _, _, m_start, m_end = min(outside)
                target = (m_start, m_end)
        labels.append(SpeakerLabel(quote, target))
    return labels


def segments_of(
    body: str, items: list[Item], labels: list[SpeakerLabel] | None = None
) -> list[Segment]:
    """The body cut at every span boundary; each piece carries the items covering it.
    Overlapping and nested spans are kept, not dropped: a piece is marked by all of them.
    With `labels`, the text is also cut where each speaker is named, and each label rides
    on the piece where its quote starts."""
    labels = labels or []
    spans = [i for i in items if i.start is not None and i.end is not None and i.start < i.end]
    cuts = {0, len(body)}
    for item in spans:
        cuts.add(max(0, min(len(body), item.start or 0)))
        cuts.add(max(0, min(len(body), item.end or 0)))
    named = [(label.target, label.quote.key) for label in labels if label.target]
    for (start, end), _ in named:
        cuts.update((start, end))
    bounds = sorted(cuts)
    starts = {i.start for i in spans}
    labels_at: dict[int, list[SpeakerLabel]] = {}
    for label in labels:
        labels_at.setdefault(label.quote.start or 0, []).append(label)
    anchors = {start for (start, _), _ in named}
    # Items by start; a sweep keeps the open ones, so the cost is the number of pieces
    # times the items open at once, not pieces x all items.
    spans.sort(key=lambda i: (i.start, i.end))
    segments: list[Segment] = []
    open_items: list[Item] = []
    next_span = 0
    for left, right in itertools.pairwise(bounds):
        while next_span < len(spans) and (spans[next_span].start or 0) <= left:
            open_items.append(spans[next_span])
            next_span += 1
        open_items = [i for i in open_items if (i.end or 0) > left]
        segments.append(
            Segment(
                body[left:right],
                list(open_items),
                start=left,
                labels=labels_at.get(left, []),
                speaker_of=[key for (s, e), key in named if s <= left < e],
                anchor=anchor_id(left) if left in anchors else "",
                focusable=left in starts,
            )
        )
    return segments


def _owned(kind: str, row: Any, user: AbstractBaseUser | AnonymousUser) -> Item:
    """A note: its author's (or an admin's) to edit and delete."""
    mine = guards.may_own(user, row)
    return Item(kind, row, row.start, row.end, "", editable=mine, deletable=mine)


def _seen(rows: QuerySet[Any], user: Any, blind: bool, kind: str) -> QuerySet[Any]:
    """Quotes or stances of the article as the viewer sees them: on an article they code
    blind, the machine's with their own decisions, and their own (selectors.team)."""
    if not blind:
        return rows
    return team.as_seen_by(
        rows.filter(Q(origin=Origin.MACHINE) | Q(created_by_id=user.pk)), user, kind
    )


def article_for_reader(pk: int, user: Any) -> Article:
    """The article with what its header shows, and the viewer's live assignment on it
    (`assignment_id`, `assignment_mode`, `assignment_done_at`, None without one);
    Article.DoesNotExist when there is none. One query."""
    live = Assignment.objects.filter(
        article=OuterRef("pk"), analyst_id=getattr(user, "pk", None), returned_at__isnull=True
    )
    return (
        Article.objects.select_related("outlet", "story")
        .defer("raw_text", "minhash")
        .annotate(
            assignment_id=Subquery(live.values("pk")[:1]),
            assignment_mode=Subquery(live.values("mode")[:1]),
            assignment_done_at=Subquery(live.values("done_at")[:1]),
        )
        .get(pk=pk)
    )


def coded_blind(article: Article, user: Any) -> bool:
    """Whether the viewer codes the article (from article_for_reader) blind, unfinished."""
    return (
        team.codes_blind(user)
        and getattr(article, "assignment_mode", None) == AssignmentMode.BLIND
        and getattr(article, "assignment_done_at", None) is None
    )


def _mentions(article: Article) -> QuerySet[Mention]:
    return (
        Mention.objects.filter(article=article)
        .select_related("entity", "reviewed_by")
        .order_by("start", "id")
    )


def reader_context(
    article: Article,
    user: AbstractBaseUser | AnonymousUser,
    shown: "PanelFilter | None" = None,
) -> dict[str, Any]:
    """Everything the reader template needs besides the article itself; the panel lists
    what the `shown` filter lets through (panel_of).

    Queries: source file, mentions, quotes, stances, notes, polarities, and for an
    analyst or admin their latest review on the article (for Undo): seven.
    """
    role = roles.role_of(user)
    annotator = guards.is_annotator(user)
    blind = coded_blind(article, user)
    source = (
        ImportFile.objects.filter(article=article, status=ImportFile.Status.IMPORTED)
        .order_by("pk")
        .values_list("original_name", flat=True)
        .first()
    )
    # Who may change what, as the services decide it: any analyst corrects a mention
    # (mention_update) or a machine quote; authors and admins their own items.
    # Blind coders leave the shared mentions alone until done (decisions.mention_write_check).
    mentions = [
        Item(
            "mention",
            m,
            m.start,
            m.end,
            m.status,
            editable=annotator and not blind,
            reviewable=not blind,
        )
        for m in _mentions(article)
    ]
    # On an article the viewer codes blind: the machine's suggestions, with the viewer's
    # own decisions, and the viewer's own work (selectors.team).
    quotes = [
        Item(
            "quote",
            q,
            q.start,
            q.end,
            q.shown_status,
            editable=guards.may_correct(user, q),
            deletable=guards.may_own(user, q),
            own_decision=blind and q.origin == Origin.MACHINE,
        )
        for q in _seen(Quote.objects.filter(article=article), user, blind, "quote")
        .annotate(decided=_decided(QuoteDecision, "quote", user))
        .select_related("speaker", "created_by", "reviewed_by")
        .order_by("start", "id")
    ]
    # Stances as quotes: the machine's are reviewed and corrected by any analyst.
    stances = [
        Item(
            "stance",
            row,
            row.start,
            row.end,
            row.shown_status,
            editable=guards.may_correct(user, row),
            deletable=guards.may_own(user, row),
            own_decision=blind and row.origin == Origin.MACHINE,
        )
        for row in _seen(Stance.objects.filter(article=article), user, blind, "stance")
        .annotate(decided=_decided(StanceDecision, "stance", user))
        .select_related("holder", "target_entity", "polarity", "created_by", "reviewed_by", "quote")
        .order_by("start", "id")
    ]
    notes = [
        _owned("note", row, user)
        for row in (
            Note.objects.filter(article=article).filter(
                Q(created_by__isnull=True) | Q(created_by_id=user.pk)
            )
            if blind
            else Note.objects.filter(article=article)
        )
        .select_related("created_by")
        .order_by("start", "id")
    ]
    items = sorted(
        quotes + stances + notes,
        key=lambda i: (i.start is None, i.start or 0, i.end or 0, i.kind),
    )
    return {
        "role": role,
        "may_annotate": annotator,
        "source_file": source,
        "segments": segments_of(
            article.body,
            mentions + quotes + stances + notes,
            speaker_labels(quotes, mentions, len(article.body)),
        ),
        "items": items,
        "mentions": mentions,
        "mentions_to_review": sum(1 for m in mentions if m.suggested and m.reviewable),
        "quote_count": len(quotes),
        "stance_count": len(stances),
        "note_count": len(notes),
        "suggestions_left": sum(
            1 for i in quotes + stances + mentions if i.suggested and i.reviewable
        ),
        "panel": panel_of(mentions + items, user, shown or PanelFilter(), may_review=annotator),
        "last_review": last_review(article, user) if annotator else None,
        "polarities": list(Polarity.objects.filter(is_active=True).order_by("position", "label")),
        "quote_kinds": Quote.Kind.choices,
        "entity_kinds": EntityKind.choices,
    }


# --- the side panel: filters with counts, wording, bulk review, undo -------------------

# The kinds in the order the filter offers them, and their names in the plural.
KINDS = ("quote", "mention", "stance", "note")
PLURALS = {"quote": "quotes", "mention": "mentions", "stance": "stances", "note": "notes"}
STATES = {"review": "To review", "mine": "Mine", "all": "Everything"}


@dataclass(frozen=True, slots=True)
class PanelFilter:
    """What the panel lists, as the URL's query says it (?kind=mention&state=review&entity=12):
    a kind ("" for all), a state (review: suggestions the viewer may still review; mine:
    what they created or decided; all) and an entity (None for all)."""

    kind: str = ""
    state: str = "all"
    entity: int | None = None

    def query(self, **changes: Any) -> str:
        """The URL query of this filter with `changes`, defaults left out ("?" for none)."""
        values = {"kind": self.kind, "state": self.state, "entity": self.entity, **changes}
        parts = []
        if values["kind"]:
            parts.append(f"kind={values['kind']}")
        if values["state"] != "all":
            parts.append(f"state={values['state']}")
        if values["entity"] is not None:
            parts.append(f"entity={values['entity']}")
        return "?" + "&".join(parts)


def panel_filter(query: Any) -> PanelFilter:
    """The filter a request's query asks for. A value the panel does not know (an old or
    mangled link) is left out rather than refused: the reader then shows more, never an
    error page."""
    kind = query.get("kind", "")
    state = query.get("state", "all")
    entity = query.get("entity", "")
    return PanelFilter(
        kind=kind if kind in KINDS else "",
        state=state if state in STATES else "all",
        entity=int(entity) if entity.isdigit() and len(entity) < 19 else None,
    )


@dataclass(frozen=True, slots=True)
class FilterOption:
    value: str
    label: str
    count: int
    selected: bool
    query: str


@dataclass(slots=True)
class Panel:
    shown: PanelFilter
    items: list[Item]  # what the filter lets through, in text order
    total: int  # every item of the article the viewer sees
    to_review: int  # every suggestion the viewer may still review
    kinds: list[FilterOption]
    states: list[FilterOption]
    entities: list[FilterOption]
    reviewable: list[Item]  # the shown suggestions the viewer may review: bulk review
    bulk_what: str  # "14 suggested mentions of Xi Jinping"

    @property
    def filtered(self) -> bool:
        return self.shown != PanelFilter()


def _decided(model: type[QuoteDecision] | type[StanceDecision], kind: str, user: Any) -> Exists:
    """Whether the viewer recorded a decision on the row (quotedecision_analyst_idx)."""
    return Exists(model.objects.filter(**{kind: OuterRef("pk")}, analyst_id=user.pk))


def _name(user: Any, viewer: Any, fallback: str) -> str:
    if user is None:
        return fallback
    return "you" if user.pk == getattr(viewer, "pk", None) else user.get_username()


def provenance(item: Item, viewer: Any) -> str:
    """Who suggested, added and reviewed an item, as a sentence: "Suggested by the machine,
    confirmed by ana", "Added by you", "Gold, settled by ben"."""
    row = item.row
    creator = getattr(row, "created_by", None)
    if item.kind == "note":
        return f"Added by {_name(creator, viewer, 'the machine')}"
    origin = getattr(row, "origin", Origin.ANALYST)
    if origin == "gold":
        return f"Gold, settled by {_name(creator, viewer, 'an adjudicator')}"
    reviewer = getattr(row, "reviewed_by", None)
    if origin == Origin.MACHINE:
        said = "Suggested by the machine"
        if item.status == ReviewStatus.SUGGESTED:
            return said
        if item.own_decision:
            if getattr(row, "verdict", None) == "corrected":
                return f"{said}, replaced by your own version"
            return f"{said}, {item.status} by you"
        return f"{said}, {item.status} by {_name(reviewer, viewer, 'an analyst')}"
    said = f"Added by {_name(creator, viewer, 'an analyst')}"
    if item.status == ReviewStatus.REJECTED:
        return f"{said}, rejected by {_name(reviewer, viewer, 'a reviewer')}"
    if item.status == ReviewStatus.SUGGESTED:
        return f"{said}, not yet reviewed"
    return said


def _entities(item: Item) -> list[tuple[int, str]]:
    """The entities an item is about: a mention's, a quote's speaker, a stance's holder
    and target entity."""
    row = item.row
    if item.kind == "mention":
        return [(row.entity_id, row.entity.name)]
    if item.kind == "quote":
        return [(row.speaker_id, row.speaker.name)] if row.speaker_id else []
    if item.kind == "stance":
        found = [(row.holder_id, row.holder.name)]
        if row.target_entity_id and row.target_entity_id != row.holder_id:
            found.append((row.target_entity_id, row.target_entity.name))
        return found
    return []


def _common_entity(kind: str, rows: list[Any]) -> str:
    """The entity every row of one kind is about (mention's, speaker, holder), or ""."""
    field = {"mention": "entity", "quote": "speaker", "stance": "holder"}.get(kind)
    if field is None:
        return ""
    names = {getattr(getattr(row, field), "name", None) for row in rows}
    only = next(iter(names)) if len(names) == 1 else None
    return str(only) if only is not None else ""


def describe_suggestions(pairs: list[tuple[str, Any]], entity: str = "") -> str:
    """Suggestions in words, for a confirmation or an undo: "14 suggested mentions of Xi
    Jinping", "1 suggested quote by Yury Ushakov", "5 suggestions involving Russia (3
    mentions, 2 stances)". `entity` is the one the panel is filtered to, if any."""
    count = len(pairs)
    if not count:
        return ""
    kinds = dict.fromkeys(KINDS, 0)
    for kind, _ in pairs:
        kinds[kind] += 1
    present = [kind for kind in KINDS if kinds[kind]]
    if len(present) == 1:
        kind = present[0]
        noun = f"suggested {kind if count == 1 else PLURALS[kind]}"
        name = entity or _common_entity(kind, [row for _, row in pairs])
        if not name:
            return f"{count} {noun}"
        preposition = {"mention": "of", "quote": "by"}.get(
            kind, "involving" if entity else "taken by"
        )
        return f"{count} {noun} {preposition} {name}"
    parts = ", ".join(
        f"{kinds[kind]} {kind if kinds[kind] == 1 else PLURALS[kind]}" for kind in present
    )
    about = f" involving {entity}" if entity else ""
    return f"{count} suggestions{about} ({parts})"


def panel_of(items: list[Item], user: Any, shown: PanelFilter, *, may_review: bool) -> Panel:
    """The panel for `items` (every kind, in any order): what `shown` lets through, in
    text order, and every filter option with the number of items it would show with the
    other two choices kept (as a search page's facets count). No query."""
    viewer = getattr(user, "pk", None)
    for item in items:
        row = item.row
        item.mine = (
            getattr(row, "created_by_id", None) == viewer
            or getattr(row, "reviewed_by_id", None) == viewer
            or bool(getattr(row, "decided", False))
        )
        item.entity_ids = tuple(pk for pk, _ in _entities(item))
        item.provenance = provenance(item, user)
    names: dict[int, str] = {}
    for item in items:
        names.update(_entities(item))

    def to_review(item: Item) -> bool:
        return may_review and item.suggested and item.reviewable

    def in_state(item: Item, state: str) -> bool:
        if state == "review":
            return to_review(item)
        if state == "mine":
            return item.mine
        return True

    def passes(item: Item, kind: str, state: str, entity: int | None) -> bool:
        return (
            (not kind or item.kind == kind)
            and in_state(item, state)
            and (entity is None or entity in item.entity_ids)
        )

    ordered = sorted(items, key=lambda i: (i.start is None, i.start or 0, i.end or 0, i.kind))
    listed = [i for i in ordered if passes(i, shown.kind, shown.state, shown.entity)]
    kinds = [
        FilterOption(
            kind,
            label,
            sum(1 for i in items if passes(i, kind, shown.state, shown.entity)),
            shown.kind == kind,
            shown.query(kind=kind),
        )
        for kind, label in [("", "All"), *((k, PLURALS[k].capitalize()) for k in KINDS)]
    ]
    states = [
        FilterOption(
            state,
            label,
            sum(1 for i in items if passes(i, shown.kind, state, shown.entity)),
            shown.state == state,
            shown.query(state=state),
        )
        for state, label in STATES.items()
    ]
    per_entity: dict[int, int] = {}
    for i in items:
        if passes(i, shown.kind, shown.state, None):
            for pk in i.entity_ids:
                per_entity[pk] = per_entity.get(pk, 0) + 1
    if shown.entity is not None:
        per_entity.setdefault(shown.entity, 0)
    entities = [
        FilterOption(
            str(pk),
            names.get(pk, f"Entity {pk}"),
            count,
            shown.entity == pk,
            shown.query(entity=pk),
        )
        for pk, count in sorted(per_entity.items(), key=lambda e: (-e[1], names.get(e[0], "")))
    ]
    reviewable = [i for i in listed if to_review(i)]
    entity_name = names.get(shown.entity, "") if shown.entity is not None else ""
    return Panel(
        shown=shown,
        items=listed,
        total=len(items),
        to_review=sum(1 for i in items if to_review(i)),
        kinds=kinds,
        states=states,
        entities=entities,
        reviewable=reviewable,
        bulk_what=describe_suggestions([(i.kind, i.row) for i in reviewable], entity_name),
    )


def last_review(article: Article, user: Any) -> ReviewAction | None:
    """The viewer's latest review on the article that is not undone yet: what Undo undoes
    (reviewaction_last_idx). One query."""
    return (
        ReviewAction.objects.filter(analyst_id=user.pk, article=article, undone_at__isnull=True)
        .only("pk", "verdict", "summary", "created_at")
        .order_by("-id")
        .first()
    )
