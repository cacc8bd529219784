"""A bounded fuzz step over the API's own OpenAPI document, as a street admin and as a grid worker
(bearer tokens, Django's test client): requests generated from each operation's path and query
parameters and JSON or form body. No answer may be a 5xx, and every answer's status must be
documented, its JSON body valid against that status's schema.

Bound: 6 examples per operation and role (about 70 operations, so under 900 requests), no
deadline per example, derandomized so a failure reproduces; under a minute on 2 cores."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import jsonschema
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from chuangcheng.api.api import api
from chuangcheng.org.services import create_api_token

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = 6
DOCUMENT: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/")))
COMPONENTS = DOCUMENT.get("components", {})
OPERATIONS = [(method, path, op) for path, ops in DOCUMENT["paths"].items() for method, op in ops.items()]


def _rooted(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with the document's components beside it, so its `$ref`s resolve."""
    return {**schema, "components": COMPONENTS}


def _value(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    return from_schema(_rooted(schema)) | st.sampled_from(["-1", "99999999999999999999", "9999-12-31", "", "é" * 300])


def _request(method: str, path: str, op: dict[str, Any], known: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Path parameters are generated or one of the scene's real identifiers (so 200s get checked too)."""
    parameters = op.get("parameters", [])
    path_params = {p["name"]: _value(p.get("schema", {})) | st.sampled_from(known)
                   for p in parameters if p["in"] == "path"}
    query = {p["name"]: _value(p.get("schema", {})) for p in parameters if p["in"] == "query"}
    body_strategy: st.SearchStrategy[Any] = st.none()
    content = (op.get("requestBody") or {}).get("content", {})
    kind = next(iter(content), None)
    if kind is not None:
        body_strategy = from_schema(_rooted(content[kind]["schema"]))
    return st.fixed_dictionaries({
        "path": st.fixed_dictionaries(path_params),
        "query": st.fixed_dictionaries({}, optional=query),
        "body": body_strategy,
        "kind": st.just(kind),
    })


def _url(path: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", quote(str(value), safe="") or "x")
    return path


def _form(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        return {}
    return {key: json.dumps(value) if isinstance(value, dict | list) else str(value)
            for key, value in body.items() if value is not None and not isinstance(value, dict)}


def _send(client: Client, method: str, path: str, case: dict[str, Any], key: str) -> Any:
    url = _url(path, case["path"])
    query = {k: str(v) if not isinstance(v, list) else [str(x) for x in v] for k, v in case["query"].items()}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if method == "get":
        return client.get(url, query, **headers)
    if case["kind"] == "application/json":
        return client.generic(method.upper(), url, json.dumps(case["body"]), content_type="application/json",
                              QUERY_STRING="&".join(f"{k}={quote(str(v))}" for k, v in query.items()), **headers)
    if case["kind"] == "multipart/form-data":
        return getattr(client, method)(url, _form(case["body"]), **headers)
    return getattr(client, method)(url, **headers)


def _check(method: str, path: str, op: dict[str, Any], response: Any) -> None:
    where = f"{method.upper()} {path} -> {response.status_code}: {response.content[:300]!r}"
    assert response.status_code < 500, where
    documented = op["responses"].get(str(response.status_code))
    assert documented is not None, f"undocumented status: {where}"
    schema = documented.get("content", {}).get("application/json", {}).get("schema")
    if schema is not None and response.get("Content-Type", "").startswith("application/json"):
        try:
            jsonschema.validate(response.json(), _rooted(schema), format_checker=jsonschema.FormatChecker())
        except jsonschema.ValidationError as error:
            raise AssertionError(f"body does not match its schema: {where}\n{error.message}") from error


@pytest.fixture
def keys(cast: Any) -> dict[str, str]:
    return {role: create_api_token(getattr(cast, role), name="fuzz")[1] for role in ("street_admin", "grid_worker_a")}


@pytest.fixture
def known(scene: Any) -> list[str]:
    """A point, a case and a point type that exist, for the generator to name now and then."""
    from tests.cases.conftest import reported

    case = reported(scene)
    return [scene.point.code, case.number, "ROAD_MAIN"]


def test_the_checklist_and_the_catalog_items_match_their_own_schemas(cast, keys):
    """They once shared a schema name, so the OpenAPI described the checklist with the catalog's items."""
    from tests import factories as f

    f.PointFactory(code="A1", grid=cast.grid_a)
    client = Client()
    for role in keys:
        for url, path in [("/api/inspections/points/A1/checklist", "/api/inspections/points/{code}/checklist"),
                          ("/api/catalog/types/ROAD_MAIN", "/api/catalog/types/{code}"),
                          ("/api/catalog/", "/api/catalog/"), ("/api/catalog/versions", "/api/catalog/versions")]:
            response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {keys[role]}")
            assert response.status_code == 200
            _check("get", path, DOCUMENT["paths"][path]["get"], response)


@pytest.mark.parametrize("role", ["street_admin", "grid_worker_a"])
@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS, ids=[op["operationId"] for _, _, op in OPERATIONS])
def test_no_generated_request_gets_a_5xx_or_an_undocumented_answer(keys, known, role, method, path, op):
    client = Client()

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=_request(method, path, op, known))
    def run(case: dict[str, Any]) -> None:
        _check(method, path, op, _send(client, method, path, case, keys[role]))

    run()
