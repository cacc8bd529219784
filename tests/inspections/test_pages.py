"""The inspection pages: today's round in walking order, the phone form with the point's checklist,
a submission with a failed item and its photo opening a dispatched case, the same submission sent
again creating nothing, bad input shown next to the items (400, nothing lost), the morning board
moving a visit, and the records."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from PIL import Image

from chuangcheng.cases import services as case_services
from chuangcheng.cases.models import Case, Category, State
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.org.models import Role, Unit
from chuangcheng.places.models import Point
from chuangcheng.standards.models import PointType
from tests import factories as f

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)
DAY = MONDAY.date()


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@dataclass
class Site:
    cast: Any
    worker: Any
    inspector: Any
    property_unit: Unit
    compound: Point
    points: list[Point]


@pytest.fixture
def site(cast: Any) -> Site:
    community_unit = f.UnitFactory(code="JW-A", name="甲社区居委会", kind=Unit.Kind.COMMUNITY, region=cast.community_a)
    property_unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    compound = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=community_unit,
                              point_type=PointType.objects.get(code="COMPOUND"),
                              lon=Decimal("111.650000"), lat=Decimal("40.820000"))
    compound.cooperating_units.add(property_unit)
    road = f.PointFactory(code="A-ROAD", name="甲大街", grid=cast.grid_a, lon=Decimal("111.652"), lat=Decimal("40.821"))
    lane = f.PointFactory(code="A-LANE", name="甲巷", grid=cast.grid_a, lon=Decimal("111.654"), lat=Decimal("40.822"),
                          point_type=PointType.objects.get(code="BACK_LANE"))
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    return Site(cast, cast.grid_worker_a, inspector, property_unit, compound, [compound, road, lane])


def plan(site: Site, person: Any, points: list[Point], day: dt.date = DAY) -> list[Assignment]:
    """A day's plan giving `person` these points, in this walking order."""
    daily, _ = DailyPlan.objects.get_or_create(street=site.cast.street, day=day)
    return [Assignment.objects.create(plan=daily, person=person, point=p, position=i, reason=Assignment.Reason.DUE)
            for i, p in enumerate(points)]


def jpeg(color: str = "red") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    out.seek(0)
    out.name = f"{color}.jpg"
    return out


def full_form(point: Point, key: str = "page-key-0001", **changes: dict[str, Any]) -> dict[str, Any]:
    """The form as a phone sends it: every item passing (counts at their threshold), except the
    changes given per item code (with "-" written "_")."""
    data: dict[str, Any] = {"key": key, "lon": "111.650100", "lat": "40.820100",
                            "started_at": MONDAY.isoformat(), "note": ""}
    for item in checklist_of(point):
        code = item.code
        data[f"result_{code}"] = "pass"
        if item.measure in {"count", "rate"}:
            data[f"count_{code}"] = str(int(item.threshold))
        elif item.measure == "occurrences":
            data[f"count_{code}"] = "0"
        for name, value in changes.get(code.replace("-", "_"), {}).items():
            data[f"{name}_{code}"] = value
    return data


def counts() -> dict[str, int]:
    return {"inspections": Inspection.objects.count(), "results": ItemResult.objects.count(),
            "cases": Case.objects.count(), "photos": Photo.objects.count()}


def text_of(response: Any) -> str:
    return response.content.decode()


# --- today's round --------------------------------------------------------------------------------


