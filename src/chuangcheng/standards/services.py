"""Every write to the assessment catalog.

A street admin changes the catalog through a draft: `start_draft` copies the version in force,
`save_check_item` / `delete_check_item` / `save_type_profile` / `save_assessment_item` /
`delete_assessment_item` edit the draft, `publish_version` puts it in force and supersedes the old
one. A published or superseded version is never changed
again, because inspections keep pointing at the items they were scored against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.services import save_audited
from chuangcheng.org import permissions
from chuangcheng.standards import loading, queries
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
    plain_number,
)

ITEM_FIELDS = ("group", "point_type", "text", "measure", "threshold", "distance_m", "weight", "deduction",
               "penalty", "unit_kinds", "sort_order")
PROFILE_FIELDS = ("description", "unit_kinds", "sample_size")
ASSESSMENT_FIELDS = ("name", "method", "point_type", "group", "points", "description", "sort_order")


def _require_editor(by: Any) -> None:
    """`by=None` is the system itself (migrations, the demo generator, a CLI run by the operator)."""
    if by is not None and not permissions.can_edit_catalog(by):
        raise PermissionDenied(_("Only the street office may change the assessment catalog."))


def _lock_draft(version: CatalogVersion) -> CatalogVersion:
    """The version re-read under a row lock; refuses unless it is still a draft."""
    locked = CatalogVersion.objects.select_for_update().get(pk=version.pk)
    if not locked.is_editable:
        raise ValidationError(
            _("Version %(number)s is %(status)s and can no longer be changed; start a new draft instead.")
            % {"number": locked.number, "status": locked.get_status_display()},
            code="not_draft",
        )
    return locked


def _record(by: Any, action: str, instance: models.Model, changes: dict[str, Any], note: str = "") -> None:
    audit.record(actor=by, action=action, instance=instance, changes=changes, region_path="", note=note)


@transaction.atomic
def load_default_catalog(*, by: Any = None) -> CatalogVersion:
    """The shipped default catalog (data/default_catalog.json: check items with their penalties,
    point types with their sample sizes, assessment items) as a published version with its point
    types, when no version is in force; otherwise the version in force, unchanged. (An install that
    had the first default catalog in force got this one from migration 0004.)"""
    _require_editor(by)

    def record(instance: models.Model, changes: dict[str, Any]) -> None:
        is_version = isinstance(instance, CatalogVersion)
        action = AuditEvent.Action.IMPORT if is_version else AuditEvent.Action.CREATE
        _record(by, action, instance, changes, note=_("Default catalog loaded"))

    version: CatalogVersion = loading.load_catalog(
        loading.read_default_catalog(),
        m=loading.CatalogModels.from_apps(apps),
        by=by,
        now=clock.now(),
        record=record,
    )
    return version


@transaction.atomic
def start_draft(*, by: Any, title: str) -> CatalogVersion:
    """A new draft that is a full copy (groups, point type profiles, items) of the version in force."""
    _require_editor(by)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the draft a title.")})
    existing = queries.open_draft()
    if existing is not None:
        raise ValidationError(
            _("Draft version %(number)s is already open; publish or discard it first.")
            % {"number": existing.number}
        )
    source = queries.version_in_force()
    last = CatalogVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0
    draft = CatalogVersion(number=last + 1, title=title, based_on=source, created_by=by if by else None)
    draft.full_clean()
    draft.save()
    if source is not None:
        _copy_contents(source, draft)
    _record(by, AuditEvent.Action.CREATE, draft, {"title": [None, title]},
            note=_("Copied from version %(number)s") % {"number": source.number} if source else "")
    return draft


def _copy_contents(source: CatalogVersion, draft: CatalogVersion) -> None:
    group_map: dict[int, CheckGroup] = {}
    for group in CheckGroup.objects.filter(version=source):
        old_pk = group.pk
        group.pk = None
        group.version = draft
        group.save()
        group_map[old_pk] = group
    for profile in TypeProfile.objects.filter(version=source).prefetch_related("groups"):
        group_ids = [g.pk for g in profile.groups.all()]
        profile.pk = None
        profile.version = draft
        profile.save()
        profile.groups.set([group_map[pk] for pk in group_ids])
    copies = []
    for item in CheckItem.objects.filter(version=source):
        item.pk = None
        item.version = draft
        item.group = group_map[item.group_id] if item.group_id is not None else None
        copies.append(item)
    CheckItem.objects.bulk_create(copies)
    assessment = []
    for entry in AssessmentItem.objects.filter(version=source):
        entry.pk = None
        entry.version = draft
        entry.group = group_map[entry.group_id] if entry.group_id is not None else None
        assessment.append(entry)
    AssessmentItem.objects.bulk_create(assessment)


def _resolve_group(version: CatalogVersion, value: Any) -> CheckGroup | None:
    if value in (None, ""):
        return None
    code = value.code if isinstance(value, CheckGroup) else str(value)
    group = CheckGroup.objects.filter(version=version, code=code).first()
    if group is None:
        raise ValidationError({"group": _("There is no group %(code)s in this version.") % {"code": code}})
    return group


def _resolve_point_type(value: Any, field: str = "point_type") -> PointType | None:
    if value in (None, ""):
        return None
    if isinstance(value, PointType):
        return value
    point_type = PointType.objects.filter(code=str(value)).first()
    if point_type is None:
        raise ValidationError({field: _("There is no point type %(code)s.") % {"code": value}})
    return point_type


@transaction.atomic
def save_check_item(version: CatalogVersion, *, by: Any, code: str, **fields: Any) -> tuple[CheckItem, bool]:
    """Add an item to a draft or change one (found by its code). `group` / `point_type` may be
    given as objects or codes. Returns (item, changed)."""
    _require_editor(by)
    version = _lock_draft(version)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown check item fields: {sorted(unknown)}")
    item = CheckItem.objects.filter(version=version, code=code).first()
    item = item or CheckItem(version=version, code=code)
    values = dict(fields)
    if "group" in values:
        values["group"] = _resolve_group(version, values["group"])
    if "point_type" in values:
        values["point_type"] = _resolve_point_type(values["point_type"])
    if "unit_kinds" in values:
        values["unit_kinds"] = sorted(set(values["unit_kinds"] or []))
    if item.pk is None and "sort_order" not in values:
        values["sort_order"] = _next_sort_order(version, values.get("group"), values.get("point_type"))
    penalty = values.get("penalty", item.penalty)
    if penalty is not None and penalty > 0:
        group = values.get("group", item.group if item.group_id is not None else None)
        point_type = values.get("point_type", item.point_type if item.point_type_id is not None else None)
        _check_penalty_fits(version, penalty, group=group, point_type=point_type)
    return save_audited(item, by=by, values=values, region_path="")


def _check_penalty_fits(
    version: CatalogVersion, penalty: Any, *, group: CheckGroup | None, point_type: PointType | None
) -> None:
    """A check item's penalty is at most the points of every assessment item it falls under (one per
    point type using its group, or its own type's item)."""
    owners = AssessmentItem.objects.filter(version=version).exclude(method=AssessmentItem.Method.MATERIALS)
    if group is not None:
        owners = owners.filter(group=group)
    elif point_type is not None:
        owners = owners.filter(point_type=point_type, group__isnull=True)
    else:
        return
    smallest = owners.order_by("points", "sort_order").first()
    if smallest is not None and penalty > smallest.points:
        raise ValidationError({"penalty": _(
            "The deduction %(penalty)s is more than the %(points)s points of the assessment item "
            "“%(name)s” it falls under."
        ) % {"penalty": plain_number(penalty), "points": plain_number(smallest.points), "name": smallest.name}})


