"""TODO(workbench): being written this session."""

from django.http import HttpRequest, HttpResponse


def story_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
