from __future__ import annotations

import pytest

from chuangcheng.core.models import AuditEvent
from chuangcheng.standards import loading, queries, services
from chuangcheng.standards.models import CatalogVersion, CheckGroup, CheckItem, PointType, TypeProfile

EXPECTED_TYPES = [
    "ROAD_MAIN", "CROSSING", "BACK_LANE", "BUS_STOP", "COMPOUND", "COMMUNITY", "MARKET", "SITE", "SCHOOL",
    "PARK_SQUARE", "CULTURE", "GOV_HALL", "HOSPITAL", "COMMERCE", "TOILET", "STATION", "SCENIC",
    "SANITATION", "NETBAR", "URBAN_VILLAGE",
]


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (PointType, CatalogVersion, CheckGroup, TypeProfile, CheckItem))


def test_a_fresh_database_has_the_default_catalog_in_force(db: None) -> None:
    version = queries.version_in_force()
    assert version is not None
    assert (version.number, version.title, version.status) == (1, "默认测评目录", "published")
    assert version.published_at is not None


def test_the_default_catalog_has_20_point_types_each_with_a_checklist(catalog: CatalogVersion) -> None:
    assert list(PointType.objects.values_list("code", flat=True)) == EXPECTED_TYPES
    assert sorted(CheckGroup.objects.filter(version=catalog).values_list("code", flat=True)) == sorted(
        ["PUB", "ORDER", "ENV", "PARK", "TRAFFIC", "VOL", "FAC"]
    )
    for point_type in PointType.objects.all():
        checklist = list(queries.checklist_for(point_type, catalog))
        assert checklist, point_type.code
        assert any(item.point_type_id == point_type.pk for item in checklist), point_type.code


def test_every_default_item_passes_the_model_rules(catalog: CatalogVersion) -> None:
    items = CheckItem.objects.filter(version=catalog)
    for item in items:
        item.full_clean()
    measures = set(items.values_list("measure", flat=True))
    assert measures == {"presence", "count", "occurrences", "rate"}


def test_count_items_keep_their_threshold_and_walked_distance(catalog: CatalogVersion) -> None:
    school = CheckItem.objects.get(version=catalog, code="SCHOOL-1")
    assert (school.measure, school.threshold, school.distance_m) == ("count", 3, 50)
    lamps = CheckItem.objects.get(version=catalog, code="BACK_LANE-4")
    assert (lamps.measure, lamps.threshold) == ("rate", 95)
    parking = CheckItem.objects.get(version=catalog, code="PARK-1")
    assert parking.measure == "occurrences" and parking.deduction is not None
    assert "线内" in parking.text  # the exception for city-drawn lines is part of the item


def test_profiles_name_real_unit_kinds(catalog: CatalogVersion) -> None:
    market = TypeProfile.objects.get(version=catalog, point_type__code="MARKET")
    assert market.unit_kinds == ["market_supervision", "operator", "city_management"]
    assert [g.code for g in market.groups.order_by("sort_order")] == ["PUB", "ORDER", "ENV", "PARK", "VOL"]
    for profile in TypeProfile.objects.filter(version=catalog):
        profile.full_clean()


def test_loading_twice_changes_nothing(catalog: CatalogVersion) -> None:
    before = _counts()
    events = AuditEvent.objects.count()
    assert services.load_default_catalog() == catalog
    assert _counts() == before
    assert AuditEvent.objects.count() == events


def test_loading_into_an_empty_catalog_creates_version_1_and_records_it(db: None) -> None:
    for model in (CheckItem, TypeProfile, CheckGroup, CatalogVersion):
        model.objects.all().delete()
    version = services.load_default_catalog()
    assert (version.number, version.status) == (1, "published")
    assert TypeProfile.objects.filter(version=version).count() == 20
    event = AuditEvent.objects.get(object_type="standards.catalogversion", action="import")
    assert event.region_path == ""
    assert event.changes["point_types"] == [None, 20]


def test_the_migration_way_back_removes_what_it_loaded(db: None) -> None:
    from django.apps import apps

    m = loading.CatalogModels.from_apps(apps)
    loading.unload_catalog(loading.read_default_catalog(), m=m)
    assert _counts() == (0, 0, 0, 0, 0)


def test_a_community_admin_may_not_load_the_catalog(cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.load_default_catalog(by=cast.admin_a)
