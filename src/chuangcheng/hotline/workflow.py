"""The steps of a work order, declared once on the workflow kernel: 签收, 答复, 办结, 退单, 延期申请
and its decision, and the hotline centre's 回访."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core.workflow import Guard, Workflow, transition
from chuangcheng.hotline import permissions
from chuangcheng.hotline.models import ExtensionState, OrderState, WorkOrder, WorkOrderEvent

OPEN = {OrderState.SIGNED, OrderState.ANSWERED}

ORDERS: Workflow[WorkOrder, WorkOrderEvent] = Workflow(
    model=WorkOrder,
    event_model=WorkOrderEvent,
    subject="order",
    transitions=[
        transition("sign", {OrderState.RECEIVED}, OrderState.SIGNED, who=permissions.can_handle,
                   label=_("Sign for"),
                   done=pgettext_lazy("work order step", "signed for")),
        transition("answer", OPEN, OrderState.ANSWERED, who=permissions.can_handle,
                   label=_("Answer"),
                   done=pgettext_lazy("work order step", "answered"), fields=("answer",), required=("answer",)),
        transition("request_extension", OPEN, None, who=permissions.can_handle,
                   label=_("Ask for more time"),
                   done=pgettext_lazy("work order step", "extended"), fields=("until", "reason"),
                   required=("until", "reason"),
                   when=Guard(lambda o: o.extension != ExtensionState.ASKED,
                              _("An extension is already waiting for a decision."))),
        transition("decide_extension", OPEN, None, who=permissions.can_decide,
                   label=_("Decide on the extension"),
                   done=pgettext_lazy("work order step", "decided on"), fields=("grant", "note"),
                   events=("grant_extension", "refuse_extension"),
                   when=Guard(lambda o: o.extension == ExtensionState.ASKED, _("No extension is waiting."))),
        transition("finish", OPEN, OrderState.FINISHED, who=permissions.can_handle,
                   label=_("Finish"),
                   done=pgettext_lazy("work order step", "finished"),
                   when=Guard(lambda o: bool(o.answer), _("Write the answer (答复) before finishing the work order."))),
        transition("return_order", {OrderState.RECEIVED, OrderState.SIGNED}, OrderState.RETURNED,
                   who=permissions.can_handle, label=_("Return to the hotline"),
                   done=pgettext_lazy("work order step", "returned"),
                   fields=("reason",), required=("reason",), api="return"),
        transition("record_callback", {OrderState.FINISHED}, None, who=permissions.can_decide,
                   label=_("Record the callback"),
                   done=pgettext_lazy("work order step", "rated"), fields=("rating", "note"), required=("rating",),
                   events=("callback",)),
    ],
    state_label=lambda state: OrderState(state).label,
    not_allowed=_("A work order that is “%(state)s” cannot be %(action)s."),
    denied=_("You may not act on this work order."),
    conflict=_("Someone changed this work order meanwhile. Reload the page and try again."),
)
