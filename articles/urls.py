from django.urls import path

from articles.views import imports

# Mounted at /imports/.
import_urls = [
    path("", imports.import_start, name="import-start"),
    path("<int:batch_id>/", imports.import_detail, name="import-detail"),
    path("<int:batch_id>/progress/", imports.import_progress, name="import-progress"),
]
