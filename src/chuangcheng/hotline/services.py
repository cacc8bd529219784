"""Every change to a work order: received (from an import, the hotline's interface, an Open311
system or typed in), 签收, 答复, 办结, 退单, 延期申请 and its decision, and the 回访. Each step is one
event on the order, an audit row and a comment on the case's timeline; steps of orders that came
through the hotline's interface are queued to be pushed back (see exchange.push_pending)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Category, Rating, Source, State
from chuangcheng.core import audit, clock
from chuangcheng.core.workflow import SYSTEM, Actor, actor_name
from chuangcheng.hotline.models import (
    Callback,
    ExtensionState,
    OrderSource,
    OrderState,
    Push,
    WorkOrder,
    WorkOrderEvent,
)
from chuangcheng.hotline.workflow import ORDERS
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point

MAX_TEXT = 4000
# The hotline's fields a later import or pull may correct (what the order says, not what we did).
UPDATABLE = ("request", "category_text", "address", "caller_name", "caller_phone", "sign_due", "finish_due")


@dataclass(frozen=True)
class Incoming:
    """A work order as the hotline sends it (a row of its Excel export, an order of its interface)."""

    number: str
    request: str
    received_at: dt.datetime
    sign_due: dt.datetime | None = None
    finish_due: dt.datetime | None = None
    category_text: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    address: str = ""
    lon: float | None = None
    lat: float | None = None
    point_code: str = ""


def default_sign_due(received_at: dt.datetime) -> dt.datetime:
    return received_at + dt.timedelta(hours=int(settings.HOTLINE_SIGN_HOURS))


def default_finish_due(received_at: dt.datetime) -> dt.datetime:
    """The end of the day HOTLINE_FINISH_DAYS calendar days after receipt."""
    day = clock.local(received_at).date() + dt.timedelta(days=int(settings.HOTLINE_FINISH_DAYS))
    return clock.day_bounds(day)[1] - dt.timedelta(seconds=1)


def check_incoming(item: Incoming) -> dict[str, list[str]]:
    """What is wrong with an incoming order, by field (empty: nothing)."""
    errors: dict[str, list[str]] = {}
    number = (item.number or "").strip()
    if not number:
        errors.setdefault("number", []).append(_("The work order number is missing."))
    elif len(number) > 40:
        errors.setdefault("number", []).append(_("The work order number is longer than 40 characters."))
    request = (item.request or "").strip()
    if not request:
        errors.setdefault("request", []).append(_("The caller's request is missing."))
    elif len(request) > MAX_TEXT:
        errors.setdefault("request", []).append(_("Keep the request under %(n)d characters.") % {"n": MAX_TEXT})
    if item.received_at is None:
        errors.setdefault("received_at", []).append(_("The time received is missing."))
    elif item.received_at > clock.now() + dt.timedelta(minutes=5):
        errors.setdefault("received_at", []).append(_("The time received is in the future."))
    for name in ("sign_due", "finish_due"):
        due = getattr(item, name)
        if due is not None and item.received_at is not None and due < item.received_at:
            errors.setdefault(name, []).append(_("A deadline is before the time received."))
    if len(item.caller_phone or "") > 30:
        errors.setdefault("caller_phone", []).append(_("The phone number is too long."))
    return errors


def category_for(text: str) -> Category:
    """The hotline's category by name when we have one of that name, else HOTLINE_CATEGORY (a
    code), else the first category: the street office corrects it on triage."""
    second = Category.objects.filter(active=True, parent__isnull=False)
    text = (text or "").strip()
    found = second.filter(name=text).first() if text else None
    if found is None and settings.HOTLINE_CATEGORY:
        found = second.filter(code=settings.HOTLINE_CATEGORY).first()
    found = found or second.order_by("parent__sort_order", "sort_order", "code").first()
    if found is None:
        raise ValidationError({"category": _("No problem category is set up.")})
    return found


def place_for(street: Region, item: Incoming) -> tuple[Point | None, Region]:
    """Where the case goes: the point named by its code or address, the grid of the location, else
    the street's first grid (the office moves it on triage), as residents' typed addresses do."""
    from chuangcheng.places.services import locate_grid

    in_street = Point.objects.filter(grid__path__startswith=street.path).select_related("grid")
    if item.point_code:
        point = in_street.filter(code=item.point_code).first()
        if point is not None:
            return point, point.grid
    if item.lon is not None and item.lat is not None:
        grid = locate_grid(float(item.lon), float(item.lat), within=street)
        if grid is not None:
            return None, grid
    address = (item.address or "").strip()
    if address:
        point = (in_street.filter(address=address).first() or in_street.filter(name=address).first())
        if point is not None:
            return point, point.grid
    grid = (Region.objects.filter(level=Region.Level.GRID, path__startswith=street.path)
            .order_by("sort_order", "path").first())
    if grid is None:
        raise ValidationError({"address": _("%(street)s has no grid to take the order.") % {"street": street.name}})
    return None, grid


def _comment(order: WorkOrder, event: WorkOrderEvent, text: str) -> None:
    cases.comment_on_case(order.case, author=event.actor_name or "12345",
                          note=_("12345 work order %(number)s: %(step)s") % {"number": order.number, "step": text},
                          data={"work_order": order.number, "step": event.action})


def _record(order: WorkOrder, event: WorkOrderEvent, by: Actor, text: str, changes: dict[str, Any]) -> None:
    _comment(order, event, text)
    audit.record(actor=by, action="update", instance=order, region_path=order.case.grid.path,
                 changes={k: [None, v.isoformat() if isinstance(v, dt.datetime) else v] for k, v in changes.items()},
                 note=event.action)
    if order.source == OrderSource.API and event.action in PUSHED:
        Push.objects.create(order=order, action=event.action, key=f"{order.number}-{event.pk}",
                            payload=_payload(order, event))


# The steps the hotline's system is told of, and what each carries.
PUSHED = {"sign", "answer", "finish", "return_order", "request_extension"}


def _payload(order: WorkOrder, event: WorkOrderEvent) -> dict[str, Any]:
    body: dict[str, Any] = {"number": order.number, "at": event.at.isoformat(), "by": event.actor_name}
    if event.action == "answer":
        body["answer"] = order.answer
    elif event.action == "return_order":
        body["reason"] = order.return_reason
    elif event.action == "request_extension":
        body["until"] = order.extension_until.isoformat() if order.extension_until else None
        body["reason"] = order.extension_reason
    return body


@transaction.atomic
def receive_order(item: Incoming, *, street: Region, source: str, source_system: str = "", source_key: str = "",
                  category: Category | None = None, by: Actor = SYSTEM) -> tuple[WorkOrder, str]:
    """A work order from the hotline: a new case (source hotline) in its grid, in the street
    office's queue, and the order with its deadlines. The same number again is the same order:
    only what the hotline changed is updated. `category` when the sender chose one of ours.
    Returns the order and "created", "updated" or "unchanged". Raises ValidationError with the fields' reasons."""
    errors = check_incoming(item)
    if source not in OrderSource.values:
        errors.setdefault("source", []).append(_("Unknown source."))
    if errors:
        raise ValidationError(errors)
    number = item.number.strip()
    sign_due = item.sign_due or default_sign_due(item.received_at)
    finish_due = item.finish_due or default_finish_due(item.received_at)
    fields: dict[str, Any] = {
              "request": item.request.strip(), "category_text": (item.category_text or "").strip()[:120],
              "address": (item.address or "").strip()[:200], "caller_name": (item.caller_name or "").strip()[:50],
              "caller_phone": (item.caller_phone or "").strip(), "sign_due": sign_due, "finish_due": finish_due}
    existing = WorkOrder.objects.select_for_update().select_related("case__grid").filter(number=number).first()
    if existing is not None:
        if existing.street_id != street.pk:
            raise ValidationError({"number": _("Work order %(number)s belongs to another subdistrict.")
                                   % {"number": number}})
        # A deadline the hotline did not send stays as it was set when the order came.
        given = {name: value for name, value in fields.items()
                 if not (name == "sign_due" and item.sign_due is None) and not (name == "finish_due" and
                                                                                 item.finish_due is None)}
        changed = {name: value for name, value in given.items() if getattr(existing, name) != value}
        if not changed:
            return existing, "unchanged"
        WorkOrder.objects.filter(pk=existing.pk).update(**changed)
        for name, value in changed.items():
            setattr(existing, name, value)
        event = WorkOrderEvent.objects.create(
            order=existing, actor=None, actor_name=actor_name(by), action="update", from_state=existing.state,
            to_state=existing.state, note=", ".join(sorted(changed)), data={"fields": sorted(changed)})
        _comment(existing, event, _("the hotline changed %(fields)s") % {"fields": ", ".join(sorted(changed))})
        return existing, "updated"
    point, grid = place_for(street, item)
    description = _("12345 work order %(number)s: %(request)s") % {"number": number, "request": fields["request"]}
    case = cases.report_case(
        by=SYSTEM, source=Source.HOTLINE, category=category or category_for(item.category_text),
        description=description[:4000],
        point=point, grid=grid if point is None else None,
        lon=Decimal(str(item.lon)) if item.lon is not None and point is None else None,
        lat=Decimal(str(item.lat)) if item.lat is not None and point is None else None,
        address=fields["address"],
    )
    order = WorkOrder.objects.create(number=number, case=case, street=street, source=source,
                                     source_system=source_system[:120], source_key=source_key[:120],
                                     received_at=item.received_at, **fields)
    event = WorkOrderEvent.objects.create(
        order=order, actor=None, actor_name=actor_name(by), action="receive", from_state="",
        to_state=OrderState.RECEIVED, data={"source": source, "system": source_system, "key": source_key})
    _comment(order, event, _("received from %(system)s") % {"system": source_system or order.get_source_display()})
    audit.record(actor=by, action="create", instance=order, region_path=grid.path,
                 changes={"number": [None, number], "source": [None, source], "source_system": [None, source_system]})
    return order, "created"


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("Keep it under %(n)d characters.") % {"n": MAX_TEXT}})
    return value


