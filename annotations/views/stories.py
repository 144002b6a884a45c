"""The story page: one event's coverage across outlets, and how each outlet reported the
same words (every statement's variants side by side, differences marked)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from annotations.selectors import stories as selectors


def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    story = selectors.story_for_page(pk)
    if story is None:
        raise Http404(f"There is no story {pk}.")
    articles = selectors.story_articles(story)
    return render(
        request,
        "articles/story_detail.html",
        {
            "story": story,
            "articles": articles,
            "outlet_count": len({a.outlet_id for a in articles if a.outlet_id}),
            "outlet_unknown": sum(1 for a in articles if not a.outlet_id),
            "statements": selectors.story_statements(story, request.user),
        },
    )
