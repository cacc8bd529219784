"""The inspection API as a phone app uses it: the plan of the day, a point's checklist, a submission
with a failed item and its photo (and its replay), reading it back, and every refusal in the API's
error format with nothing stored."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client
from PIL import Image

from chuangcheng.cases import services as case_services
from chuangcheng.cases.models import Case, CaseEvent, Category, State
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.evidence.models import Photo
from chuangcheng.inspections.models import Assignment, DailyPlan, Inspection, ItemResult
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.org.models import Role, Unit
from chuangcheng.org.services import create_api_token
from chuangcheng.standards.models import PointType
from chuangcheng.standards.queries import version_in_force
from tests import factories as f
from tests.conftest import stored_files

TZ = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def jpeg(color: str = "red") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    out.seek(0)
    out.name = f"{color}.jpg"
    return out


class Api:
    """A phone app signed in with a personal token."""

    def __init__(self, user: Any) -> None:
        self.client = Client(raise_request_exception=False)
        _token, key = create_api_token(user, name="手机")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/inspections{path}", params, **self.headers)

    def post(self, data: dict[str, Any]) -> Any:
        return self.client.post("/api/inspections", data, **self.headers)


@pytest.fixture
def point(cast: Any, media: Path) -> Any:
    community_unit = f.UnitFactory(code="JW-A", name="甲社区居委会", kind=Unit.Kind.COMMUNITY, region=cast.community_a)
    property_unit = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    compound = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=community_unit,
                              point_type=PointType.objects.get(code="COMPOUND"))
    compound.cooperating_units.add(property_unit)
    return compound


@pytest.fixture
def inspector(cast: Any) -> Any:
    return f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)


def form(at: Any, key: str = "phone-0001", failed: str = "", **extra: Any) -> dict[str, Any]:
    """A submission passing every item of the point's checklist, `failed` failing with 2 occurrences."""
    items = []
    for item in checklist_of(at):
        row: dict[str, Any] = {"item": item.code, "result": "pass"}
        if item.measure in {"count", "rate"}:
            row["count"] = int(item.threshold)
        if item.code == failed:
            row.update(result="fail", count=2, note="电线杆上")
        items.append(row)
    data: dict[str, Any] = {"point": at.code, "key": key, "lon": "111.6501", "lat": "40.8201",
                            "started_at": "2026-11-23T09:40:00+08:00", "items": json.dumps(items)}
    if failed:
        data[f"photo_{failed}"] = [jpeg("red")]
    data.update(extra)
    return data


def counts() -> dict[str, int]:
    return {"inspections": Inspection.objects.count(), "results": ItemResult.objects.count(),
            "cases": Case.objects.count(), "events": CaseEvent.objects.count(), "photos": Photo.objects.count()}


def test_the_checklist_of_a_point(point, inspector):
    response = Api(inspector).get("/points/A-COMPOUND/checklist")
    assert response.status_code == 200
    body = response.json()
    items = {i["code"]: i for i in body["items"]}
    assert [i["code"] for i in body["items"]] == [i.code for i in checklist_of(point)]
    assert body["point_type"] == "COMPOUND" and body["version"] == version_in_force().number
    assert items["ENV-2"]["category"] == "XC01" and items["ENV-2"]["measure"] == "occurrences"
    assert items["COMPOUND-1"]["measure"] == "count" and Decimal(items["COMPOUND-1"]["threshold"]) == 1


def test_a_point_outside_the_callers_region_has_no_checklist(point, cast):
    worker_b = f.UserFactory(username="worker_b", role=Role.GRID_WORKER, scope=cast.grid_b)
    response = Api(worker_b).get("/points/A-COMPOUND/checklist")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_failed_item_opens_a_dispatched_case_and_a_replay_writes_nothing(point, inspector, media):
    api = Api(inspector)
    response = api.post(form(point, failed="ENV-2"))
    assert response.status_code == 201, response.content
    body = response.json()
    failed = next(r for r in body["results"] if r["item"] == "ENV-2")
    assert failed["result"] == "fail" and failed["case_opened"] and len(failed["photos"]) == 1
    assert failed["case_state"] == "dispatched" and failed["case_unit"] == "WY-A"
    assert body["failed_count"] == 1 and body["location"] == "ok" and body["day"] == "2026-11-23"
    assert Decimal(body["score"]) == Decimal(body["max_score"]) - 1  # 2 occurrences at 0.5
    case = Case.objects.get(number=failed["case"])
    assert case.unit.code == "WY-A" and case.source == "inspection"

    before, files = counts(), stored_files(media)
    again = api.post(form(point, failed="ENV-2"))
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert counts() == before and stored_files(media) == files


