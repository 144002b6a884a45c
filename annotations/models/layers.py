from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from simple_history.models import HistoricalRecords

from articles.anchoring import CONTEXT_CHARS
from articles.models import (
    AnchoredSpan,
    Article,
    Entity,
    Origin,
    ReviewStatus,
    Story,
    TimeStamped,
)


class Polarity(TimeStamped):
    """The stance vocabulary. Seeded with support/oppose/neutral/mixed; admins may add."""

    class Sign(models.IntegerChoices):
        """Which side a polarity takes, for the analysis views: DNA's binary agreement
        qualifier. Congruence and conflict between actors count support and opposition;
        a polarity of neither side is counted in activity, never in agreement."""

        SUPPORT = 1, "Support"
        OPPOSE = -1, "Oppose"
        NEITHER = 0, "Neither"

    slug = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100, help_text="Order in menus.")
    is_active = models.BooleanField(
        default=True, help_text="Inactive polarities stay on old stances but are not offered."
    )
    sign = models.SmallIntegerField(
        choices=Sign.choices,
        default=Sign.NEITHER,
        help_text="The side it takes in the analysis views: support, oppose or neither.",
    )
    # The words between holder and target that make a stance a sentence ("Xi Jinping
    # supports Russia", "... is neutral on ..."): English agreement and prepositions are
    # not derivable from a label, so an admin who adds a polarity writes them.
    phrase = models.CharField(
        max_length=80,
        default="",
        help_text=(
            'The words between holder and target, in the third person: "supports", '
            '"is neutral on", "has mixed views on".'
        ),
    )

    class Meta:
        ordering = ["position", "label"]
        verbose_name_plural = "polarities"

    def __str__(self) -> str:
        return self.label

    @property
    def verb(self) -> str:
        """The phrase, or for a polarity saved without one (in code, before the admin
        asked for it), words that are grammatical whatever the label."""
        return self.phrase or f"takes the stance “{self.label}” on"


class Tag(TimeStamped):
    slug = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class Statement(TimeStamped):
    """One utterance as reported across coverage; its quotes are the variants."""

    reference_text = models.TextField(help_text="The wording the variants are compared to.")
    speaker = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )
    story = models.ForeignKey(
        Story, null=True, blank=True, on_delete=models.SET_NULL, related_name="statements"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.reference_text[:80]


class Quote(AnchoredSpan, TimeStamped):
    """Reported speech: the content span, who said it and the verb that says so."""

    class Kind(models.TextChoices):
        DIRECT = "direct", "Direct"
        INDIRECT = "indirect", "Indirect"
        MIXED = "mixed", "Mixed"

    speaker = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.SET_NULL, related_name="quotes"
    )
    speaker_start = models.PositiveIntegerField(null=True, blank=True)
    speaker_end = models.PositiveIntegerField(null=True, blank=True)
    cue = models.CharField(max_length=100, blank=True, help_text='e.g. "said", "told"')
    cue_start = models.PositiveIntegerField(null=True, blank=True)
    cue_end = models.PositiveIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DIRECT)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.ANALYST)
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.CONFIRMED
    )
    statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.SET_NULL, related_name="variants"
    )
    similarity = models.FloatField(
        null=True, blank=True, help_text="Similarity of this wording to the statement's, 0-1."
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="quotes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes_created",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[tags])

    class Meta(AnchoredSpan.Meta):
        ordering = ["article", "start", "end"]
        indexes = [
            # The sync feed and updated_since: rows changed after a cursor, in order.
            models.Index(fields=["updated_at", "id"], name="quote_sync_idx"),
            # Reader: an article's quotes in text order.
            models.Index(fields=["article", "start"], name="quote_article_start_idx"),
            # Entity page: what this actor said.
            models.Index(fields=["speaker", "-created_at"], name="quote_speaker_idx"),
            # The article list's speaker facet: articles per speaker, rejected quotes left
            # out, read from the index alone.
            models.Index(
                fields=["speaker", "article"],
                condition=Q(speaker__isnull=False) & ~Q(status="rejected"),
                name="quote_speaker_kept_idx",
            ),
            # Review queue: suggestions still to look at.
            models.Index(fields=["status", "origin"], name="quote_status_origin_idx"),
        ]
        constraints = [
            *AnchoredSpan.Meta.constraints,
            models.CheckConstraint(
                condition=(Q(speaker_start__isnull=True) & Q(speaker_end__isnull=True))
                | (
                    Q(speaker_start__isnull=False)
                    & Q(speaker_end__isnull=False)
                    & Q(speaker_start__lt=F("speaker_end"))
                ),
                name="annotations_quote_speaker_span_in_order",
                violation_error_message="A speaker span needs both ends, with start < end.",
            ),
            models.CheckConstraint(
                condition=(Q(cue_start__isnull=True) & Q(cue_end__isnull=True))
                | (
                    Q(cue_start__isnull=False)
                    & Q(cue_end__isnull=False)
                    & Q(cue_start__lt=F("cue_end"))
                ),
                name="annotations_quote_cue_span_in_order",
                violation_error_message="A cue span needs both ends, with start < end.",
            ),
            models.CheckConstraint(
                condition=Q(similarity__isnull=True)
                | (Q(similarity__gte=0) & Q(similarity__lte=1)),
                name="annotations_quote_similarity_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.exact[:80]

    @property
    def shown_status(self) -> str:
        """The status its reader sees: their own decision on an article they code blind
        (`seen_status`, annotated by selectors.team.as_seen_by), else its status."""
        return getattr(self, "seen_status", None) or self.status


class Stance(AnchoredSpan, TimeStamped):
    """Who supports or opposes whom or what, with the evidence span that says so."""

    quote = models.ForeignKey(
        Quote,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stances",
        help_text="The quote this stance is read from, when there is one.",
    )
    holder = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="stances_held")
    target_entity = models.ForeignKey(
        Entity, null=True, blank=True, on_delete=models.PROTECT, related_name="stances_received"
    )
    target_text = models.CharField(
        max_length=300, blank=True, help_text="A topic, when the target is not an entity."
    )
    polarity = models.ForeignKey(Polarity, on_delete=models.PROTECT, related_name="stances")
    note = models.TextField(blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.ANALYST)
    # An analyst's stance is confirmed from the start; the machine's is suggested until an
    # analyst accepts (confirms), corrects (confirms) or rejects it, as a quote is.
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.CONFIRMED
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="stances")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stances_created",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stances_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[tags])

    class Meta(AnchoredSpan.Meta):
        ordering = ["article", "start", "end"]
        indexes = [
            # The sync feed and updated_since: rows changed after a cursor, in order.
            models.Index(fields=["updated_at", "id"], name="stance_sync_idx"),
            models.Index(fields=["article", "start"], name="stance_article_start_idx"),
            # Entity page: stances held and stances received.
            models.Index(fields=["holder", "-created_at"], name="stance_holder_idx"),
            models.Index(fields=["target_entity", "-created_at"], name="stance_target_idx"),
            # Review queue: the machine's stance suggestions still to look at.
            models.Index(fields=["status", "origin"], name="stance_status_origin_idx"),
        ]
        constraints = [
            *AnchoredSpan.Meta.constraints,
            models.CheckConstraint(
                condition=Q(target_entity__isnull=False) | ~Q(target_text=""),
                name="annotations_stance_has_target",
                violation_error_message="A stance needs a target entity or a target topic.",
            ),
            models.UniqueConstraint(
                fields=["created_by", "quote"],
                condition=Q(quote__isnull=False) & Q(created_by__isnull=False),
                name="annotations_stance_one_per_analyst_per_quote",
                violation_error_message="You already recorded a stance on this quote.",
            ),
        ]

    def __str__(self) -> str:
        target = self.target_entity.name if self.target_entity else self.target_text
        return f"{self.holder.name} {self.polarity.slug} {target}"

    @property
    def shown_status(self) -> str:
        """The status its reader sees: their own decision on an article they code blind
        (`seen_status`, annotated by selectors.team.as_seen_by), else its status."""
        return getattr(self, "seen_status", None) or self.status


