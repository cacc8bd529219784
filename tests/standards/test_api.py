from __future__ import annotations

from ninja.testing import TestClient

from chuangcheng.standards import services
from chuangcheng.standards.api import router
from chuangcheng.standards.models import CatalogVersion


def test_the_api_gives_the_version_in_force_with_its_point_types(cast, catalog: CatalogVersion) -> None:
    response = TestClient(router).get("/", user=cast.grid_worker_a)
    assert response.status_code == 200
    body = response.json()
    assert body["version"]["number"] == catalog.number
    assert len(body["point_types"]) == 22
    market = next(t for t in body["point_types"] if t["code"] == "MARKET")
    assert market["groups"] == ["PUB", "ORDER", "ENV", "PARK", "VOL"] and market["item_count"] > 12
    assert market["sample_size"] == 2 and float(market["points"]) == 36
    items = {a["code"]: a for a in body["assessment_items"]}
    assert len(items) == 101
    assert items["MARKET.ENV"] == {
        "code": "MARKET.ENV", "name": "农贸市场·环境卫生", "method": "observe", "method_text": "实地观察",
        "point_type": "MARKET", "group": "ENV", "points": "7.00", "sample_size": 2, "minors": False,
        "description": items["MARKET.ENV"]["description"],
    }
    assert items["DOC.VOL"]["method"] == "materials" and items["DOC.VOL"]["point_type"] is None
    assert items["NETBAR.OWN"]["minors"] is True
    # Observed items first, the minors' section after them, documents last.
    methods = [a["method"] for a in body["assessment_items"]]
    assert methods == sorted(methods, key=lambda m: m == "materials")


def test_the_api_returns_a_point_types_checklist(cast, catalog: CatalogVersion) -> None:
    response = TestClient(router).get("/types/SCHOOL", user=cast.grid_worker_a)
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "SCHOOL" and body["version"] == catalog.number
    items = {item["code"]: item for item in body["items"]}
    assert items["SCHOOL-1"]["measure"] == "count"
    assert float(items["SCHOOL-1"]["threshold"]) == 3 and items["SCHOOL-1"]["distance_m"] == 50
    assert items["PUB-1"]["group"] == "PUB"
    assert float(items["PUB-1"]["penalty"]) == 2 and items["PUB-1"]["assessment_item"] == "SCHOOL.PUB"
    assert items["SCHOOL-7"]["assessment_item"] == "SCHOOL.OWN"
    assert body["sample_size"] == 2
    assert {a["code"] for a in body["assessment_items"]} == {
        "SCHOOL.PUB", "SCHOOL.ORDER", "SCHOOL.PARK", "SCHOOL.TRAFFIC", "SCHOOL.OWN"}
    assert TestClient(router).get("/types/NOPE", user=cast.grid_worker_a).status_code == 404


def test_the_api_lists_versions_and_hides_drafts_from_readers(cast, catalog: CatalogVersion) -> None:
    services.start_draft(by=cast.street_admin, title="修订")
    client = TestClient(router)
    assert [v["number"] for v in client.get("/versions", user=cast.grid_worker_a).json()] == [2, 1]
    assert [v["number"] for v in client.get("/versions", user=cast.street_admin).json()] == [3, 2, 1]
    assert client.get("/types/MARKET?version=3", user=cast.grid_worker_a).status_code == 404
    assert client.get("/types/MARKET?version=3", user=cast.street_admin).status_code == 200


def test_every_endpoint_has_an_explicit_operation_id() -> None:
    ids = {op.operation_id for path in router.path_operations.values() for op in path.operations}
    assert ids == {"catalog_in_force", "catalog_versions", "catalog_point_type"}


def test_the_mounted_api_serves_the_checklist_to_a_signed_in_user(cast, as_user, catalog: CatalogVersion) -> None:
    response = as_user(cast.grid_worker_a).get("/api/catalog/types/MARKET")
    assert response.status_code == 200
    assert "MARKET-7" in {item["code"] for item in response.json()["items"]}