def test_the_round_lists_my_visits_in_walking_order_with_cases_to_verify(site, as_user):
    compound, road, lane = site.points
    plan(site, site.worker, [lane, compound, road])
    plan(site, site.inspector, [])  # somebody else's day is not mine
    case = case_services.report_case(by=site.worker, source="inspection", category=Category.objects.get(code="XC01"),
                                     description="小广告", point=road)
    case_services.accept_case(case, by=site.cast.street_admin)
    case_services.dispatch_case(case, by=site.cast.street_admin, unit=site.property_unit)
    from tests.cases.conftest import photo

    case_services.rectify_case(case, by=f.UserFactory(role=Role.UNIT_HANDLER, scope=site.cast.street,
                                                      person=f.PersonFactory(unit=site.property_unit,
                                                                             region=site.cast.street)),
                               photos=[photo(site.worker)])
    page = as_user(site.worker).get(reverse("inspections:today"))
    assert page.status_code == 200
    html = text_of(page)
    names = re.findall(r'class="visit-name" href="/inspections/points/([^/]+)/"', html)
    assert names == ["A-LANE", "A-COMPOUND", "A-ROAD"]
    assert f'href="/cases/{case.number}/"' in html  # verification at the road, through the case page
    assert html.count("done-mark") == 0
    assert 'id="map"' in html and "map-data" in html

    other_day = as_user(site.worker).get(reverse("inspections:today"), {"date": "2026-11-24"})
    assert other_day.status_code == 200 and "visit-name" not in text_of(other_day)
    not_a_day = as_user(site.worker).get(reverse("inspections:today"), {"date": "2026-11-31"})
    assert not_a_day.status_code == 200 and "“2026-11-31”" in text_of(not_a_day)  # said, and today shown
    assert re.findall(r'class="visit-name" href="/inspections/points/([^/]+)/"', text_of(not_a_day)) == names


def test_a_visit_is_ticked_once_the_point_is_inspected(site, as_user):
    plan(site, site.worker, site.points)
    client = as_user(site.worker)
    assert client.post(reverse("inspections:inspect", args=["A-COMPOUND"]), full_form(site.compound)).status_code == 302
    html = text_of(client.get(reverse("inspections:today")))
    assert html.count("done-mark") == 1
    assert re.search(r'visit done.*?A-COMPOUND', html, re.S)


# --- the form -------------------------------------------------------------------------------------


def test_the_form_shows_the_points_checklist_with_default_categories(site, as_user):
    page = as_user(site.worker).get(reverse("inspections:inspect", args=["A-COMPOUND"]))
    assert page.status_code == 200
    html = text_of(page)
    items = checklist_of(site.compound)
    for item in items:
        assert f'id="item-{item.code}"' in html
        assert f'name="result_{item.code}" value="fail"' in html
    assert html.count("<legend>") == len(items)
    env2 = re.search(r'<select id="category_ENV-2".*?</select>', html, re.S).group(0)
    assert '<option value="XC01" selected>' in env2  # flyposting → 非法小广告
    key = re.search(r'name="key" value="([^"]+)"', html).group(1)
    assert len(key) >= 8
    assert 'data-photos' in html and 'data-draft="A-COMPOUND|2026-11-23"' in html


def test_the_point_page_links_to_the_inspection_form(site, as_user):
    html = text_of(as_user(site.worker).get(reverse("places:detail", args=["A-COMPOUND"])))
    assert f'href="{reverse("inspections:inspect", args=["A-COMPOUND"])}"' in html


def test_a_submission_with_a_failed_item_and_a_photo_opens_a_dispatched_case(site, as_user):
    client = as_user(site.worker)
    url = reverse("inspections:inspect", args=["A-COMPOUND"])
    data = full_form(site.compound, ENV_2={"result": "fail", "count": "3", "note": "3号楼单元门",
                                           "photo": jpeg("red")})
    response = client.post(url, data)
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("inspections:detail", args=[inspection.key])
    assert inspection.inspector == site.worker and inspection.location == Inspection.Location.OK
    assert inspection.failed_count == 1 and inspection.score < inspection.max_score
    result = inspection.results.get(item__code="ENV-2")
    case = result.case
    assert result.note == "3号楼单元门" and result.photos.count() == 1
    assert case.state == State.DISPATCHED and case.unit == site.property_unit
    assert Case.objects.count() == 1

    detail = client.get(response["Location"])
    assert detail.status_code == 200
    html = text_of(detail)
    assert case.number in html and f'data-submitted-key="{inspection.key}"' in html
    photo = result.photos.get()
    picture = client.get(reverse("inspections:photo", args=[inspection.key, photo.sha256, "thumbnail"]))
    assert picture.status_code == 200 and picture["Content-Type"] == "image/jpeg"
    assert client.get(reverse("inspections:photo", args=[inspection.key, "0" * 64, "display"])).status_code == 404

    # The same form sent again (the signal dropped before the answer came): nothing new.
    before = counts()
    data["photo_ENV-2"] = jpeg("red")
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert counts() == before
    assert [m.level_tag for m in again.wsgi_request._messages] == ["info"]


