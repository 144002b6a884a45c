"""TODO(workbench): being written this session."""

from django.http import HttpRequest, HttpResponse


def entity_list(request: HttpRequest) -> HttpResponse:
    raise NotImplementedError


def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError


def entity_merge(request: HttpRequest, pk: int) -> HttpResponse:
    raise NotImplementedError
