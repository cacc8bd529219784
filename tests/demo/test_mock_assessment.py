"""The demo's finished mock assessment round: drawn with seed 7 a few working days before the build,
every type of the catalog that the street has points of sampled with its sample size, each drawn
point recorded by its assessor while the round ran, a frozen report that matches the round's
inspections, and the command printing that same sample twice. With a catalog that has no assessment
items yet the demo draws no round and these tests are skipped; a catalog whose sample sizes the demo
street cannot meet fails them with the numbers."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from chuangcheng.assessment.draw import draw_sample
from chuangcheng.assessment.models import Round
from chuangcheng.core import clock
from chuangcheng.demo.generator import DemoResult
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.org.models import Region, Role, User
from chuangcheng.places.models import Point
from chuangcheng.standards.models import AssessmentItem, TypeProfile
from chuangcheng.standards.queries import version_in_force


@pytest.fixture
def demo_round(demo: DemoResult, db: None) -> Round:
    street = Region.objects.get(code=STREET_CODE)
    found = Round.objects.filter(street=street).first()
    if found is None:
        catalog = version_in_force()
        if not AssessmentItem.objects.filter(version=catalog, point_type__isnull=False).exists():
            pytest.skip("the catalog in force has no assessment items (测评内容): the demo draws no round")
        # The draw is refused when the catalog asks for more points of a type than the demo has.
        draw_sample(street, seed=7, catalog=catalog)  # raises with the numbers
        pytest.fail("the demo has no mock assessment round")
    return found


def test_the_demo_has_a_finished_round_drawn_with_seed_7(demo_round: Round) -> None:
    assert (demo_round.number, demo_round.seed, demo_round.state) == (1, 7, "finished")
    assert demo_round.drawn_at < demo_round.started_at < demo_round.finished_at < clock.now()
    # A few working days back (over a holiday such as National Day, more calendar days).
    assert (clock.today() - clock.local(demo_round.drawn_at).date()).days <= 21


def test_every_sampled_type_is_covered_with_its_sample_size(demo_round: Round) -> None:
    street = demo_round.street
    drawn: dict[int, int] = {}
    for type_id in demo_round.points.values_list("point_type_id", flat=True):
        drawn[type_id] = drawn.get(type_id, 0) + 1
    present = set(Point.objects.filter(active=True, grid__path__startswith=street.path)
                  .values_list("point_type_id", flat=True))
    expected = {p.point_type_id: p.sample_size for p in TypeProfile.objects.filter(
        version=demo_round.catalog, sample_size__gt=0) if p.point_type_id in present}
    assert drawn == expected


def test_each_drawn_point_is_an_inspection_by_its_assessor_while_the_round_ran(demo_round: Round) -> None:
    for rp in demo_round.points.select_related("inspection", "assessor"):
        inspection = rp.inspection
        assert inspection is not None and inspection.inspector_id == rp.assessor_id
        assert rp.assessor.role == Role.INSPECTOR and inspection.kind == "street"
        assert demo_round.started_at <= inspection.submitted_at <= demo_round.finished_at


def test_the_frozen_report_lists_every_lost_point_with_its_case_and_photo(demo_round: Round) -> None:
    report = demo_round.report
    assert len(report["sample"]) == demo_round.points.count()
    assert report["overall"]["rate"] is None or 0 <= float(report["overall"]["rate"]) <= 100
    for row in report["lost"]:
        assert row["case"] and row["photos"] and row["unit"]
        assert row["item"] not in row["check"] and row["point"] not in row["point_name"]


def test_the_command_prints_the_rounds_sample_twice(demo_round: Round) -> None:
    def draw() -> str:
        out = io.StringIO()
        call_command("mock_assessment", "draw", "--street", STREET_CODE, "--seed", "7", "--json", stdout=out)
        return out.getvalue()

    first = draw()
    assert first == draw()
    printed = [p["code"] for t in json.loads(first)["types"] for p in t["points"]]
    assert printed == list(demo_round.points.order_by("position").values_list("point__code", flat=True))


def test_the_report_pages_answer_the_street_and_hide_from_grid_workers(demo_round: Round) -> None:
    base = f"/assessment/{STREET_CODE}/{demo_round.number}"
    for username, status in (("street_admin", 200), ("leader", 200), ("grid_worker_1", 404)):
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        client = Client()
        client.force_login(user)
        assert client.get(f"{base}/report/").status_code == status, username
        assert client.get(f"{base}/report.docx").status_code == status, username