def _next_sort_order(version: CatalogVersion, group: CheckGroup | None, point_type: PointType | None) -> int:
    siblings = CheckItem.objects.filter(version=version, group=group, point_type=point_type)
    last = siblings.order_by("-sort_order").values_list("sort_order", flat=True).first()
    return (last or 0) + 10


@transaction.atomic
def delete_check_item(version: CatalogVersion, *, by: Any, code: str) -> None:
    _require_editor(by)
    version = _lock_draft(version)
    item = CheckItem.objects.filter(version=version, code=code).first()
    if item is None:
        raise ValidationError({"code": _("There is no item %(code)s in this version.") % {"code": code}})
    before = audit.snapshot(item)
    _record(by, AuditEvent.Action.DELETE, item, {k: [v, None] for k, v in before.items()})
    item.delete()


@transaction.atomic
def save_type_profile(
    version: CatalogVersion,
    *,
    by: Any,
    point_type: PointType | str,
    groups: Iterable[CheckGroup | str],
    **fields: Any,
) -> tuple[TypeProfile, bool]:
    """Set which groups (and, optionally, description and usual unit kinds) a point type has in a
    draft. Returns (profile, changed)."""
    _require_editor(by)
    version = _lock_draft(version)
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    resolved_type = _resolve_point_type(point_type)
    if resolved_type is None:
        raise ValidationError({"point_type": _("Choose a point type.")})
    resolved_groups = []
    for group in groups:
        try:
            resolved = _resolve_group(version, group)
        except ValidationError as exc:
            raise ValidationError({"groups": exc.message_dict["group"]}) from exc
        if resolved is not None:
            resolved_groups.append(resolved)
    profile = (TypeProfile.objects.filter(version=version, point_type=resolved_type).first()
               or TypeProfile(version=version, point_type=resolved_type))
    values = dict(fields)
    if "unit_kinds" in values:
        values["unit_kinds"] = sorted(set(values["unit_kinds"] or []))
    return save_audited(profile, by=by, values=values, m2m={"groups": resolved_groups}, region_path="")


