"""`chuangcheng mock_assessment draw` prints the same sample twice for the same seed, covers every
sampled type with its sample size and saves nothing; too few points is a clear error with exit
status 2. `mock_assessment report N` writes a finished round's report as JSON or Word."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from docx import Document

from chuangcheng.assessment import services
from chuangcheng.assessment.models import Round
from chuangcheng.standards.models import TypeProfile
from tests.assessment.conftest import record


def draw(*args: str) -> str:
    out = io.StringIO()
    call_command("mock_assessment", "draw", *args, stdout=out)
    return out.getvalue()


def test_the_same_seed_prints_the_same_sample_twice_and_saves_nothing(scene):
    first = draw("--street", "150103001", "--seed", "7", "--json")
    assert first == draw("--street", "150103001", "--seed", "7", "--json")
    data = json.loads(first)
    assert data["seed"] == 7 and data["street"] == "150103001" and data["points"] == 3
    assert [(t["type"], t["sample_size"], len(t["points"]), t["points_in_street"]) for t in data["types"]] == [
        ("T_MARKET", 2, 2, 3), ("T_ROAD", 1, 1, 2), ("T_SCHOOL", 1, 0, 0)]
    assert Round.objects.count() == 0
    text = draw("--street", "150103001", "--seed", "7")
    assert text == draw("--street", "150103001", "--seed", "7")
    for t in data["types"]:
        for p in t["points"]:
            assert p["code"] in text
    assert "学校周边" in text


def test_the_printed_sample_is_the_one_a_round_draws_with_that_seed(scene):
    data = json.loads(draw("--street", "150103001", "--seed", "5", "--json"))
    round = scene.draw(seed=5)
    assert [p["code"] for t in data["types"] for p in t["points"]] == list(
        round.points.order_by("position").values_list("point__code", flat=True))


def test_too_few_points_is_a_clear_error_with_exit_status_2(scene):
    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.market).update(sample_size=3)
    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.road).update(sample_size=3)
    with translation.override("zh-hans"), pytest.raises(CommandError) as info:
        draw("--street", "150103001", "--seed", "7")
    assert info.value.returncode == 2
    assert str(info.value) == "主次干道: 抽样 3 个，街道只有 2 个"
    for bad in (["--street", "999", "--seed", "7"], ["--street", "150103001", "--seed", "x"]):
        with pytest.raises(CommandError) as info:
            draw(*bad)
        assert info.value.returncode == 2


def test_the_report_of_a_finished_round_is_written_as_json_or_docx(scene, tmp_path):
    round = scene.draw()
    with pytest.raises(CommandError) as info:
        call_command("mock_assessment", "report", "1", "--format", "json", "-o", str(tmp_path / "r.json"))
    assert info.value.returncode == 2  # not finished
    services.start_round(round, by=scene.cast.street_admin)
    for rp in round.points.all():
        record(rp, scene)
    services.finish_round(round, by=scene.cast.street_admin)
    round.refresh_from_db()
    call_command("mock_assessment", "report", "1", "--format", "json", "-o", str(tmp_path / "r.json"),
                 stdout=io.StringIO())
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8")) == round.report
    call_command("mock_assessment", "report", "1", "--street", "150103001", "--format", "docx",
                 "-o", str(tmp_path / "r.docx"), stdout=io.StringIO())
    document = Document(str(tmp_path / "r.docx"))
    assert any("100.0 %" in p.text for p in document.paragraphs)
    with pytest.raises(CommandError):
        call_command("mock_assessment", "report", "9", "--format", "json", "-o", str(tmp_path / "x.json"))
