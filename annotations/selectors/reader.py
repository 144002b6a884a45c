"""What the reader shows of one article: its text cut into highlighted segments, and its
mentions, quotes, stances and notes in text order. A fixed number of queries whatever the
number of annotations (tests/ui/test_reader.py counts them)."""

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from annotations.models import Assignment, AssignmentMode, Note, Polarity, Quote, Stance
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
            return (
                f"Stance: {row.holder.name} {row.polarity.label.lower()} {target} ({self.status})"
            )
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


def reader_context(article: Article, user: AbstractBaseUser | AnonymousUser) -> dict[str, Any]:
    """Everything the reader template needs besides the article itself.

    Queries: source file, mentions, quotes, stances, notes, polarities (six).
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
        "polarities": list(Polarity.objects.filter(is_active=True).order_by("position", "label")),
        "quote_kinds": Quote.Kind.choices,
        "entity_kinds": EntityKind.choices,
    }
