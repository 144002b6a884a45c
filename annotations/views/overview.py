from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from annotations.selectors.overview import overview_for


def overview(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/home.html", overview_for(request.user))
