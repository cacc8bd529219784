"""The actions a person takes on a case, by name, for the adapters (pages, API) that receive an
action name and its fields: each name maps to one service function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangcheng.cases import permissions, services
from chuangcheng.cases.models import Case, CaseEvent, Resolution, State

# Button labels, in the imperative.
LABELS = {
    "accept": gettext_lazy("Accept (立案)"),
    "reject": gettext_lazy("Do not accept"),
    "dispatch": gettext_lazy("Dispatch"),
    "redispatch": gettext_lazy("Dispatch to another unit"),
    "send_back": gettext_lazy("Not our unit: send back"),
    "start": gettext_lazy("Take it on"),
    "rectify": gettext_lazy("Rectified: add after-photos"),
    "verify": gettext_lazy("Verify and close"),
    "return_for_rework": gettext_lazy("Return for rework"),
    "request_extension": gettext_lazy("Ask for more time"),
    "decide_extension": gettext_lazy("Decide on the extension"),
    "suspend": gettext_lazy("Suspend (挂账)"),
    "resume": gettext_lazy("Resume"),
    "reopen": gettext_lazy("Reopen: the problem is back"),
}

Runner = Callable[[Case, Any, dict[str, Any], Sequence[Any]], CaseEvent]

RUNNERS: dict[str, Runner] = {
    "accept": lambda c, by, d, p: services.accept_case(c, by=by, note=d.get("note", "")),
    "reject": lambda c, by, d, p: services.reject_case(
        c, by=by, reason=d.get("reason", ""), resolution=d.get("resolution") or Resolution.NOT_OURS),
    "dispatch": lambda c, by, d, p: services.dispatch_case(c, by=by, unit=d["unit"], note=d.get("note", "")),
    "redispatch": lambda c, by, d, p: services.redispatch_case(c, by=by, unit=d["unit"], note=d.get("note", "")),
    "send_back": lambda c, by, d, p: services.send_back(c, by=by, reason=d.get("reason", "")),
    "start": lambda c, by, d, p: services.start_rectification(c, by=by, note=d.get("note", "")),
    "rectify": lambda c, by, d, p: services.rectify_case(c, by=by, photos=p, note=d.get("note", "")),
    "verify": lambda c, by, d, p: services.verify_case(c, by=by, photos=p, note=d.get("note", "")),
    "return_for_rework": lambda c, by, d, p: services.return_for_rework(c, by=by, note=d.get("note", ""),
                                                                         photos=p),
    "request_extension": lambda c, by, d, p: services.request_extension(c, by=by, until=d["until"],
                                                                         reason=d.get("reason", "")),
    "decide_extension": lambda c, by, d, p: services.decide_extension(c, by=by, grant=bool(d.get("grant")),
                                                                       note=d.get("note", "")),
    "suspend": lambda c, by, d, p: services.suspend_case(c, by=by, reason=d.get("reason", "")),
    "resume": lambda c, by, d, p: services.resume_case(c, by=by, note=d.get("note", "")),
    "reopen": lambda c, by, d, p: services.reopen_case(c, by=by, note=d.get("note", ""), photos=p),
}

# Actions whose photos are the evidence of the action itself.
WITH_PHOTOS = {"rectify", "verify", "return_for_rework", "reopen"}


def check_allowed(action: str, case: Case, *, by: Any, version: int | None = None) -> None:
    """The version, state and role checks of the service, made before any photo is decoded: the
    same refusals (Conflict, TransitionNotAllowed, PermissionDenied) without spending a second
    on an upload that cannot be used."""
    services.check_version(case, version)
    transition = "grant_extension" if action == "decide_extension" else action
    if case.state not in services.TRANSITIONS[transition].sources:
        raise services.TransitionNotAllowed(
            _("A case that is “%(state)s” cannot be %(action)s.")
            % {"state": State(case.state).label, "action": services.ACTION_LABELS.get(transition, transition)}
        )
    who = services.last_rectifier(case) if action in {"verify", "return_for_rework"} else None
    if action not in permissions.allowed_actions(by, case, rectified_by=who):
        # The state is right: what is missing is the role, or a condition the service explains.
        explained = {"request_extension": permissions.can_handle, "decide_extension": permissions.can_triage,
                     "reopen": permissions.can_reopen}
        if action in explained and explained[action](by, case):
            return
        raise PermissionDenied(_("Your role or region does not allow this action on this case."))


def perform(action: str, case: Case, *, by: Any, data: dict[str, Any], photos: Sequence[Any] = ()) -> CaseEvent:
    """Run the action's service (which checks everything again, inside the transaction)."""
    return RUNNERS[action](case, by, data, photos)