def test_bad_input_is_shown_next_to_the_items_and_nothing_typed_is_lost(site, as_user):
    client = as_user(site.worker)
    data = full_form(site.compound, ENV_2={"result": "fail", "count": "2", "note": "门口贴满了"},  # no photo
                     PUB_1={"result": ""})  # not answered
    data["note"] = "下雨"
    response = client.post(reverse("inspections:inspect", args=["A-COMPOUND"]), data)
    assert response.status_code == 400
    assert counts() == {"inspections": 0, "results": 0, "cases": 0, "photos": 0}
    html = text_of(response)
    assert re.search(r'<fieldset class="check-item has-error" id="item-PUB-1"', html)
    assert not re.search(r'<fieldset class="check-item has-error" id="item-ENV-1"', html)
    assert 'name="result_ENV-2" value="fail" checked' in html
    assert "门口贴满了" in html and "下雨" in html
    assert 'name="key" value="page-key-0001"' in html  # the same draft, the same key

    # The form was complete, the service refuses: a failure needs a photo.
    data["result_PUB-1"] = "pass"
    refused = client.post(reverse("inspections:inspect", args=["A-COMPOUND"]), data)
    assert refused.status_code == 400 and counts()["inspections"] == 0
    assert re.search(r'<fieldset class="check-item has-error" id="item-ENV-2"', text_of(refused))

    data["lon"], data["lat"] = "east", "40.8"
    assert client.post(reverse("inspections:inspect", args=["A-COMPOUND"]), data).status_code == 400


def test_who_may_not_inspect_is_refused(site, as_user):
    handler = f.UserFactory(role=Role.UNIT_HANDLER, scope=site.cast.street)
    url = reverse("inspections:inspect", args=["A-COMPOUND"])
    assert as_user(handler).get(url).status_code == 403
    assert as_user(handler).post(url, full_form(site.compound)).status_code == 403
    other_grid = f.PointFactory(code="B-ROAD", grid=site.cast.grid_b)
    assert as_user(site.worker).get(reverse("inspections:inspect", args=[other_grid.code])).status_code == 404
    assert Inspection.objects.count() == 0


# --- the morning board ----------------------------------------------------------------------------


def test_the_board_moves_and_removes_a_visit(site, as_user):
    visits = plan(site, site.worker, site.points)
    admin = as_user(site.cast.street_admin)
    page = admin.get(reverse("inspections:board"))
    assert page.status_code == 200 and "甲大街" in text_of(page)

    moved = admin.post(reverse("inspections:move_visit", args=[visits[1].code]),
                       {"person": "inspector", "date": DAY.isoformat()})
    assert moved.status_code == 302
    assert Assignment.objects.get(pk=visits[1].pk).person == site.inspector
    mine = text_of(as_user(site.worker).get(reverse("inspections:today")))
    assert "A-ROAD" not in mine and "A-COMPOUND" in mine

    admin.post(reverse("inspections:remove_visit", args=[visits[2].code]), {"date": DAY.isoformat()})
    assert not Assignment.objects.filter(pk=visits[2].pk).exists()


def test_the_board_is_for_admins_only(site, as_user):
    assert as_user(site.worker).get(reverse("inspections:board")).status_code == 403


def test_an_admin_makes_the_days_plan_from_the_board(site, as_user):
    admin = as_user(site.cast.street_admin)
    assert DailyPlan.objects.count() == 0
    response = admin.post(reverse("inspections:make_plan"), {"date": DAY.isoformat()})
    assert response.status_code == 302
    assert DailyPlan.objects.filter(street=site.cast.street, day=DAY).exists()


def test_a_plan_is_not_made_for_a_day_that_cannot_be_read(site, as_user):
    response = as_user(site.cast.street_admin).post(reverse("inspections:make_plan"), {"date": "2026-11-31"},
                                                    follow=True)
    assert "“2026-11-31”" in response.content.decode()
    assert DailyPlan.objects.count() == 0


# --- records ---------------------------------------------------------------------------------------