@transaction.atomic
def publish_version(version: CatalogVersion, *, by: Any, changelog: str) -> CatalogVersion:
    """Put a draft in force. The version in force becomes superseded; the changelog gets an
    automatic summary of what changed against it."""
    _require_editor(by)
    version = _lock_draft(version)
    changelog = (changelog or "").strip()
    if not changelog:
        raise ValidationError({"changelog": _("Say what changed and why.")})
    homeless = queries.penalties_without_assessment_item(version)
    if homeless:
        raise ValidationError(
            _("Some check items deduct points but have no assessment item to fall under: %(list)s. Add an "
              "assessment item for each, or clear their deductions.")
            % {"list": "; ".join(homeless)},
            code="no_assessment_item",
        )
    stray = queries.stray_assessment_items(version)
    if stray:
        raise ValidationError(
            _("Some assessment items cover a check group their point type no longer has: %(list)s. Delete them, "
              "or give the point type the group back.") % {"list": "; ".join(stray)},
            code="stray_assessment_item",
        )
    in_force = (
        CatalogVersion.objects.select_for_update()
        .filter(status=CatalogVersion.Status.PUBLISHED).order_by("-number").first()
    )
    diff = queries.compare_versions(in_force, version)
    summary = "\n".join(f"- {line}" for line in diff.summary_lines())
    if in_force is not None:
        in_force.status = CatalogVersion.Status.SUPERSEDED
        in_force.save(update_fields=["status"])
        _record(by, AuditEvent.Action.UPDATE, in_force,
                {"status": [CatalogVersion.Status.PUBLISHED, CatalogVersion.Status.SUPERSEDED]})
    version.status = CatalogVersion.Status.PUBLISHED
    version.changelog = f"{changelog}\n\n{summary}"
    version.published_at = clock.now()
    version.published_by = by if by else None
    version.save(update_fields=["status", "changelog", "published_at", "published_by"])
    _record(by, AuditEvent.Action.PUBLISH, version, {
        "status": [CatalogVersion.Status.DRAFT, CatalogVersion.Status.PUBLISHED],
        "added": [i.code for i in diff.added],
        "removed": [i.code for i in diff.removed],
        "changed": [c.code for c in diff.changed],
        "profiles": [p.point_type.code for p in diff.profiles],
        "assessment_added": [a.code for a in diff.assessment_added],
        "assessment_removed": [a.code for a in diff.assessment_removed],
        "assessment_changed": [c.code for c in diff.assessment_changed],
    }, note=changelog)
    return version


@transaction.atomic
def discard_draft(version: CatalogVersion, *, by: Any) -> None:
    """Throw a draft away; nothing refers to a draft, so it goes with its groups and items."""
    _require_editor(by)
    version = _lock_draft(version)
    _record(by, AuditEvent.Action.DELETE, version, {"title": [version.title, None]})
    version.assessment_items.all().delete()
    version.items.all().delete()
    version.profiles.all().delete()
    version.groups.all().delete()
    version.delete()


