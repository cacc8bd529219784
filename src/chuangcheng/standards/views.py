from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def catalog(request: HttpRequest) -> HttpResponse:
    return render(request, "standards/catalog.html", {})