def test_records_show_a_points_history_a_persons_work_and_coverage(site, as_user):
    plan(site, site.worker, [site.compound])
    client = as_user(site.worker)
    client.post(reverse("inspections:inspect", args=["A-COMPOUND"]), full_form(site.compound))
    inspection = Inspection.objects.get()
    by_point = client.get(reverse("inspections:history"), {"point": "A-COMPOUND"})
    assert by_point.status_code == 200
    assert reverse("inspections:detail", args=[inspection.key]) in text_of(by_point)
    by_person = client.get(reverse("inspections:history"), {"person": site.worker.username})
    assert reverse("inspections:detail", args=[inspection.key]) in text_of(by_person)
    admin = as_user(site.cast.street_admin)
    nobody = admin.get(reverse("inspections:history"), {"person": site.inspector.username,
                                                        "since": "2026-11-01", "until": "2026-11-30"})
    assert nobody.status_code == 200
    assert reverse("inspections:detail", args=[inspection.key]) not in text_of(nobody)
    coverage = admin.get(reverse("inspections:coverage"), {"since": "2026-11-23", "until": "2026-11-23"})
    assert coverage.status_code == 200
    row = re.search(r"<tr>\s*<td[^>]*>甲社区</td>.*?</tr>", text_of(coverage), re.S).group(0)
    assert re.findall(r'data-label="[^"]*">([^<]+)<', row)[2:4] == ["1", "1"]  # planned, inspected
    assert as_user(f.UserFactory(role=Role.UNIT_HANDLER, scope=site.cast.street)).get(
        reverse("inspections:history")).status_code == 403


def test_the_menu_has_the_round_for_walkers_and_the_board_for_admins(site, as_user):
    worker_home = text_of(as_user(site.worker).get("/"))
    assert reverse("inspections:today") in worker_home and reverse("inspections:board") not in worker_home
    admin_home = text_of(as_user(site.cast.street_admin).get("/"))
    assert reverse("inspections:board") in admin_home and reverse("inspections:history") in admin_home


def test_another_communitys_admin_sees_nothing_of_the_inspection(site, as_user, cast):
    data = full_form(site.compound, ENV_2={"result": "fail", "count": "3", "note": "门口", "photo": jpeg("red")})
    as_user(site.worker).post(reverse("inspections:inspect", args=[site.compound.code]), data)
    inspection = Inspection.objects.get()
    photo = inspection.results.get(item__code="ENV-2").photos.get()
    outsider = as_user(cast.admin_b)
    assert outsider.get(reverse("inspections:detail", args=[inspection.key])).status_code == 404
    photo_url = reverse("inspections:photo", args=[inspection.key, photo.sha256, "thumbnail"])
    assert outsider.get(photo_url).status_code == 404
    history = outsider.get(reverse("inspections:history"), {"point": site.compound.code})
    assert reverse("inspections:detail", args=[inspection.key]) not in text_of(history)
    assert reverse("inspections:detail", args=[inspection.key]) in text_of(
        as_user(cast.admin_a).get(reverse("inspections:history"), {"point": site.compound.code}))


def test_an_old_link_by_id_moves_for_good_to_the_keys_address_for_those_who_may_see_it(site, as_user, cast):
    """Published bulletins are frozen and still link to /inspections/<id>/."""
    data = full_form(site.compound, ENV_2={"result": "fail", "count": "3", "note": "门口", "photo": jpeg("red")})
    as_user(site.worker).post(reverse("inspections:inspect", args=[site.compound.code]), data)
    inspection = Inspection.objects.get()
    old = f"/inspections/{inspection.pk}/"
    moved = as_user(cast.admin_a).get(old)
    assert moved.status_code == 301 and moved["Location"] == reverse("inspections:detail", args=[inspection.key])
    assert as_user(cast.admin_b).get(old).status_code == 404  # the same answer as for an id that never was
    assert as_user(cast.admin_a).get(f"/inspections/{inspection.pk + 1000}/").status_code == 404
    assert as_user(site.worker).get(f"/inspections/{inspection.pk}/?x=1").status_code == 301


def test_a_key_of_eight_digits_or_more_is_a_key_and_not_an_old_id(site, as_user):
    as_user(site.worker).post(reverse("inspections:inspect", args=[site.compound.code]),
                              full_form(site.compound, key="20261123100000"))
    inspection = Inspection.objects.get()
    response = as_user(site.worker).get(f"/inspections/{inspection.key}/")
    assert response.status_code == 200 and response.context["inspection"] == inspection
