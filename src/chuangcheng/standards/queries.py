"""Reads of the assessment catalog.

The catalog is the same for everybody in the subdistrict, so it is not scoped by region; a draft
is seen only by those who may edit the catalog."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, Field, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chuangcheng.org import permissions
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
)
from chuangcheng.standards.scoring import Rule


def version_in_force() -> CatalogVersion | None:
    return CatalogVersion.objects.filter(status=CatalogVersion.Status.PUBLISHED).order_by("-number").first()


def checklist_for(point_type: PointType, version: CatalogVersion | None = None) -> QuerySet[CheckItem]:
    """The items an inspector checks at a point of this type: the type's groups and its own items,
    from the given version or the one in force. One query (the profile's groups are a subquery)."""
    version = version or version_in_force()
    if version is None:
        return CheckItem.objects.none()
    profile_groups = TypeProfile.groups.through.objects.filter(
        typeprofile__version=version, typeprofile__point_type=point_type
    ).values("checkgroup_id")
    return (
        CheckItem.objects.filter(version=version)
        .filter(Q(group_id__in=profile_groups) | Q(point_type=point_type))
        .select_related("group", "point_type")
        .order_by("group__sort_order", "point_type__sort_order", "sort_order", "code")
    )


# The checklists read inside `memoised_checklists()`, by (version, point type). Only published
# versions are kept: a published version never changes (the catalog services edit drafts only, and
# publishing makes a new version the one in force, under another key), so an entry needs no
# invalidation while the block runs, and the memo ends with the block.
_checklists: ContextVar[dict[tuple[int, int], list[CheckItem]] | None] = ContextVar("checklists", default=None)


@contextmanager
def memoised_checklists() -> Iterator[None]:
    """For a writer of many inspections in one go (the demo's eight weeks, a batch of submissions):
    inside the block, `checklist_items` reads each checklist of a published version once."""
    if _checklists.get() is not None:  # an enclosing block's memo serves this one too
        yield
        return
    token = _checklists.set({})
    try:
        yield
    finally:
        _checklists.reset(token)


def checklist_items(point_type: PointType, version: CatalogVersion) -> list[CheckItem]:
    """`checklist_for` as a list, from the memo inside `memoised_checklists()` (published versions)."""
    memo = _checklists.get()
    if memo is None or version.status == CatalogVersion.Status.DRAFT:
        return list(checklist_for(point_type, version))
    key = (version.pk, point_type.pk)
    if key not in memo:
        memo[key] = list(checklist_for(point_type, version))
    return list(memo[key])


@dataclass(frozen=True)
class ScoringRules:
    """A catalog version's scoring in the assessment's terms (standards.scoring): the rules of its
    observed assessment items, and which item a failed check item falls under at a point type:
    `index[(point type id, check group id or None)]` → assessment item code (None: the type's own
    check items)."""

    version_id: int
    rules: dict[str, Rule]
    index: dict[tuple[int, int | None], str]

    def item_for(self, point_type_id: int, group_id: int | None) -> str | None:
        return self.index.get((point_type_id, group_id))

    def codes_for_type(self, point_type_id: int) -> list[str]:
        """Every assessment item an inspection of a point of this type is scored on."""
        return sorted({code for (type_id, _group), code in self.index.items() if type_id == point_type_id})


def scoring_rules(version: CatalogVersion | int) -> ScoringRules:
    """Two queries. A caller scoring many days or regions reads them once per version."""
    version_id = version if isinstance(version, int) else version.pk
    samples = dict(TypeProfile.objects.filter(version_id=version_id).values_list("point_type_id", "sample_size"))
    rules: dict[str, Rule] = {}
    index: dict[tuple[int, int | None], str] = {}
    observed = AssessmentItem.objects.filter(version_id=version_id, point_type__isnull=False).exclude(
        method=AssessmentItem.Method.MATERIALS).select_related("point_type")
    for item in observed:
        point_type = item.point_type
        assert point_type is not None  # noqa: S101 - filtered above
        rules[item.code] = Rule(code=item.code, name=item.name, points=item.points,
                                sample=samples.get(point_type.pk, 1), point_type=point_type.code,
                                sort_order=item.sort_order)
        index[(point_type.pk, item.group_id)] = item.code
    return ScoringRules(version_id=version_id, rules=rules, index=index)


def versions_visible_to(user: Any) -> QuerySet[CatalogVersion]:
    """Every published and superseded version; drafts too for those who may edit the catalog."""
    versions = CatalogVersion.objects.select_related("published_by", "created_by", "based_on").annotate(
        item_count=Count("items", distinct=True)
    )
    if not permissions.can_edit_catalog(user):
        versions = versions.exclude(status=CatalogVersion.Status.DRAFT)
    return versions.order_by("-number")


def version_for(user: Any, number: int) -> CatalogVersion | None:
    return versions_visible_to(user).filter(number=number).first()


def open_draft() -> CatalogVersion | None:
    return CatalogVersion.objects.filter(status=CatalogVersion.Status.DRAFT).order_by("-number").first()


def previous_version(version: CatalogVersion) -> CatalogVersion | None:
    """The version this one is compared with: the one it was drafted from, else the last one
    published before it."""
    if version.based_on_id is not None:
        return version.based_on
    return (
        CatalogVersion.objects.exclude(status=CatalogVersion.Status.DRAFT)
        .filter(number__lt=version.number)
        .order_by("-number")
        .first()
    )


def point_type_by_code(code: str) -> PointType | None:
    return PointType.objects.filter(code=code).first()


def item_for(version: CatalogVersion, code: str) -> CheckItem | None:
    return CheckItem.objects.select_related("group", "point_type").filter(version=version, code=code).first()


def groups_of(version: CatalogVersion) -> QuerySet[CheckGroup]:
    return CheckGroup.objects.filter(version=version).order_by("sort_order", "code")


def groups_with_items(version: CatalogVersion) -> list[CheckGroup]:
    """The version's groups, each with `.item_list` in checking order (two queries)."""
    items = CheckItem.objects.filter(version=version).order_by("sort_order", "code")
    return list(groups_of(version).prefetch_related(Prefetch("items", queryset=items, to_attr="item_list")))


@dataclass
class TypeRow:
    point_type: PointType
    profile: TypeProfile | None
    groups: list[CheckGroup]
    own_count: int
    item_count: int
    points: Decimal = Decimal(0)  # Σ 分值 of the type's assessment items

    @property
    def sample_size(self) -> int | None:
        return self.profile.sample_size if self.profile is not None else None


def type_rows(version: CatalogVersion | None) -> list[TypeRow]:
    """Every point type with its profile in `version`, its groups and how many items its
    checklist has. A fixed number of queries, whatever the number of types."""
    point_types = list(PointType.objects.order_by("sort_order", "code"))
    if version is None:
        return [TypeRow(pt, None, [], 0, 0) for pt in point_types]
    profiles = {
        p.point_type_id: p
        for p in TypeProfile.objects.filter(version=version).prefetch_related(
            Prefetch("groups", queryset=CheckGroup.objects.order_by("sort_order", "code"))
        )
    }
    group_counts = dict(
        CheckItem.objects.filter(version=version, group__isnull=False)
        .order_by().values_list("group_id").annotate(n=Count("id"))
    )
    own_counts = dict(
        CheckItem.objects.filter(version=version, point_type__isnull=False)
        .order_by().values_list("point_type_id").annotate(n=Count("id"))
    )
    points = dict(
        AssessmentItem.objects.filter(version=version, point_type__isnull=False)
        .order_by().values_list("point_type_id").annotate(total=Sum("points"))
    )
    rows = []
    for pt in point_types:
        profile = profiles.get(pt.pk)
        if profile is None and pt.pk not in own_counts:
            continue  # not part of this version
        groups = list(profile.groups.all()) if profile else []
        own = own_counts.get(pt.pk, 0)
        rows.append(TypeRow(pt, profile, groups, own, own + sum(group_counts.get(g.pk, 0) for g in groups),
                            points.get(pt.pk) or Decimal(0)))
    return rows


def profile_for(version: CatalogVersion, point_type: PointType) -> TypeProfile | None:
    profiles = TypeProfile.objects.filter(version=version, point_type=point_type)
    return profiles.prefetch_related("groups").first()


@dataclass
class Section:
    """A part of a checklist: one group's items, or the items of the point type itself."""

    code: str
    name: str
    items: list[CheckItem]
    group: CheckGroup | None = None
    assessment: AssessmentItem | None = None  # the 测评内容 these items' deductions fall under


def checklist_sections(point_type: PointType, version: CatalogVersion) -> list[Section]:
    """The checklist by group (then the type's own items), each part with its assessment item."""
    assessment = {
        a.group_id: a for a in AssessmentItem.objects.filter(version=version, point_type=point_type)
        .exclude(method=AssessmentItem.Method.MATERIALS)
    }
    sections: list[Section] = []
    for item in checklist_for(point_type, version):
        group = item.group if item.group_id is not None else None
        owner = group if group is not None else item.point_type
        code = owner.code if owner is not None else ""
        if not sections or sections[-1].code != code:
            if group is not None:
                sections.append(Section(code, group.name, [], group, assessment.get(group.pk)))
            else:
                sections.append(Section(code, _("Items of this point type"), [], None, assessment.get(None)))
        sections[-1].items.append(item)
    return sections


def assessment_items(version: CatalogVersion) -> list[AssessmentItem]:
    """The version's assessment items in catalog order, observed ones first (the minors' section
    after the others), then those assessed from documents."""
    samples = dict(TypeProfile.objects.filter(version=version).values_list("point_type_id", "sample_size"))
    items = list(AssessmentItem.objects.filter(version=version).select_related("point_type", "group"))
    for item in items:
        item.sample_size = samples.get(item.point_type_id) if item.point_type_id is not None else None
    return sorted(items, key=lambda a: (not a.is_observed, a.is_minors, a.sort_order, a.code))


def stray_assessment_items(version: CatalogVersion) -> list[str]:
    """Observed assessment items that no inspection can fall under any more: their point type is
    not in the version, or no longer checks their group ("code name") — publishing refuses them."""
    profiles: dict[int | None, set[int]] = {
        p.point_type_id: {g.pk for g in p.groups.all()}
        for p in TypeProfile.objects.filter(version=version).prefetch_related("groups")
    }
    out = []
    observed = AssessmentItem.objects.filter(version=version, point_type__isnull=False).exclude(
        method=AssessmentItem.Method.MATERIALS).order_by("sort_order", "code")
    for item in observed:
        groups = profiles.get(item.point_type_id)
        if groups is None or (item.group_id is not None and item.group_id not in groups):
            out.append(f"{item.code} {item.name}")
    return out


def assessment_item_for(version: CatalogVersion, code: str) -> AssessmentItem | None:
    return AssessmentItem.objects.select_related("point_type", "group").filter(version=version, code=code).first()


def penalties_without_assessment_item(version: CatalogVersion) -> list[str]:
    """Where an observed check item with a penalty has no assessment item to fall under, as
    "point type: group or own items (the item codes)" — publishing refuses such a draft."""
    covered = set(
        AssessmentItem.objects.filter(version=version, point_type__isnull=False)
        .exclude(method=AssessmentItem.Method.MATERIALS).values_list("point_type_id", "group_id")
    )
    costly = list(CheckItem.objects.filter(version=version, penalty__isnull=False)
                  .order_by("sort_order", "code").values_list("code", "group_id", "point_type_id"))
    out = []
    profiles = TypeProfile.objects.filter(version=version).select_related("point_type").prefetch_related(
        Prefetch("groups", queryset=CheckGroup.objects.order_by("sort_order", "code")))
    for profile in profiles.order_by("point_type__sort_order", "point_type__code"):
        point_type = profile.point_type
        for group in profile.groups.all():
            codes = [code for code, group_id, _t in costly if group_id == group.pk]
            if codes and (point_type.pk, group.pk) not in covered:
                out.append(f"{point_type.name}: {group.name} ({', '.join(codes)})")
        own = [code for code, _g, type_id in costly if type_id == point_type.pk]
        if own and (point_type.pk, None) not in covered:
            out.append(f"{point_type.name}: {_('Items of this point type')} ({', '.join(own)})")
    return out


# The fields a comparison looks at; the label is what a person reads.
ITEM_FIELDS = ("text", "measure", "threshold", "distance_m", "weight", "deduction", "penalty", "unit_kinds")
ASSESSMENT_FIELDS = ("name", "method", "points", "description")


@dataclass
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any


@dataclass
class ItemChange:
    code: str
    old: CheckItem | None
    new: CheckItem | None
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ProfileChange:
    point_type: PointType
    groups_added: list[str]
    groups_removed: list[str]
    other_fields: list[str]


@dataclass
class AssessmentChange:
    code: str
    old: AssessmentItem
    new: AssessmentItem
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    old: CatalogVersion | None
    new: CatalogVersion
    added: list[CheckItem]
    removed: list[CheckItem]
    changed: list[ItemChange]
    profiles: list[ProfileChange]
    assessment_added: list[AssessmentItem] = field(default_factory=list)
    assessment_removed: list[AssessmentItem] = field(default_factory=list)
    assessment_changed: list[AssessmentChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.profiles or self.assessment_added
                    or self.assessment_removed or self.assessment_changed)

    def summary_lines(self) -> list[str]:
        """The automatic part of a changelog, one line per kind of change."""
        lines = []
        for items, singular, plural in (
            (self.added, "Added %(n)d item: %(codes)s", "Added %(n)d items: %(codes)s"),
            (self.removed, "Removed %(n)d item: %(codes)s", "Removed %(n)d items: %(codes)s"),
            (self.changed, "Changed %(n)d item: %(codes)s", "Changed %(n)d items: %(codes)s"),
        ):
            if items:
                codes = ", ".join(i.code for i in items)
                lines.append(ngettext(singular, plural, len(items)) % {"n": len(items), "codes": codes})
        for entries, singular, plural in (
            (self.assessment_added, "Added %(n)d assessment item: %(codes)s",
             "Added %(n)d assessment items: %(codes)s"),
            (self.assessment_removed, "Removed %(n)d assessment item: %(codes)s",
             "Removed %(n)d assessment items: %(codes)s"),
            (self.assessment_changed, "Changed %(n)d assessment item: %(codes)s",
             "Changed %(n)d assessment items: %(codes)s"),
        ):
            if entries:
                codes = ", ".join(e.code for e in entries)
                lines.append(ngettext(singular, plural, len(entries)) % {"n": len(entries), "codes": codes})
        if self.profiles:
            lines.append(
                ngettext(
                    "Changed the profile of %(n)d point type: %(codes)s",
                    "Changed the profiles of %(n)d point types: %(codes)s",
                    len(self.profiles),
                )
                % {"n": len(self.profiles), "codes": ", ".join(p.point_type.code for p in self.profiles)}
            )
        if not lines:
            lines.append(_("No item changed."))
        return lines


def _item_values(item: CheckItem) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in ITEM_FIELDS}
    values["unit_kinds"] = sorted(values["unit_kinds"] or [])
    owner = item.group if item.group_id is not None else item.point_type
    if owner is None:  # the item_in_group_or_type constraint rules this out
        raise ValueError(f"Check item {item.code} has neither a group nor a point type.")
    values["owner"] = owner.code
    return values


