"""The case lifecycle, declared once: every action with the states it leaves from, the state it goes
to, who may take it, its fields and its labels. The services move cases with `CASES.move()`; the
case page's buttons and forms, the API's endpoints and `allowed_actions`, and the permission checks
are all read from this table (see core.workflow and docs/architecture.md)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from chuangcheng.cases import permissions
from chuangcheng.cases.models import Case, CaseEvent, Rating, Resolution, State
from chuangcheng.core.workflow import Guard, Workflow, transition

HANDLING = {State.DISPATCHED, State.RECTIFYING}


def last_rectifier(case: Case) -> Any:
    """Who marked the case rectified last (a verifier must be someone else)."""
    return CASES.last_actor(case, "rectify")


def not_rated_since_closing(case: Case) -> bool:
    """One rating per closing: none yet, or the last one given before the case was closed again."""
    return case.rated_at is None or (case.closed_at is not None and case.rated_at < case.closed_at)


def rateable(case: Case) -> bool:
    """A resident may rate the fix: the case is closed as fixed (a report not accepted, merged into
    another case or closed as impossible to fix has no fix to rate) and not yet rated since."""
    return case.state == State.CLOSED and case.resolution == Resolution.FIXED and not_rated_since_closing(case)


def back_after_rating(case: Case) -> bool:
    """Back with the street office after a resident's 不满意 and not dispatched since."""
    return bool(case.rating == Rating.UNSATISFIED and case.rated_at is not None and case.closed_at is None
                and (case.dispatched_at is None or case.dispatched_at < case.rated_at))


CASES: Workflow[Case, CaseEvent] = Workflow(
    model=Case,
    event_model=CaseEvent,
    subject="case",
    state_label=lambda state: State(state).label,
    not_allowed=_("A case that is “%(state)s” cannot be %(action)s."),
    denied=_("Your role or region does not allow this action on this case."),
    conflict=_("Someone else changed this case a moment ago. Reload it to see what changed, then try again."),
    context={"rectified_by": last_rectifier},
    transitions=[
        transition("accept", {State.REPORTED}, State.ACCEPTED, who=permissions.can_triage,
                   label=_("Accept (立案)"), done=_("accepted"), fields=["note"], operation_id="acceptCase"),
        transition("reject", {State.REPORTED}, State.REJECTED, who=permissions.can_triage,
                   label=_("Do not accept"), done=_("rejected"), fields=["resolution", "reason"],
                   required=["reason"], operation_id="rejectCase"),
        # 并案 comes from the residents' triage (public.services.merge_report), never from a button.
        transition("merge", {State.REPORTED}, State.REJECTED, who=permissions.can_triage,
                   label=_("Merge into another case"), done=_("merged"), fields=["into", "note"],
                   required=["into"], offered=False),
        transition("dispatch", {State.ACCEPTED}, State.DISPATCHED, who=permissions.can_triage,
                   label=_("Dispatch"), done=_("dispatched"), fields=["unit", "note"], required=["unit"],
                   operation_id="dispatchCase"),
        transition("redispatch", HANDLING, State.DISPATCHED, who=permissions.can_triage,
                   label=_("Dispatch to another unit"), done=_("dispatched again"), fields=["unit", "note"],
                   required=["unit", "note"], operation_id="redispatchCase"),
        transition("send_back", HANDLING, State.ACCEPTED, who=permissions.can_handle,
                   label=_("Not our unit: send back"), done=_("sent back"), fields=["reason"],
                   required=["reason"], api="send-back", operation_id="sendBackCase"),
        transition("start", {State.DISPATCHED}, State.RECTIFYING, who=permissions.can_handle,
                   label=_("Take it on"), done=_("taken on"), fields=["note"], operation_id="startRectification"),
        transition("rectify", HANDLING, State.RECTIFIED, who=permissions.can_handle,
                   label=_("Rectified: add after-photos"), done=_("marked rectified"), fields=["photos", "note"],
                   required=["photos"], operation_id="rectifyCase"),
        transition("verify", {State.RECTIFIED}, State.CLOSED, who=permissions.can_verify,
                   needs=("rectified_by",), label=_("Verify and close"), done=_("verified"),
                   fields=["resolution", "photos", "note"], operation_id="verifyCase"),
        transition("return_for_rework", {State.RECTIFIED}, State.RECTIFYING, who=permissions.can_verify,
                   needs=("rectified_by",), label=_("Return for rework"), done=_("returned for rework"),
                   fields=["note", "photos"], required=["note"], api="rework", operation_id="returnCaseForRework"),
        transition("request_extension", HANDLING, None, who=permissions.can_handle,
                   label=_("Ask for more time"), done=_("given an extension request"), fields=["until", "reason"],
                   required=["until", "reason"], api="request-extension", operation_id="requestCaseExtension",
                   when=Guard(lambda case: case.extension_requested_until is None,
                              _("An extension request is already waiting for a decision."))),
        transition("decide_extension", HANDLING, None, who=permissions.can_triage,
                   label=_("Decide on the extension"), done=_("given an extension"), fields=["grant", "note"],
                   required=["grant"], api="decide-extension", operation_id="decideCaseExtension",
                   events=("grant_extension", "deny_extension"),
                   when=Guard(lambda case: case.extension_requested_until is not None,
                              _("There is no extension request to decide on."))),
        transition("suspend", HANDLING, State.SUSPENDED, who=permissions.can_triage,
                   label=_("Suspend (挂账)"), done=_("suspended"), fields=["reason"], required=["reason"],
                   operation_id="suspendCase"),
        # Back to the state it was suspended from (the service names it).
        transition("resume", {State.SUSPENDED}, None, who=permissions.can_triage,
                   label=_("Resume"), done=_("resumed"), fields=["note"], operation_id="resumeCase"),
        transition("reopen", {State.CLOSED}, State.DISPATCHED, who=permissions.can_reopen,
                   label=_("Reopen: the problem is back"), done=_("reopened"), fields=["photos", "note"],
                   required=["photos", "note"], operation_id="reopenCase",
                   when=Guard(lambda case: case.unit_id is not None,
                              _("This case was never dispatched; report a new one instead."))),
        # 群众满意率: the reporting resident rates a fix once per closing, from their tracking page or
        # the text message's link (public.services.rate_report, by the system on their behalf). 满意
        # and 基本满意 leave the case closed; 不满意 (with a reason) takes it back to the street
        # office as accepted, counted as reopened, to dispatch again. Never a button: no signed-in
        # user rates.
        transition("rate", {State.CLOSED}, None, who=permissions.can_rate,
                   label=_("Rate the fix"), done=_("rated"), fields=["rating", "reason"], offered=False,
                   when=Guard(not_rated_since_closing, _("This fix has already been rated. Thank you!"))),
        # The street office's other answer to a 不满意: the fix stands (the resident reads the note);
        # the resident may rate this closing again.
        transition("close_again", {State.ACCEPTED}, State.CLOSED, who=permissions.can_triage,
                   label=_("Close again: the fix stands"), done=_("closed again"), fields=["note"],
                   required=["note"], api="close-again", operation_id="closeCaseAgain",
                   when=Guard(back_after_rating,
                              _("Only a case the resident rated “not satisfied” can be closed again."))),
        # 上报: a case the street cannot give to any of its units goes to the district, before dispatch
        # (no unit's clock runs while it waits); the district's answer brings it back to the street
        # office, which dispatches or closes it as usual (docs/guide/escalation.md).
        transition("refer", {State.ACCEPTED}, None, who=permissions.can_refer,
                   label=_("Refer to the district (上报)"), done=_("referred"), fields=["reason"],
                   required=["reason"], operation_id="referCase",
                   when=Guard(lambda case: case.referred_at is None,
                              _("This case is already waiting for the district's answer."))),
        transition("answer_referral", {State.ACCEPTED}, None, who=permissions.can_answer_referral,
                   label=_("Answer the referral"), done=_("answered"), fields=["note"], required=["note"],
                   api="answer-referral", operation_id="answerCaseReferral",
                   when=Guard(lambda case: case.referred_at is not None,
                              _("This case is not waiting for the district's answer."))),
    ],
)

