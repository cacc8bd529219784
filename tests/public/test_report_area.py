"""The residents' map: the public street's outlines as GeoJSON (for everyone, cacheable, no personal
data), the community list beside it, an address with its community instead of a map point, and
the refusal of an address alone that names what is missing."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from chuangcheng.org.models import Region
from chuangcheng.public.models import Report
from tests import factories as f
from tests.public.conftest import Scene


def other_street(scene: Scene) -> dict[str, Region]:
    street = f.street(scene.cast.district, code="150103002", name="海拉尔路街道")
    community = f.community(street, code="150103002001", name="丙社区", boundary=f.square(111.800, 40.820, 0.01),
                            households=1200, population=3500)
    grid = f.grid(community, code="150103002001-01", name="丙一网格", boundary=f.square(111.800, 40.820))
    return {"street": street, "community": community, "grid": grid}


def codes(data: dict[str, Any]) -> dict[str, str]:
    return {feature["properties"]["code"]: feature["properties"]["level"] for feature in data["features"]}


def test_the_area_is_the_public_streets_outlines_for_anyone(scene: Scene, settings: Any) -> None:
    other = other_street(scene)
    settings.PUBLIC_STREET = scene.cast.street.code
    response = Client().get("/r/area.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(response.content)
    assert data["type"] == "FeatureCollection"
    assert codes(data) == {
        "150103001": "street", "150103001001": "community", "150103001002": "community",
        "150103001001-01": "grid", "150103001002-01": "grid"}
    assert other["grid"].code not in response.content.decode()
    assert "回民区" not in response.content.decode()  # not the district either
    # names and outlines only: no households, residents or anything else of a region
    assert all(set(feature["properties"]) == {"code", "name", "level"} for feature in data["features"])
    assert "3500" not in response.content.decode() and "1200" not in response.content.decode()


def test_a_street_without_its_own_boundary_is_drawn_as_its_grids(scene: Scene) -> None:
    data = Client().get("/r/area.geojson").json()
    street = next(x for x in data["features"] if x["properties"]["level"] == "street")
    assert street["properties"]["name"] == "光明路街道"
    assert street["geometry"]["type"] == "MultiPolygon"  # the two grids apart
    assert len(street["geometry"]["coordinates"]) == 2


def test_without_a_public_street_every_street_is_drawn_but_no_district(scene: Scene) -> None:
    other_street(scene)
    levels = codes(Client().get("/r/area.geojson").json())
    assert {code for code, level in levels.items() if level == "street"} == {"150103001", "150103002"}
    assert "150103" not in levels


def test_the_area_may_be_kept_by_browsers_and_proxies(scene: Scene) -> None:
    client = Client()
    response = client.get("/r/area.geojson")
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    assert "private" not in response["Cache-Control"] and "no-cache" not in response["Cache-Control"]
    assert "Set-Cookie" not in response  # the same answer for everyone
    again = client.get("/r/area.geojson", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    scene.cast.grid_a.name = "甲一网格（新）"
    scene.cast.grid_a.save()
    changed = client.get("/r/area.geojson", HTTP_IF_NONE_MATCH=response["ETag"])
    assert changed.status_code == 200 and "甲一网格（新）" in changed.content.decode()


def test_the_report_page_lists_the_public_streets_communities_and_grids_as_text(scene: Scene,
                                                                               settings: Any) -> None:
    other_street(scene)
    settings.PUBLIC_STREET = scene.cast.street.code
    page = Client().get("/r/").content.decode()
    area_list = page[page.index('id="area-list"'):page.index("</details>", page.index('id="area-list"'))]
    assert "甲社区" in area_list and "甲一网格" in area_list and "乙一网格" in area_list
    assert "丙社区" not in page  # neither in the list nor among the community choices
    assert 'data-area-url="/r/area.geojson"' in page


def test_an_address_and_a_community_without_a_map_point_are_accepted(scene: Scene) -> None:
    response = Client().post("/r/", {"category": scene.category.code, "description": "楼道里堆满杂物",
                                     "address": "光明路 12 号院 3 号楼", "community": scene.cast.community_b.code})
    assert response.status_code == 302
    case = Report.objects.get().case
    assert case.grid == scene.cast.grid_b and case.lon is None and case.address == "光明路 12 号院 3 号楼"


def test_an_address_alone_is_refused_with_a_message_asking_for_the_community(scene: Scene) -> None:
    response = Client().post("/r/", {"category": scene.category.code, "description": "楼道里堆满杂物",
                                     "address": "光明路 12 号院 3 号楼"})
    assert response.status_code == 400
    body = response.content.decode()
    errors = body[body.index('id="id_community_errors"'):]
    assert "请选择问题所在的社区" in errors[:300]
    assert 'value="光明路 12 号院 3 号楼"' in body  # the address typed is kept
    assert 'id="id_address_errors"' not in body


def test_a_place_in_another_street_is_refused_when_the_page_is_for_one_street(scene: Scene,
                                                                             settings: Any) -> None:
    other_street(scene)
    settings.PUBLIC_STREET = scene.cast.street.code
    response = Client().post("/r/", {"category": scene.category.code, "description": "墙上贴满小广告",
                                     "lon": "111.800", "lat": "40.820"})
    assert response.status_code == 400
    assert 'id="id_location_errors"' in response.content.decode()
    assert Report.objects.count() == 0
