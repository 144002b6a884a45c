from django.urls import path

from annotations.views import agreement, browse, entities, overview, reader, stories

# Mounted at the root: the analyst's workbench.
workbench_urls = [
    path("", browse.article_list, name="home"),
    path("overview/", overview.overview, name="overview"),
    path("articles/<int:pk>/", reader.article_detail, name="article-detail"),
    path("entities/", entities.entity_list, name="entity-list"),
    path("entities/<int:pk>/", entities.entity_detail, name="entity-detail"),
    path("entities/<int:pk>/merge/", entities.entity_merge, name="entity-merge"),
    path(
        "entities/<int:pk>/joins/<int:join_pk>/split/",
        entities.entity_join_split,
        name="entity-join-split",
    ),
    path("stories/<int:pk>/", stories.story_detail, name="story-detail"),
    path("agreement/", agreement.agreement, name="agreement"),
]
