"""Who may configure group robots and who may look into (and retry) the outbox."""

from __future__ import annotations

from typing import Any

from chuangcheng.org import permissions as org
from chuangcheng.org.models import Region, Role


def can_configure_webhook(user: Any, region: Region | None) -> bool:
    """Set up the robot of a grid, a community or a unit belonging to `region` (or below)."""
    return region is not None and org.can_manage_region(user, region)


def can_view_outbox(user: Any) -> bool:
    """Outgoing messages carry names, phone numbers and robot keys: street office admins only."""
    return org.has_role(user, Role.STREET_ADMIN)


def can_retry_messages(user: Any) -> bool:
    return can_view_outbox(user)
