"""The overview page, a dashboard: the size of the corpus, review progress, imports and
coverage over time, and the most active actors."""

from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from annotations.models import ArticleReview, Note, Quote, Stance
from annotations.selectors import analysis, team
from articles.models import Article, ImportBatch, Mention, ReviewStatus
from newsdesk import roles

IMPORT_WEEKS = 12  # the import table: the last weeks with their files
TOP_ACTORS = 10


def overview_for(user: AbstractBaseUser | AnonymousUser) -> dict[str, Any]:
    """What the home page shows: the size of the corpus and of the review work.

    Eleven queries whatever the corpus size (twelve with the recent imports for admins);
    the most quoted speakers come from the sources endpoint, as a chart.
    """
    coverage = Article.objects.aggregate(
        articles=Count("id"),
        outlets=Count("outlet", distinct=True),
        stories=Count("story", distinct=True),
    )
    by_status = {status: Count("id", filter=Q(status=status)) for status in ReviewStatus.values}
    context: dict[str, Any] = {
        "role": roles.role_of(user),
        "coverage": coverage,
        # What the user may see: not others' work on articles they code blind (team).
        "quotes": team.visible(Quote.objects.all(), user).aggregate(total=Count("id"), **by_status),
        "mentions": Mention.objects.aggregate(total=Count("id"), **by_status),
        "stances": team.visible(Stance.objects.all(), user).count(),
        "notes": team.visible_notes(Note.objects.all(), user).count(),
        "recent_imports": [],
        "review": _review_progress(),
        "imports_by_week": _imports_by_week(),
    }
    blind = user.pk if team.codes_blind(user) else None
    filters = analysis.AnalysisFilters(viewer=blind)
    context["top_holders"] = analysis.top_holders(filters, TOP_ACTORS)

    if context["role"] == roles.ADMIN:
        context["recent_imports"] = list(ImportBatch.objects.select_related("created_by")[:5])
    return context


def _review_progress() -> dict[str, Any]:
    """Articles by review status (the kept rows' status index): one query."""
    counts = dict(
        ArticleReview.objects.values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    total = sum(counts.values())
    rows = [
        {
            "status": status.value,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "percent": round(100 * counts.get(status.value, 0) / total, 1) if total else 0.0,
        }
        for status in ArticleReview.Status
    ]
    return {"total": total, "rows": rows}


def _imports_by_week() -> list[dict[str, Any]]:
    """Files imported, found again and failed per week, the last IMPORT_WEEKS weeks with
    imports (one query)."""
    since = timezone.now() - timedelta(weeks=IMPORT_WEEKS)
    rows = (
        ImportBatch.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            batches=Count("pk"),
            imported=Sum("imported"),
            duplicate=Sum("duplicate"),
            failed=Sum("failed"),
        )
        .order_by("-week")
    )
    return [{**row, "week": timezone.localtime(row["week"]).date()} for row in rows]
