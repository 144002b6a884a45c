"""Team work: who codes which article (assignments, in rounds), each analyst's own review
of the machine's suggestions, and the adjudication of analysts' versions into gold.

An analyst's version of an article is what they made (quotes and stances with origin
analyst and created_by them) and the machine's suggestions they accepted (a decision
`confirmed`, not corrected). Gold is quotes and stances with origin `gold`, written by
an adjudicator; each comes from one AdjudicationDecision."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from annotations.models.layers import Quote, Stance
from articles.models import Article, ReviewStatus, TimeStamped


class AssignmentMode(models.TextChoices):
    # Blind: until the analyst marks the article done, they see the machine's suggestions
    # and their own work only. Shared: everyone's work, as without an assignment.
    BLIND = "blind", "Blind"
    SHARED = "shared", "Shared"


class AssignmentRound(TimeStamped):
    """One bulk assignment: a selection of articles shared among analysts, reproducibly
    (the strategy and its seed give the same assignments again for the same input)."""

    class Strategy(models.TextChoices):
        ROUND_ROBIN = "round_robin", "Round-robin"
        RANDOM = "random", "Random"

    label = models.CharField(max_length=200, blank=True)
    mode = models.CharField(
        max_length=8, choices=AssignmentMode.choices, default=AssignmentMode.BLIND
    )
    strategy = models.CharField(
        max_length=12, choices=Strategy.choices, default=Strategy.ROUND_ROBIN
    )
    seed = models.BigIntegerField(default=0)
    analysts_per_article = models.PositiveSmallIntegerField(default=1)
    # A share of the articles coded by `overlap_analysts` analysts for calibration.
    overlap_share = models.FloatField(default=0.0)
    overlap_analysts = models.PositiveSmallIntegerField(default=2)
    # Unfinished work goes back to the pool this many days after it was assigned.
    return_after_days = models.PositiveSmallIntegerField(null=True, blank=True)
    selection = models.TextField(
        blank=True, help_text="The article list's query string the round was made from."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignment_rounds",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("lead_team", "Assign work to analysts and adjudicate it to gold")]
        constraints = [
            models.CheckConstraint(
                condition=Q(analysts_per_article__gte=1),
                name="annotations_round_k_at_least_1",
            ),
            models.CheckConstraint(
                condition=Q(overlap_share__gte=0) & Q(overlap_share__lte=1),
                name="annotations_round_overlap_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(overlap_analysts__gte=2), name="annotations_round_overlap_at_least_2"
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"Round {self.pk}"


class Assignment(TimeStamped):
    """One article for one analyst to code. Live until it is returned; open until done."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="assignments")
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )
    round = models.ForeignKey(
        AssignmentRound,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
    )
    mode = models.CharField(
        max_length=8, choices=AssignmentMode.choices, default=AssignmentMode.BLIND
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments_given",
    )
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    # Unfinished work given back (by a lead, or by the periodic return after the round's
    # days): the row stays for the record, and the article may be assigned again.
    returned_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_at", "created_at", "id"]
        indexes = [
            # My work: an analyst's live assignments, open ones first.
            models.Index(
                fields=["analyst", "done_at", "article"],
                condition=Q(returned_at__isnull=True),
                name="assignment_analyst_live_idx",
            ),
            # Visibility and agreement: the live assignments of an article.
            models.Index(
                fields=["article", "analyst"],
                condition=Q(returned_at__isnull=True),
                name="assignment_article_live_idx",
            ),
            # The periodic return: open assignments past their due time.
            models.Index(
                fields=["due_at"],
                condition=Q(returned_at__isnull=True) & Q(done_at__isnull=True),
                name="assignment_open_due_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "analyst"],
                condition=Q(returned_at__isnull=True),
                name="annotations_assignment_one_live_per_analyst",
                violation_error_message="This analyst already has this article.",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(returned_at__isnull=True),
                name="annotations_assignment_done_or_returned",
                violation_error_message="Finished work cannot be returned.",
            ),
        ]

    @property
    def state(self) -> str:
        if self.returned_at is not None:
            return "returned"
        return "done" if self.done_at is not None else "open"

    def __str__(self) -> str:
        return f"article {self.article_id} for user {self.analyst_id} ({self.state})"


class Verdict(models.TextChoices):
    CONFIRMED = ReviewStatus.CONFIRMED.value, "Accepted"
    REJECTED = ReviewStatus.REJECTED.value, "Rejected"
    # The analyst made their own version instead (`correction`).
    CORRECTED = "corrected", "Corrected"


class Decision(TimeStamped):
    """One analyst's review of one machine suggestion, theirs alone."""

    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    verdict = models.CharField(max_length=10, choices=Verdict.choices)

    class Meta:
        abstract = True


class QuoteDecision(Decision):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="decisions")
    correction = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrects"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["quote", "analyst"], name="annotations_quotedecision_one_per_analyst"
            ),
        ]
        indexes = [
            # An analyst's version: the suggestions they decided on, per article.
            models.Index(fields=["analyst", "quote"], name="quotedecision_analyst_idx"),
        ]


class StanceDecision(Decision):
    stance = models.ForeignKey(Stance, on_delete=models.CASCADE, related_name="decisions")
    correction = models.ForeignKey(
        Stance, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrects"
    )

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stance", "analyst"], name="annotations_stancedecision_one_per_analyst"
            ),
        ]
        indexes = [
            models.Index(fields=["analyst", "stance"], name="stancedecision_analyst_idx"),
        ]


class ArticleAgreement(models.Model):
    """The agreement of an article's finished versions, as the adjudication queue sorts
    and shows it: refreshed when an analyst marks the article done or changes finished
    work, and when it is adjudicated."""

    article = models.OneToOneField(
        Article, primary_key=True, on_delete=models.CASCADE, related_name="agreement"
    )
    coders = models.PositiveSmallIntegerField(default=0)
    units = models.PositiveIntegerField(default=0)
    agreed = models.PositiveIntegerField(default=0)
    disagreed = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()
    # Set once every disagreement is settled into gold.
    adjudicated_at = models.DateTimeField(null=True, blank=True)
    adjudicated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        indexes = [
            # The adjudication queue: articles still to settle, worst first.
            models.Index(
                fields=["-disagreed", "article"],
                condition=Q(adjudicated_at__isnull=True),
                name="agreement_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"article {self.article_id}: {self.disagreed} of {self.units} units disagreed"


class AdjudicationDecision(TimeStamped):
    """How one unit of an article (a quote or a stance, as the analysts' versions match
    it) was settled into gold: agreed by all (merged by itself), one version picked, an
    edited version, or no gold unit at all."""

    class How(models.TextChoices):
        AGREED = "agreed", "Agreed by all"
        PICKED = "picked", "Picked"
        EDITED = "edited", "Edited"
        DROPPED = "dropped", "Dropped"

    class Kind(models.TextChoices):
        QUOTE = "quote", "Quote"
        STANCE = "stance", "Stance"

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="adjudication_decisions"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    how = models.CharField(max_length=8, choices=How.choices)
    # The versions the unit matched, `{analyst id: row id}`; the analyst whose one was
    # picked (null when agreed, edited or dropped).
    versions = models.JSONField(default=dict)
    picked_analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    gold_quote = models.ForeignKey(
        Quote, null=True, blank=True, on_delete=models.SET_NULL, related_name="adjudications"
    )
    gold_stance = models.ForeignKey(
        Stance, null=True, blank=True, on_delete=models.SET_NULL, related_name="adjudications"
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["article", "id"]
        indexes = [
            models.Index(fields=["article", "kind"], name="adjudication_article_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of article {self.article_id}: {self.how}"
