"""Points changed in the back office go through save_point: its scope rule and its audit event."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from chuangcheng.core.models import AuditEvent
from chuangcheng.org.services import grant_back_office
from chuangcheng.places import services
from chuangcheng.places.models import Point
from tests import factories as f
from tests.conftest import Cast
from tests.org.test_back_office import admin_form_data


def point_events(code: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type="places.point", object_key=code).order_by("pk"))


def test_a_point_changed_in_the_back_office_is_recorded_as_the_service_records_it(
    cast: Cast, as_user: Any
) -> None:
    unit = f.UnitFactory(code="UA", name="甲物业", region=cast.community_a)
    helper = f.UnitFactory(code="UA2", name="甲保洁", region=cast.community_a)
    f.PointFactory(code="A1", name="甲小区", grid=cast.grid_a, primary_unit=unit, lon="111.650", lat="40.820")
    f.PointFactory(code="A2", name="甲小区", grid=cast.grid_a, primary_unit=unit, lon="111.650", lat="40.820")
    grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    url = reverse("admin:places_point_change", args=[Point.objects.get(code="A1").pk])
    answer = client.post(url, admin_form_data(client, url, name="甲小区东门", cooperating_units=[helper.pk]))
    assert answer.status_code == 302, answer.context["adminform"].form.errors
    services.save_point(by=cast.admin_a, code="A2", name="甲小区东门", cooperating_units=[helper])
    [event] = point_events("A1")
    [by_service] = point_events("A2")
    assert event.changes == {"cooperating_units": [[], ["UA2"]], "name": ["甲小区", "甲小区东门"]}
    assert (event.actor, event.action, event.changes, event.region_path, event.note) == (
        by_service.actor, by_service.action, by_service.changes, by_service.region_path, by_service.note)
    assert list(Point.objects.get(code="A1").cooperating_units.all()) == [helper]


def test_a_community_admin_cannot_change_or_take_another_communitys_point_in_the_back_office(
    cast: Cast, as_user: Any
) -> None:
    unit_a = f.UnitFactory(code="UA", name="甲物业", region=cast.community_a)
    unit_b = f.UnitFactory(code="UB", name="乙物业", region=cast.community_b)
    a = f.PointFactory(code="A1", name="甲小区", grid=cast.grid_a, primary_unit=unit_a, lon="111.650", lat="40.820")
    b = f.PointFactory(code="B1", name="乙小区", grid=cast.grid_b, primary_unit=unit_b, lon="111.700", lat="40.820")
    grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    answer = client.post(reverse("admin:places_point_change", args=[b.pk]), {"name": "改"})
    assert answer.status_code in (302, 403, 404)
    url = reverse("admin:places_point_change", args=[a.pk])
    answer = client.post(url, admin_form_data(client, url, grid=cast.grid_b.pk, lon="111.700"))
    assert answer.status_code == 200 and "grid" in answer.context["adminform"].form.errors
    assert Point.objects.get(code="B1").name == "乙小区"
    assert Point.objects.get(code="A1").grid == cast.grid_a
    assert not AuditEvent.objects.exists()
