"""How a subdistrict's 通报 are issued (ReportSettings): the one writer, used by the settings page.
A change applies to documents composed from then on; published ones keep what they went out with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.org.models import Region
from chuangcheng.reports.issuing import MAX_RECTIFY_DAYS
from chuangcheng.reports.models import ReportSettings
from chuangcheng.reports.permissions import can_manage_bulletins

TEXT_FIELDS = ("issuer", "report_to", "send_to", "distribute_to", "cc")
FIELDS = (*TEXT_FIELDS, "rectify_days")


def _cleaned(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values as stored (texts stripped, blank meaning the default); ValidationError by field."""
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        text = " ".join(str(values.get(name) or "").split())
        limit = cast("models.Field[Any, Any]", ReportSettings._meta.get_field(name)).max_length or 0
        if len(text) > limit:
            errors[name] = _("Keep this under %(limit)s characters.") % {"limit": limit}
        out[name] = text
    try:
        days = int(str(values.get("rectify_days", "")).strip())
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_RECTIFY_DAYS:
        errors["rectify_days"] = _("Give between 1 and %(max)s days to rectify.") % {"max": MAX_RECTIFY_DAYS}
    out["rectify_days"] = days
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def save_issuing(street: Region, values: Mapping[str, Any], *, by: Any) -> ReportSettings:
    """Keep `values` (every field of the settings) as `street`'s issuing settings, and record what
    changed. Only the street's admins; ValidationError with translated messages by field."""
    if not can_manage_bulletins(by, street):
        raise PermissionDenied(_("Only the subdistrict's street admins change how its bulletins are issued."))
    cleaned = _cleaned(values)
    stored, created = ReportSettings.objects.select_for_update().get_or_create(street=street)
    before: dict[str, Any] = ({**dict.fromkeys(TEXT_FIELDS, ""), "rectify_days": None} if created
                              else {name: getattr(stored, name) for name in FIELDS})
    changes = {name: [before[name], cleaned[name]] for name in FIELDS if before[name] != cleaned[name]}
    if not changes:
        return stored
    for name in FIELDS:
        setattr(stored, name, cleaned[name])
    stored.updated_at = clock.now()
    stored.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                 instance=stored, region_path=street.path, changes=changes, note="issuing settings")
    return stored
