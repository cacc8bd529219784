"""The report page (no account): a good report leads to the tracking page with the code, bad input
is answered with the form again (400), a flood with 429; nearby duplicates and "follow instead"."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chuangcheng.cases.models import Case
from chuangcheng.public.models import Follower, Report
from chuangcheng.public.views import DEVICE_COOKIE
from tests.public.conftest import LAT, LON, Scene, report, upload


def form(scene: Scene, **kw: Any) -> dict[str, Any]:
    data = {"category": scene.category.code, "description": "楼下墙上贴满小广告", "lon": str(LON), "lat": str(LAT)}
    data.update(kw)
    return data


def test_the_page_opens_without_an_account_and_sets_a_device_cookie(scene: Scene) -> None:
    response = Client().get("/r/")
    assert response.status_code == 200
    assert DEVICE_COOKIE in response.cookies
    assert response.cookies[DEVICE_COOKIE]["httponly"]
    assert 'value="XC01"' in response.content.decode()


def test_a_report_with_a_photo_leads_to_its_tracking_page(scene: Scene) -> None:
    client = Client()
    client.get("/r/")
    response = client.post("/r/", form(scene, photos=[upload("red")]))
    assert response.status_code == 302
    made = Report.objects.get()
    assert response["Location"] == f"/r/t/{made.code}/?new=1"
    page = client.get(response["Location"]).content.decode()
    assert made.code in page and 'id="report-sent"' in page
    # the device that reported is recognised: it may erase its data
    assert 'id="erase"' in page
    assert made.device and made.device != client.cookies[DEVICE_COOKIE].value


def test_bad_input_shows_the_form_again_with_messages(scene: Scene) -> None:
    fake = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    response = Client().post("/r/", form(scene, description="", lon="116.4", lat="39.9", photos=[fake]))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_description_errors"' in body
    assert Case.objects.count() == 0


def test_a_location_outside_every_grid_is_refused_on_the_page(scene: Scene) -> None:
    response = Client().post("/r/", form(scene, lon="116.4", lat="39.9"))
    assert response.status_code == 400
    assert 'id="id_location_errors"' in response.content.decode()


def test_a_flood_is_answered_with_429_and_keeps_what_was_stored(scene: Scene, settings: Any) -> None:
    settings.PUBLIC_REPORTS_PER_HOUR = 2
    client = Client()
    client.get("/r/")
    assert client.post("/r/", form(scene)).status_code == 302
    assert client.post("/r/", form(scene)).status_code == 302
    assert client.post("/r/", form(scene)).status_code == 429
    assert Report.objects.count() == 2


def test_nearby_open_cases_of_the_same_kind_are_offered(scene: Scene) -> None:
    near = report(scene, photos=[upload("red")], lon=LON + 0.0005, lat=LAT)  # about 42 m east
    report(scene, lon=LON + 0.0015, lat=LAT)  # about 126 m: too far
    other_kind = report(scene, category=type(scene.category).objects.get(code="SR02"))
    data = Client().get("/r/nearby/", {"category": "XC01", "lon": LON, "lat": LAT}).json()
    assert [c["number"] for c in data["cases"]] == [near.case.number]
    assert data["cases"][0]["distance_m"] == 42
    assert len(data["cases"][0]["photos"]) == 1
    assert Client().get(data["cases"][0]["photos"][0]).status_code == 200
    assert other_kind.case.number not in str(data)


def test_nearby_refuses_bad_input(scene: Scene) -> None:
    assert Client().get("/r/nearby/", {"category": "XC01", "lon": "x", "lat": "1"}).status_code == 400
    assert Client().get("/r/nearby/", {"category": "NOPE", "lon": "1", "lat": "1"}).status_code == 400


def test_following_instead_creates_no_case(scene: Scene) -> None:
    first = report(scene)
    client = Client()
    client.get("/r/")
    response = client.post(f"/r/follow/{first.case.number}/")
    follower = Follower.objects.get()
    assert response["Location"] == f"/r/t/{follower.code}/?new=1"
    assert Case.objects.count() == 1 and follower.case == first.case
    # following again from the same phone gives the same code
    client.post(f"/r/follow/{first.case.number}/")
    assert Follower.objects.count() == 1
    page = client.get(f"/r/t/{follower.code}/").content.decode()
    assert 'data-state="reported"' in page
