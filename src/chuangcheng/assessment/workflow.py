"""The round's lifecycle, declared once (core.workflow): drawn → started → finished, or cancelled
while still drawn. Assigning the drawn points to the team is an action of a drawn round too, so
every change before the start leaves its event row."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.assessment import permissions
from chuangcheng.assessment.models import Round, RoundEvent, State
from chuangcheng.core.workflow import Guard, Workflow, transition


def _all_assigned(round: Round) -> bool:  # noqa: A002
    return not round.points.filter(assessor__isnull=True).exists()


def _all_recorded(round: Round) -> bool:  # noqa: A002
    return not round.points.filter(inspection__isnull=True).exists()


ROUNDS: Workflow[Round, RoundEvent] = Workflow(
    model=Round,
    event_model=RoundEvent,
    subject="round",
    state_label=lambda state: State(state).label,
    not_allowed=_("A round that is “%(state)s” cannot be %(action)s."),
    denied=_("Only the subdistrict office's admins run mock assessment rounds."),
    conflict=_("Someone else changed this round a moment ago. Reload it, then try again."),
    transitions=[
        transition("assign", {State.DRAWN}, None, who=permissions.can_manage_round,
                   label=_("Change the assessors"),
                   done=pgettext_lazy("mock assessment round action", "reassigned"), fields=["assessors"]),
        transition("start", {State.DRAWN}, State.STARTED, who=permissions.can_manage_round,
                   label=_("Start the round"), done=pgettext_lazy("mock assessment round action", "started"),
                   when=Guard(_all_assigned, _("Give every drawn point an assessor before the start."))),
        transition("finish", {State.STARTED}, State.FINISHED, who=permissions.can_manage_round,
                   label=_("Finish and freeze the report"),
                   done=pgettext_lazy("mock assessment round action", "finished"),
                   when=Guard(_all_recorded, _("Record every drawn point before finishing the round."))),
        transition("cancel", {State.DRAWN}, State.CANCELLED, who=permissions.can_manage_round,
                   label=_("Cancel the round"), done=pgettext_lazy("mock assessment round action", "cancelled"),
                   fields=["note"]),
    ],
)

EVENT_LABELS = {
    "draw": _("drew the sample"),
    "assign": _("changed the assessors"),
    "start": _("started the round"),
    "finish": _("finished the round"),
    "cancel": _("cancelled the round"),
}
