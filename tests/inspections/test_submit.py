"""Submitting an inspection: scores follow the weights, failures open cases dispatched to the right
unit (or join the open case already there), a replay writes nothing, and every bad submission is
refused with its field named and nothing stored, on disk or in the database."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from chuangcheng.cases import services as case_services
from chuangcheng.cases.models import Case, CaseEvent, Category, State
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult, PlanRules
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.inspections.services.submit import ItemInput, default_category, submit_inspection
from chuangcheng.org.models import Role, Unit
from chuangcheng.places.models import Point
from chuangcheng.standards.models import CheckItem, PointType
from chuangcheng.standards.queries import checklist_items, memoised_checklists
from tests import factories as f
from tests.conftest import stored_files

TZ = dt.timezone(dt.timedelta(hours=8))
# A Monday morning in office hours, far from holidays.
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@dataclass
class Site:
    cast: Any
    inspector: Any
    community_unit: Unit
    property_unit: Unit
    city_unit: Unit
    compound: Point


@pytest.fixture
def site(cast: Any, media: Path) -> Site:
    community_unit = f.UnitFactory(code="JW-A", name="甲社区居委会", kind=Unit.Kind.COMMUNITY, region=cast.community_a)
    property_unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    city_unit = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    compound = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=community_unit,
                              point_type=PointType.objects.get(code="COMPOUND"),
                              lon=Decimal("111.650000"), lat=Decimal("40.820000"))
    compound.cooperating_units.add(property_unit, city_unit)
    return Site(cast, inspector, community_unit, property_unit, city_unit, compound)


def jpeg(color: str = "red") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return SimpleUploadedFile(f"{color}.jpg", out.getvalue(), content_type="image/jpeg")


def passing(item: CheckItem) -> ItemInput:
    """A passing answer: counts and rates at their threshold, no occurrences."""
    count = int(item.threshold) if item.measure in {"count", "rate"} and item.threshold is not None else None
    if item.measure == "occurrences":
        count = 0
    return ItemInput(item_code=item.code, result="pass", count=count)


def answers(point: Point, **changes: dict[str, Any]) -> list[ItemInput]:
    """Every checklist item passing, except those named (item code with "-" as "_")."""
    out = []
    for item in checklist_of(point):
        answer = passing(item)
        change = changes.get(item.code.replace("-", "_"))
        out.append(replace(answer, **change) if change else answer)
    return out


def submit(site: Site, key: str = "key-0001", by: Any = None, **kw: Any) -> tuple[Inspection, bool]:
    kw.setdefault("items", answers(site.compound))
    kw.setdefault("lon", "111.6501")
    kw.setdefault("lat", "40.8201")
    return submit_inspection(by=by or site.inspector, point=kw.pop("point", site.compound), key=key, **kw)


def counts() -> dict[str, int]:
    return {"inspections": Inspection.objects.count(), "results": ItemResult.objects.count(),
            "cases": Case.objects.count(), "events": CaseEvent.objects.count(), "photos": Photo.objects.count()}


def refused(site: Site, media: Path, exc_type: type[Exception] = ValidationError, **kw: Any) -> Exception:
    """Submit, expect a refusal, and check nothing at all was stored."""
    before, files = counts(), stored_files(media)
    with pytest.raises(exc_type) as info:
        submit(site, **kw)
    assert counts() == before
    assert stored_files(media) == files
    return info.value


# --- scoring and results -------------------------------------------------------------------------


def test_a_clean_inspection_scores_every_weight_and_opens_no_case(site):
    inspection, created = submit(site)
    weights = sum(item.weight for item in checklist_of(site.compound))
    assert created
    assert inspection.score == inspection.max_score == weights
    assert inspection.failed_count == 0
    assert inspection.location == Inspection.Location.OK and 0 < inspection.distance_m < 50
    assert inspection.day == dt.date(2026, 11, 23)
    assert inspection.results.count() == len(checklist_of(site.compound))
    assert Case.objects.count() == 0


def test_the_score_follows_weights_occurrences_counts_and_not_applicable(site):
    weights = {item.code: item.weight for item in checklist_of(site.compound)}
    inspection, _ = submit(site, items=answers(
        site.compound,
        ENV_1={"result": "fail", "count": 2, "photos": [jpeg("red")]},  # weight 3, 0.5 per occurrence
        COMPOUND_1={"result": "pass", "count": 0, "photos": [jpeg("blue")]},  # at least 1: the count says fail
        PUB_1={"result": "na", "count": None},  # weight 2, not counted
        PARK_1={"result": "fail", "count": 9, "photos": [jpeg("green")]},  # weight 3: never below 0
    ))
    results = {r.item.code: r for r in inspection.results.select_related("item")}
    assert results["ENV-1"].score == Decimal("2.00") and results["ENV-1"].count == 2
    assert results["COMPOUND-1"].result == "fail" and results["COMPOUND-1"].score == 0
    assert results["PUB-1"].max_score == 0
    assert results["PARK-1"].score == Decimal("0") and results["PARK-1"].max_score == 3
    assert inspection.max_score == sum(weights.values()) - weights["PUB-1"]
    assert inspection.score == inspection.max_score - 1 - 2 - 3
    assert inspection.failed_count == 3


def test_a_rate_below_its_threshold_fails(cast, media):
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    lane = f.PointFactory(code="A-LANE", name="甲巷", grid=cast.grid_a,
                          point_type=PointType.objects.get(code="BACK_LANE"))
    items = [passing(i) for i in checklist_of(lane) if i.code != "BACK_LANE-4"]
    items.append(ItemInput("BACK_LANE-4", "pass", count=90, photos=[jpeg()]))  # lights on: 90 % < 95 %
    inspection, _ = submit_inspection(by=inspector, point=lane, key="lane-0001", items=items)
    result = inspection.results.get(item__code="BACK_LANE-4")
    assert (result.result, result.score, result.category.code) == ("fail", 0, "BJ01")
    assert inspection.location == Inspection.Location.MISSING


# --- cases ---------------------------------------------------------------------------------------


def test_flyposting_in_a_compound_opens_a_case_dispatched_to_the_property_company(site):
    inspection, _ = submit(site, items=answers(
        site.compound, ENV_2={"result": "fail", "count": 3, "note": "3号楼单元门", "photos": [jpeg("red")]}))
    result = inspection.results.get(item__code="ENV-2")
    case = result.case
    assert result.case_opened and result.category.code == "XC01"  # 非法小广告
    assert case.source == "inspection" and case.point == site.compound and case.reported_by == site.inspector
    assert case.state == State.DISPATCHED and case.unit == site.property_unit and case.deadline is not None
    assert "ENV-2" not in case.description and "3号楼单元门" in case.description  # words, not codes
    assert [p.sha256 for p in result.photos.all()] == [p.sha256 for p in case.events.get(action="report").photos.all()]
    assert list(case.events.values_list("action", flat=True)) == ["report", "accept", "dispatch"]


def test_illegal_parking_goes_to_the_parking_category_and_a_chosen_category_wins(site):
    inspection, _ = submit(site, items=answers(
        site.compound, PARK_1={"result": "fail", "count": 1, "photos": [jpeg("red")]},
        ENV_3={"result": "fail", "count": 1, "category_code": "SR99", "photos": [jpeg("blue")]}))
    parking = inspection.results.get(item__code="PARK-1")
    assert parking.category.code == "JM05" and parking.category.campaign_label == "乱停车"
    assert inspection.results.get(item__code="ENV-3").case.category.code == "SR99"


def test_every_catalog_item_has_a_default_category_that_can_take_a_case(db):
    items = CheckItem.objects.filter(version__number=1).select_related("group")
    assert items.count() > 100
    for item in items:
        category = default_category(item)
        assert category is not None and category.parent_id is not None, item.code


def test_a_failure_already_covered_by_an_open_case_joins_it(site):
    earlier = case_services.report_case(by=site.inspector, source="staff", category=Category.objects.get(code="XC01"),
                                        description="小广告", point=site.compound)
    before = Case.objects.count()
    inspection, _ = submit(site, items=answers(
        site.compound, ENV_2={"result": "fail", "count": 1, "photos": [jpeg()]}))
    result = inspection.results.get(item__code="ENV-2")
    assert result.case == earlier and not result.case_opened
    assert Case.objects.count() == before


def test_a_closed_case_does_not_stop_a_new_one(site):
    closed = case_services.report_case(by=site.inspector, source="staff", category=Category.objects.get(code="XC01"),
                                       description="小广告", point=site.compound)
    case_services.reject_case(closed, by=site.cast.street_admin, reason="重复")
    inspection, _ = submit(site, items=answers(site.compound, ENV_2={"result": "fail", "count": 1, "photos": [jpeg()]}))
    result = inspection.results.get(item__code="ENV-2")
    assert result.case_opened and result.case != closed and result.case.state == State.DISPATCHED


def test_two_failures_of_one_category_open_one_case(site):
    inspection, _ = submit(site, items=answers(
        site.compound, ENV_1={"result": "fail", "count": 1, "photos": [jpeg("red")]},  # 暴露垃圾 (SR02)
        ENV_3={"result": "fail", "count": 1, "category_code": "SR02", "photos": [jpeg("blue")]}))
    first, second = (inspection.results.get(item__code=code) for code in ("ENV-1", "ENV-3"))
    assert Case.objects.count() == 1 and first.case == second.case
    assert first.case_opened and not second.case_opened
    assert first.case.unit == site.property_unit  # 乱扔垃圾: sanitation or property, among the point's units


# --- replay --------------------------------------------------------------------------------------


def test_a_replayed_submission_returns_the_first_and_writes_nothing(site, media):
    items = answers(site.compound, ENV_2={"result": "fail", "count": 1, "photos": [jpeg()]})
    first, created = submit(site, items=items)
    before, files = counts(), stored_files(media)
    retry = answers(site.compound, ENV_2={"result": "fail", "count": 1, "photos": [jpeg()]})
    again, created_again = submit(site, items=retry)
    assert created and not created_again and again.pk == first.pk
    assert counts() == before and stored_files(media) == files


def test_a_key_used_by_someone_else_is_refused(site, media):
    submit(site)
    error = refused(site, media, by=site.cast.grid_worker_a)
    assert "key" in error.message_dict


@pytest.mark.parametrize("key", ["short", "has space 1234", "x" * 65, "", "中文中文中文中文"])
def test_a_malformed_key_is_refused(site, media, key):
    assert "key" in refused(site, media, key=key).message_dict


# --- refusals --------------------------------------------------------------------------------------


def test_an_item_not_on_the_checklist_is_named(site, media):
    items = [*answers(site.compound), ItemInput("BUS_STOP-4", "pass", count=0)]
    error = refused(site, media, items=items)
    assert "BUS_STOP-4" in " ".join(error.message_dict["items"])


def test_an_item_of_another_catalog_version_is_not_on_the_checklist(site, media):
    draft = f.CatalogVersionFactory(status="draft")
    f.CheckItemFactory(version=draft, code="NEW-1")
    error = refused(site, media, items=[*answers(site.compound), ItemInput("NEW-1", "pass")])
    assert "NEW-1" in " ".join(error.message_dict["items"])


def test_missing_items_are_listed(site, media):
    items = [a for a in answers(site.compound) if a.item_code not in {"FAC-1", "COMPOUND-7"}]
    message = " ".join(refused(site, media, items=items).message_dict["items"])
    assert "FAC-1" in message and "COMPOUND-7" in message


def test_an_item_answered_twice_or_with_a_bad_result_is_named(site, media):
    items = [*answers(site.compound, FAC_1={"result": "maybe"}), ItemInput("FAC-3", "pass")]
    error = refused(site, media, items=items)
    assert {"items.FAC-1", "items.FAC-3"} <= set(error.message_dict)


def test_a_count_item_needs_its_count(site, media):
    error = refused(site, media, items=answers(site.compound, COMPOUND_1={"count": None}))
    assert "items.COMPOUND-1" in error.message_dict


def test_a_failure_without_a_photo_is_refused_and_keeps_no_other_photo(site, media):
    items = answers(site.compound, ENV_1={"result": "fail", "count": 1, "photos": [jpeg("red")]},
                    ENV_2={"result": "fail", "count": 1})
    error = refused(site, media, items=items)
    assert set(error.message_dict) == {"items.ENV-2"}


def test_an_unknown_category_is_refused(site, media):
    items = answers(site.compound, ENV_2={"result": "fail", "count": 1, "category_code": "SR", "photos": [jpeg()]})
    assert "items.ENV-2" in refused(site, media, items=items).message_dict  # a group, not a category


def test_a_file_that_is_not_a_photo_stores_nothing_of_the_other_items(site, media):
    fake = SimpleUploadedFile("IMG_1.jpg", b"not a photo\n" * 50, content_type="image/jpeg")
    items = answers(site.compound, ENV_1={"result": "fail", "count": 1, "photos": [jpeg("red"), jpeg("blue")]},
                    ENV_2={"result": "fail", "count": 1, "photos": [fake]})
    error = refused(site, media, items=items)
    assert "items.ENV-2" in error.message_dict


def test_a_failure_while_opening_cases_stores_nothing(site, media, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ValidationError({"unit": "boom"})

    monkeypatch.setattr(case_services, "dispatch_case", broken)
    refused(site, media, items=answers(site.compound, ENV_2={"result": "fail", "count": 1, "photos": [jpeg()]}))


def test_a_point_outside_the_users_scope_is_forbidden(site, media):
    other = f.UserFactory(username="worker_b", role=Role.GRID_WORKER, scope=site.cast.grid_b)
    refused(site, media, PermissionDenied, by=other)


@pytest.mark.parametrize("role", [Role.UNIT_HANDLER, Role.VOLUNTEER, Role.LEADER])
def test_roles_that_do_not_inspect_are_forbidden(site, media, role):
    user = f.UserFactory(username=f"u_{role}", role=role, scope=site.cast.street)
    refused(site, media, PermissionDenied, by=user)


def test_a_point_no_longer_in_use_is_refused(site, media):
    Point.objects.filter(pk=site.compound.pk).update(active=False)
    site.compound.refresh_from_db()
    assert "point" in refused(site, media).message_dict


@pytest.mark.parametrize(("lon", "lat"), [("abc", "40.82"), ("111.65", "北纬40"), ("nan", "40.8"),
                                          ("111.65", None), (True, "40.82")])
def test_coordinates_that_are_not_numbers_are_refused(site, media, lon, lat):
    assert "lon" in refused(site, media, lon=lon, lat=lat).message_dict


@pytest.mark.parametrize(("lon", "lat"), [(0, 0), ("40.82", "111.65"), ("-111.65", "40.82")])
def test_coordinates_outside_china_are_refused(site, media, lon, lat):
    assert "lon" in refused(site, media, lon=lon, lat=lat).message_dict


def test_a_fix_far_from_the_point_is_kept_and_flagged(site):
    PlanRules.objects.create(street=site.cast.street, distance_limit_m=100)
    inspection, created = submit(site, lon=111.652, lat=40.820)  # about 170 m east
    assert created and inspection.location == Inspection.Location.FAR
    assert 150 < inspection.distance_m < 190 and inspection.lon == Decimal("111.652000")


def test_the_day_closes_after_the_grace_hours(site, media):
    yesterday = dt.datetime(2026, 11, 22, 16, 0, tzinfo=TZ)
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 30, tzinfo=TZ), tick=False):
        inspection, _ = submit(site, key="late-0001", started_at=yesterday)
        assert inspection.day == dt.date(2026, 11, 22)
    with time_machine.travel(dt.datetime(2026, 11, 23, 2, 1, tzinfo=TZ), tick=False):
        assert "day" in refused(site, media, key="late-0002", started_at=yesterday).message_dict
    assert "day" in refused(site, media, key="late-0003", started_at=MONDAY + dt.timedelta(hours=2)).message_dict


def test_an_inspection_of_a_planned_visit_is_linked_to_it(site):
    plan = DailyPlan.objects.create(street=site.cast.street, day=dt.date(2026, 11, 23))
    visit = Assignment.objects.create(plan=plan, person=site.inspector, point=site.compound, position=1)
    inspection, _ = submit(site)
    assert inspection.assignment == visit
    other, _ = submit(site, key="key-0002", by=site.cast.grid_worker_a)
    assert other.assignment is None


# --- cost ----------------------------------------------------------------------------------------


def queries_of_submitting(point: Point, by: Any, key: str) -> tuple[int, int]:
    """(items answered, SQL statements) of one all-pass submission at `point`."""
    items = answers(point)
    with CaptureQueriesContext(connection) as queries:
        submit_inspection(by=by, point=point, key=key, items=items, lon="111.6501", lat="40.8201")
    return len(items), len(queries)


def test_a_submission_runs_the_same_few_queries_whatever_its_number_of_items(site):
    lane = f.PointFactory(code="A-LANE", name="甲巷", grid=site.cast.grid_a,
                          point_type=PointType.objects.get(code="BACK_LANE"))
    compound_items, compound_queries = queries_of_submitting(site.compound, site.inspector, "key-0001")
    lane_items, lane_queries = queries_of_submitting(lane, site.inspector, "key-0002")
    assert compound_items != lane_items
    assert compound_queries == lane_queries
    # The key, the rules, the catalog version, the checklist, the planned visit, the inspection and
    # its item results (one insert), with the savepoints of the two atomic blocks.
    assert compound_queries <= 11


def test_inside_memoised_checklists_a_checklist_is_read_once(site):
    lane = f.PointFactory(code="A-LANE", name="甲巷", grid=site.cast.grid_a,
                          point_type=PointType.objects.get(code="BACK_LANE"))
    alone = queries_of_submitting(site.compound, site.inspector, "key-0001")[1]
    with memoised_checklists():
        first = queries_of_submitting(site.compound, site.inspector, "key-0002")[1]
        again = queries_of_submitting(site.compound, site.inspector, "key-0003")[1]
        other_type = queries_of_submitting(lane, site.inspector, "key-0004")[1]
    after = queries_of_submitting(site.compound, site.inspector, "key-0005")[1]
    assert first == other_type == after == alone
    assert again == alone - 1
    assert [r.item.code for r in Inspection.objects.get(key="key-0003").results.order_by("id")] == [
        i.code for i in checklist_of(site.compound)]


def test_memoised_checklists_never_keep_a_draft(db):
    draft = f.CatalogVersionFactory(status="draft")
    point_type = PointType.objects.get(code="COMPOUND")
    f.CheckItemFactory(version=draft, code="NEW-1", group=None, point_type=point_type)
    with memoised_checklists():
        assert [i.code for i in checklist_items(point_type, draft)] == ["NEW-1"]
        f.CheckItemFactory(version=draft, code="NEW-2", group=None, point_type=point_type, sort_order=1)
        assert [i.code for i in checklist_items(point_type, draft)] == ["NEW-1", "NEW-2"]


# --- records ---------------------------------------------------------------------------------------


def test_coverage_per_community_counts_required_planned_and_inspected(site):
    from chuangcheng.inspections.queries.records import coverage, inspections_visible_to, point_history

    f.PointFactory(code="A-ZERO", grid=site.cast.grid_a, zero_loss=True)
    plan = DailyPlan.objects.create(street=site.cast.street, day=dt.date(2026, 11, 23))
    Assignment.objects.create(plan=plan, person=site.inspector, point=site.compound, position=1)
    inspection, _ = submit(site)
    submit(site, key="key-0002")  # the same point the same day counts once
    rows = {row.region.code: row for row in coverage(site.cast.street_admin, dt.date(2026, 11, 21),
                                                     dt.date(2026, 11, 23))}
    row_a = rows[site.cast.community_a.code]
    assert (row_a.required, row_a.planned, row_a.inspected, row_a.covered) == (4, 1, 1, 1)  # zero-loss 3 days + 1
    assert row_a.rate == 25.0 and rows[site.cast.community_b.code].rate is None
    assert [r.region for r in coverage(site.cast.admin_b, dt.date(2026, 11, 21), dt.date(2026, 11, 23))] == [
        site.cast.community_b]
    assert list(point_history(site.cast.admin_a, site.compound))[-1] == inspection
    assert not inspections_visible_to(site.cast.admin_b).exists()
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=site.cast.street)
    assert not inspections_visible_to(handler).exists() and coverage(handler, MONDAY.date(), MONDAY.date()) == []
    # Inspected more often than required: the extra visits do not push coverage past 100 %.
    with time_machine.travel(MONDAY - dt.timedelta(days=1), tick=False):
        submit(site, key="key-0003")
    row_a = {row.region.code: row for row in coverage(site.cast.street_admin, dt.date(2026, 11, 21),
                                                      dt.date(2026, 11, 23))}[site.cast.community_a.code]
    assert (row_a.inspected, row_a.covered, row_a.rate) == (2, 1, 25.0)
