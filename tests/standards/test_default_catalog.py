from __future__ import annotations

from decimal import Decimal

import pytest

from chuangcheng.core.models import AuditEvent
from chuangcheng.standards import loading, queries, services
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
)
from chuangcheng.standards.scoring import Tally, field_score, penalty_of

EXPECTED_TYPES = [
    "ROAD_MAIN", "CROSSING", "BACK_LANE", "BUS_STOP", "COMPOUND", "COMMUNITY", "MARKET", "SITE", "SCHOOL",
    "PARK_SQUARE", "CULTURE", "GOV_HALL", "HOSPITAL", "COMMERCE", "TOILET", "STATION", "SCENIC",
    "SANITATION", "NETBAR", "URBAN_VILLAGE", "YOUTH_VENUE", "PRACTICE_STATION",
]
MODELS = (PointType, CatalogVersion, CheckGroup, TypeProfile, CheckItem, AssessmentItem)


def _counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in MODELS)


def _empty_catalog() -> None:
    for model in (AssessmentItem, CheckItem, TypeProfile, CheckGroup):
        model.objects.all().delete()
    for version in CatalogVersion.objects.order_by("-number"):
        version.delete()


def test_a_fresh_database_has_the_default_catalog_in_the_assessments_terms_in_force(db: None) -> None:
    version = queries.version_in_force()
    assert version is not None
    assert (version.number, version.title, version.status) == (2, "默认测评目录（测评内容与分值）", "published")
    assert version.published_at is not None
    # v1, the first shipped catalog, stays as it was for the inspections made under it.
    assert version.based_on is not None and version.based_on.number == 1
    assert version.based_on.status == "superseded"
    assert not AssessmentItem.objects.filter(version=version.based_on).exists()
    assert not CheckItem.objects.filter(version=version.based_on, penalty__isnull=False).exists()


def test_the_default_catalog_has_22_point_types_each_with_a_checklist(catalog: CatalogVersion) -> None:
    assert list(PointType.objects.values_list("code", flat=True)) == EXPECTED_TYPES
    assert sorted(CheckGroup.objects.filter(version=catalog).values_list("code", flat=True)) == sorted(
        ["PUB", "ORDER", "ENV", "PARK", "TRAFFIC", "VOL", "FAC"]
    )
    for point_type in PointType.objects.all():
        checklist = list(queries.checklist_for(point_type, catalog))
        assert checklist, point_type.code
        assert any(item.point_type_id == point_type.pk for item in checklist), point_type.code


def test_loading_gives_the_rows_of_the_assessment_terms(catalog: CatalogVersion) -> None:
    assert CheckItem.objects.filter(version=catalog).count() == 130
    assert TypeProfile.objects.filter(version=catalog).count() == 22
    items = AssessmentItem.objects.filter(version=catalog)
    assert items.count() == 101
    assert items.filter(method="materials").count() == 14
    # One assessment item per (point type, check group) the type uses, plus one for its own items.
    for profile in TypeProfile.objects.filter(version=catalog).prefetch_related("groups"):
        own = items.filter(point_type=profile.point_type)
        assert sorted(own.values_list("group__code", flat=True), key=str) == sorted(
            [g.code for g in profile.groups.all()] + [None], key=str), profile.point_type.code
    # Every check item costs its assessment item something.
    assert not CheckItem.objects.filter(version=catalog, penalty__isnull=True).exists()

    samples = dict(TypeProfile.objects.filter(version=catalog).values_list("point_type__code", "sample_size"))
    assert (samples["ROAD_MAIN"], samples["BUS_STOP"], samples["MARKET"], samples["HOSPITAL"]) == (3, 5, 2, 1)
    market_env = items.get(code="MARKET.ENV")
    assert (market_env.name, market_env.points, market_env.group.code) == ("农贸市场·环境卫生", 7, "ENV")
    assert market_env.method == "observe"
    road_env = items.get(code="ROAD_MAIN.ENV")
    assert road_env.points == 10
    litter = CheckItem.objects.get(version=catalog, code="ENV-1")
    assert (litter.measure, litter.penalty) == ("occurrences", Decimal(1))
    assert CheckItem.objects.get(version=catalog, code="PUB-1").penalty == 2  # "少一条扣2分"
    assert CheckItem.objects.get(version=catalog, code="NETBAR-1").penalty == 3
    docs = items.get(code="DOC.VOL")
    assert (docs.name, docs.points, docs.point_type, docs.group) == ("志愿服务制度与记录", 4, None, None)


