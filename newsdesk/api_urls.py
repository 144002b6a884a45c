"""/api/v1/: the REST API and its OpenAPI schema."""

from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from annotations import api as annotations_api
from annotations import (
    api_adjudication,
    api_agreement,
    api_analysis,
    api_assignments,
    api_reviews,
    api_vocab,
)
from articles import api as articles_api
from newsdesk import api_auth

router = DefaultRouter()
router.register("articles", articles_api.ArticleViewSet, basename="api-article")
router.register("entities", articles_api.EntityViewSet, basename="api-entity")
router.register("stories", articles_api.StoryViewSet, basename="api-story")
# Mentions' accept and reject are journalled for the reader's Undo (annotations).
router.register("mentions", api_reviews.JournalledMentionViewSet, basename="api-mention")
router.register("quotes", annotations_api.QuoteViewSet, basename="api-quote")
router.register("statements", annotations_api.StatementViewSet, basename="api-statement")
router.register("stances", annotations_api.StanceViewSet, basename="api-stance")
router.register("notes", annotations_api.NoteViewSet, basename="api-note")
router.register("annotations", annotations_api.AnnotationViewSet, basename="api-annotation")
router.register("vocabulary", annotations_api.PolarityViewSet, basename="api-polarity")
router.register("deleted", annotations_api.DeletionViewSet, basename="api-deleted")
router.register("imports", articles_api.ImportBatchViewSet, basename="api-import")
router.register("assignments", api_assignments.AssignmentViewSet, basename="api-assignment")
router.register("adjudications", api_adjudication.AdjudicationViewSet, basename="api-adjudication")
router.register("reviews", api_reviews.ReviewViewSet, basename="api-review")

urlpatterns = [
    *router.urls,
    path("agreement/", api_agreement.AgreementView.as_view(), name="api-agreement"),
    path(
        "analysis/stance-matrix/",
        api_analysis.StanceMatrixView.as_view(),
        name="api-analysis-matrix",
    ),
    path("analysis/network/", api_analysis.NetworkView.as_view(), name="api-analysis-network"),
    path("analysis/events/", api_analysis.EventsView.as_view(), name="api-analysis-events"),
    path("analysis/timeline/", api_analysis.TimelineView.as_view(), name="api-analysis-timeline"),
    path("analysis/sources/", api_analysis.SourcesView.as_view(), name="api-analysis-sources"),
    # The nd: vocabulary, at the IRI the annotations' context names: no slash, since the
    # terms are its fragments (annotations.vocab); the slashed path is sent there.
    path("vocab", api_vocab.VocabularyView.as_view(), name="api-vocab"),
    path("vocab/", RedirectView.as_view(pattern_name="api-vocab", permanent=True)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, and our template its page's
    # style as a stylesheet: the CSP allows no inline script or style.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-docs",
    ),
    path("auth/token/", api_auth.ApiTokenView.as_view(), name="api-token"),
    path("me/", api_auth.me, name="api-me"),
]

# The API authenticates on its own (session or token) and answers 401/403 in JSON; the
# site-wide LoginRequiredMiddleware would send token clients to the login page instead.
for pattern in urlpatterns:
    pattern.callback.login_required = False  # type: ignore[union-attr]
