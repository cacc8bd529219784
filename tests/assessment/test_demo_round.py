"""The demo's round (demo/assessment.py) on the small street of these tests, whose code is the demo
street's: drawn with seed 7 a few working days back, recorded by the street's inspectors while it
ran, finished with its report. The demo build itself is checked in tests/demo/test_mock_assessment.py."""

from __future__ import annotations

from chuangcheng.assessment.models import Round
from chuangcheng.core import clock
from chuangcheng.demo.assessment import add_mock_assessment
from chuangcheng.standards.models import AssessmentItem


def test_the_demo_round_is_drawn_recorded_and_finished_in_the_past(scene):
    assert add_mock_assessment(seed=1) == 3
    round = Round.objects.get()
    assert (round.seed, round.state, round.team_kind) == (7, "finished", "street")
    assert round.drawn_at < round.started_at < round.finished_at < clock.now()
    for rp in round.points.select_related("inspection"):
        assert rp.inspection is not None and rp.inspection.inspector_id == rp.assessor_id
        assert rp.inspection.kind == "street" and rp.inspection.day < clock.today()
    assert len(round.report["sample"]) == 3 and round.report["overall"]["rate"] is not None
    for row in round.report["lost"]:
        assert row["case"] and row["photos"]


def test_a_catalog_without_assessment_items_gives_no_round(scene):
    AssessmentItem.objects.filter(version=scene.catalog).delete()
    assert add_mock_assessment(seed=1) == 0
    assert not Round.objects.exists()


def test_a_refused_draw_gives_no_round_and_no_error(scene):
    from chuangcheng.standards.models import TypeProfile

    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.road).update(sample_size=9)
    assert add_mock_assessment(seed=1) == 0
    assert not Round.objects.exists()