def _locked(order: WorkOrder) -> WorkOrder:
    # Only the order's row is locked: PostgreSQL refuses FOR UPDATE on the nullable side of the
    # outer join a case without a unit needs.
    return (WorkOrder.objects.select_for_update(of=("self",)).select_related("case__grid", "case__unit")
            .get(pk=order.pk))


@transaction.atomic
def sign_order(order: WorkOrder, *, by: Actor) -> WorkOrderEvent:
    """签收: the street takes the order on (in time when by its sign_due)."""
    order = _locked(order)
    now = clock.now()
    event = ORDERS.move(order, "sign", by=by, data={"on_time": now <= order.sign_due}, signed_at=now)
    _record(order, event, by, _("signed for"), {"signed_at": now})
    return event


@transaction.atomic
def answer_order(order: WorkOrder, *, by: Actor, answer: str) -> WorkOrderEvent:
    """答复: the written answer to the caller, sent to the hotline centre. A second answer replaces it."""
    order = _locked(order)
    answer = _text(answer, "answer")
    now = clock.now()
    event = ORDERS.move(order, "answer", by=by, note=answer, answer=answer, answered_at=now)
    _record(order, event, by, _("answered: %(answer)s") % {"answer": answer}, {"answered_at": now})
    return event


@transaction.atomic
def finish_order(order: WorkOrder, *, by: Actor, note: str = "") -> WorkOrderEvent:
    """办结: only once answered (the guard refuses otherwise); on time when by its finish_due."""
    order = _locked(order)
    now = clock.now()
    event = ORDERS.move(order, "finish", by=by, note=_text(note, "note", required=False),
                        data={"on_time": now <= order.finish_due}, finished_at=now)
    _record(order, event, by, _("finished"), {"finished_at": now})
    return event


