"""An Open311 client that is a hotline's system: its requests are its work orders (source and key
shown), not residents' reports, outside the residents' limits and within its own."""

from __future__ import annotations

import pytest

from chuangcheng.hotline.models import OrderSource, WorkOrder
from chuangcheng.public.models import Report
from chuangcheng.public.open311 import services as open311
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
GOOD = {"service_code": "XC01", "lat": "40.820", "long": "111.700", "description": "路边小广告",
        "first_name": "钱", "last_name": "七", "phone": "13600001111"}


@pytest.fixture
def key(scene):
    return open311.issue_key(street=scene.cast.street, name="市12345平台", by=None, sends_orders=True)[1]


def test_a_hotline_systems_request_is_its_work_order_not_a_residents_report(scene, key, client):
    response = client.post(f"{BASE}requests.json", {**GOOD, "api_key": key, "attribute[work_order]": "SZ-778"})
    assert response.status_code == 200, response.content
    order = WorkOrder.objects.get()
    assert (order.number, order.source, order.source_system, order.source_key) == (
        "SZ-778", OrderSource.OPEN311, "市12345平台", "SZ-778")
    assert response.json()[0]["service_request_id"] == order.case.number
    assert order.case.grid == scene.cast.grid_b
    assert Report.objects.count() == 0
    page = client_for(scene.cast.street_admin).get("/hotline/SZ-778/").content.decode()
    assert "市12345平台" in page and "SZ-778" in page
    again = client.post(f"{BASE}requests.json", {**GOOD, "api_key": key, "attribute[work_order]": "SZ-778"})
    assert again.status_code == 200 and WorkOrder.objects.count() == 1


def test_a_hotline_system_is_outside_the_residents_limits_but_has_its_own(scene, key, client, settings):
    settings.PUBLIC_REPORTS_PER_HOUR = 1
    settings.PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR = 1
    settings.OPEN311_ORDERS_PER_HOUR = 3
    for n in range(3):
        assert client.post(f"{BASE}requests.json", {**GOOD, "api_key": key,
                                                    "attribute[work_order]": f"SZ-{n}"}).status_code == 200
    refused = client.post(f"{BASE}requests.json", {**GOOD, "api_key": key, "attribute[work_order]": "SZ-9"})
    assert refused.status_code == 400
    assert "3" in refused.json()[0]["description"]
    assert WorkOrder.objects.count() == 3


def test_a_residents_app_key_still_files_residents_reports(scene, client):
    app_key = open311.issue_key(street=scene.cast.street, name="随手拍", by=None)[1]
    assert client.post(f"{BASE}requests.json", {**GOOD, "api_key": app_key}).status_code == 200
    assert Report.objects.count() == 1 and WorkOrder.objects.count() == 0


def test_a_hotline_systems_location_outside_its_street_is_refused(scene, key, client):
    response = client.post(f"{BASE}requests.json", {**GOOD, "api_key": key, "lat": "40.900", "long": "111.900"})
    assert response.status_code == 400
    assert WorkOrder.objects.count() == 0
