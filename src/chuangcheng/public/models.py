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

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")

    def __str__(self) -> str:
        return self.code
