from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from articles import urls as article_urls
from articles import views as article_views

urlpatterns = [
    path("", include(article_urls.workbench_urls)),
    path("overview/", article_views.overview, name="overview"),
    path("imports/", include(article_urls.import_urls)),
    path("api/v1/", include("newsdesk.api_urls")),
    path("accounts/login/", article_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]

# JSON for API paths, the usual pages elsewhere.
handler404 = "articles.views.not_found"
handler500 = "articles.views.server_error"
