"""A workflow action taken with its photos, for any app's pages and API: refuse early what the
version, state or role does not allow, then accept the uploads in one transaction with the action's
service. `take_form()` does it for a page's form; `mount()` gives a ninja router one POST per
offered transition of a workflow (see core.workflow and docs/architecture.md): the URL segment and
operation id come from the table, the input schema and description from the app. Actions with
photos take a multipart form, the others a JSON body."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, QueryDict
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.workflow import Actions, Actor, Conflict, TransitionNotAllowed, Workflow
from chuangcheng.evidence.uploads import accepted_uploads, place_of

M = TypeVar("M", bound=models.Model)
F = TypeVar("F", bound=forms.Form)


def take(actions: Actions[M, Any], action: str, obj: M, *, by: Actor, version: int | None,
         data: Mapping[str, Any], uploads: Iterable[Any] | None = None) -> None:
    """Check before decoding any upload (Conflict, TransitionNotAllowed, PermissionDenied), then
    accept the photos, watermarked with the object's place, and run the action's service; a refused
    photo or a failed service leaves nothing behind."""
    actions.check(obj, action, by=by, version=version)
    perform(actions, action, obj, by=by, data=data, uploads=uploads)


@dataclass(frozen=True)
class Refusal(Generic[F]):
    """Why a page's action was not taken: the form to show again with its errors (400), or the
    reason a role or region (403), a state or a stale version (409) refuses it."""

    form: F | None
    error: str
    status: int


def take_form(actions: Actions[M, Any], action: str, obj: M, *, by: Actor, form: F) -> Refusal[F] | None:
    """An action from a page: the form's fields, its photos and the version the page showed. None
    when it was taken."""
    if not form.is_valid():
        return Refusal(form, "", 400)
    data = form.cleaned_data
    try:
        take(actions, action, obj, by=by, version=data.get("version"), data=data, uploads=data.get("photos"))
    except ValidationError as exc:
        apply_validation_error(form, exc)
        return Refusal(form, "", 400)
    except PermissionDenied as exc:
        return Refusal(None, str(exc), 403)
    except (TransitionNotAllowed, Conflict) as exc:
        return Refusal(None, str(exc), 409)
    return None


def action_forms(workflow: Workflow[Any, Any], allowed: Iterable[str], *, failed: Any | None,
                 new: Callable[[str], forms.Form]) -> list[dict[str, Any]]:
    """A form per action the user may take now, for the object's page: the refused one shown again
    and open, a `new(action)` form for each other; with the action's label and whether it takes
    photos (a multipart form)."""
    items = []
    for action in allowed:
        refused = failed is not None and failed.action == action
        items.append({"action": action, "label": workflow[action].label, "form": failed if refused else new(action),
                      "open": refused, "multipart": workflow[action].photos})
    return items


def at_version(form: forms.Form | None, obj: Any) -> None:
    """A refused form shown again submits against the object as it is now (it may have moved on)."""
    if form is not None and isinstance(form.data, QueryDict):
        form.data = form.data.copy()
        form.data["version"] = str(obj.version)


def perform(actions: Actions[M, Any], action: str, obj: M, *, by: Actor, data: Mapping[str, Any],
            uploads: Iterable[Any] | None = None) -> None:
    """Accept the photos and run the action's service, in one transaction."""
    with accepted_uploads(uploads, by=by, place=place_of(obj)) as photos:
        actions.perform(action, obj, by=by, data=data, photos=photos)


def mount(router: Router, actions: Actions[M, Any], *, inputs: Mapping[str, tuple[type[Schema], str]],
          response: type[Schema], find: Callable[[Any, str], M], detail: Callable[[M, Any], dict[str, Any]],
          fields: Callable[[str, M, Any, dict[str, Any]], dict[str, Any]] | None = None,
          names: Mapping[str, str] | None = None) -> None:
    """One `POST /{number}/<api name>` per offered action. `inputs` gives each action's schema (with
    the `version` the client saw) and description; `find(user, number)` the object in the caller's
    region (or 404); `fields(action, obj, user, data)` the payload as the service takes it (codes
    to rows, say); `detail(obj, user)` the answer; `names` a view name other than the API name."""

    def act(request: HttpRequest, number: str, action: str, payload: Any, photos: Any) -> dict[str, Any]:
        user: Any = request.user
        obj = find(user, number)
        actions.check(obj, action, by=user, version=payload.version)
        data = payload.dict(exclude={"version"})
        perform(actions, action, obj, by=user, data=fields(action, obj, user, data) if fields else data,
                uploads=photos)
        # Read again (not through the scope: a unit that sent a case back no longer sees it, but is
        # answered with what it did).
        obj.refresh_from_db()
        return detail(obj, user)

    for t in actions.workflow.offered():
        schema, description = inputs[t.action]
        view = _view(act, t.action, schema, t.photos)
        view.__name__ = view.__qualname__ = (names or {}).get(t.action, t.api_name.replace("-", "_"))
        view.__doc__ = description
        router.post(f"/{{number}}/{t.api_name}", response=response, operation_id=t.operation_id)(view)


def _view(act: Callable[..., dict[str, Any]], action: str, schema: type[Schema],
          photos: bool) -> Callable[..., dict[str, Any]]:
    # Real types, not strings: ninja reads the payload's schema and the photos from these.
    form: Any = Form
    files: Any = File
    if photos:
        def with_photos(request: HttpRequest, number: str, payload: Any, photos: Any = None) -> dict[str, Any]:
            return act(request, number, action, payload, photos)

        with_photos.__annotations__ = {"request": HttpRequest, "number": str, "payload": form[schema],
                                       "photos": files[list[UploadedFile] | None], "return": dict[str, Any]}
        return with_photos

    def with_body(request: HttpRequest, number: str, payload: Any) -> dict[str, Any]:
        return act(request, number, action, payload, None)

    with_body.__annotations__ = {"request": HttpRequest, "number": str, "payload": schema,
                                 "return": dict[str, Any]}
    return with_body
