"""Volunteer actions (志愿服务): an action planned in a community, the volunteers who sign up,
check in on site and check out, the hours credited to each, and the outcome recorded on closing.
Rows are written by `volunteering.services` only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chuangcheng.core import clock
from chuangcheng.evidence.models import Photo
from chuangcheng.org.models import Person, Region

__all__ = ["OUTCOMES", "Action", "ActionPhoto", "Attendance", "HoursCorrection"]

# The outcome counters asked for when an action is closed, in the order the form shows them.
# A new counter is one line here: stored in Action.outcome (JSON), exported and summed by figures.
OUTCOMES: list[tuple[str, Any]] = [
    ("vehicles_persuaded", _("vehicles persuaded to move")),
    ("bicycles_rearranged", _("bicycles rearranged")),
    ("flyers_removed", _("flyers removed")),
    ("people_persuaded", _("people persuaded")),
    ("litter_bags", _("bags of litter collected")),
]


class Action(models.Model):
    """One volunteer action (活动) at one place and time in a community."""

    class Kind(models.TextChoices):
        PERSUASION = "persuasion", pgettext_lazy("volunteer action", "persuasion")
        CLEANUP = "cleanup", pgettext_lazy("volunteer action", "clean-up")
        PUBLICITY = "publicity", pgettext_lazy("volunteer action", "publicity")
        ORDER = "order", pgettext_lazy("volunteer action", "order keeping")

    class Target(models.TextChoices):
        PARKING = "parking", _("illegal parking")
        LITTER = "litter", _("littering")
        FLYPOSTING = "flyposting", _("flyposting")
        BICYCLES = "bicycles", _("misplaced bicycles")
        OTHER = "other", _("other uncivil behaviour")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("volunteer action", "planned")
        HELD = "held", pgettext_lazy("volunteer action", "held")
        CANCELLED = "cancelled", pgettext_lazy("volunteer action", "cancelled")

    code = models.CharField(_("number"), max_length=24, unique=True, editable=False)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    community = models.ForeignKey(
        Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="volunteer_actions")
    # The grid the place lies in, when a grid boundary contains it (for the daily figures).
    grid = models.ForeignKey(
        Region, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    place_name = models.CharField(_("place"), max_length=120)
    lon = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    lat = models.DecimalField(_("latitude"), max_digits=8, decimal_places=6)
    point = models.ForeignKey(
        "places.Point", verbose_name=_("point"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organizer"), on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveIntegerField(
        _("places"), validators=[MinValueValidator(1), MaxValueValidator(500)],
        help_text=_("How many volunteers may sign up."))
    description = models.TextField(_("description"), blank=True)
    targets = models.JSONField(_("targets"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    # {code: count} for the codes of OUTCOMES, filled when the action is closed.
    outcome = models.JSONField(_("outcome"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+")
    created_at = models.DateTimeField(_("created"), default=clock.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), null=True, on_delete=models.SET_NULL,
        related_name="+")

    class Meta:
        ordering = ["-starts_at", "code"]
        verbose_name = _("volunteer action")
        verbose_name_plural = _("volunteer actions")
        indexes = [models.Index(fields=["starts_at"], name="volaction_starts"),
                   models.Index(fields=["status", "starts_at"], name="volaction_status_starts")]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="volaction_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self) -> None:
        errors: dict[str, object] = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("The action must end after it starts.")
        if self.community_id and self.community.level != Region.Level.COMMUNITY:
            errors["community"] = _("Choose a community.")
        bad = [t for t in self.targets or [] if t not in Action.Target.values]
        if bad:
            errors["targets"] = _("Unknown target: %(t)s.") % {"t": ", ".join(map(str, bad))}
        if errors:
            raise ValidationError(errors)

    def target_labels(self) -> list[str]:
        labels = dict(Action.Target.choices)
        return [str(labels.get(t, t)) for t in self.targets or []]

    def outcome_rows(self) -> list[tuple[str, Any, int]]:
        return [(code, label, int((self.outcome or {}).get(code, 0))) for code, label in OUTCOMES]

    def credited_hours(self, checked_in_at: dt.datetime, checked_out_at: dt.datetime) -> Decimal:
        """Check-out minus check-in, clipped to the action's window, in hours (two decimals)."""
        start = max(checked_in_at, self.starts_at)
        end = min(checked_out_at, self.ends_at)
        seconds = max(0.0, (end - start).total_seconds())
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


class Attendance(models.Model):
    """A person's part in an action: signed up (or walked in), checked in and out, hours credited.
    Cancelling a sign-up keeps the row (cancelled_at); signing up again clears it."""

    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, verbose_name=_("volunteer"), on_delete=models.PROTECT,
                               related_name="volunteer_attendances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("login"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    signed_up_at = models.DateTimeField(_("signed up"), default=clock.now)
    walk_in = models.BooleanField(_("walk-in"), default=False)
    cancelled_at = models.DateTimeField(_("sign-up cancelled"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checkin_lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkin_lat = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    checkin_distance_m = models.PositiveIntegerField(_("check-in distance (m)"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    checkout_lon = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    checkout_lat = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    checkout_distance_m = models.PositiveIntegerField(_("check-out distance (m)"), null=True, blank=True)
    # True when the action was closed before the person checked out: checked out at the end.
    auto_checkout = models.BooleanField(_("checked out on closing"), default=False)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, null=True, blank=True)
    hours_corrected = models.BooleanField(_("hours corrected"), default=False)

    class Meta:
        ordering = ["action", "signed_up_at", "id"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["action", "person"], name="volattendance_once")]
        indexes = [models.Index(fields=["person", "action"], name="volattendance_person")]

    def __str__(self) -> str:
        return f"{self.action.code} {self.person.name}"

    @property
    def active(self) -> bool:
        return self.cancelled_at is None

    @property
    def attended(self) -> bool:
        return self.checked_in_at is not None or bool(self.hours and self.hours > 0)


class HoursCorrection(models.Model):
    """An organizer's correction of credited hours, with the reason. Never updated."""

    attendance = models.ForeignKey(Attendance, on_delete=models.CASCADE, related_name="corrections")
    at = models.DateTimeField(default=clock.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    before = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(max_digits=5, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("hours correction")
        verbose_name_plural = _("hours corrections")

    def __str__(self) -> str:
        return f"{self.attendance} {self.before} → {self.after}"


class ActionPhoto(models.Model):
    """A before or after photo of a held action (the photo itself is evidence, never altered)."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("before")
        AFTER = "after", _("after")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="photos")
    photo = models.ForeignKey(Photo, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)

    class Meta:
        ordering = ["action", "stage", "id"]
        verbose_name = _("action photo")
        verbose_name_plural = _("action photos")
        constraints = [models.UniqueConstraint(fields=["action", "photo", "stage"], name="volphoto_once")]

    def __str__(self) -> str:
        return f"{self.action.code} {self.stage} {self.photo.sha256[:12]}"
