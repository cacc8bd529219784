"""The pages of a refusal (403) and of an address that leads nowhere (404), in the interface's
language with a way back home. Under /api/ the API's own error format is kept, so a client that
asks for an unknown endpoint still reads JSON."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


def _api_error(status: int, code: str, message: str) -> HttpResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    reason = str(exception or "") if isinstance(exception, Exception) else ""
    if request.path.startswith(API_PREFIX):
        return _api_error(403, "forbidden", reason or _("You may not do this."))
    return render(request, "web/errors/403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return _api_error(404, "not_found", _("Not found, or not in your region."))
    return render(request, "web/errors/404.html", {"path": request.path}, status=404)
