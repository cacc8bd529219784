"""Publicity (宣传): online pushes to the grids' group robots, offline items (LED screens, posters,
public-service ads, banners) at points, and household visits (入户宣传).

A push's delivery per group is the outbox's message (notify.Message): its status is read from
there, so a retry by the outbox shows up here without a second copy of the truth."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.notify.models import Message, Status, Webhook
from chuangcheng.org.models import Region
from chuangcheng.places.models import Point

__all__ = ["DeliveryState", "HouseholdVisit", "OfflineItem", "Push", "PushDelivery"]


class Push(models.Model):
    """One message composed once and pushed to the group robots of the chosen grids."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), max_length=2000)
    image = models.ForeignKey(
        Photo, verbose_name=_("image"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    scope = models.ForeignKey(
        Region, verbose_name=_("pushed to"), on_delete=models.PROTECT, related_name="+",
        help_text=_("The community (all its grids) or the one grid the push was meant for."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("pushed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("pushed at"), default=clock.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("online push")
        verbose_name_plural = _("online pushes")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class DeliveryState(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", pgettext_lazy("delivery", "sent")
    FAILED = "failed", _("failed")
    NO_GROUP = "no_group", _("no group robot")


class PushDelivery(models.Model):
    """The push as delivered to one group robot of one grid (or the record that the grid had none)."""

    push = models.ForeignKey(Push, verbose_name=_("push"), on_delete=models.CASCADE, related_name="deliveries")
    grid = models.ForeignKey(Region, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    webhook = models.ForeignKey(
        Webhook, verbose_name=_("group robot"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    group_name = models.CharField(_("group"), max_length=80, blank=True)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    message = models.ForeignKey(
        Message, verbose_name=_("outgoing message"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["push", "grid__path", "id"]
        verbose_name = _("push delivery")
        verbose_name_plural = _("push deliveries")

    def __str__(self) -> str:
        return f"{self.push.number} → {self.group_name or self.grid.name}"

    @property
    def state(self) -> str:
        if self.message is None:
            return DeliveryState.NO_GROUP if self.webhook_id is None and not self.group_name else DeliveryState.FAILED
        if self.message.status == Status.SENT:
            return DeliveryState.SENT
        if self.message.status == Status.FAILED:
            return DeliveryState.FAILED
        return DeliveryState.QUEUED

    @property
    def state_label(self) -> str:
        return str(DeliveryState(self.state).label)

    @property
    def error(self) -> str:
        return self.message.last_error if self.message is not None else ""


class OfflineItem(models.Model):
    """Publicity put up at a point: a board may hold several posters (`count`)."""

    class Kind(models.TextChoices):
        LED = "led", _("LED screen")
        POSTER = "poster", _("poster")
        BOARD = "board", _("public-service ad board")
        FRAMED = "framed", _("framed public-service poster")
        SLOGAN = "slogan", _("wall slogan")
        BANNER = "banner", _("banner")

    # The catalog: banners and roll-up stands are not counted as public-service ads (横幅不计入).
    COUNTED_KINDS = (Kind.LED, Kind.POSTER, Kind.BOARD, Kind.FRAMED, Kind.SLOGAN)

    code = models.CharField(_("code"), max_length=20, unique=True)
    point = models.ForeignKey(Point, verbose_name=_("point"), on_delete=models.PROTECT,
                              related_name="publicity_items")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    theme = models.CharField(_("theme"), max_length=100)
    count = models.PositiveSmallIntegerField(_("count"), default=1)
    photo = models.ForeignKey(Photo, verbose_name=_("photo"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    put_up_on = models.DateField(_("put up on"))
    taken_down_on = models.DateField(_("taken down on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("registered by"), null=True,
                                      blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), default=clock.now)

    class Meta:
        ordering = ["point", "-put_up_on", "-id"]
        verbose_name = _("offline publicity item")
        verbose_name_plural = _("offline publicity items")
        indexes = [models.Index(fields=["put_up_on"], name="publicity_item_put_up")]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="publicity_item_count_positive"),
            models.CheckConstraint(
                condition=Q(taken_down_on__isnull=True) | Q(taken_down_on__gte=models.F("put_up_on")),
                name="publicity_item_down_after_up"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()} {self.theme}"

    def active_on(self, day: dt.date) -> bool:
        return self.put_up_on <= day and (self.taken_down_on is None or self.taken_down_on > day)

    @property
    def counted(self) -> bool:
        return self.kind in self.COUNTED_KINDS


class HouseholdVisit(models.Model):
    """One door knocked on: a household named by building / unit / room in a grid, no names needed."""

    class Result(models.TextChoices):
        VISITED = "visited", _("visited and explained")
        NOBODY_HOME = "nobody_home", _("nobody home")
        REFUSED = "refused", _("refused")

    grid = models.ForeignKey(Region, verbose_name=_("grid"), on_delete=models.PROTECT, related_name="+")
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(pgettext_lazy("building", "unit"), max_length=10, blank=True)
    room = models.CharField(_("room"), max_length=10)
    # The same household however it was typed: "3/2/501". Coverage counts distinct ones.
    household = models.CharField(_("household"), max_length=48, editable=False)
    surname = models.CharField(_("resident's surname"), max_length=4, blank=True)
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("visitor"), on_delete=models.PROTECT,
                                related_name="+")
    day = models.DateField(_("date"))
    topics = models.JSONField(_("topics"), default=list, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=clock.now)

    class Meta:
        ordering = ["-day", "-id"]
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        indexes = [
            models.Index(fields=["grid", "day"], name="publicity_visit_grid_day"),
            models.Index(fields=["day", "result"], name="publicity_visit_day"),
            # Was this household visited before this day (the daily figure of households reached)?
            models.Index(fields=["grid", "household", "day"], name="publicity_visit_household"),
        ]

    def __str__(self) -> str:
        return f"{self.grid.name} {self.address} {self.day}"

    @property
    def address(self) -> str:
        return "-".join(part for part in (self.building, self.unit, self.room) if part)


# The topics a household visit can cover: a list kept in code, in the order the form shows them.
VISIT_TOPICS: list[tuple[str, Any]] = [
    ("campaign", _("civilized city knowledge")),
    ("convention", _("civic convention")),
    ("garbage", _("garbage sorting")),
    ("volunteering", _("volunteer service")),
    ("satisfaction", _("satisfaction")),
    ("safety", _("fire and fraud safety")),
]
VISIT_TOPIC_CODES = [code for code, _label in VISIT_TOPICS]
