"""The one NinjaAPI: each app's router mounted under /api/, one error format."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from chuangcheng.api.auth import ActiveSessionAuth, TokenAuth
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    """Every refusal of this API, whatever its status."""

    error: ErrorDetail


ERROR_DESCRIPTIONS = {
    400: "The request could not be read, or a service refused its values (`fields` says which).",
    401: "No valid session or token.",
    403: "The caller may not do this (or a browser write without its CSRF token).",
    404: "Not found, or not in the caller's region.",
    409: "The object's state does not allow this action, or it changed since the client read it.",
    413: "The upload is larger than the server accepts.",
    422: "A parameter or body field does not match the schema (`fields` says which).",
    429: "Too many failed attempts; try again later.",
}


# Refusals an operation's shape does not show: a 404 with no path parameter.
EXTRA_ERRORS: dict[str, set[int]] = {
    "catalog_in_force": {404},  # no catalog version in force yet
    "createTask": {404},  # the caller's scope lies above any street
}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The refusals an operation can answer with, read from its shape: who may call it, what it takes
    and whether it moves a workflow. Kept here so that no endpoint lists them by hand."""
    statuses: set[int] = {403} | EXTRA_ERRORS.get(operation.get("operationId", ""), set())
    if operation.get("security"):
        statuses.add(401)
    parameters = operation.get("parameters", [])
    body = operation.get("requestBody")
    if parameters or body:
        statuses |= {400, 422}
    # A path parameter names an object (scope 404).
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    if body and "multipart/form-data" in body.get("content", {}):
        statuses.add(413)
    # A write on a named object (/cases/{number}/verify, /volunteering/actions/{code}/signup, ...)
    # is a workflow action: its state may not allow it, or someone acted first.
    segments = path.rstrip("/").split("/")
    if method in ("post", "delete") and len(segments) >= 2 and segments[-2].startswith("{"):
        statuses.add(409)
    if method == "delete" and segments[-1].startswith("{"):
        statuses.add(409)
    return statuses


class DocumentedAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI names every status an operation answers with, all refusals in the
    one error format (`ErrorOut`)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                responses = operation.setdefault("responses", {})
                declared = {int(status) for status in responses if int(status) >= 400}
                for status in sorted(error_statuses(method, path, operation) | declared):
                    responses[status] = {"description": ERROR_DESCRIPTIONS.get(status, "Refused."),
                                         "content": reference}
        return schema


api = DocumentedAPI(
    title="Chuangcheng API",
    version="1",
    description="Read and write the campaign's data. Sign in with the browser session or a personal token "
    "(`Authorization: Bearer …`). Everything is limited to the caller's region.",
    urls_namespace="api",
    # The token first: a request that carries one is a mobile client's and is never held to the
    # browser's CSRF check, even when it also carries a stale session cookie.
    auth=[TokenAuth(), ActiveSessionAuth()],
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
    if exc.status_code == 403 and "CSRF" in str(exc):
        # A browser session's write without the page's CSRF token (clients with a token never get this).
        return _error(request, 403, "csrf", _("This request from the browser lacks its security token; "
                                               "reload the page and try again."))
    return _error(request, exc.status_code, "error", str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return _error(request, 413, "too_large", _("The upload is larger than the server accepts."))


@api.exception_handler(SuspiciousOperation)
def on_unreadable(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """A malformed multipart body or too many fields: the request cannot be read."""
    return _error(request, 400, "invalid", _("The request could not be read."))


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
    from chuangcheng.hotline.api import router as hotline_router
    from chuangcheng.inspections.api import router as inspections_router
    from chuangcheng.org.api import auth_router
    from chuangcheng.org.api import router as org_router
    from chuangcheng.places.api import router as places_router
    from chuangcheng.problems.api import router as problems_router
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
    api.add_router("/hotline", hotline_router)
    api.add_router("/problems", problems_router)
    try:
        from chuangcheng.standards.api import router as standards_router
    except ImportError:  # pragma: no cover - the catalog router is being written
        return
    api.add_router("/catalog", standards_router)


_mount()
