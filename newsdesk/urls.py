"""The wiring: every app's pages and endpoints under one root. The one module of the
project package (with api_urls) that imports the apps."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from annotations import urls as annotation_urls
from articles import urls as article_urls
from newsdesk import views

urlpatterns = [
    path("", include(annotation_urls.workbench_urls)),
    path("imports/", include(article_urls.import_urls)),
    path("api/v1/", include("newsdesk.api_urls")),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

# JSON for API paths, the site's pages (with the navigation and the reason) elsewhere.
handler403 = "newsdesk.views.permission_denied"
handler404 = "newsdesk.views.not_found"
handler500 = "newsdesk.views.server_error"