def test_an_inspection_is_read_back_by_its_key_only_in_scope(point, inspector, cast):
    body = Api(inspector).post(form(point)).json()
    assert Api(cast.admin_a).get("/phone-0001").json()["id"] == body["id"]
    assert Api(cast.admin_a).get(f"/{body['id']}").status_code == 404  # not by its id
    assert Api(cast.admin_b).get("/phone-0001").status_code == 404
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street)
    assert Api(handler).get("/phone-0001").status_code == 404


def _refused(api: Api, data: dict[str, Any], media: Path, status: int = 400) -> dict[str, Any]:
    before, files = counts(), stored_files(media)
    response = api.post(data)
    assert response.status_code == status, response.content
    assert counts() == before and stored_files(media) == files
    return response.json()["error"]


def test_bad_submissions_are_refused_with_the_field_named_and_nothing_stored(point, inspector, media, cast):
    api = Api(inspector)
    assert "items" in _refused(api, form(point, items="not json"), media)["fields"]
    assert "lon" in _refused(api, form(point, lon="abc"), media)["fields"]
    assert "lon" in _refused(api, form(point, lon="0", lat="0"), media)["fields"]
    assert "point" in _refused(api, form(point, point="NO-SUCH"), media)["fields"]
    assert "key" in _refused(api, form(point, key="short"), media)["fields"]
    missing_photo = form(point, failed="ENV-2")
    del missing_photo["photo_ENV-2"]
    assert "items.ENV-2" in _refused(api, missing_photo, media)["fields"]
    with_unknown = form(point)
    with_unknown["items"] = json.dumps([*json.loads(with_unknown["items"]), {"item": "BUS_STOP-4", "result": "pass"}])
    assert "BUS_STOP-4" in " ".join(_refused(api, with_unknown, media)["fields"]["items"])
    stray_photo = form(point, failed="ENV-2", **{"photo_NOPE-1": [jpeg("blue")]})
    assert "items" in _refused(api, stray_photo, media)["fields"]
    closed = form(point, started_at="2026-11-21T09:00:00+08:00")
    assert "day" in _refused(api, closed, media)["fields"]
    worker_b = f.UserFactory(username="worker_b", role=Role.GRID_WORKER, scope=cast.grid_b)
    assert _refused(Api(worker_b), form(point, failed="ENV-2"), media, 403)["code"] == "forbidden"
    assert Client().post("/api/inspections", form(point)).status_code == 401


def test_the_plan_of_the_day_in_walking_order_with_cases_to_verify(point, inspector, cast):
    other = f.PointFactory(code="A-ROAD", name="甲路", grid=cast.grid_a)
    plan = DailyPlan.objects.create(street=cast.street, day=dt.date(2026, 11, 23))
    Assignment.objects.create(plan=plan, person=inspector, point=other, position=1, reason="zero_loss")
    Assignment.objects.create(plan=plan, person=inspector, point=point, position=2, reason="verify")
    Assignment.objects.create(plan=plan, person=cast.grid_worker_a, point=f.PointFactory(grid=cast.grid_a),
                              position=1)
    case = case_services.report_case(by=inspector, source="inspection", category=Category.objects.get(code="XC01"),
                                     description="小广告", point=point)
    case_services.accept_case(case, by=SYSTEM)
    case_services.dispatch_case(case, by=SYSTEM, unit=point.primary_unit)
    Case.objects.filter(pk=case.pk).update(state=State.RECTIFIED)
    api = Api(inspector)
    api.post(form(point))

    visits = api.get("/plan", date="2026-11-23").json()
    assert [(v["point"], v["done"]) for v in visits] == [("A-ROAD", False), ("A-COMPOUND", True)]
    assert [c["number"] for c in visits[1]["to_verify"]] == [case.number] and visits[0]["to_verify"] == []
    assert api.get("/plan").json() == visits  # today by default
    assert api.get("/plan", date="2026-11-24").json() == []
    assert api.get("/plan", date="tomorrow").status_code == 422
