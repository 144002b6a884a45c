from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from articles import selectors


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/home.html", selectors.overview_for(request.user))
