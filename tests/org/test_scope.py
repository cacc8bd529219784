"""A community admin of 社区 A gets nothing of 社区 B: not through pages, not through the API,
not through the back office."""

from __future__ import annotations

import pytest

from tests import factories as f


@pytest.fixture
def points(cast):
    unit_a = f.UnitFactory(code="UA", name="甲物业", region=cast.community_a)
    unit_b = f.UnitFactory(code="UB", name="乙物业", region=cast.community_b)
    street_unit = f.UnitFactory(code="CG", name="城管中队", region=cast.street)
    person_b = f.PersonFactory(code="PB", name="乙网格员", region=cast.grid_b)
    person_a = f.PersonFactory(code="PA", name="甲网格员", region=cast.grid_a)
    a = f.PointFactory(code="A1", name="甲小区", grid=cast.grid_a, primary_unit=unit_a, lon="111.650", lat="40.820")
    b = f.PointFactory(code="B1", name="乙小区", grid=cast.grid_b, primary_unit=unit_b, lon="111.700", lat="40.820")
    return {"a": a, "b": b, "unit_a": unit_a, "unit_b": unit_b, "street_unit": street_unit,
            "person_a": person_a, "person_b": person_b}


def test_pages_of_community_b_are_not_found_for_admin_of_a(cast, points, as_user):
    client = as_user(cast.admin_a)
    assert client.get("/points/A1/").status_code == 200
    assert client.get("/points/B1/").status_code == 404
    assert client.get("/points/B1/qr.svg").status_code == 404
    assert client.get("/points/B1/edit/").status_code == 404
    assert client.get(f"/org/regions/{cast.community_b.code}/").status_code == 404
    assert client.get("/org/units/UB/").status_code == 404
    assert client.get("/org/people/PB/").status_code == 404


def test_lists_of_admin_of_a_hold_nothing_of_b(cast, points, as_user):
    client = as_user(cast.admin_a)
    for url in ["/points/", "/points/map/", "/org/units/", "/org/people/", "/org/regions/?q=社区", "/"]:
        body = client.get(url).content.decode()
        assert "乙小区" not in body, url
        assert "乙物业" not in body, url
        assert "乙网格员" not in body, url
        assert "乙社区" not in body, url
    assert "甲小区" in client.get("/points/").content.decode()


def test_a_street_level_unit_serves_every_community(cast, points, as_user):
    body = as_user(cast.admin_a).get("/org/units/").content.decode()
    assert "城管中队" in body
    assert "甲物业" in body


def test_filtering_by_a_foreign_community_code_gives_nothing(cast, points, as_user):
    body = as_user(cast.admin_a).get(f"/points/?region={cast.community_b.code}").content.decode()
    assert "乙小区" not in body
    assert "甲小区" not in body


def test_street_admin_sees_both_communities(cast, points, as_user):
    body = as_user(cast.street_admin).get("/points/").content.decode()
    assert "甲小区" in body and "乙小区" in body


def test_api_of_admin_of_a_holds_nothing_of_b(cast, points, as_user):
    client = as_user(cast.admin_a)
    codes = [p["code"] for p in client.get("/api/points").json()["items"]]
    assert codes == ["A1"]
    assert client.get("/api/points/B1").status_code == 404
    regions = [r["code"] for r in client.get("/api/org/regions?limit=100").json()["items"]]
    assert cast.community_b.code not in regions and cast.grid_b.code not in regions
    assert cast.grid_a.code in regions
    units = [u["code"] for u in client.get("/api/org/units").json()["items"]]
    assert "UB" not in units and "UA" in units
    assert client.get("/api/org/units/UB").status_code == 404
    assert client.get(f"/api/org/regions/{cast.community_b.code}").status_code == 404


def test_back_office_of_admin_of_a_holds_nothing_of_b(cast, points, as_user):
    from chuangcheng.org.services import grant_back_office

    grant_back_office(cast.admin_a)
    client = as_user(cast.admin_a)
    listing = client.get("/admin/places/point/").content.decode()
    assert "甲小区" in listing and "乙小区" not in listing
    assert client.get(f"/admin/places/point/{points['b'].pk}/change/").status_code in (302, 404)
    assert client.get(f"/admin/org/unit/{points['unit_b'].pk}/change/").status_code in (302, 404)
    assert "乙网格员" not in client.get("/admin/org/person/").content.decode()
    # A street-level unit is visible but not editable by a community admin.
    page = client.get(f"/admin/org/unit/{points['street_unit'].pk}/change/")
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()


def test_back_office_offers_only_grids_in_scope_when_adding_a_point(cast, points, as_user):
    from chuangcheng.org.services import grant_back_office

    grant_back_office(cast.admin_a)
    body = as_user(cast.admin_a).get("/admin/places/point/add/").content.decode()
    assert cast.grid_a.name in body
    assert cast.grid_b.name not in body
