"""TODO(workbench): being written this session."""

from django.http import HttpRequest, HttpResponse


def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
