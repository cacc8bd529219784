"""The one NinjaAPI: each app's router mounted under /api/, one error format."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from chuangcheng.api.auth import ActiveSessionAuth, TokenAuth
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed

api = NinjaAPI(
    title="Chuangcheng API",
    version="1",
    description="Read and write the campaign's data. Sign in with the browser session or a personal token "
    "(`Authorization: Bearer …`). Everything is limited to the caller's region.",
    urls_namespace="api",
    auth=[ActiveSessionAuth(), TokenAuth()],
    docs_url="/docs",
)


def _error(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None) -> HttpResponse:
    body: dict = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, "unauthorized", _("Sign in or send a valid API token."))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """Ninja's own refusals (a body that is not JSON, say), in the same format."""
    if exc.status_code == 400:
        return _error(request, 400, "invalid", _("The request could not be read."))
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", _("Not found, or not in your region."))


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return _error(request, 400, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(NinjaValidationError)
def on_schema_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = ".".join(str(part) for part in err.get("loc", [])[1:]) or "__all__"
        fields.setdefault(loc, []).append(str(err.get("msg", "")))
    return _error(request, 422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(TransitionNotAllowed)
def on_not_allowed(request: HttpRequest, exc: TransitionNotAllowed) -> HttpResponse:
    """A case action its current state does not allow."""
    return _error(request, 409, "not_allowed", str(exc))


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    """The case changed since the client read it (a stale `version`, or someone acting at once)."""
    return _error(request, 409, "conflict", str(exc))


def _mount() -> None:
    from chuangcheng.cases.api import router as cases_router
    from chuangcheng.engagement.publicity.api import router as publicity_router
    from chuangcheng.engagement.tasklists.api import router as tasklists_router
    from chuangcheng.engagement.volunteering.api import router as volunteering_router
    from chuangcheng.inspections.api import router as inspections_router
    from chuangcheng.org.api import auth_router
    from chuangcheng.org.api import router as org_router
    from chuangcheng.places.api import router as places_router
    from chuangcheng.surveys.api import router as surveys_router

    api.add_router("/auth", auth_router)
    api.add_router("/org", org_router)
    api.add_router("/points", places_router)
    api.add_router("/cases", cases_router)
    api.add_router("/inspections", inspections_router)
    api.add_router("/tasks", tasklists_router)
    api.add_router("/volunteering", volunteering_router)
    api.add_router("/publicity", publicity_router)
    api.add_router("/surveys", surveys_router)
    try:
        from chuangcheng.standards.api import router as standards_router
    except ImportError:  # pragma: no cover - the catalog router is being written
        return
    api.add_router("/catalog", standards_router)


_mount()
