"""The public face of a case: a resident's report (随手拍) or a request from an Open311 client.

The case itself lives in `cases` and moves only through its services; `Report` keeps what belongs
to the reporter (tracking code, contact, device, their "fixed / not fixed" answer). Personal data
here is never shown publicly and can be erased on request (`anonymized_at`), the report staying.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Case
from chuangcheng.core import clock
from chuangcheng.org.models import Region


class Open311Client(models.Model):
    """An outside system (city hotline, app) allowed to POST requests with an api_key. Only the key's
    SHA-256 is stored; the key is shown once when the street admin issues it."""

    name = models.CharField(_("name"), max_length=120)
    street = models.ForeignKey(Region, verbose_name=_("subdistrict"), on_delete=models.PROTECT,
                               related_name="open311_clients")
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    # A hotline's system (not a residents' app): its requests are recorded as its 12345 work orders,
    # outside the residents' limits, within its own per-key limit (OPEN311_ORDERS_PER_HOUR).
    sends_orders = models.BooleanField(_("its requests are work orders"), default=False)

    class Meta:
        ordering = ["street", "name"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", _("resident page")
    OPEN311 = "open311", _("Open311")


class Feedback(models.TextChoices):
    NONE = "", _("no answer yet")
    FIXED = "fixed", _("fixed")
    NOT_FIXED = "not_fixed", _("not fixed")


class Report(models.Model):
    """What a reporter sent and how they follow it. One per case from the public."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="public_report")
    code = models.CharField(_("tracking code"), max_length=12, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    client = models.ForeignKey(Open311Client, verbose_name=_("Open311 client"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="reports")
    # Personal data: never public, masked for roles that do not need it, erased on request.
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    # A keyed hash of the browser's device cookie or the client's device id (rate limits, duplicates).
    device = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(_("reported"), default=clock.now, db_index=True)
    feedback = models.CharField(_("reporter's answer"), max_length=10, choices=Feedback.choices, blank=True,
                                default=Feedback.NONE)
    feedback_at = models.DateTimeField(_("answered"), null=True, blank=True)
    notify_sms = models.BooleanField(_("send me text messages"), default=False)
    anonymized_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)
    # Moderation (street admins): the description is kept but not shown on the public page.
    text_hidden = models.BooleanField(_("text hidden from the public"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")

    def __str__(self) -> str:
        return self.code


class Follower(models.Model):
    """Someone who follows an existing case instead of reporting it again ("follow this one
    instead"), or whose report was merged into it. Has its own tracking code; personal data as on
    `Report`, erased the same way."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="followers")
    code = models.CharField(_("tracking code"), max_length=12, unique=True)
    # The report merged into the case, when this follower came from a merge.
    report = models.OneToOneField(Report, null=True, blank=True, on_delete=models.CASCADE, related_name="follow")
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    phone_verified = models.BooleanField(_("phone verified"), default=False)
    device = models.CharField(max_length=64, blank=True, db_index=True)
    notify_sms = models.BooleanField(_("send me text messages"), default=False)
    created_at = models.DateTimeField(_("following since"), default=clock.now)
    anonymized_at = models.DateTimeField(_("personal data erased"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return self.code


class SmsCode(models.Model):
    """A one-time code sent to a phone to prove the reporter holds it. Only a keyed hash is kept."""

    phone = models.CharField(_("mobile phone"), max_length=20, db_index=True)
    code_hash = models.CharField(max_length=64)
    device = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class BlockedNumber(models.Model):
    """A phone number whose reports are refused (politely), set by a street admin."""

    phone = models.CharField(_("mobile phone"), max_length=20, unique=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("blocked"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["phone"]
        verbose_name = _("blocked number")
        verbose_name_plural = _("blocked numbers")

    def __str__(self) -> str:
        return self.phone


class Attempt(models.Model):
    """One counted action (a report, an SMS code) by one key (a device or phone hash), so rate
    limits hold across processes. Old rows are pruned by `prune_attempts`."""

    kind = models.CharField(max_length=16)
    key = models.CharField(max_length=70)
    at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["kind", "key", "at"], name="public_attempt_window")]

    def __str__(self) -> str:
        return f"{self.kind} {self.key[:8]} {self.at:%Y-%m-%d %H:%M}"


class HiddenPhoto(models.Model):
    """A photo a street admin took off the public page (moderation); staff still see it."""

    photo = models.OneToOneField("evidence.Photo", on_delete=models.CASCADE, related_name="public_hidden")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hidden_photos")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    hidden_at = models.DateTimeField(default=clock.now)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-hidden_at"]
        verbose_name = _("hidden photo")
        verbose_name_plural = _("hidden photos")

    def __str__(self) -> str:
        return str(self.photo_id)


class PhotoHash(models.Model):
    """The perceptual hash (dHash, 64 bits as 16 hex digits) of a photo's display version, kept
    so duplicate suggestions compare photos without reopening images."""

    photo = models.OneToOneField("evidence.Photo", on_delete=models.CASCADE, primary_key=True,
                                 related_name="public_hash")
    dhash = models.CharField(max_length=16)

    class Meta:
        ordering = ["photo"]

    def __str__(self) -> str:
        return self.dhash


class PointsEntry(models.Model):
    """文明积分: one line of a reporter's ledger (points earned, or redeemed with a negative amount).
    Kept per verified phone; written only when PUBLIC_POINTS_ENABLED."""

    class Kind(models.TextChoices):
        REPORT = "report", _("accepted report")
        VOLUNTEER = "volunteer", _("volunteer hours")
        REDEMPTION = "redemption", _("redemption")

    phone = models.CharField(_("mobile phone"), max_length=20, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.IntegerField(_("points"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # At most one earning per report.
    report = models.OneToOneField(Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="points")
    region = models.ForeignKey(Region, verbose_name=_("community"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("when"), default=clock.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"
