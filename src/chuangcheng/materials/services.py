"""Every write to the archive: file a document, withdraw one, set the assessment date. Pages and
the demo call these; each checks who is asking, writes in one transaction and logs the change."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.materials import files, permissions
from chuangcheng.materials.models import Archive, Kind, Material
from chuangcheng.org.models import Region
from chuangcheng.standards.models import AssessmentItem

PREFIX = "materials"


def _refuse_unless(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def file_material(street: Region, *, by: Any, item: AssessmentItem, kind: str, title: str, dated_on: dt.date,
                  upload: Any, note: str = "", system: bool = False) -> Material:
    """Store `upload` (a file object with a name) as one of the street's materials for `item`.
    The bytes are stored exactly as sent; a refused document leaves no row and no file. `system`
    lets the demo file as nobody."""
    _refuse_unless(system or permissions.can_upload(by, street),
                   _("Only the subdistrict office's admins file assessment materials."))
    errors: dict[str, list[str]] = {}
    if item.method != AssessmentItem.Method.MATERIALS:
        errors.setdefault("item", []).append(_("This assessment item is not assessed from documents."))
    if kind not in Kind.values:
        errors.setdefault("kind", []).append(_("Choose what kind of document this is."))
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(_("Give the document a title."))
    if dated_on > clock.today():
        errors.setdefault("dated_on", []).append(
            _("The document is dated %(date)s, after today: give the date it bears.") % {"date": dated_on})
    if errors:
        raise ValidationError(errors)
    name = (getattr(upload, "name", "") or "document").rsplit("/", 1)[-1][-200:]
    data = files.read_upload(upload)
    fmt = files.check_document(data, name)
    sha256 = hashlib.sha256(data).hexdigest()
    stored = default_storage.save(f"{PREFIX}/{street.code}/{item.code}/{sha256}{fmt.extension}", ContentFile(data))
    try:
        with transaction.atomic():
            material = Material.objects.create(
                street=street, item=item, item_code=item.code, kind=kind, title=title[:200], dated_on=dated_on,
                file=stored, original_name=name, size=len(data), content_type=fmt.content_type, sha256=sha256,
                note=(note or "").strip()[:500], uploaded_at=clock.now(), uploaded_by=by if not system else None,
            )
            audit.record(actor=by, action=AuditEvent.Action.CREATE, instance=material, region_path=street.path,
                         changes={"item": item.code, "kind": kind, "title": material.title,
                                  "dated_on": dated_on.isoformat(), "sha256": sha256, "size": len(data)})
    except BaseException:
        default_storage.delete(stored)
        raise
    return material


def withdraw_material(material: Material, *, by: Any, reason: str) -> Material:
    """Take a mistaken upload out of the archive's figures and export. The row and its file stay."""
    _refuse_unless(permissions.can_withdraw(by, material.street),
                   _("Only the subdistrict office's admins withdraw assessment materials."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the document is withdrawn.")})
    now = clock.now()
    with transaction.atomic():
        changed = Material.objects.filter(pk=material.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=now, withdrawn_by=by, withdrawal_reason=reason[:500])
        if not changed:
            raise ValidationError({"reason": _("This document was withdrawn already.")})
        material.refresh_from_db()
        audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=material, region_path=material.street.path,
                     changes={"withdrawn": [False, True]}, note=reason)
    return material


def set_assessment_date(street: Region, *, by: Any, on: dt.date | None) -> Archive:
    """The day of the assessment the street's materials are for (None: the year ends today)."""
    _refuse_unless(permissions.can_set_assessment_date(by, street),
                   _("Only the subdistrict office's admins set the assessment date."))
    with transaction.atomic():
        archive, _created = Archive.objects.select_for_update().get_or_create(street=street)
        before = archive.assessment_on
        archive.assessment_on, archive.updated_at, archive.updated_by = on, clock.now(), by
        archive.save()
        audit.record(actor=by, action=AuditEvent.Action.UPDATE, instance=archive, region_path=street.path,
                     changes={"assessment_on": [before.isoformat() if before else None,
                                                on.isoformat() if on else None]})
    return archive