@transaction.atomic
def return_order(order: WorkOrder, *, by: Actor, reason: str) -> WorkOrderEvent:
    """退单: sent back to the hotline centre as not ours, with the reason (counted). The case is
    rejected as not ours when nobody has started on it yet; otherwise the office decides."""
    order = _locked(order)
    reason = _text(reason, "reason")
    now = clock.now()
    ORDERS.check(order, "return_order", by=by)
    event = ORDERS.move(order, "return_order", by=by, note=reason, returned_at=now, return_reason=reason)
    _record(order, event, by, _("returned to the hotline: %(reason)s") % {"reason": reason}, {"returned_at": now})
    case = order.case
    if case.state == State.REPORTED:
        cases.reject_case(case, by=SYSTEM, reason=_("12345 work order returned: %(reason)s") % {"reason": reason})
    return event


@transaction.atomic
def request_extension(order: WorkOrder, *, by: Actor, until: dt.datetime, reason: str) -> WorkOrderEvent:
    """延期申请: a later finishing date, with the reason, for the office (and the hotline) to decide."""
    order = _locked(order)
    reason = _text(reason, "reason")
    ORDERS.check(order, "request_extension", by=by)
    if until is None or until <= order.finish_due:
        raise ValidationError({"until": _("Ask for a date after the present deadline.")})
    event = ORDERS.move(order, "request_extension", by=by, note=reason, data={"until": until.isoformat()},
                        extension=ExtensionState.ASKED, extension_until=until, extension_reason=reason)
    _record(order, event, by, _("asked for more time until %(until)s: %(reason)s")
            % {"until": clock.local(until).strftime("%Y-%m-%d %H:%M"), "reason": reason}, {"extension_until": until})
    return event


