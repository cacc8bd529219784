"""Reads for the inbox and the back office, scoped to the user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from chuangcheng.notify import permissions
from chuangcheng.notify.models import InboxItem, Message, Webhook
from chuangcheng.org.queries import scope_of


def inbox_of(user: Any) -> QuerySet[InboxItem]:
    if not getattr(user, "is_authenticated", False):
        return InboxItem.objects.none()
    return InboxItem.objects.filter(user=user).order_by("-created_at", "-id")


def unread_count(user: Any) -> int:
    return inbox_of(user).filter(read_at__isnull=True).count()


def messages_visible_to(user: Any) -> QuerySet[Message]:
    if not permissions.can_view_outbox(user):
        return Message.objects.none()
    return Message.objects.select_related("webhook")


def webhooks_visible_to(user: Any) -> QuerySet[Webhook]:
    """Robots of regions and units inside the user's scope."""
    qs = Webhook.objects.select_related("region", "unit", "unit__region")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    scope = scope_of(user)
    if scope is None:
        return qs.none()
    return qs.filter(Q(region__path__startswith=scope.path) | Q(unit__region__path__startswith=scope.path))
