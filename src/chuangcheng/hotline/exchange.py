"""Exchange with the 12345 hotline's system: its Excel export read in (every row checked first,
nothing written when one is wrong, the same 工单号 never twice), our orders written out in the same
columns, and the HTTP interface (pull new orders, push our steps) through an adapter. Every exchange
is one ExchangeLog row. The columns and the JSON shape are in docs/guide/hotline.md."""

from __future__ import annotations

import datetime as dt
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.hotline.models import ExchangeLog, OrderSource, Push, PushState, WorkOrder
from chuangcheng.hotline.services import Incoming, check_incoming, receive_order
from chuangcheng.org.models import Region

# --- Excel -----------------------------------------------------------------------------------

# The columns of the hotline's export, in its order; the first nine are read on import.
COLUMNS = ["工单编号", "受理时间", "诉求人", "联系电话", "诉求内容", "问题分类", "事发地址", "签收时限", "办结时限"]
OUR_COLUMNS = ["工单状态", "签收时间", "答复内容", "答复时间", "办结时间", "退单原因", "延期至", "回访结果",
               "重办次数", "来源系统", "案件编号"]
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason)

    @property
    def ok(self) -> bool:
        return not self.errors


def _moment(value: Any) -> dt.datetime | None:
    """A cell or field as an aware moment: a datetime, a date, ISO 8601 (with or without its
    offset; "/" for "-" as some exports write it). Local time when no offset is given."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time.min)
    else:
        text = str(value).strip().replace("/", "-")
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(text) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _cell(value: Any) -> str:
    return "" if value is None else str(value).strip()


def read_workbook(data: bytes) -> tuple[list[tuple[int, Incoming]], list[tuple[int, str]]]:
    """The orders of a workbook in the hotline's columns, with each bad row's reason."""
    from openpyxl import load_workbook

    if len(data) > MAX_IMPORT_BYTES:
        return [], [(0, _("The file is larger than 10 MB."))]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - whatever openpyxl raises, the user is told the same
        return [], [(0, _("This is not an Excel workbook (.xlsx)."))]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    if not rows:
        return [], [(0, _("The workbook is empty."))]
    header = [_cell(v) for v in rows[0]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        return [], [(1, _("Columns missing: %(columns)s.") % {"columns": "、".join(missing)})]
    at = {name: header.index(name) for name in COLUMNS}
    items: list[tuple[int, Incoming]] = []
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(_cell(v) for v in row):
            continue

        def get(name: str, row: tuple[Any, ...] = row) -> Any:
            index = at[name]
            return row[index] if index < len(row) else None

        try:
            received, sign_due, finish_due = (_moment(get("受理时间")), _moment(get("签收时限")),
                                              _moment(get("办结时限")))
        except ValueError as exc:
            errors.append((number, _("“%(value)s” is not a date and time (use 2026-12-03 09:30).")
                           % {"value": exc.args[0]}))
            continue
        item = Incoming(number=_cell(get("工单编号")), request=_cell(get("诉求内容")),
                        received_at=received,  # type: ignore[arg-type]  # checked below
                        sign_due=sign_due, finish_due=finish_due, category_text=_cell(get("问题分类")),
                        caller_name=_cell(get("诉求人")), caller_phone=_cell(get("联系电话")),
                        address=_cell(get("事发地址")))
        problems = check_incoming(item)
        if item.number in seen:
            problems.setdefault("number", []).append(
                _("The same work order number is on row %(row)d.") % {"row": seen[item.number]})
        seen.setdefault(item.number, number)
        if problems:
            errors.append((number, " ".join(m for messages in problems.values() for m in messages)))
        else:
            items.append((number, item))
    return items, errors


def import_workbook(data: bytes, *, street: Region, by: Any = SYSTEM, dry_run: bool = False) -> ImportResult:
    """Every row checked first; one bad row and nothing is written. A number already here updates
    only what the hotline changed. Logged."""
    result = ImportResult()
    items, result.errors = read_workbook(data)
    if not result.errors and not items:
        result.errors.append((0, _("The workbook has no work orders.")))
    if not result.errors:
        try:
            with transaction.atomic():
                for row, item in items:
                    try:
                        _order, outcome = receive_order(item, street=street, source=OrderSource.EXCEL,
                                                        source_system="12345", source_key=item.number, by=by)
                    except ValidationError as exc:
                        result.errors.append((row, " ".join(exc.messages)))
                        continue
                    setattr(result, outcome, getattr(result, outcome) + 1)
                if result.errors or dry_run:
                    raise _Rollback
        except _Rollback:
            if not result.errors:
                return result
            result.created = result.updated = result.unchanged = 0
    _log(ExchangeLog.Kind.IMPORT, street=street, ok=result.ok, by=by,
         detail=(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}" if result.ok
                 else "; ".join(f"{row}: {reason}" for row, reason in result.errors)))
    return result


class _Rollback(Exception):  # noqa: N818 - control flow only
    pass


def _local(moment: dt.datetime | None) -> str:
    return clock.local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def export_workbook(orders: Any, *, street: Region | None, by: Any = SYSTEM, mask: bool = True) -> bytes:
    """The orders in the hotline's columns and ours after them (the caller masked unless `mask`
    is False: a file for the hotline centre itself, from the command line). Logged."""
    from openpyxl import Workbook

    orders = list(orders.select_related("case"))
    sheets.check_rows(len(orders))
    book = Workbook()
    sheet = book.active
    sheet.title = "工单"
    sheets.append_row(sheet, COLUMNS + OUR_COLUMNS, bold=True)
    for o in orders:
        sheets.append_row(sheet, [
            o.number, _local(o.received_at), o.masked_name if mask else o.caller_name,
            o.masked_phone if mask else o.caller_phone, o.request, o.category_text, o.address, _local(o.sign_due),
            _local(o.finish_due), o.get_state_display(), _local(o.signed_at), o.answer, _local(o.answered_at),
            _local(o.finished_at), o.return_reason, _local(o.extension_until), o.get_callback_display() if o.callback
            else "", o.redo_count, o.source_system or o.get_source_display(), o.case.number,
        ])
    _log(ExchangeLog.Kind.EXPORT, street=street, ok=True, by=by, detail=f"{len(orders)} orders")
    return sheets.to_bytes(book)


def _log(kind: str, *, street: Region | None = None, ok: bool, by: Any = None, detail: str = "",
         order_number: str = "", key: str = "", status: int | None = None, attempts: int = 1) -> ExchangeLog:
    return ExchangeLog.objects.create(
        kind=kind, street=street, ok=ok, detail=detail[:500], order_number=order_number[:40], key=key,
        status=status, attempts=attempts, by=by if getattr(by, "is_authenticated", False) else None)


# --- the HTTP interface ----------------------------------------------------------------------


class ExchangeError(Exception):
    """The hotline's system could not be reached or refused; `status` None when there was no answer."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.status = status