@transaction.atomic
def save_assessment_item(
    version: CatalogVersion, *, by: Any, code: str, **fields: Any
) -> tuple[AssessmentItem, bool]:
    """Add an assessment item (测评内容) to a draft or change one (found by its code). `point_type`
    and `group` may be given as objects or codes. An observed item covers one of its point type's
    check groups, or (no group) the type's own check items; there is one item per (type, group).
    Returns (item, changed)."""
    _require_editor(by)
    version = _lock_draft(version)
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment item fields: {sorted(unknown)}")
    item = AssessmentItem.objects.filter(version=version, code=code).first()
    item = item or AssessmentItem(version=version, code=code)
    values = dict(fields)
    if "group" in values:
        values["group"] = _resolve_group(version, values["group"])
    if "point_type" in values:
        values["point_type"] = _resolve_point_type(values["point_type"])
    if "name" in values:
        values["name"] = (values["name"] or "").strip()
    if item.pk is None and "sort_order" not in values:
        last = (AssessmentItem.objects.filter(version=version).order_by("-sort_order")
                .values_list("sort_order", flat=True).first())
        values["sort_order"] = (last or 0) + 10
    method = values.get("method", item.method)
    point_type = values.get("point_type", item.point_type if item.point_type_id is not None else None)
    group = values.get("group", item.group if item.group_id is not None else None)
    points = values.get("points", item.points)
    if points is not None and points <= 0:
        raise ValidationError({"points": _("The points (分值) must be more than 0.")})
    if method != AssessmentItem.Method.MATERIALS and point_type is not None:
        _check_observed_item(version, item, point_type, group, points)
    return save_audited(item, by=by, values=values, region_path="")


def _check_observed_item(
    version: CatalogVersion, item: AssessmentItem, point_type: PointType, group: CheckGroup | None, points: Any
) -> None:
    profile = TypeProfile.objects.filter(version=version, point_type=point_type).first()
    if profile is None:
        raise ValidationError({"point_type": _(
            "%(type)s is not part of this version; give it its check groups first."
        ) % {"type": point_type.name}})
    if group is not None and not profile.groups.filter(pk=group.pk).exists():
        raise ValidationError({"group": _(
            "%(type)s is not checked against the group %(group)s; choose one of its groups or none "
            "(its own check items)."
        ) % {"type": point_type.name, "group": group.name}})
    twins = AssessmentItem.objects.filter(version=version, point_type=point_type, group=group)
    twin = twins.exclude(method=AssessmentItem.Method.MATERIALS).exclude(pk=item.pk).first()
    if twin is not None:
        raise ValidationError({"group": _(
            "The assessment item %(code)s “%(name)s” already covers these check items; change that one instead."
        ) % {"code": twin.code, "name": twin.name}})
    if points is None or points <= 0:
        return  # the model's own check says so
    checks = CheckItem.objects.filter(version=version, penalty__isnull=False)
    checks = checks.filter(group=group) if group is not None else checks.filter(point_type=point_type)
    heaviest = checks.order_by("-penalty", "code").first()
    if heaviest is not None and heaviest.penalty is not None and heaviest.penalty > points:
        raise ValidationError({"points": _(
            "The check item %(code)s deducts %(penalty)s, more than %(points)s points; give at least %(penalty)s "
            "points or lower its deduction first."
        ) % {"code": heaviest.code, "penalty": plain_number(heaviest.penalty), "points": plain_number(points)}})


@transaction.atomic
def delete_assessment_item(version: CatalogVersion, *, by: Any, code: str) -> None:
    _require_editor(by)
    version = _lock_draft(version)
    item = AssessmentItem.objects.filter(version=version, code=code).first()
    if item is None:
        raise ValidationError({"code": _("There is no assessment item %(code)s in this version.") % {"code": code}})
    before = audit.snapshot(item)
    _record(by, AuditEvent.Action.DELETE, item, {k: [v, None] for k, v in before.items()})
    item.delete()
