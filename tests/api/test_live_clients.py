"""The contract with mobile clients, over real HTTP: a live server on 127.0.0.1 and a client that
sends only its bearer token (no cookie, no CSRF token), as a phone app does. Django's test client
skips parts of the request cycle; this does not."""

from __future__ import annotations

import datetime as dt
import io
import json
import secrets
import urllib.error
import urllib.request
from typing import Any

import pytest
import time_machine
from PIL import Image

from chuangcheng.cases.models import Case, State
from chuangcheng.inspections.queries.records import checklist_of
from chuangcheng.org.models import Role, Unit
from chuangcheng.org.services import create_api_token
from chuangcheng.standards.models import PointType
from tests import factories as f

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def migrated_after(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """A live server's test flushes the database, the data migrations' rows too (categories,
    catalog): the tests after this module get them back."""
    yield
    with django_db_blocker.unblock():
        django_db_setup.restore()


@pytest.fixture(autouse=True)
def migrated(transactional_db: None, django_db_setup: Any) -> None:
    """Each test starts from the database as migrations left it."""
    django_db_setup.restore()


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def jpeg(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return out.getvalue()


class Phone:
    """A phone app: its token in the Authorization header, nothing else."""

    def __init__(self, base: str, user: Any) -> None:
        assert base.startswith("http://localhost:") or base.startswith("http://127.0.0.1:")
        self.base = base.replace("localhost", "127.0.0.1")
        _token, self.key = create_api_token(user, name="手机")

    def send(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, Any]:
        request = urllib.request.Request(self.base + path, data=body, method=method)  # noqa: S310 - loopback
        request.add_header("Authorization", f"Bearer {self.key}")
        if content_type:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
                assert "Set-Cookie" not in response.headers or "sessionid" not in response.headers["Set-Cookie"]
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"null")

    def get(self, path: str) -> Any:
        status, body = self.send("GET", path)
        assert status == 200, body
        return body

    def post(self, path: str, data: dict[str, Any], status: int = 200) -> Any:
        got, body = self.send("POST", path, json.dumps(data).encode(), "application/json")
        assert got == status, body
        return body

    def form(self, path: str, fields: dict[str, str], files: dict[str, bytes] | None = None,
             status: int = 200) -> Any:
        boundary = "----cc" + secrets.token_hex(8)
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, content in (files or {}).items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.jpg"\r\n'
                         f"Content-Type: image/jpeg\r\n\r\n".encode() + content + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        got, body = self.send("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")
        assert got == status, body
        return body


def test_a_phone_with_only_a_token_takes_a_case_from_report_to_verification(live_server, scene, media):
    cast = scene.cast
    worker, admin = Phone(live_server.url, cast.grid_worker_a), Phone(live_server.url, cast.street_admin)
    handler, inspector = Phone(live_server.url, scene.handler), Phone(live_server.url, scene.inspector)

    case = worker.form("/api/cases", {"category": "XC01", "description": "电线杆上有小广告", "source": "inspection",
                                      "point": scene.point.code}, {"photos": jpeg("red")}, status=201)
    number = case["number"]
    step = admin.post(f"/api/cases/{number}/accept", {"version": case["version"]})
    step = admin.post(f"/api/cases/{number}/dispatch", {"version": step["version"]})
    assert step["state"] == "dispatched" and step["unit"] == scene.unit.code
    step = handler.form(f"/api/cases/{number}/rectify", {"note": "撕掉了"}, {"photos": jpeg("blue")})
    assert step["state"] == "rectified"
    step = inspector.form(f"/api/cases/{number}/verify", {"version": str(step["version"])})
    assert step["state"] == "closed"
    assert Case.objects.get(number=number).state == State.CLOSED
    assert handler.get(f"/api/cases/{number}")["state"] == "closed"


def test_a_phone_with_only_a_token_submits_an_inspection(live_server, cast, media):
    unit = f.UnitFactory(code="JW-A", name="甲社区居委会", kind=Unit.Kind.COMMUNITY, region=cast.community_a)
    point = f.PointFactory(code="A-COMPOUND", name="甲小区", grid=cast.grid_a, primary_unit=unit,
                           point_type=PointType.objects.get(code="COMPOUND"))
    inspector = Phone(live_server.url, f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street))
    items = [{"item": i.code, "result": "pass",
              **({"count": int(i.threshold)} if i.measure in {"count", "rate"} else {})} for i in checklist_of(point)]
    failed = "ENV-2"  # 乱贴乱画: counted in occurrences
    next(row for row in items if row["item"] == failed).update(result="fail", count=2, note="电线杆上")
    body = inspector.form("/api/inspections", {"point": point.code, "key": "phone-0001", "lon": "111.6501",
                                               "lat": "40.8201", "started_at": "2026-11-23T08:40:00+08:00",
                                               "items": json.dumps(items)},
                          {f"photo_{failed}": jpeg("red")}, status=201)
    assert body["failed_count"] == 1 and body["key"] == "phone-0001"
    assert next(r for r in body["results"] if r["item"] == failed)["case_opened"]


def test_a_browser_session_still_needs_its_csrf_token(cast):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.street_admin)
    response = browser.post("/api/cases/CC-20261123-0001/accept", "{}", content_type="application/json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf"
    assert "刷新页面" in response.json()["error"]["message"]


def test_a_phone_with_only_a_token_takes_a_12345_work_order_from_signing_to_finishing(live_server, scene, media):
    from chuangcheng.hotline import services as hotline
    from chuangcheng.hotline.models import OrderSource, WorkOrder

    cast = scene.cast
    order, _outcome = hotline.receive_order(
        hotline.Incoming(number="GD20261123001", request="小区门口垃圾堆放多日无人清理", received_at=MONDAY,
                         caller_name="张三丰", caller_phone="13812345678", point_code=scene.point.code),
        street=cast.street, source=OrderSource.EXCEL, source_system="12345")
    admin, stranger = Phone(live_server.url, cast.street_admin), Phone(live_server.url, cast.admin_b)
    path = f"/api/hotline/{order.number}"

    listed = admin.get("/api/hotline?state=received")["items"]
    assert [row["number"] for row in listed] == [order.number] and listed[0]["caller"] == "张**"
    read = admin.get(path)
    assert read["state"] == "received" and read["allowed_actions"][0] == "sign"
    assert stranger.send("GET", path)[0] == 404  # another community's admin does not see it

    step = admin.post(f"{path}/sign", {"version": read["version"]})
    assert step["state"] == "signed" and step["signed_at"] is not None
    assert admin.post(f"{path}/sign", {"version": read["version"]}, status=409)["error"]["code"] == "conflict"
    assert admin.post(f"{path}/finish", {"version": step["version"]}, status=409)["error"]["code"] == "not_allowed"
    assert "answer" in admin.post(f"{path}/answer", {"answer": "  "}, status=400)["error"]["fields"]
    step = admin.post(f"{path}/answer", {"answer": "已联系物业当日清运", "version": step["version"]})
    step = admin.post(f"{path}/finish", {"version": step["version"]})
    assert step["state"] == "finished"
    assert [e["action"] for e in step["events"]] == ["receive", "sign", "answer", "finish"]
    assert WorkOrder.objects.get(number=order.number).answer == "已联系物业当日清运"
