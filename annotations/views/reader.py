"""The reader: one article's text with its annotations, where analysts review the
machine's suggestions and tag quotes and stances by selecting text. The page's script
(static/js/annotate.js) writes through the REST API and then asks this view for the
reader again (an htmx request answers the `#reader` part alone)."""

from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from annotations.selectors import reader as selectors
from articles.models import Article


def _safe_url(url: str) -> str:
    """The article's address as a link only when it is http(s): a `javascript:` URL from
    an imported manifest must never become a link."""
    return url if urlsplit(url).scheme.lower() in ("http", "https") else ""


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        article = selectors.article_for_reader(pk, request.user)
    except Article.DoesNotExist as missing:
        raise Http404(f"There is no article {pk}.") from missing
    context = selectors.reader_context(article, request.user, selectors.panel_filter(request.GET))
    context.update(article=article, link=_safe_url(article.url))
    template = "articles/reader.html"
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "reader":
        template = "articles/_reader.html"
    return render(request, template, context)
