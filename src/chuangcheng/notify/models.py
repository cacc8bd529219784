"""The outbox (`Message`), the in-app inbox and the group robots each grid or unit talks to.

A message row is written in the same transaction as the change it reports; delivery happens
after commit, at least once, and every channel is idempotent on the message key."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chuangcheng.core.codes import random_code
from chuangcheng.org.models import Region, Unit


class Channel(models.TextChoices):
    INBOX = "inbox", _("in-app inbox")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    PENDING = "pending", _("pending")
    SENDING = "sending", _("sending")
    # Sent, but no answer came in time (a timeout): it may have arrived. Tried again later with the
    # same key, at most NOTIFY_UNKNOWN_RETRIES times.
    UNKNOWN = "unknown", _("no answer, to retry")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


# Messages still on their way: waiting for a (first or later) attempt, or being sent.
WAITING = (Status.PENDING, Status.UNKNOWN, Status.SENDING)


class Webhook(models.Model):
    """A WeCom or DingTalk group robot of one grid (or other region) or one responsible unit."""

    class Kind(models.TextChoices):
        WECOM = Channel.WECOM.value, Channel.WECOM.label
        DINGTALK = Channel.DINGTALK.value, Channel.DINGTALK.label

    name = models.CharField(_("name"), max_length=80, help_text=_("The group's name, e.g. 甲一网格工作群."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="webhooks",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("responsible unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="webhooks",
    )
    url = models.URLField(
        _("webhook URL"), max_length=500,
        help_text=_("The robot's address as shown in the group settings (it contains the robot's key)."),
    )
    secret = models.CharField(
        _("signing secret"), max_length=200, blank=True,
        help_text=_("DingTalk only: the secret of a robot with signing (加签) turned on."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("group robot")
        verbose_name_plural = _("group robots")
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=False, unit__isnull=True) | Q(region__isnull=True, unit__isnull=False),
                name="notify_webhook_region_xor_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def owner(self) -> Region | Unit | None:
        return self.region or self.unit

    def clean(self) -> None:
        super().clean()
        if (self.region_id is None) == (self.unit_id is None):
            raise ValidationError({"region": _("Choose either a region or a responsible unit, not both.")})
        if self.url and not webhook_host_allowed(self.url):
            raise ValidationError({"url": _("This address is not a WeCom or DingTalk robot address we may call.")})
        if self.secret and self.kind != self.Kind.DINGTALK:
            raise ValidationError({"secret": _("Only DingTalk robots use a signing secret.")})


def webhook_host_allowed(url: str) -> bool:
    """Group-robot calls go only to the hosts in NOTIFY_WEBHOOK_HOSTS (no requests to arbitrary
    addresses typed into the back office)."""
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and (parts.hostname or "") in settings.NOTIFY_WEBHOOK_HOSTS


class MessageQuerySet(models.QuerySet["Message"]):
    def due(self, now: dt.datetime) -> MessageQuerySet:
        """Waiting messages whose time has come (first sends, retries, sends without an answer),
        and sends whose worker vanished (lease over)."""
        return self.filter(status__in=WAITING, next_attempt_at__lte=now)


class Message(models.Model):
    """One notification to one target on one channel. `key` makes enqueueing idempotent."""

    key = models.CharField(_("key"), max_length=255, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    target = models.CharField(
        _("target"), max_length=500, help_text=_("User id, robot address, e-mail address or phone number.")
    )
    webhook = models.ForeignKey(
        Webhook, verbose_name=_("group robot"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Attempts that ended without an answer (a timeout): the message may have arrived.
    unanswered = models.PositiveSmallIntegerField(_("attempts without an answer"), default=0)
    # Times a sender stopped mid-send (its lease ran out) and the message was taken up again.
    orphaned = models.PositiveSmallIntegerField(_("sends interrupted"), default=0)
    # When waiting: the moment the next attempt is due. While sending: the end of the sender's lease.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due"),
                   # What was sent on a day (the daily figures of pushes delivered).
                   models.Index(fields=["sent_at"], name="notify_msg_sent")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}: {self.title}"


class InboxItem(models.Model):
    """A message in one user's in-app inbox; one per message, however often delivery runs."""

    message = models.OneToOneField(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="inbox_item"
    )
    code = models.CharField(_("code"), max_length=12, unique=True, default=random_code, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="inbox"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbox item")
        verbose_name_plural = _("inbox items")
        indexes = [models.Index(fields=["user", "read_at"], name="notify_inbox_unread")]

    def __str__(self) -> str:
        return self.title

    @property
    def unread(self) -> bool:
        return self.read_at is None
