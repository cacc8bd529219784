"""The survey endpoints: scoped, in the OpenAPI, the hand-made figures with n and interval, raw
responses paginated without device hashes."""

from __future__ import annotations

import datetime as dt

import time_machine

from chuangcheng.core import clock
from tests.conftest import Cast, client_for
from tests.surveys.test_results import hand_made, make_survey

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@time_machine.travel(NOW, tick=False)
def test_the_endpoints_are_in_the_openapi(cast: Cast) -> None:
    paths = client_for(cast.street_admin).get("/api/openapi.json").json()["paths"]
    for path in ["/api/surveys/", "/api/surveys/{code}", "/api/surveys/{code}/indicators",
                 "/api/surveys/{code}/trend", "/api/surveys/{code}/responses"]:
        assert "get" in paths[path], path


@time_machine.travel(NOW, tick=False)
def test_indicators_carry_n_and_the_wilson_interval(cast: Cast) -> None:
    survey = hand_made(cast)
    body = client_for(cast.street_admin).get(f"/api/surveys/{survey.code}/indicators").json()
    assert body["region"] == cast.street.code and body["total"]["responses"] == 40
    aware = next(r for r in body["total"]["rates"] if r["indicator"] == "awareness")
    assert (aware["positive"], aware["valid"]) == (20, 34)
    assert (round(aware["low"], 4), round(aware["high"], 4)) == (0.4222, 0.7363)
    b = next(row for row in body["rows"] if row["region"] == cast.community_b.code)
    assert b["visit_responses"] == 5
    sat = next(r for r in b["rates"] if r["indicator"] == "satisfaction")
    assert (sat["valid"], sat["too_small"]) == (13, True)
    assert round(b["satisfaction_score"]["mean"], 4) == 53.8462


@time_machine.travel(NOW, tick=False)
def test_a_community_reads_only_its_own(cast: Cast) -> None:
    survey = hand_made(cast)
    other = make_survey(cast.community_b, title="乙社区问卷")
    client = client_for(cast.admin_a)
    listed = client.get("/api/surveys/").json()["items"]
    assert [(s["id"], s["code"]) for s in listed] == [(survey.pk, survey.code)]
    assert client.get(f"/api/surveys/{other.code}").status_code == 404
    body = client.get(f"/api/surveys/{survey.code}/indicators").json()
    assert body["total"]["responses"] == 24 and [r["region"] for r in body["rows"]] == [cast.grid_a.code]
    response = client.get(f"/api/surveys/{survey.code}/indicators", {"region": cast.community_b.code})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@time_machine.travel(NOW, tick=False)
def test_detail_trend_and_raw_responses(cast: Cast) -> None:
    survey = hand_made(cast)
    client = client_for(cast.leader)
    detail = client.get(f"/api/surveys/{survey.code}").json()
    assert detail["code"] == survey.code
    assert client.get(f"/api/surveys/{survey.pk}").status_code == 404  # named by its code, not its id
    a1 = next(q for q in detail["questions"] if q["code"] == "A1")
    assert [(o["code"], o["role"]) for o in a1["options"]] == [("know", "positive"), ("heard", "positive"),
                                                              ("dont_know", "negative")]
    weeks = client.get(f"/api/surveys/{survey.code}/trend").json()
    assert sum(w["responses"] for w in weeks) == 40
    page = client.get(f"/api/surveys/{survey.code}/responses", {"limit": 10, "offset": 0,
                                                              "region": cast.grid_a.code}).json()
    assert page["count"] == 16 and len(page["items"]) == 10
    first = page["items"][0]
    assert "device" not in first and first["region"] == cast.grid_a.code
    codes = {a["question"] for item in page["items"] for a in item["answers"]}
    assert {"A1", "M1", "T1"} <= codes
    texts = [a["text"] for item in page["items"] for a in item["answers"] if a["question"] == "T1"]
    assert texts == ["=多种点树"]
    bad = client.get(f"/api/surveys/{survey.code}/responses", {"since": "2026-11-20", "until": "2026-11-01"})
    assert bad.status_code == 400
    assert clock.now() == NOW
