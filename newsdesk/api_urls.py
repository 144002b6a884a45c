"""/api/v1/: the REST API and its OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from articles.api import ImportBatchViewSet

router = DefaultRouter()
router.register("imports", ImportBatchViewSet, basename="api-import")

urlpatterns = [
    *router.urls,
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
]

# The API authenticates on its own (session or token) and answers 401/403 in JSON; the
# site-wide LoginRequiredMiddleware would send token clients to the login page instead.
for pattern in urlpatterns:
    pattern.callback.login_required = False  # type: ignore[union-attr]