class Note(TimeStamped):
    """An analyst's free-text note on an article, optionally anchored to a span."""

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="notes")
    text = models.TextField()
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    exact = models.TextField(blank=True)
    prefix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=CONTEXT_CHARS, blank=True)
    quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    stance = models.ForeignKey(
        Stance, null=True, blank=True, on_delete=models.CASCADE, related_name="notes"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="notes")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes_created",
    )

    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering = ["article", "start", "created_at"]
        indexes = [
            # The sync feed and updated_since: rows changed after a cursor, in order.
            models.Index(fields=["updated_at", "id"], name="note_sync_idx"),
            models.Index(fields=["article", "start"], name="note_article_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True) & Q(exact=""))
                | (
                    Q(start__isnull=False)
                    & Q(start__gte=0)
                    & Q(start__lt=F("end"))
                    & Q(end=F("start") + Length("exact"))
                ),
                name="annotations_note_span_in_order",
                violation_error_message="A note's span needs 0 <= start < end and its exact text.",
            ),
            models.CheckConstraint(condition=~Q(text=""), name="annotations_note_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:80]


class Deletion(models.Model):
    """A tombstone: a row that was deleted, so that a client syncing with `updated_since`
    can drop its copy. Written by database triggers (`annotations.dbguards`) on every delete,
    whatever did it: a service, a cascade, the admin or a re-run of the extractor."""

    class Kind(models.TextChoices):
        ARTICLE = "article", "Article"
        ENTITY = "entity", "Entity"
        STORY = "story", "Story"
        MENTION = "mention", "Mention"
        QUOTE = "quote", "Quote"
        STATEMENT = "statement", "Statement"
        STANCE = "stance", "Stance"
        NOTE = "note", "Note"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    object_id = models.BigIntegerField()
    # Plain integers, not foreign keys: the article may be gone too.
    article_id = models.BigIntegerField(null=True, blank=True)
    deleted_at = models.DateTimeField()

    class Meta:
        ordering = ["deleted_at", "id"]
        indexes = [
            # The deleted feed: everything deleted since a client's last pull, in order.
            models.Index(fields=["deleted_at", "id"], name="deletion_since_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} deleted {self.deleted_at:%Y-%m-%d %H:%M}"


class ArticleReview(models.Model):
    """How far analysts got with one article, as the article list filters, counts and
    shows it. Triggers on quotes, mentions, stances and notes keep it (written by articles
    migration 0008, moved here by this app's 0008): the status rule exists there alone,
    and the list reads one row per article instead of scanning its annotations. No
    foreign-key constraint: a deleted article's row is removed by a trigger, after its
    annotations' own triggers have run."""

    class Status(models.TextChoices):
        UNTOUCHED = "untouched", "Untouched"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    article = models.OneToOneField(
        Article,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="review",
    )
    quotes = models.PositiveIntegerField(default=0, help_text="Quotes not rejected.")
    suggestions = models.PositiveIntegerField(
        default=0, help_text="Suggested quotes, mentions and stances not yet reviewed."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNTOUCHED)

    class Meta:
        indexes = [
            # The list's status filter and facet: the articles in one state.
            models.Index(fields=["status"], name="articlereview_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.status}"
