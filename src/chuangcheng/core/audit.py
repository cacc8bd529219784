"""Recording who changed what. Services call `record`; the admin's mixin calls it too."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from chuangcheng.core.models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(getattr(value, "code", None) or value.pk)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return sorted(_plain(v) for v in value)
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The audited values of a row: concrete fields plus many-to-many codes once saved."""
    data: dict[str, Any] = {}
    for field in instance._meta.get_fields():
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"id", "created_at", "updated_at", "path", "password", "last_login"}:
            continue
        if isinstance(field, models.ManyToManyField):
            if instance.pk is not None:
                data[field.name] = _plain(list(getattr(instance, field.name).all()))
        elif getattr(field, "concrete", False) and not field.auto_created:
            data[field.name] = _plain(getattr(instance, field.name))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def record(
    *,
    actor: Any,
    action: str,
    instance: models.Model,
    changes: dict[str, Any] | None = None,
    region_path: str = "",
    note: str = "",
) -> AuditEvent:
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(getattr(user, "display_name", "") or getattr(user, "username", "")) if user else "system",
        action=action,
        object_type=instance._meta.label_lower,
        object_key=str(
            getattr(instance, "code", None)
            or getattr(instance, "number", None)
            or getattr(instance, "username", None)
            or instance.pk
        ),
        object_label=str(instance)[:200],
        region_path=region_path,
        changes=changes or {},
        note=note[:500],
    )