@transaction.atomic
def decide_extension(order: WorkOrder, *, by: Actor, grant: bool, note: str = "") -> WorkOrderEvent:
    """Granted: the finishing date moves to the date asked for. Refused: it stays."""
    order = _locked(order)
    note = _text(note, "note", required=not grant)
    changes: dict[str, Any] = {"extension": ExtensionState.GRANTED if grant else ExtensionState.REFUSED}
    if grant:
        changes["finish_due"] = order.extension_until
    event = ORDERS.move(order, "decide_extension", by=by, event="grant_extension" if grant else "refuse_extension",
                        note=note, data={"until": order.extension_until.isoformat() if order.extension_until else None},
                        **changes)
    _record(order, event, by, _("extension granted") if grant else _("extension refused: %(note)s") % {"note": note},
            {"extension": changes["extension"]})
    return event


@transaction.atomic
def record_callback(order: WorkOrder, *, by: Actor, rating: str, note: str = "") -> WorkOrderEvent:
    """回访: the hotline centre's rating of the answer. 不满意 → 重办: the order goes back to being
    handled (counted), its answer to be written again, and the case back to the street office."""
    order = _locked(order)
    if rating not in (Callback.SATISFIED, Callback.BASIC, Callback.UNSATISFIED):
        raise ValidationError({"rating": _("Choose the callback's result.")})
    note = _text(note, "note", required=False)
    now = clock.now()
    redo = rating == Callback.UNSATISFIED
    changes: dict[str, Any] = {"callback": rating, "callback_at": now}
    if redo:
        changes |= {"redo_count": order.redo_count + 1, "finished_at": None, "answered_at": None, "answer": ""}
    event = ORDERS.move(order, "record_callback", by=by, event="callback",
                        to_state=OrderState.SIGNED if redo else OrderState.FINISHED, note=note,
                        data={"rating": rating, "redo": redo}, **changes)
    label = Callback(rating).label
    _record(order, event, by, (_("callback: %(rating)s, to be handled again") if redo else _("callback: %(rating)s"))
            % {"rating": label}, {"callback": rating})
    if redo:
        _back_to_handling(order, note or str(label))
    return event


def _back_to_handling(order: WorkOrder, note: str) -> None:
    case = order.case
    case.refresh_from_db()
    why = _("12345 callback not satisfied: %(note)s") % {"note": note}
    if case.state == State.CLOSED and not case.rating:
        cases.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason=why)
    elif case.state == State.RECTIFIED:
        cases.return_for_rework(case, by=SYSTEM, note=why)
