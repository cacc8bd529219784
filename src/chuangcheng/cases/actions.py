"""The actions a person takes on a case, by name, for the adapters (pages, API) that receive an
action name and its fields: each name maps to one service function."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, CaseEvent, Resolution

# Button labels, in the imperative.
LABELS = {
    "accept": _("Accept (立案)"), "reject": _("Do not accept"), "dispatch": _("Dispatch"),
    "redispatch": _("Dispatch to another unit"), "send_back": _("Not our unit: send back"),
    "start": _("Take it on"), "rectify": _("Rectified: add after-photos"), "verify": _("Verify and close"),
    "return_for_rework": _("Return for rework"), "request_extension": _("Ask for more time"),
    "decide_extension": _("Decide on the extension"), "suspend": _("Suspend (挂账)"), "resume": _("Resume"),
    "reopen": _("Reopen: the problem is back"),
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


def perform(action: str, case: Case, *, by: Any, data: dict[str, Any], photos: Sequence[Any] = (),
            version: int | None = None) -> CaseEvent:
    """Check that the case is still the one the person saw, then run the action's service."""
    services.check_version(case, version)
    return RUNNERS[action](case, by, data, photos)
