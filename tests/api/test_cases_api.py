"""The case API: one case walked through every transition by the people who do them, and every
refusal answered with the error format and the right status, never a 500."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client
from PIL import Image

from chuangcheng.cases.models import Case, CaseCounter, CaseEvent, State
from chuangcheng.evidence.models import Photo
from chuangcheng.org.models import Role
from chuangcheng.org.services import create_api_token
from tests import factories as f
from tests.cases.conftest import dispatched, reported
from tests.conftest import stored_files

# A Monday morning in office hours, far from holidays.
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def jpeg(color: str) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    out.seek(0)
    out.name = f"{color}.jpg"
    return out


def not_an_image(name: str = "IMG_0001.jpg") -> io.BytesIO:
    out = io.BytesIO(b"This is a text file, not a photo.\n" * 20)
    out.name = name
    return out


class Api:
    """A client for one user: with a personal token, or with a browser session."""

    def __init__(self, user: Any, *, token: bool = True) -> None:
        self.client = Client(raise_request_exception=False)
        self.headers: dict[str, str] = {}
        if token:
            _token, key = create_api_token(user, name="手机")
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        else:
            # A browser session sends the CSRF token its pages gave it (the client checks CSRF here).
            self.client.force_login(user)
            self.client.get("/")
            self.headers["HTTP_X_CSRFTOKEN"] = self.client.cookies["csrftoken"].value

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/cases{path}", params, **self.headers)

    def post(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/cases{path}", data or {}, content_type="application/json", **self.headers)

    def form(self, path: str, data: dict[str, Any]) -> Any:
        return self.client.post(f"/api/cases{path}", data, **self.headers)  # multipart


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.content
    return response.json()


def refused(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    if code is not None:
        assert error["code"] == code
    assert error["message"]
    return error


def test_a_case_walks_through_every_transition_over_the_api(scene, media):
    cast = scene.cast
    worker, admin = Api(cast.grid_worker_a), Api(cast.street_admin, token=False)
    handler, inspector = Api(scene.handler), Api(scene.inspector)

    case = ok(worker.form("", {"category": "XC01", "description": "电线杆上有小广告", "source": "inspection",
                               "point": scene.point.code, "photos": [jpeg("red")]}), 201)
    number = case["number"]
    assert case["state"] == "reported" and case["point"] == scene.point.code and case["grid"] == cast.grid_a.code
    before = case["events"][0]["photos"]
    assert len(before) == 1
    assert Photo.objects.get(sha256=before[0]).watermark.endswith("甲小区 · " + cast.grid_worker_a.display_name)
    assert case["allowed_actions"] == []  # a grid worker reports, the admins triage

    seen = ok(admin.get(f"/{number}"))
    assert seen["allowed_actions"] == ["accept", "reject"]
    step = ok(admin.post(f"/{number}/accept", {"version": seen["version"]}))
    assert step["state"] == "accepted" and step["suggested_unit"] == scene.unit.code
    step = ok(admin.post(f"/{number}/dispatch", {"version": step["version"]}))  # the suggested unit
    assert step["unit"] == scene.unit.code and step["deadline"] is not None
    step = ok(handler.post(f"/{number}/send-back", {"reason": "不归我们管"}))
    assert step["state"] == "accepted" and step["wrong_unit_count"] == 1
    step = ok(admin.post(f"/{number}/dispatch", {"unit": scene.other_unit.code}))
    step = ok(admin.post(f"/{number}/redispatch", {"unit": scene.unit.code, "note": "还是物业的"}))
    assert step["unit"] == scene.unit.code

    assert "start" in ok(handler.get(f"/{number}"))["allowed_actions"]
    step = ok(handler.post(f"/{number}/start", {"note": "马上去"}))
    assert step["state"] == "rectifying" and step["handler"] == scene.handler.display_name
    step = ok(handler.post(f"/{number}/request-extension",
                           {"until": "2026-11-27T18:00:00+08:00", "reason": "需要协调电力公司"}))
    assert "decide-extension" in ok(admin.get(f"/{number}"))["allowed_actions"]
    step = ok(admin.post(f"/{number}/decide-extension", {"grant": True, "version": step["version"]}))
    assert dt.datetime.fromisoformat(step["deadline"]) == dt.datetime.fromisoformat("2026-11-27T18:00:00+08:00")
    step = ok(admin.post(f"/{number}/suspend", {"reason": "等待产权单位确认"}))
    assert step["state"] == "suspended" and step["allowed_actions"] == ["resume"]
    step = ok(admin.post(f"/{number}/resume", {}))
    assert step["state"] == "rectifying"

    refused(handler.form(f"/{number}/rectify", {"note": "撕掉了"}), 400)
    assert Case.objects.get(number=number).state == State.RECTIFYING
    step = ok(handler.form(f"/{number}/rectify", {"note": "撕掉了", "photos": [jpeg("blue")]}))
    assert step["state"] == "rectified"
    assert "verify" not in step["allowed_actions"]  # the handler may not verify their own work
    step = ok(inspector.form(f"/{number}/rework", {"note": "还有两张"}))
    assert step["state"] == "rectifying" and step["rework_count"] == 1
    step = ok(handler.form(f"/{number}/rectify", {"photos": [jpeg("green"), jpeg("white")]}))
    step = ok(inspector.form(f"/{number}/verify", {"photos": [jpeg("gray")], "version": str(step["version"])}))
    assert step["state"] == "closed" and step["resolution"] == "fixed"
    step = ok(inspector.form(f"/{number}/reopen", {"note": "又贴上了", "photos": [jpeg("yellow")]}))
    assert step["state"] == "dispatched" and step["reopen_count"] == 1
    step = ok(handler.form(f"/{number}/rectify", {"photos": [jpeg("black")]}))
    step = ok(inspector.form(f"/{number}/verify", {}))
    assert step["state"] == "closed"

    assert [(e["action"], e["from_state"], e["to_state"]) for e in step["events"]] == [
        ("report", "", "reported"), ("accept", "reported", "accepted"), ("dispatch", "accepted", "dispatched"),
        ("send_back", "dispatched", "accepted"), ("dispatch", "accepted", "dispatched"),
        ("redispatch", "dispatched", "dispatched"), ("start", "dispatched", "rectifying"),
        ("request_extension", "rectifying", "rectifying"), ("grant_extension", "rectifying", "rectifying"),
        ("suspend", "rectifying", "suspended"), ("resume", "suspended", "rectifying"),
        ("rectify", "rectifying", "rectified"), ("return_for_rework", "rectified", "rectifying"),
        ("rectify", "rectifying", "rectified"), ("verify", "rectified", "closed"),
        ("reopen", "closed", "dispatched"), ("rectify", "dispatched", "rectified"), ("verify", "rectified", "closed"),
    ]
    assert [len(e["photos"]) for e in step["events"] if e["photos"]] == [1, 1, 2, 1, 1, 1]
    assert CaseEvent.objects.filter(case__number=number).count() == 18
    assert Photo.objects.count() == 7

    # Every photo of the timeline can be fetched in each variant, by anyone who sees the case.
    rectified = step["events"][11]["photos"][0]
    thumb = worker.get(f"/{number}/photos/{rectified}", variant="thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size[0] <= 320
    assert admin.get(f"/{number}/photos/{rectified}", variant="original").status_code == 200


def test_a_rejected_report_tells_why(scene, media):
    admin = Api(scene.cast.admin_a)
    case = reported(scene)
    step = ok(admin.post(f"/{case.number}/reject", {"reason": "重复上报", "resolution": "duplicate"}))
    assert step["state"] == "rejected" and step["resolution"] == "duplicate"
    assert step["events"][-1]["note"] == "重复上报" and step["allowed_actions"] == []


def test_a_case_outside_the_callers_region_is_not_found_for_reading_and_acting(scene, media):
    case = dispatched(scene)
    other_handler = f.UserFactory(role=Role.UNIT_HANDLER, scope=scene.cast.street,
                                  person=f.PersonFactory(region=scene.cast.street, unit=scene.other_unit))
    for user in (scene.cast.admin_b, other_handler):
        api = Api(user)
        refused(api.get(f"/{case.number}"), 404, "not_found")
        refused(api.post(f"/{case.number}/suspend", {"reason": "越权"}), 404, "not_found")
        refused(api.form(f"/{case.number}/rectify", {"photos": [jpeg("red")]}), 404, "not_found")
        assert ok(api.get(""))["count"] == 0
    assert Case.objects.get(pk=case.pk).version == case.version
    assert Photo.objects.count() == 0


def test_a_role_that_may_not_act_gets_403_and_nothing_changes(scene, media):
    case = dispatched(scene)
    worker, handler, admin = Api(scene.cast.grid_worker_a), Api(scene.handler), Api(scene.cast.street_admin)
    refused(worker.post(f"/{case.number}/suspend", {"reason": "想挂账"}), 403, "forbidden")
    refused(handler.post(f"/{case.number}/redispatch", {"unit": scene.other_unit.code, "note": "转城管"}), 403,
            "forbidden")
    # The street admin rectifies; verifying their own work is refused before the photo is looked at.
    ok(admin.form(f"/{case.number}/rectify", {"photos": [jpeg("red")]}))
    refused(admin.form(f"/{case.number}/verify", {"photos": [jpeg("blue")]}), 403, "forbidden")
    assert Case.objects.get(pk=case.pk).state == State.RECTIFIED
    assert Photo.objects.count() == 1


def test_a_report_at_a_location_outside_the_callers_region_is_forbidden(scene, media):
    admin_a = Api(scene.cast.admin_a)
    refused(admin_a.form("", {"category": "XC01", "description": "乙社区的小广告", "lon": "111.700",
                              "lat": "40.820", "photos": [jpeg("red")]}), 403, "forbidden")
    refused(admin_a.form("", {"category": "XC01", "description": "乙社区的小广告", "grid": scene.cast.grid_b.code}),
            400, "invalid")
    assert not Case.objects.exists() and not Photo.objects.exists()
    assert stored_files(media) == []


def test_a_wrong_state_and_a_stale_version_are_conflicts(scene, media):
    admin, inspector = Api(scene.cast.street_admin), Api(scene.inspector)
    case = reported(scene)
    assert refused(inspector.form(f"/{case.number}/verify", {}), 409, "not_allowed")
    seen = ok(admin.get(f"/{case.number}"))["version"]
    ok(admin.post(f"/{case.number}/accept", {"version": seen}))
    refused(admin.post(f"/{case.number}/dispatch", {"version": seen}), 409, "conflict")
    refused(admin.post(f"/{case.number}/accept", {}), 409, "not_allowed")
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.unit is None and case.events.count() == 2


def test_a_text_file_named_jpg_is_refused_and_nothing_is_stored(scene, media):
    worker = Api(scene.cast.grid_worker_a)
    report = {"category": "XC01", "description": "小广告", "point": scene.point.code}
    error = refused(worker.form("", {**report, "photos": [not_an_image()]}), 400, "invalid")
    assert "photos" in error["fields"]
    # A good photo before the bad one is not kept either: no row, no file.
    refused(worker.form("", {**report, "photos": [jpeg("red"), not_an_image()]}), 400, "invalid")
    assert not Case.objects.exists() and not CaseEvent.objects.exists()
    assert not Photo.objects.exists() and not CaseCounter.objects.filter(last__gt=0).exists()
    assert stored_files(media) == []


def test_a_refused_step_keeps_none_of_its_photos(scene, media):
    case = dispatched(scene)
    handler = Api(scene.handler)
    refused(handler.form(f"/{case.number}/rectify", {"photos": [jpeg("red")], "note": "x" * 2001}), 400)
    assert not Photo.objects.exists() and stored_files(media) == []


def test_a_unit_code_outside_the_region_is_a_field_error(scene, media):
    case = reported(scene)
    admin_a = Api(scene.cast.admin_a)
    ok(admin_a.post(f"/{case.number}/accept"))
    far = f.UnitFactory(code="FAR", region=scene.cast.community_b)
    for code in ("NOPE", far.code):
        assert "unit" in refused(admin_a.post(f"/{case.number}/dispatch", {"unit": code}), 400, "invalid")["fields"]
    assert Case.objects.get(pk=case.pk).state == State.ACCEPTED


def test_a_photo_is_served_only_through_a_case_it_belongs_to(scene, media):
    from tests.cases.conftest import photo

    admin = Api(scene.cast.street_admin)
    worker = Api(scene.cast.grid_worker_a)
    report = {"category": "XC01", "description": "小广告", "point": scene.point.code}
    first = ok(worker.form("", {**report, "photos": [jpeg("red")]}), 201)
    second = ok(worker.form("", report), 201)
    on_first = first["events"][0]["photos"][0]
    stranger = photo(scene.cast.street_admin, "orange")  # on no case
    assert admin.get(f"/{first['number']}/photos/{on_first}").status_code == 200
    refused(admin.get(f"/{second['number']}/photos/{on_first}"), 404, "not_found")
    refused(admin.get(f"/{first['number']}/photos/{stranger.sha256}"), 404, "not_found")
    refused(Api(scene.cast.admin_b).get(f"/{first['number']}/photos/{on_first}"), 404, "not_found")


def test_lists_are_filtered_paginated_and_take_a_fixed_number_of_queries(scene, media, django_assert_max_num_queries):
    admin = Api(scene.cast.street_admin)
    for _ in range(3):
        reported(scene)
    dispatched(scene)
    with django_assert_max_num_queries(6):
        page = ok(admin.get("", limit=2))
    assert page["count"] == 4 and len(page["items"]) == 2
    assert ok(admin.get("", state="dispatched"))["count"] == 1
    assert ok(admin.get("", state="open", category="XC01", region=scene.cast.grid_a.code))["count"] == 4
    assert ok(admin.get("", region=scene.cast.community_b.code))["count"] == 0
    assert ok(Api(scene.handler).get("", mine="true"))["count"] == 1
    categories = ok(admin.get("/categories"))
    xc01 = next(c for c in categories if c["code"] == "XC01")
    assert xc01["group"] and xc01["limit_amount"] >= 1


MALFORMED: list[tuple[str, str, Any]] = [
    ("post", "/{n}/request-extension", {"until": "next tuesday", "reason": "协调"}),
    ("post", "/{n}/request-extension", {"until": "2026-13-45T99:00", "reason": "协调"}),
    ("post", "/{n}/request-extension", {"reason": "协调"}),
    ("post", "/{n}/request-extension", {"until": "2026-11-20T09:00:00+08:00", "reason": "早于期限"}),
    ("post", "/{n}/explode", {}),
    ("post", "/{n}/photos", {}),
    ("post", "/{n}/decide-extension", {"grant": "maybe"}),
    ("post", "/{n}/decide-extension", {"grant": True}),  # nothing requested
    ("post", "/{n}/suspend", {}),
    ("post", "/{n}/suspend", {"reason": "   "}),
    ("post", "/{n}/reject", {"reason": "x", "resolution": "fixed"}),
    ("post", "/{n}/accept", {"version": "abc"}),
    ("post", "/{n}/accept", "not json at all"),
    ("post", "/{n}/accept", [1, 2, 3]),
    ("post", "/{n}/redispatch", {"unit": "", "note": ""}),
    ("post", "/GM-00000000-0000/accept", {}),
    ("post", "/" + "9" * 500 + "/accept", {}),
    ("form", "", {}),
    ("form", "", {"category": "NOPE", "description": "x"}),
    ("form", "", {"category": "XC01", "description": ""}),
    ("form", "", {"category": "XC01", "description": "x", "lon": "east", "lat": "40.82"}),
    ("form", "", {"category": "XC01", "description": "x", "lon": "0", "lat": "0"}),
    ("form", "", {"category": "XC01", "description": "x", "point": "NOPE"}),
    ("form", "", {"category": "XC01", "description": "x", "grid": "NOPE", "severity": "panic"}),
    ("form", "/{n}/rectify", {"version": "two"}),
    ("form", "/{n}/reopen", {}),
    ("get", "/{n}/photos/" + "0" * 64, {"variant": "huge"}),
    ("get", "/{n}/photos/" + "0" * 64, {}),
    ("get", "", {"overdue": "perhaps", "limit": "-1"}),
    ("get", "", {"limit": "many"}),
]


@pytest.mark.parametrize(("method", "path", "body"), MALFORMED)
def test_malformed_requests_get_an_error_never_a_500(scene, media, method, path, body):
    case = dispatched(scene)
    api = Api(scene.cast.street_admin)
    path = path.format(n=case.number)
    if method == "post":
        response = api.client.post(f"/api/cases{path}", body, content_type="application/json", **api.headers)
    elif method == "form":
        response = api.form(path, body)
    else:
        response = api.get(path, **body)
    assert response.status_code in {400, 404, 405, 409, 422}, response.content
    assert response.json()["error"]["code"] in {"invalid", "not_found", "not_allowed", "conflict"}
    assert Case.objects.get(pk=case.pk).version == case.version
