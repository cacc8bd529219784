"""The 12345 work-order endpoints, mounted at /api/hotline: list and read the orders the caller
sees, and one POST per step (签收, 答复, 办结, 退单, 延期 and its decision, 回访), over the same
services as the pages. Each step takes the order's `version` as read (optional): a stale one is a
409, like a step the order's state does not allow; a role that may not act is 403; an order
outside the caller's region is 404; a missing answer or reason is 400 with the field named."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.pagination import paginate

from chuangcheng.cases.api import DecisionIn, ExtensionIn, NoteIn, ReasonIn, VersionIn
from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import LimitOffset
from chuangcheng.hotline import queries, services
from chuangcheng.hotline.models import OrderState, WorkOrder
from chuangcheng.hotline.workflow import ORDERS

router = Router(tags=["hotline"])


class OrderFields(Schema):
    number: str
    state: str
    state_label: str
    case: str
    source: str
    source_system: str
    category_text: str
    request: str
    caller: str
    address: str
    received_at: dt.datetime
    sign_due: dt.datetime
    finish_due: dt.datetime
    signed_at: dt.datetime | None
    answered_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    overdue_to_sign: bool
    overdue_to_finish: bool
    callback: str
    redo_count: int
    version: int


class OrderOut(OrderFields):
    @staticmethod
    def resolve_state_label(obj: WorkOrder) -> str:
        return str(OrderState(obj.state).label)

    @staticmethod
    def resolve_case(obj: WorkOrder) -> str:
        return obj.case.number

    @staticmethod
    def resolve_caller(obj: WorkOrder) -> str:
        return obj.masked_name

    @staticmethod
    def resolve_overdue_to_sign(obj: WorkOrder) -> bool:
        return obj.is_overdue_to_sign(clock.now())

    @staticmethod
    def resolve_overdue_to_finish(obj: WorkOrder) -> bool:
        return obj.is_overdue_to_finish(clock.now())


class OrderEventOut(Schema):
    at: dt.datetime
    action: str
    actor: str
    from_state: str
    to_state: str
    note: str


class OrderDetailOut(OrderFields):
    answer: str
    return_reason: str
    extension: str
    extension_until: dt.datetime | None
    extension_reason: str
    callback_at: dt.datetime | None
    events: list[OrderEventOut]
    allowed_actions: list[str]


class AnswerIn(VersionIn):
    answer: str


class CallbackIn(VersionIn):
    rating: Literal["satisfied", "basic", "unsatisfied"]
    note: str = ""


# --- reads -----------------------------------------------------------------------------------


@router.get("", response=list[OrderOut], operation_id="listWorkOrders")
@paginate(LimitOffset)
def list_orders(request: HttpRequest, state: str = "") -> QuerySet[WorkOrder]:
    """The work orders whose case the caller sees (a unit handler: their unit's), newest first.
    `state`: received, signed, answered, finished, returned, open, overdue_sign or overdue_finish."""
    return queries.filtered(queries.orders_visible_to(request.user), state[:20])


@router.get("/{number}", response=OrderDetailOut, operation_id="getWorkOrder")
def get_order(request: HttpRequest, number: str) -> dict[str, Any]:
    """One work order with its steps, the steps the caller may take now (their URL segments) and its
    `version` (send it back with a step)."""
    return _detail(_order(request, number), request.user)


def _order(request: HttpRequest, number: str) -> WorkOrder:
    return or_404(queries.order_for(request.user, number[:40]))


def _detail(order: WorkOrder, user: Any) -> dict[str, Any]:
    order.refresh_from_db()
    events = [OrderEventOut(at=e.at, action=e.action, actor=e.actor_name, from_state=e.from_state,
                            to_state=e.to_state, note=e.note) for e in order.events.order_by("at", "id")]
    return {
        **OrderOut.from_orm(order).dict(),
        "answer": order.answer, "return_reason": order.return_reason, "extension": order.extension,
        "extension_until": order.extension_until, "extension_reason": order.extension_reason,
        "callback_at": order.callback_at, "events": events,
        "allowed_actions": [ORDERS[name].api_name for name in ORDERS.allowed(user, order)],
    }


def _checked(request: HttpRequest, number: str, action: str, version: int | None) -> tuple[WorkOrder, Any]:
    """The order and the caller, after the workflow's checks of who, state and version (before the
    service locks the order)."""
    order, user = _order(request, number), request.user
    ORDERS.check(order, action, by=user, version=version)  # type: ignore[arg-type]  # signed in: a User
    return order, user


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# --- steps -----------------------------------------------------------------------------------


@router.post("/{number}/sign", response=OrderDetailOut, operation_id="signWorkOrder")
def sign(request: HttpRequest, number: str, payload: VersionIn) -> dict[str, Any]:
    """签收: take the order on (in time when by its `sign_due`)."""
    order, user = _checked(request, number, "sign", payload.version)
    services.sign_order(order, by=user)
    return _detail(order, user)


@router.post("/{number}/answer", response=OrderDetailOut, operation_id="answerWorkOrder")
def answer(request: HttpRequest, number: str, payload: AnswerIn) -> dict[str, Any]:
    """答复: the written answer to the caller (required before 办结; a second one replaces it)."""
    order, user = _checked(request, number, "answer", payload.version)
    services.answer_order(order, by=user, answer=payload.answer)
    return _detail(order, user)


@router.post("/{number}/finish", response=OrderDetailOut, operation_id="finishWorkOrder")
def finish(request: HttpRequest, number: str, payload: NoteIn) -> dict[str, Any]:
    """办结: finish an answered order."""
    order, user = _checked(request, number, "finish", payload.version)
    services.finish_order(order, by=user, note=payload.note)
    return _detail(order, user)


@router.post("/{number}/return", response=OrderDetailOut, operation_id="returnWorkOrder")
def return_order(request: HttpRequest, number: str, payload: ReasonIn) -> dict[str, Any]:
    """退单: send the order back to the hotline centre as not ours, with the reason."""
    order, user = _checked(request, number, "return_order", payload.version)
    services.return_order(order, by=user, reason=payload.reason)
    return _detail(order, user)


@router.post("/{number}/request_extension", response=OrderDetailOut, operation_id="requestWorkOrderExtension")
def request_extension(request: HttpRequest, number: str, payload: ExtensionIn) -> dict[str, Any]:
    """延期申请: ask for a later 办结 date (`until`, ISO 8601, later than the present one) with a reason."""
    order, user = _checked(request, number, "request_extension", payload.version)
    services.request_extension(order, by=user, until=_aware(payload.until), reason=payload.reason)
    return _detail(order, user)


@router.post("/{number}/decide_extension", response=OrderDetailOut, operation_id="decideWorkOrderExtension")
def decide_extension(request: HttpRequest, number: str, payload: DecisionIn) -> dict[str, Any]:
    """Grant the asked date (`grant: true`) or refuse it with a note (the office)."""
    order, user = _checked(request, number, "decide_extension", payload.version)
    services.decide_extension(order, by=user, grant=payload.grant, note=payload.note)
    return _detail(order, user)


@router.post("/{number}/record_callback", response=OrderDetailOut, operation_id="recordWorkOrderCallback")
def record_callback(request: HttpRequest, number: str, payload: CallbackIn) -> dict[str, Any]:
    """回访: the hotline centre's rating of a finished order (the office); 不满意 sends it back to be redone."""
    order, user = _checked(request, number, "record_callback", payload.version)
    services.record_callback(order, by=user, rating=payload.rating, note=payload.note)
    return _detail(order, user)
