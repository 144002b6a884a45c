"""The journal of analysts' reviews, so that the last one can be undone.

Every accept or reject of machine suggestions in the reader, one at a time or many at
once, is one ReviewAction: who, on which article, the verdict, and for each row it
touched (a mention, quote or stance, and the analyst's own decision on a quote or stance)
its state before and after. Undo restores the before state, only for the analyst who acted
and only while every touched row is still as the action left it."""

from django.conf import settings
from django.db import models

from articles.models import Article


class ReviewAction(models.Model):
    analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=10)  # confirmed | rejected (ReviewStatus)
    # What was reviewed, in words: "14 suggested mentions of Xi Jinping".
    summary = models.CharField(max_length=300)
    # [{"kind": "mention", "id": 12, "before": {...}, "after": {...}}, ...]: the states
    # the services wrote (status, reviewer, review time, the row's updated_at; the
    # analyst's decision on a quote or stance), one JSON value so that an action of any
    # size is one insert.
    rows = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The reader's "Undo": an analyst's latest action on an article.
            models.Index(fields=["analyst", "article", "-id"], name="reviewaction_last_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} {self.summary}"

    @property
    def count(self) -> int:
        return len(self.rows)

    @property
    def verdict_words(self) -> str:
        return "accepted" if self.verdict == "confirmed" else "rejected"
