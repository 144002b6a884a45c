from django.urls import path

from articles import views

urlpatterns = [
    path("", views.import_start, name="import-start"),
    path("<int:batch_id>/", views.import_detail, name="import-detail"),
    path("<int:batch_id>/progress/", views.import_progress, name="import-progress"),
]