class HotlineAdapter(Protocol):
    """What a hotline's system must offer: its new orders, and taking our steps."""

    def fetch_orders(self, since: dt.datetime | None) -> list[dict[str, Any]]: ...

    def send(self, number: str, step: str, payload: dict[str, Any], *, key: str) -> int: ...


# Our steps by the interface's path segment.
STEP_PATHS = {"sign": "sign", "answer": "answer", "finish": "finish", "return_order": "return",
              "request_extension": "extension"}


class JsonHotline:
    """The reference adapter: JSON over HTTPS with a bearer token (docs/guide/hotline.md).

    GET  {url}/orders?since=ISO-8601  → {"orders": [ {...}, ... ]}
    POST {url}/orders/{number}/{sign|answer|finish|return|extension}, header Idempotency-Key → 2xx
    A 409 to a push means the key was seen already: the step is there, nothing more to send."""

    def __init__(self, url: str, token: str, *, timeout: float = 10) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, Any]:
        request = urllib.request.Request(  # noqa: S310 - the URL comes from the settings
            self.url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                     "Content-Type": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            if method == "POST" and exc.code == 409:
                return 409, None
            raise ExchangeError(f"HTTP {exc.code}", exc.code) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise ExchangeError(str(getattr(exc, "reason", exc)) or type(exc).__name__) from exc
        except ValueError as exc:
            raise ExchangeError(_("The hotline answered something that is not JSON.")) from exc

    def fetch_orders(self, since: dt.datetime | None) -> list[dict[str, Any]]:
        query = "?" + urllib.parse.urlencode({"since": since.isoformat()}) if since else ""
        _status, body = self._call("GET", "/orders" + query)
        if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
            raise ExchangeError(_("The hotline's answer has no list of orders."))
        return body["orders"]

    def send(self, number: str, step: str, payload: dict[str, Any], *, key: str) -> int:
        path = f"/orders/{urllib.parse.quote(number, safe='')}/{STEP_PATHS[step]}"
        status, _body = self._call("POST", path, payload, {"Idempotency-Key": key})
        return status


def configured_adapter() -> HotlineAdapter | None:
    if not settings.HOTLINE_URL:
        return None
    return JsonHotline(settings.HOTLINE_URL, settings.HOTLINE_TOKEN, timeout=settings.HOTLINE_TIMEOUT)


def configured_street() -> Region | None:
    streets = Region.objects.filter(level=Region.Level.STREET)
    if settings.HOTLINE_STREET:
        return streets.filter(code=settings.HOTLINE_STREET).first()
    return streets.first() if streets.count() == 1 else None


def with_retries(call: Any) -> tuple[Any, int]:
    """`call()` tried HOTLINE_RETRIES times, waiting HOTLINE_BACKOFF_SECONDS, then twice that, …
    Returns its result and the attempts made; the last ExchangeError goes up with `.attempts`."""
    tries = max(1, int(settings.HOTLINE_RETRIES))
    for attempt in range(1, tries + 1):
        try:
            return call(), attempt
        except ExchangeError as exc:
            if attempt == tries:
                exc.attempts = attempt  # type: ignore[attr-defined]
                raise
            time.sleep(float(settings.HOTLINE_BACKOFF_SECONDS) * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _incoming(data: dict[str, Any]) -> Incoming:
    caller = data.get("caller") or {}
    try:
        received = _moment(data.get("received_at"))
        sign_due, finish_due = _moment(data.get("sign_due")), _moment(data.get("finish_due"))
        lon = float(data["lon"]) if data.get("lon") not in (None, "") else None
        lat = float(data["lat"]) if data.get("lat") not in (None, "") else None
    except (ValueError, TypeError) as exc:
        raise ValidationError(_("A date or coordinate of the order cannot be read.")) from exc
    return Incoming(number=str(data.get("number") or ""), request=str(data.get("request") or ""),
                    received_at=received,  # type: ignore[arg-type]  # checked by receive_order
                    sign_due=sign_due, finish_due=finish_due, category_text=str(data.get("category") or ""),
                    caller_name=str(caller.get("name") or ""), caller_phone=str(caller.get("phone") or ""),
                    address=str(data.get("address") or ""), lon=lon, lat=lat,
                    point_code=str(data.get("point") or ""))


@dataclass
class PullResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    failed: bool = False


def pull_orders(*, street: Region | None = None, adapter: HotlineAdapter | None = None) -> PullResult:
    """New orders from the hotline's interface since the last one received. An order seen before is
    recognised by its number; a bad order is logged and skipped; an outage is logged, and the next
    pull asks again from the same moment, so nothing is lost."""
    result = PullResult()
    adapter = adapter or configured_adapter()
    street = street or configured_street()
    if adapter is None or street is None:
        return result
    last = (WorkOrder.objects.filter(street=street, source=OrderSource.API).order_by("-received_at")
            .values_list("received_at", flat=True).first())
    try:
        orders, attempts = with_retries(lambda: adapter.fetch_orders(last))
    except ExchangeError as exc:
        _log(ExchangeLog.Kind.PULL, street=street, ok=False, detail=str(exc), status=exc.status,
             attempts=getattr(exc, "attempts", 1))
        result.failed = True
        return result
    for data in orders:
        number = str(data.get("number") or "") if isinstance(data, dict) else ""
        try:
            if not isinstance(data, dict):
                raise ValidationError(_("An order is not a JSON object."))
            _order, outcome = receive_order(_incoming(data), street=street, source=OrderSource.API,
                                            source_system="12345", source_key=number)
        except ValidationError as exc:
            result.refused += 1
            _log(ExchangeLog.Kind.PULL, street=street, ok=False, order_number=number, detail=" ".join(exc.messages))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    _log(ExchangeLog.Kind.PULL, street=street, ok=True, attempts=attempts,
         detail=f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
                f"refused {result.refused}")
    return result


MAX_PUSH_ATTEMPTS = 8


@dataclass
class PushResult:
    sent: int = 0
    waiting: int = 0
    given_up: int = 0


def push_pending(*, adapter: HotlineAdapter | None = None, now: dt.datetime | None = None) -> PushResult:
    """Our steps not yet sent, oldest first, each with its own key (a retry is no second step). A
    failure waits 2, 4, 8 … minutes before the next run tries again; after MAX_PUSH_ATTEMPTS runs it
    is given up and shown to the street admin."""
    result = PushResult()
    adapter = adapter or configured_adapter()
    if adapter is None:
        return result
    now = now or clock.now()
    for push in Push.objects.filter(state=PushState.PENDING, next_attempt_at__lte=now).select_related("order"):
        # Claimed by moving its next attempt on: a second runner skips it.
        claimed = Push.objects.filter(pk=push.pk, state=PushState.PENDING, attempts=push.attempts).update(
            next_attempt_at=now + dt.timedelta(minutes=5))
        if not claimed:
            continue
        try:
            status, attempts = with_retries(
                lambda p=push: adapter.send(p.order.number, p.action, p.payload, key=p.key))
        except ExchangeError as exc:
            tried = push.attempts + 1
            gone = tried >= MAX_PUSH_ATTEMPTS
            Push.objects.filter(pk=push.pk).update(
                attempts=tried, last_error=str(exc)[:500], state=PushState.FAILED if gone else PushState.PENDING,
                next_attempt_at=now + dt.timedelta(minutes=2 ** tried))
            _log(ExchangeLog.Kind.PUSH, street=push.order.street, ok=False, order_number=push.order.number,
                 key=push.key, status=exc.status, attempts=getattr(exc, "attempts", 1), detail=str(exc))
            if gone:
                result.given_up += 1
            else:
                result.waiting += 1
            continue
        Push.objects.filter(pk=push.pk).update(state=PushState.SENT, sent_at=now, attempts=push.attempts + 1,
                                               last_error="")
        _log(ExchangeLog.Kind.PUSH, street=push.order.street, ok=True, order_number=push.order.number, key=push.key,
             status=status, attempts=attempts, detail=push.action)
        result.sent += 1
    return result


def failures(street: Region, *, limit: int = 20) -> list[ExchangeLog]:
    """The latest failed exchanges of the street, for its admin on the hotline page."""
    return list(ExchangeLog.objects.filter(street=street, ok=False)[:limit])


def stuck_pushes(street: Region) -> list[Push]:
    return list(Push.objects.filter(order__street=street).exclude(state=PushState.SENT)
                .exclude(last_error="").select_related("order")[:50])
