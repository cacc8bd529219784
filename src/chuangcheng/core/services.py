"""The shared shape of a write to registered data: validate the whole row, save it, set its
many-to-many links, and record who changed what. Each app's services call `save_audited`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.db import models, transaction

from chuangcheng.core import audit
from chuangcheng.core.models import AuditEvent

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def save_audited(
    instance: M,
    *,
    by: Any,
    values: Mapping[str, Any],
    m2m: Mapping[str, Iterable[models.Model]] | None = None,
    region_path: str = "",
    note: str = "",
    exclude_from_validation: list[str] | None = None,
) -> tuple[M, bool]:
    """Apply `values` (and `m2m`) to `instance`; returns (instance, changed).

    Validation errors (django ValidationError with field names) propagate before anything is
    written. A save that changes nothing writes nothing, so re-running an import is a no-op."""
    creating = instance.pk is None
    before = {} if creating else audit.snapshot(instance)
    for name, value in values.items():
        setattr(instance, name, value)
    m2m_after = {name: audit._plain(list(objs)) for name, objs in (m2m or {}).items()}
    after = {**audit.snapshot(instance), **m2m_after}
    before_cmp = {key: before.get(key) for key in after} if not creating else {}
    changes = audit.diff(before_cmp, after)
    if not creating and not changes:
        # The stored row was valid and nothing differs: no validation queries, no write.
        return instance, False
    instance.full_clean(exclude=exclude_from_validation)
    if hasattr(instance, "updated_at"):
        from chuangcheng.core import clock

        instance.updated_at = clock.now()
    instance.save()
    for name, objs in (m2m or {}).items():
        getattr(instance, name).set(list(objs))
    audit.record(
        actor=by,
        action=AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE,
        instance=instance,
        changes=changes,
        region_path=region_path,
        note=note,
    )
    return instance, True