def _field_label(name: str) -> str:
    if name == "owner":
        return _("group or point type")
    return str(cast(Field, CheckItem._meta.get_field(name)).verbose_name)


def compare_versions(old: CatalogVersion | None, new: CatalogVersion) -> VersionDiff:
    """What `new` adds, removes and changes against `old`; items are matched by code and point
    type profiles by point type."""

    def items_of(version: CatalogVersion | None) -> dict[str, CheckItem]:
        if version is None:
            return {}
        qs = CheckItem.objects.filter(version=version).select_related("group", "point_type")
        return {i.code: i for i in qs.order_by("group__sort_order", "point_type__sort_order", "sort_order")}

    def profiles_of(version: CatalogVersion | None) -> dict[int, TypeProfile]:
        if version is None:
            return {}
        qs = TypeProfile.objects.filter(version=version).select_related("point_type")
        qs = qs.prefetch_related("groups")
        return {p.point_type_id: p for p in qs}

    before, after = items_of(old), items_of(new)
    added = [item for code, item in after.items() if code not in before]
    removed = [item for code, item in before.items() if code not in after]
    changed = []
    for code, item in after.items():
        if code not in before:
            continue
        a, b = _item_values(before[code]), _item_values(item)
        fields = [FieldChange(k, _field_label(k), a[k], b[k]) for k in b if a[k] != b[k]]
        if fields:
            changed.append(ItemChange(code, before[code], item, fields))

    profiles = []
    old_profiles, new_profiles = profiles_of(old), profiles_of(new)
    for type_id, profile in new_profiles.items():
        previous = old_profiles.get(type_id)
        old_groups = {g.code for g in previous.groups.all()} if previous else set()
        new_groups = {g.code for g in profile.groups.all()}
        others = []
        if previous is None or previous.description != profile.description:
            others.append(str(TypeProfile._meta.get_field("description").verbose_name))
        if previous is None or sorted(previous.unit_kinds) != sorted(profile.unit_kinds):
            others.append(str(TypeProfile._meta.get_field("unit_kinds").verbose_name))
        if previous is None or previous.sample_size != profile.sample_size:
            label = str(TypeProfile._meta.get_field("sample_size").verbose_name)
            old_size = previous.sample_size if previous is not None else "—"
            others.append(f"{label} {old_size} → {profile.sample_size}")
        if old_groups != new_groups or others:
            profiles.append(ProfileChange(
                profile.point_type, sorted(new_groups - old_groups), sorted(old_groups - new_groups), others
            ))
    diff = VersionDiff(old, new, added, removed, changed, profiles)
    _compare_assessment(diff)
    return diff


