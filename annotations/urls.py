from django.urls import path

from annotations.views import (
    adjudication,
    agreement,
    analysis,
    browse,
    entities,
    overview,
    reader,
    stories,
    work,
)

# Mounted at the root: the analyst's workbench.
workbench_urls = [
    path("", browse.article_list, name="home"),
    path("facets/", browse.article_facets, name="article-facets"),
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
    path("my-work/", work.my_work, name="my-work"),
    path("assignments/", work.assignment_list, name="assignment-list"),
    path("assignments/new/", work.assignment_new, name="assignment-new"),
    path("assignments/<int:pk>/done/", work.assignment_done, name="assignment-done"),
    path("assignments/<int:pk>/reopen/", work.assignment_reopen, name="assignment-reopen"),
    path("assignments/<int:pk>/unassign/", work.assignment_unassign, name="assignment-unassign"),
    path("assignments/<int:pk>/reassign/", work.assignment_reassign, name="assignment-reassign"),
    path("agreement/", agreement.agreement, name="agreement"),
    path("analysis/", analysis.analysis_home, name="analysis"),
    path("analysis/matrix/", analysis.matrix, name="analysis-matrix"),
    path("analysis/network/", analysis.network, name="analysis-network"),
    path("analysis/timeline/", analysis.timeline, name="analysis-timeline"),
    path("analysis/sources/", analysis.sources, name="analysis-sources"),
    path("analysis/statements/", analysis.evidence, name="analysis-evidence"),
    path("analysis/quotes/", analysis.quotes, name="analysis-quotes"),
    path("adjudicate/", adjudication.adjudication_queue, name="adjudication-queue"),
    path("adjudicate/next/", adjudication.adjudication_next, name="adjudication-next"),
    path("adjudicate/<int:pk>/", adjudication.adjudication_detail, name="adjudication-detail"),
    path(
        "adjudicate/<int:pk>/settle/",
        adjudication.adjudication_settle,
        name="adjudication-settle",
    ),
    path(
        "adjudicate/<int:pk>/reopen/",
        adjudication.adjudication_reopen,
        name="adjudication-reopen",
    ),
]
