"""The overview page: the size of the corpus and of the review work."""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q

from annotations.models import Note, Quote, Stance
from annotations.selectors import team
from articles.models import Article, ImportBatch, Mention, ReviewStatus
from newsdesk import roles


def overview_for(user: AbstractBaseUser | AnonymousUser) -> dict[str, Any]:
    """What the home page shows: the size of the corpus and of the review work.

    Five queries whatever the corpus size (six with the recent imports for admins).
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
    }
    if context["role"] == roles.ADMIN:
        context["recent_imports"] = list(ImportBatch.objects.select_related("created_by")[:5])
    return context