def _assessment_values(item: AssessmentItem) -> dict[str, Any]:
    values = {name: getattr(item, name) for name in ASSESSMENT_FIELDS}
    values["point_type"] = item.point_type.code if item.point_type is not None else None
    values["group"] = item.group.code if item.group is not None else None
    return values


def _assessment_label(name: str) -> str:
    return str(cast(Field, AssessmentItem._meta.get_field(name)).verbose_name)


def _compare_assessment(diff: VersionDiff) -> None:
    def of(version: CatalogVersion | None) -> dict[str, AssessmentItem]:
        if version is None:
            return {}
        qs = AssessmentItem.objects.filter(version=version).select_related("point_type", "group")
        return {a.code: a for a in qs.order_by("sort_order", "code")}

    before, after = of(diff.old), of(diff.new)
    diff.assessment_added = [a for code, a in after.items() if code not in before]
    diff.assessment_removed = [a for code, a in before.items() if code not in after]
    for code, item in after.items():
        if code not in before:
            continue
        a, b = _assessment_values(before[code]), _assessment_values(item)
        fields = [FieldChange(k, _assessment_label(k), a[k], b[k]) for k in b if a[k] != b[k]]
        if fields:
            diff.assessment_changed.append(AssessmentChange(code, before[code], item, fields))
