"""A client that speaks only the published GeoReport v2 standard: it discovers the endpoint, lists
the services, posts a request, reads it back, and sees it close after the street's staff act on
it through the case services, in XML and in JSON alike."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
import time_machine
from django.test import Client
from PIL import Image

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, State
from chuangcheng.evidence.services import accept_photo
from chuangcheng.public import services as public_services
from chuangcheng.public.models import Channel, Report
from chuangcheng.public.open311 import services
from tests.public.conftest import LAT, LON, Scene, jpeg, report, upload
from tests.public.open311 import FORMATS, call, text

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
MONDAY_9 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def key(scene: Scene) -> str:
    _client, key = services.issue_key(street=scene.cast.street, name="12345热线", by=scene.cast.street_admin)
    return key


@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery_names_the_endpoint_and_both_formats(client: Client, db: None, fmt: str) -> None:
    answer = call(client, "GET", "discovery", fmt)
    assert answer.status == 200
    endpoint = answer.body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2/"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert endpoint["type"] in {"production", "test"}
    assert answer.body["changeset"] and answer.body["key_service"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_public_active_leaf_categories(client: Client, db: None, fmt: str) -> None:
    from chuangcheng.cases.models import Category

    Category.objects.filter(code="SR01").update(public=False)
    Category.objects.filter(code="SR02").update(active=False)
    answer = call(client, "GET", "services", fmt)
    assert answer.status == 200
    by_code = {s["service_code"]: s for s in answer.body}
    assert "SR01" not in by_code and "SR02" not in by_code
    assert "SR" not in by_code  # a group is not a service
    expected = Category.objects.filter(public=True, active=True, parent__isnull=False).count()
    assert len(by_code) == expected
    xc01 = by_code["XC01"]
    assert xc01["service_name"] == "非法小广告"
    assert xc01["group"] == "宣传广告"
    assert text(xc01["metadata"]) == "false"
    assert xc01["type"] == "realtime"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_service_definition_lists_no_attributes(client: Client, db: None, fmt: str) -> None:
    answer = call(client, "GET", "services/XC01", fmt)
    assert answer.status == 200
    assert answer.body["service_code"] == "XC01"
    assert answer.body["attributes"] in ([], None)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_standard_client_posts_reads_back_and_sees_the_request_close(
        client: Client, scene: Scene, key: str, fmt: str) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        posted = call(client, "POST", "requests", fmt, {
            "api_key": key, "service_code": "XC01", "lat": str(LAT), "long": str(LON),
            "description": "路口电线杆上贴满小广告", "first_name": "李", "last_name": "四",
            "phone": "13900139000", "email": "li4@example.com", "device_id": "phone-7",
        })
        assert posted.status == 200, posted.body
        [receipt] = posted.body
        number = receipt["service_request_id"]
        assert "token" not in receipt  # never both: we answer with the id at once
        assert receipt["service_notice"]
        case = Case.objects.get(number=number)
        report = Report.objects.get(case=case)
        assert report.channel == Channel.OPEN311 and report.client is not None
        assert report.client.name == "12345热线"
        assert report.phone == "13900139000" and report.name == "李 四"
        assert case.state == State.REPORTED and case.grid == scene.cast.grid_a

        read = call(client, "GET", f"requests/{number}", fmt)
        assert read.status == 200
        [request] = read.body
        assert request["service_request_id"] == number
        assert request["status"] == "open"
        assert request["service_code"] == "XC01" and request["service_name"] == "非法小广告"
        assert request["description"] == "路口电线杆上贴满小广告"
        assert request["requested_datetime"] == "2026-11-30T09:00:00+08:00"
        assert request["updated_datetime"] == "2026-11-30T09:00:00+08:00"
        assert text(request["expected_datetime"]) is None  # no deadline before it is dispatched
        assert text(request["agency_responsible"]) is None
        assert float(request["lat"]) == LAT and float(request["long"]) == LON
        # Personal data never leaves: not in this answer, not anywhere in its bytes.
        for secret in [b"13900139000", b"li4@example.com", "李 四".encode(), b"phone-7"]:
            assert secret not in read.raw

        token = call(client, "GET", f"tokens/{report.code}", fmt)
        assert token.status == 200
        assert token.body == [{"service_request_id": number, "token": report.code}]

    admin, inspector = scene.cast.street_admin, scene.inspector
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=1), tick=False):
        cases.accept_case(case, by=admin)
        cases.dispatch_case(case, by=admin, unit=scene.unit)
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=3), tick=False):
        cases.start_rectification(case, by=scene.handler)
        photo = accept_photo(jpeg("green"), filename="after.jpg", by=scene.handler)
        cases.rectify_case(case, by=scene.handler, photos=[photo], note="已清除小广告")
    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=5), tick=False):
        middle = call(client, "GET", "requests", fmt, {"service_request_id": number}).body[0]
        assert middle["status"] == "open"
        assert middle["agency_responsible"] == "甲物业"
        assert middle["status_notes"] and "已清除小广告" not in middle["status_notes"]  # the unit's note is internal
        # XC01: one working day from Monday 10:00, counted to the close of Tuesday
        assert middle["expected_datetime"] == "2026-12-01T17:30:00+08:00"
        cases.verify_case(case, by=inspector, note="现场核查已整改")

    with time_machine.travel(MONDAY_9 + dt.timedelta(hours=6), tick=False):
        final = call(client, "GET", "requests", fmt, {"service_request_id": number}).body[0]
        assert final["status"] == "closed"
        assert final["status_notes"] not in {None, "", middle["status_notes"]}
        assert "现场核查已整改" not in final["status_notes"]
        assert final["updated_datetime"] == "2026-11-30T14:00:00+08:00"
        assert final["requested_datetime"] == "2026-11-30T09:00:00+08:00"

        closed = call(client, "GET", "requests", fmt, {"status": "closed"}).body
        assert [r["service_request_id"] for r in closed] == [number]
        assert call(client, "GET", "requests", fmt, {"status": "open"}).body == []

        feed = call(client, "GET", "servicerequestupdates", fmt, {
            "start_date": "2026-11-30T00:00:00+08:00", "end_date": "2026-11-30T23:59:59+08:00"}).body
        assert [(u["service_request_id"], u["status"]) for u in feed] == [
            (number, "FOR_TRIAGE"), (number, "INVESTIGATING"), (number, "ACTION_SCHEDULED"),
            (number, "IN_PROGRESS"), (number, "IN_PROGRESS"), (number, "FIXED")]
        assert feed[-1]["description"] == final["status_notes"]
        assert feed[-1]["updated_datetime"] == "2026-11-30T14:00:00+08:00"
        assert len({u["update_id"] for u in feed}) == 6


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_rejected_report_is_closed_with_the_reason_the_requester_sees(
        client: Client, scene: Scene, key: str, fmt: str) -> None:
    number = call(client, "POST", "requests", fmt, {
        "api_key": key, "service_code": "XC01", "lat": str(LAT), "long": str(LON), "description": "广告"}
    ).body[0]["service_request_id"]
    case = Case.objects.get(number=number)
    cases.reject_case(case, by=scene.cast.street_admin, reason="属于商户自有招牌，不属于违法小广告")
    [request] = call(client, "GET", f"requests/{number}", fmt).body
    assert request["status"] == "closed"
    assert request["status_notes"].endswith(": 属于商户自有招牌，不属于违法小广告")  # the reason is for the public
    feed = call(client, "GET", "servicerequestupdates", fmt).body
    assert feed[-1]["status"] == "NOT_COUNCILS_RESPONSIBILITY"


@pytest.mark.parametrize("fmt", FORMATS)
def test_html_in_text_is_stored_as_text_and_escaped_on_the_way_out(
        client: Client, scene: Scene, key: str, fmt: str) -> None:
    html = '<script>alert("x")</script><b>垃圾</b> & more'
    number = call(client, "POST", "requests", fmt, {
        "api_key": key, "service_code": "XC01", "lat": str(LAT), "long": str(LON), "description": html}
    ).body[0]["service_request_id"]
    assert Case.objects.get(number=number).description == html
    answer = call(client, "GET", f"requests/{number}", fmt)
    assert answer.body[0]["description"] == html
    assert b"<script>" not in answer.raw and b"<b>" not in answer.raw


def _post(client: Client, key: str, fmt: str = "json", **data: Any) -> Any:
    return call(client, "POST", "requests", fmt, {"api_key": key, "service_code": "XC01", **data})


def test_an_address_alone_goes_to_the_subdistrict_for_the_office_to_place(
        client: Client, scene: Scene, key: str) -> None:
    answer = _post(client, key, address_string="光明路12号门口", description="小广告")
    assert answer.status == 200
    case = Case.objects.get(number=answer.body[0]["service_request_id"])
    assert case.address == "光明路12号门口"
    assert case.grid.path.startswith(scene.cast.street.path)
    assert case.lat is None


def test_an_address_id_is_the_code_of_one_of_our_points(client: Client, scene: Scene, key: str) -> None:
    from tests import factories as f

    f.PointFactory(code="A-GATE", name="甲小区东门", grid=scene.cast.grid_a, address="光明路1号")
    answer = _post(client, key, address_id="A-GATE")
    assert answer.status == 200
    [request] = call(client, "GET", f"requests/{answer.body[0]['service_request_id']}", "json").body
    assert request["address"] == "光明路1号"
    assert request["description"] == "非法小广告"  # no description: the service's name stands in
    assert (request["lat"], request["long"]) == (40.82, 111.65)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_location_outside_the_keys_subdistrict_is_refused(
        client: Client, scene: Scene, key: str, fmt: str) -> None:
    from tests import factories as f

    other_street = f.street(scene.cast.district, code="150103002", name="环河街街道")
    other_community = f.community(other_street, code="150103002001", name="丙社区",
                                  boundary=f.square(111.800, 40.820, 0.01))
    f.grid(other_community, code="150103002001-01", name="丙一网格", boundary=f.square(111.800, 40.820))
    answer = _post(client, key, fmt, lat="40.82", long="111.80", description="小广告")
    assert answer.status == 400
    [error] = answer.body
    assert text(error["code"]) == "400"
    assert "光明路街道" in error["description"]
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_revoked_key_is_refused_with_403(client: Client, scene: Scene, fmt: str) -> None:
    holder, key = services.issue_key(street=scene.cast.street, name="旧App", by=scene.cast.street_admin)
    assert _post(client, key, fmt, lat=str(LAT), long=str(LON)).status == 200
    services.revoke_key(holder, by=scene.cast.street_admin)
    answer = _post(client, key, fmt, lat=str(LAT), long=str(LON))
    assert answer.status == 403
    assert text(answer.body[0]["code"]) == "403"
    assert Case.objects.count() == 1


def test_a_media_url_is_never_fetched_but_kept_for_staff(client: Client, scene: Scene, key: str) -> None:
    answer = _post(client, key, lat=str(LAT), long=str(LON), description="小广告",
                   media_url="http://127.0.0.1:9/never-fetched.jpg")
    assert answer.status == 200
    case = Case.objects.get(number=answer.body[0]["service_request_id"])
    assert "http://127.0.0.1:9/never-fetched.jpg" in case.description
    assert case.events.get(action="report").photos.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_media_url_is_the_public_exif_free_photo_and_goes_when_a_moderator_hides_it(
        client: Client, scene: Scene, fmt: str) -> None:
    resident = report(scene, photos=[upload("red", exif=True)])
    number = resident.case.number
    [request] = call(client, "GET", f"requests/{number}", fmt).body
    photo = resident.case.events.get(action="report").photos.get()
    assert request["media_url"] == f"http://testserver/r/p/{photo.sha256}.jpg"
    image = client.get(request["media_url"].removeprefix("http://testserver"))
    assert image.status_code == 200
    assert not Image.open(io.BytesIO(image.content)).getexif()

    public_services.hide_photo(resident.case, photo, by=scene.cast.street_admin, reason="拍到了人脸")
    [request] = call(client, "GET", f"requests/{number}", fmt).body
    assert text(request["media_url"]) is None


@pytest.mark.parametrize("fmt", FORMATS)
def test_extensions_add_the_channel_photos_and_public_history(client: Client, scene: Scene, key: str,
                                                              fmt: str) -> None:
    number = _post(client, key, fmt, lat=str(LAT), long=str(LON), description="小广告").body[0]["service_request_id"]
    case = Case.objects.get(number=number)
    cases.accept_case(case, by=scene.cast.street_admin, note="内部备注：请尽快")
    [plain] = call(client, "GET", f"requests/{number}", fmt).body
    assert "notes" not in plain
    [request] = call(client, "GET", f"requests/{number}", fmt, {"extensions": "true"}).body
    assert request["extended_attributes"]["channel"] == "open311"
    assert len(request["notes"]) == 2
    assert all(n["type"] == "status_change" for n in request["notes"])
    assert all("内部备注" not in n["description"] for n in request["notes"])
