"""A bounded fuzz step over Open311's documented parameters: every parameter of every resource, in
both formats, with hostile values (huge and negative numbers, impossible and far dates, unicode,
control characters, very long strings). No answer may be a 5xx, and every refusal must be in the
standard's error format (`<errors><error><code/><description/></error></errors>` or a JSON array
of `{code, description}`).

Bound: 12 examples per resource and format (9 resources, 2 formats: about 220 requests), no
deadline per example, derandomized; well under a minute on 2 cores."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chuangcheng.public.open311 import services
from tests.public.conftest import LAT, LON, Scene, report
from tests.public.open311 import FORMATS, call

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = 12
HOSTILE = st.one_of(
    st.sampled_from([
        "-1", "0", "99999999999999999999999", "1e309", "NaN", "-inf", "9999-12-31", "0000-00-00",
        "2026-13-45T25:61:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00-23:59", "2026-11-30T09:00:00+08:00",
        "open,closed,,", "路边垃圾\x01\x0b没人管", "\x00", "é" * 5000, "x" * 100_000, "%", "true", "[]",
    ]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=60),
)
# The parameters the standard (and its common extensions) names for each resource.
RESOURCES: dict[tuple[str, str], list[str]] = {
    ("GET", "discovery"): ["jurisdiction_id"],
    ("GET", "services"): ["jurisdiction_id"],
    ("GET", "services/{}"): ["jurisdiction_id"],
    ("GET", "requests"): ["jurisdiction_id", "service_request_id", "service_code", "start_date", "end_date",
                          "status", "page", "page_size", "extensions"],
    ("GET", "requests/{}"): ["jurisdiction_id", "extensions"],
    ("GET", "tokens/{}"): ["jurisdiction_id"],
    ("GET", "servicerequestupdates"): ["jurisdiction_id", "start_date", "end_date", "page", "page_size"],
    ("POST", "requests"): ["jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
                           "email", "device_id", "account_id", "first_name", "last_name", "phone",
                           "description", "media_url", "attribute[XC01]"],
    ("POST", "servicerequestupdates"): ["jurisdiction_id", "service_request_id", "update_id", "status",
                                        "updated_datetime", "description", "first_name", "last_name", "email",
                                        "media_url"],
}


@pytest.fixture
def known(scene: Scene) -> dict[str, str]:
    """An API key and a request that exist, so the generator's values reach past the first refusal."""
    _client, key = services.issue_key(street=scene.cast.street, name="热线", by=scene.cast.street_admin)
    resident = report(scene)
    return {"api_key": key, "number": resident.case.number, "token": resident.code, "service_code": "XC01",
            "lat": str(LAT), "long": str(LON)}


def _is_error_format(body: Any) -> bool:
    return (isinstance(body, list) and bool(body)
            and all(isinstance(e, dict) and set(e) == {"code", "description"} for e in body))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("method", "resource"), list(RESOURCES), ids=[f"{m}-{r}" for m, r in RESOURCES])
def test_hostile_parameters_get_no_5xx_and_refusals_in_the_standards_format(known, fmt, method, resource):
    client = Client()
    names = RESOURCES[(method, resource)]
    real = {"services/{}": known["service_code"], "requests/{}": known["number"], "tokens/{}": known["token"]}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(values=st.fixed_dictionaries({}, optional=dict.fromkeys(names, HOSTILE)),
           segment=st.one_of(st.just(real.get(resource, "")), HOSTILE),
           keep_known=st.booleans())
    def run(values: dict[str, str], segment: str, keep_known: bool) -> None:
        data = dict(values)
        if method == "POST" and keep_known:
            # A valid key and the required fields, each hostile value then goes past the first check.
            data = {"api_key": known["api_key"], "service_code": known["service_code"],
                    "service_request_id": known["number"], "lat": known["lat"], "long": known["long"], **values}
        target = resource.replace("{}", quote(segment.replace("/", "_").replace(".", "_"), safe="") or "x")
        if method == "POST":  # the test client cannot put NUL in a multipart form
            data = {k: v.replace("\x00", "") for k, v in data.items()}
        answer = call(client, method, target, fmt, data)
        where = f"{method} {target}.{fmt} {data!r:.300} -> {answer.status}: {answer.raw[:300]!r}"
        assert answer.status < 500, where
        if answer.status >= 400:
            assert _is_error_format(answer.body), where

    run()
