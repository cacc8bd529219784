"""Reads of the assessment catalog."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from chuangcheng.standards.models import CatalogVersion, CheckItem, PointType, TypeProfile


def version_in_force() -> CatalogVersion | None:
    return CatalogVersion.objects.filter(status=CatalogVersion.Status.PUBLISHED).order_by("-number").first()


def checklist_for(point_type: PointType, version: CatalogVersion | None = None) -> QuerySet[CheckItem]:
    """The items an inspector checks at a point of this type: the type's groups and its own items,
    from the given version or the one in force."""
    version = version or version_in_force()
    if version is None:
        return CheckItem.objects.none()
    profile = TypeProfile.objects.filter(version=version, point_type=point_type).first()
    group_ids = list(profile.groups.values_list("id", flat=True)) if profile else []
    return (
        CheckItem.objects.filter(version=version)
        .filter(Q(group_id__in=group_ids) | Q(point_type=point_type))
        .select_related("group", "point_type")
        .order_by("group__sort_order", "point_type__sort_order", "sort_order", "code")
    )