def test_one_litter_patch_on_each_sampled_road_costs_a_real_share_of_its_item(catalog: CatalogVersion) -> None:
    rules = queries.scoring_rules(catalog)
    road = PointType.objects.get(code="ROAD_MAIN")
    env = CheckGroup.objects.get(version=catalog, code="ENV")
    code = rules.item_for(road.pk, env.pk)
    assert code == "ROAD_MAIN.ENV"
    litter = CheckItem.objects.get(version=catalog, code="ENV-1")
    per_inspection = penalty_of(litter.measure, litter.penalty, 1)
    score = field_score([rules.rules[code]], {code: Tally(3, per_inspection * 3)})
    assert score.rate is not None and score.rate <= 75  # 3 of 10 points: 70 %


def test_the_minors_section_has_its_point_types_and_items(catalog: CatalogVersion) -> None:
    minors = [a for a in queries.assessment_items(catalog) if a.is_minors]
    types = {a.point_type.code for a in minors if a.point_type is not None}
    assert types == {"SCHOOL", "NETBAR", "YOUTH_VENUE", "PRACTICE_STATION"}
    assert {a.code for a in minors if a.point_type is None} == {"DOC.PRACTICE", "DOC.MINORS", "DOC.SCHOOL_AREA"}
    netbar = {i.code: i for i in queries.checklist_for(PointType.objects.get(code="NETBAR"), catalog)}
    assert "未成年人" in netbar["NETBAR-1"].text and "身份证" in netbar["NETBAR-2"].text
    assert "NETBAR-4" in netbar
    station = PointType.objects.get(code="PRACTICE_STATION")
    assert station.name == "新时代文明实践站"
    assert TypeProfile.objects.get(version=catalog, point_type=station).sample_size == 2
    assert [i.code for i in queries.checklist_for(station, catalog) if i.point_type_id == station.pk] == [
        f"PRACTICE_STATION-{n}" for n in range(1, 6)]
    assert CheckItem.objects.filter(version=catalog, point_type__code="YOUTH_VENUE").count() == 5


def test_scoring_rules_cover_every_type_and_group_of_every_profile(catalog: CatalogVersion) -> None:
    version = queries.version_in_force()
    assert version is not None
    rules = queries.scoring_rules(version)
    for profile in TypeProfile.objects.filter(version=version).prefetch_related("groups"):
        for group in [*profile.groups.all(), None]:
            code = rules.item_for(profile.point_type_id, group.pk if group else None)
            assert code is not None, (profile.point_type.code, group)
            assert rules.rules[code].sample == profile.sample_size
    assert not [r for r in rules.rules.values() if r.code.startswith("DOC.")]
    assert queries.penalties_without_assessment_item(version) == []


def test_every_default_item_passes_the_model_rules(catalog: CatalogVersion) -> None:
    items = CheckItem.objects.filter(version=catalog)
    for item in items:
        item.full_clean()
    for entry in AssessmentItem.objects.filter(version=catalog):
        entry.full_clean()
        heaviest = max((i.penalty for i in items.filter(
            group=entry.group, **({} if entry.group_id else {"point_type": entry.point_type}))
            if i.penalty is not None), default=Decimal(0))
        if entry.is_observed:
            assert heaviest <= entry.points, entry.code
    measures = set(items.values_list("measure", flat=True))
    assert measures == {"presence", "count", "occurrences", "rate"}


def test_every_new_check_item_opens_a_case_of_a_category_of_its_own(catalog: CatalogVersion) -> None:
    import json

    from chuangcheng.inspections.services.submit import ITEM_CATEGORIES, default_category

    mapped = json.loads(ITEM_CATEGORIES.read_text(encoding="utf-8"))["items"]
    assert set(CheckItem.objects.filter(version=catalog).values_list("code", flat=True)) <= set(mapped)
    for code, expected in (("NETBAR-4", "WM99"), ("YOUTH_VENUE-3", "XC06"), ("PRACTICE_STATION-5", "WM03"),
                           ("ENV-1", "SR02")):
        category = default_category(CheckItem.objects.select_related("group").get(version=catalog, code=code))
        assert category is not None and category.code == expected
    for item in CheckItem.objects.filter(version=catalog).select_related("group"):
        category = default_category(item)
        assert category is not None and category.parent_id is not None, item.code


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
    _empty_catalog()
    version = services.load_default_catalog()
    assert (version.number, version.status) == (1, "published")
    assert TypeProfile.objects.filter(version=version).count() == 22
    assert AssessmentItem.objects.filter(version=version).count() == 101
    event = AuditEvent.objects.get(object_type="standards.catalogversion", action="import")
    assert event.region_path == ""
    assert event.changes["point_types"] == [None, 22]
    assert event.changes["assessment_items"] == [None, 101]


def test_the_loaders_way_back_removes_what_it_loaded(db: None) -> None:
    from django.apps import apps

    _empty_catalog()
    services.load_default_catalog()
    m = loading.CatalogModels.from_apps(apps)
    loading.unload_catalog(loading.read_default_catalog(), m=m)
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_a_community_admin_may_not_load_the_catalog(cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.load_default_catalog(by=cast.admin_a)
