"""TODO(workbench): being written this session."""

from django.http import HttpRequest, HttpResponse


def article_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError
