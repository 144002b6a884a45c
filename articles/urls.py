from django.urls import path

from articles.views import browse, entities, imports, reader, stories

# Mounted at /imports/.
import_urls = [
    path("", imports.import_start, name="import-start"),
    path("<int:batch_id>/", imports.import_detail, name="import-detail"),
    path("<int:batch_id>/progress/", imports.import_progress, name="import-progress"),
]

# Mounted at the root: the analyst's workbench.
workbench_urls = [
    path("", browse.article_list, name="home"),
    path("articles/<int:pk>/", reader.article_detail, name="article-detail"),
    path("entities/", entities.entity_list, name="entity-list"),
    path("entities/<int:pk>/", entities.entity_detail, name="entity-detail"),
    path("entities/<int:pk>/merge/", entities.entity_merge, name="entity-merge"),
    path("stories/<int:pk>/", stories.story_detail, name="story-detail"),
]