# What the timeline says happened, for every event action (past tense, after the actor's name).
EVENT_LABELS = {
    "report": _("reported"),
    "accept": _("accepted"),
    "reject": _("did not accept"),
    "merge": _("merged into another case"),
    "dispatch": _("dispatched"),
    "redispatch": _("dispatched to another unit"),
    "send_back": _("sent back as not their unit"),
    "start": _("took it on"),
    "rectify": _("marked rectified"),
    "verify": _("verified and closed"),
    "return_for_rework": _("returned for rework"),
    "request_extension": _("asked for more time"),
    "grant_extension": _("granted more time"),
    "deny_extension": _("refused more time"),
    "suspend": _("suspended"),
    "resume": _("resumed"),
    "reopen": _("reopened"),
    "rate": _("the reporting resident rated the fix"),
    "close_again": _("closed again: the fix stands"),
    "warn": _("warned the unit: due soon"),
    "set_deadline": _("deadline brought forward by a problem list from above"),
    "escalate": _("overdue: escalated to the unit's head (督办)"),
    "remind": _("still overdue: reminded the unit's head and liaison"),
    "supervise": _("issued a supervision notice (督办单) to the unit"),
    "interview_list": _("put the unit on this week's talk list (约谈)"),
    "refer": _("referred the case to the district (上报)"),
    "answer_referral": _("answered the referral for the district"),
    "comment": _("added a comment"),
}

# Events that record something said about a case without changing it (no new version). The
# escalation ladder's steps are written by the sweep, never by a person; the daily rollups count
# none of them (reports.services.rollups.EVENT_FIGURES).
NOTE_ACTIONS = {"warn", "escalate", "remind", "supervise", "interview_list", "comment"}

# What the unit does; for anyone else the page groups these under "on the unit's behalf".
UNIT_ACTIONS = {"start", "send_back", "request_extension"}
