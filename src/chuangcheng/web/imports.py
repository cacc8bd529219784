from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse


def import_view(request: HttpRequest) -> HttpResponse:
    raise Http404


def template_view(request: HttpRequest, kind: str) -> HttpResponse:
    raise Http404
