"""A 12345 work order (工单) on top of its case, its own steps, and the exchange with the hotline's system."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.cases.models import Case
from chuangcheng.core import clock
from chuangcheng.core.models import WorkflowEvent
from chuangcheng.org.models import Region


class OrderState(models.TextChoices):
    RECEIVED = "received", _("to sign for")
    SIGNED = "signed", _("signed for, being handled")
    ANSWERED = "answered", pgettext_lazy("work order state", "answered")
    FINISHED = "finished", pgettext_lazy("work order state", "finished")
    RETURNED = "returned", _("returned to the hotline")


class Callback(models.TextChoices):
    """The hotline centre's 回访: how the caller rated the answer."""

    NONE = "", _("no callback yet")
    SATISFIED = "satisfied", _("satisfied")
    BASIC = "basic", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


class ExtensionState(models.TextChoices):
    NONE = "", _("none")
    ASKED = "asked", _("asked")
    GRANTED = "granted", _("granted")
    REFUSED = "refused", _("refused")


class OrderSource(models.TextChoices):
    EXCEL = "excel", _("Excel import")
    API = "api", _("hotline interface")
    OPEN311 = "open311", _("Open311 system")
    TYPED = "typed", _("typed in")


class WorkOrderQuerySet(models.QuerySet["WorkOrder"]):
    def open(self) -> WorkOrderQuerySet:
        return self.exclude(state__in=[OrderState.FINISHED, OrderState.RETURNED])

    def overdue_to_sign(self, now: dt.datetime) -> WorkOrderQuerySet:
        """Not signed (nor returned) and past the hotline's 签收 limit."""
        return self.filter(state=OrderState.RECEIVED, sign_due__lt=now)

    def overdue_to_finish(self, now: dt.datetime) -> WorkOrderQuerySet:
        """Still open and past the 办结 date (an extension granted moves the date)."""
        return self.open().filter(finish_due__lt=now)


class WorkOrder(models.Model):
    """One 12345 work order. The case it opened carries the handling on the ground; the order
    carries what the hotline centre scores: signing for it in time, the written answer, the
    finishing date, returns, extensions and the callback."""

    number = models.CharField(_("work order number"), max_length=40, unique=True)
    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="work_order")
    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="work_orders")
    state = models.CharField(_("state"), max_length=16, choices=OrderState.choices, default=OrderState.RECEIVED)
    version = models.PositiveIntegerField(default=0)
    source = models.CharField(_("source"), max_length=16, choices=OrderSource.choices)
    # The system the order came from (the 12345 platform, an Open311 client's name) and its own key.
    source_system = models.CharField(_("source system"), max_length=120, blank=True)
    source_key = models.CharField(_("key in the source system"), max_length=120, blank=True)
    category_text = models.CharField(_("hotline category"), max_length=120, blank=True)
    request = models.TextField(_("caller's request"))
    caller_name = models.CharField(_("caller"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller's phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received"))
    sign_due = models.DateTimeField(_("sign for by"))
    finish_due = models.DateTimeField(_("finish by"))
    signed_at = models.DateTimeField(_("time signed for"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    finished_at = models.DateTimeField(_("time finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("time returned"), null=True, blank=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    extension = models.CharField(_("extension"), max_length=8, choices=ExtensionState.choices, blank=True,
                                 default=ExtensionState.NONE)
    extension_until = models.DateTimeField(_("extension asked until"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    callback = models.CharField(_("callback"), max_length=12, choices=Callback.choices, blank=True,
                                default=Callback.NONE)
    callback_at = models.DateTimeField(_("callback on"), null=True, blank=True)
    redo_count = models.PositiveIntegerField(_("times redone"), default=0)

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "number"]
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        indexes = [models.Index(fields=["street", "state"], name="hotline_order_street_state")]

    def __str__(self) -> str:
        return self.number

    def is_overdue_to_sign(self, now: dt.datetime) -> bool:
        return self.state == OrderState.RECEIVED and self.sign_due < now

    def is_overdue_to_finish(self, now: dt.datetime) -> bool:
        return self.state not in (OrderState.FINISHED, OrderState.RETURNED) and self.finish_due < now

    @property
    def masked_name(self) -> str:
        return mask_name(self.caller_name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.caller_phone)


def mask_name(name: str) -> str:
    """张三丰 → 张**: the caller stays private on pages and exports to people."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678."""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


class WorkOrderEvent(WorkflowEvent):
    """One step of a work order: who, when, from → to, note. Append-only."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=16, choices=OrderState.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=OrderState.choices)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("work order step")
        verbose_name_plural = _("work order steps")
        indexes = [models.Index(fields=["action", "at"], name="hotline_event_action_at")]


class PushState(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed, given up")


class Push(models.Model):
    """A step to tell the hotline's system (签收, 答复, 退单, 延期申请), sent by the push job. The key
    travels as the Idempotency-Key header: a retry after a lost answer is not a second step."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="pushes")
    action = models.CharField(max_length=32)
    key = models.CharField(max_length=64, unique=True)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=PushState.choices, default=PushState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=clock.now)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("push to the hotline")
        verbose_name_plural = _("pushes to the hotline")

    def __str__(self) -> str:
        return f"{self.order_id}:{self.action}"


class ExchangeLog(models.Model):
    """Every exchange with the hotline's system: pulls, pushes, imports and exports, with the outcome."""

    class Kind(models.TextChoices):
        PULL = "pull", _("pull")
        PUSH = "push", _("push")
        IMPORT = "import", _("import")
        EXPORT = "export", _("export")

    at = models.DateTimeField(default=clock.now)
    street = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    ok = models.BooleanField(default=True)
    order_number = models.CharField(max_length=40, blank=True)
    key = models.CharField(max_length=64, blank=True)
    status = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    detail = models.CharField(max_length=500, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("hotline exchange")
        verbose_name_plural = _("hotline exchanges")

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


def plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime) else value
