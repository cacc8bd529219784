"""The actions a person takes on a case, by name, for the adapters (pages, API) that receive an
action name and its fields. Which actions exist, who may take them and their labels are the case
workflow's table (cases.workflow.CASES); here each offered action is bound to its one service."""

from __future__ import annotations

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, CaseEvent, Resolution
from chuangcheng.cases.workflow import CASES
from chuangcheng.core.workflow import Actions

ACTIONS: Actions[Case, CaseEvent] = Actions(CASES, {
    "accept": lambda c, by, d, p: services.accept_case(c, by=by, note=d.get("note", "")),
    "reject": lambda c, by, d, p: services.reject_case(
        c, by=by, reason=d.get("reason", ""), resolution=d.get("resolution") or Resolution.NOT_OURS),
    "dispatch": lambda c, by, d, p: services.dispatch_case(c, by=by, unit=d["unit"], note=d.get("note", "")),
    "redispatch": lambda c, by, d, p: services.redispatch_case(c, by=by, unit=d["unit"], note=d.get("note", "")),
    "send_back": lambda c, by, d, p: services.send_back(c, by=by, reason=d.get("reason", "")),
    "start": lambda c, by, d, p: services.start_rectification(c, by=by, note=d.get("note", "")),
    "rectify": lambda c, by, d, p: services.rectify_case(c, by=by, photos=p, note=d.get("note", "")),
    "verify": lambda c, by, d, p: services.verify_case(
        c, by=by, photos=p, note=d.get("note", ""), resolution=d.get("resolution") or Resolution.FIXED),
    "return_for_rework": lambda c, by, d, p: services.return_for_rework(c, by=by, note=d.get("note", ""),
                                                                         photos=p),
    "request_extension": lambda c, by, d, p: services.request_extension(c, by=by, until=d["until"],
                                                                         reason=d.get("reason", "")),
    "decide_extension": lambda c, by, d, p: services.decide_extension(c, by=by, grant=bool(d.get("grant")),
                                                                       note=d.get("note", "")),
    "suspend": lambda c, by, d, p: services.suspend_case(c, by=by, reason=d.get("reason", "")),
    "resume": lambda c, by, d, p: services.resume_case(c, by=by, note=d.get("note", "")),
    "reopen": lambda c, by, d, p: services.reopen_case(c, by=by, note=d.get("note", ""), photos=p),
    "close_again": lambda c, by, d, p: services.close_again(c, by=by, note=d.get("note", "")),
    "refer": lambda c, by, d, p: services.refer_case(c, by=by, reason=d.get("reason", "")),
    "answer_referral": lambda c, by, d, p: services.answer_referral(c, by=by, note=d.get("note", "")),
})
