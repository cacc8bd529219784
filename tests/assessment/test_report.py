"""The report, checked by hand on a tiny round.

The catalog (tests/assessment/conftest.py): 农贸市场 (sample 2) scored by 农贸市场环境 (10 points), 主次干道
(sample 1) by 主次干道秩序 (5 points), 学校周边 (5 points, no point in the street), 工作台账 (8 points,
documents: not part of the field). Penalties: M1 2 per failure, M2 1 per occurrence, M3 nothing, R1 3.

Round 1: the first market fails M1 (2) and M2 three times (3) and M3 (0); the second market passes; the
road fails R1 (3).
    农贸市场环境 = 10 − 2 × 5 ÷ 2 = 5.00, 50.0 %;  主次干道秩序 = 5 − 1 × 3 ÷ 1 = 2.00, 40.0 %
    overall = 7.00 ÷ 15 = 46.7 %;  field part = 10 + 5 + 5 = 20;  predicted = 20 × 7 ÷ 15 = 9.33
Round 2 passes everything: 100.0 % each, changes +50.0, +60.0 and +53.3 overall."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from PIL import Image

from chuangcheng.assessment import services
from chuangcheng.cases.models import Case
from chuangcheng.standards.models import CheckItem
from tests.assessment.conftest import record


def jpeg(color: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return SimpleUploadedFile(f"{color}.jpg", out.getvalue(), content_type="image/jpeg")


def run_round(scene, *, failing: bool, seed: int = 7):
    round = scene.draw(seed=seed)
    services.start_round(round, by=scene.cast.street_admin)
    points = list(round.points.select_related("point", "assessor").order_by("position"))
    markets = [rp for rp in points if rp.point_type == scene.market]
    roads = [rp for rp in points if rp.point_type == scene.road]
    if failing:
        record(markets[0], scene, {"M1": {"photos": [jpeg("red")], "note": "摊位出店"},
                                   "M2": {"count": 3, "photos": [jpeg("green")]},
                                   "M3": {"photos": [jpeg("yellow")]}})
        record(markets[1], scene)
        record(roads[0], scene, {"R1": {"photos": [jpeg("blue")]}})
    else:
        for rp in points:
            record(rp, scene)
    services.finish_round(round, by=scene.cast.street_admin)
    round.refresh_from_db()
    return round, markets, roads


@pytest.fixture
def first(scene):
    return run_round(scene, failing=True)


def test_the_report_scores_each_assessment_item_over_exactly_the_sample(scene, first):
    round, _markets, _roads = first
    report = round.report
    rows = [(i["code"], i["points"], i["inspections"], i["deducted"], i["score"], i["rate"]) for i in report["items"]]
    assert rows == [
        ("A-MARKET", "10.00", 2, "5.00", "5.00", "50.0"),
        ("A-ROAD", "5.00", 1, "3.00", "2.00", "40.0"),
    ]
    assert report["overall"] == {"score": "7.00", "points": "15.00", "rate": "46.7", "previous_rate": None,
                                 "change": None}
    assert report["predicted"] == {"field_points": "20.00", "score": "9.33"}
    assert report["previous"] is None and report["seed"] == 7 and report["round"] == 1


def test_every_lost_item_has_its_point_unit_photos_and_case(scene, first):
    round, markets, roads = first
    lost = round.report["lost"]
    assert [(row["item"], row["check"], row["deducted"], row["point"]) for row in lost] == [
        ("A-MARKET", "摊位划行归市", "2.00", markets[0].point.code),
        ("A-MARKET", "地面无垃圾", "3.00", markets[0].point.code),
        ("A-ROAD", "无占道经营", "3.00", roads[0].point.code),
    ]  # M3 failed too but costs nothing: not a lost point
    assert lost[0]["unit"] == "甲市场管理处" and lost[0]["note"] == "摊位出店" and lost[0]["community"] == "甲社区"
    assert [len(row["photos"]) for row in lost] == [1, 1, 1]
    cases = {row["case"] for row in lost}
    assert None not in cases and Case.objects.filter(number__in=cases).count() == len(cases)


def test_the_report_is_frozen_when_the_catalog_changes_later(scene, first):
    round, *_ = first
    before = json.dumps(round.report, sort_keys=True)
    CheckItem.objects.filter(version=scene.catalog, code="R1").update(penalty=5)
    round.refresh_from_db()
    assert json.dumps(round.report, sort_keys=True) == before


def test_the_next_round_is_compared_with_the_previous_finished_one(scene, first):
    second, *_ = run_round(scene, failing=False, seed=8)
    report = second.report
    assert report["previous"]["round"] == 1
    assert [(i["code"], i["rate"], i["previous_rate"], i["change"]) for i in report["items"]] == [
        ("A-MARKET", "100.0", "50.0", "+50.0"), ("A-ROAD", "100.0", "40.0", "+60.0")]
    assert (report["overall"]["rate"], report["overall"]["previous_rate"], report["overall"]["change"]) == (
        "100.0", "46.7", "+53.3")


def test_a_cancelled_round_is_not_the_previous_one(scene, first):
    cancelled = scene.draw(seed=9)
    services.cancel_round(cancelled, by=scene.cast.street_admin)
    third, *_ = run_round(scene, failing=False, seed=10)
    assert third.number == 3 and third.report["previous"]["round"] == 1


def test_the_report_page_docx_and_json_show_the_same_figures(scene, first, as_user):
    round, *_ = first
    client = as_user(scene.cast.street_admin)
    base = f"/assessment/{round.street.code}/{round.number}"
    page = client.get(f"{base}/report/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "46.7 %" in html and "9.33" in html and "农贸市场环境" in html and "甲市场管理处" in html
    sha = round.report["lost"][0]["photos"][0]
    assert f"{base}/photos/{sha}/display/" in html
    photo = client.get(f"{base}/photos/{sha}/display/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    data = client.get(f"{base}/report.json")
    assert data.status_code == 200 and json.loads(data.content) == round.report
    docx = client.get(f"{base}/report.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(b"".join(docx.streaming_content) if docx.streaming else docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "46.7 %" in text and "9.33" in text and "农贸市场环境" in cells and "50.0 %" in cells
    assert len(document.inline_shapes) == 3, "the photos of the three lost points"
