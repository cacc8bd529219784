"""Read endpoints of the assessment catalog. The lead mounts `router` at /api/catalog/ on the one
API, which requires a session or a token; the router itself sets no auth."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Router, Schema

from chuangcheng.standards import queries
from chuangcheng.standards.models import AssessmentItem, CatalogVersion, CheckItem

router = Router(tags=["catalog"])


class VersionOut(Schema):
    number: int
    title: str
    status: str
    changelog: str
    published_at: dt.datetime | None
    item_count: int | None = None


class PointTypeSummaryOut(Schema):
    code: str
    name: str
    groups: list[str]
    item_count: int
    sample_size: int | None
    points: Decimal


class AssessmentItemOut(Schema):
    """An assessment item (测评内容). `point_type` and `group` say which check items fall under an
    observed one (group None: the type's own items); both are None for an item assessed from
    documents (method "materials")."""

    code: str
    name: str
    method: str
    method_text: str
    point_type: str | None
    group: str | None
    points: Decimal
    sample_size: int | None
    minors: bool
    description: str


class CatalogOut(Schema):
    version: VersionOut
    point_types: list[PointTypeSummaryOut]
    assessment_items: list[AssessmentItemOut]


class CatalogItemOut(Schema):
    code: str
    group: str | None
    group_name: str | None
    text: str
    measure: str
    measure_text: str
    threshold: Decimal | None
    distance_m: int | None
    weight: Decimal
    deduction: Decimal | None
    penalty: Decimal | None
    assessment_item: str | None = None
    unit_kinds: list[str]


class PointTypeOut(Schema):
    code: str
    name: str
    version: int
    description: str
    sample_size: int | None
    unit_kinds: list[str]
    groups: list[str]
    assessment_items: list[AssessmentItemOut]
    items: list[CatalogItemOut]


def _version_out(version: CatalogVersion) -> VersionOut:
    return VersionOut(
        number=version.number, title=version.title, status=version.status, changelog=version.changelog,
        published_at=version.published_at, item_count=getattr(version, "item_count", None),
    )


def _assessment_out(item: AssessmentItem) -> AssessmentItemOut:
    return AssessmentItemOut(
        code=item.code, name=item.name, method=item.method, method_text=item.get_method_display(),
        point_type=item.point_type.code if item.point_type is not None else None,
        group=item.group.code if item.group is not None else None,
        points=item.points, sample_size=item.sample_size, minors=item.is_minors, description=item.description,
    )


def _item_out(item: CheckItem, assessment: dict[int | None, str] | None = None) -> CatalogItemOut:
    group = item.group if item.group_id is not None else None
    return CatalogItemOut(
        code=item.code,
        group=group.code if group is not None else None,
        group_name=group.name if group is not None else None,
        text=item.text,
        measure=item.measure,
        measure_text=item.measure_text(),
        threshold=item.threshold,
        distance_m=item.distance_m,
        weight=item.weight,
        deduction=item.deduction,
        penalty=item.penalty,
        assessment_item=(assessment or {}).get(item.group_id),
        unit_kinds=list(item.unit_kinds or []),
    )


def _version_or_404(request: HttpRequest, number: int | None) -> CatalogVersion:
    version = queries.version_for(request.user, number) if number is not None else queries.version_in_force()
    if version is None:
        raise Http404("no such catalog version")
    return version


@router.get("/", response=CatalogOut, operation_id="catalog_in_force")
def catalog_in_force(request: HttpRequest) -> CatalogOut:
    """The catalog version in force: its point types with the size of each checklist, the points an
    assessor samples and the 分值 of their assessment items, and every assessment item."""
    version = _version_or_404(request, None)
    return CatalogOut(
        version=_version_out(version),
        point_types=[
            PointTypeSummaryOut(
                code=row.point_type.code, name=row.point_type.name,
                groups=[g.code for g in row.groups], item_count=row.item_count,
                sample_size=row.sample_size, points=row.points,
            )
            for row in queries.type_rows(version)
        ],
        assessment_items=[_assessment_out(a) for a in queries.assessment_items(version)],
    )


@router.get("/versions", response=list[VersionOut], operation_id="catalog_versions")
def catalog_versions(request: HttpRequest) -> list[VersionOut]:
    """Every catalog version the caller may see, newest first."""
    return [_version_out(v) for v in queries.versions_visible_to(request.user)]


@router.get("/types/{code}", response=PointTypeOut, operation_id="catalog_point_type")
def catalog_point_type(request: HttpRequest, code: str, version: int | None = None) -> PointTypeOut:
    """One point type with its checklist, from the version in force or the version given."""
    point_type = queries.point_type_by_code(code)
    if point_type is None:
        raise Http404("no such point type")
    catalog_version = _version_or_404(request, version)
    profile = queries.profile_for(catalog_version, point_type)
    assessment = [a for a in queries.assessment_items(catalog_version) if a.point_type_id == point_type.pk]
    codes = {a.group_id: a.code for a in assessment if a.is_observed}
    return PointTypeOut(
        code=point_type.code,
        name=point_type.name,
        version=catalog_version.number,
        description=profile.description if profile else "",
        sample_size=profile.sample_size if profile else None,
        unit_kinds=list(profile.unit_kinds) if profile else [],
        groups=[g.code for g in profile.groups.all()] if profile else [],
        assessment_items=[_assessment_out(a) for a in assessment],
        items=[_item_out(item, codes) for item in queries.checklist_for(point_type, catalog_version)],
    )
