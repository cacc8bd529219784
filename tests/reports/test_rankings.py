"""The weekly ranking of one hand-built week (2026-W48, Monday 23 – Sunday 29 November 2026):
inspections submitted and cases moved through the services at pinned moments, the ranking
computed on Monday 30 November, and every figure checked against the calculation written here.

The week, by community (every point is of a test type with two presence items worth 6 and 4):

A (甲社区): points A1, A2 inspected every day Monday–Friday: 10 inspections. Monday A1 fails the
  item worth 4 → case CA (dispatched to the point's unit). Score 10 × 10 − 4 = 96 of 100.
  CA: rectified Monday 11:00 (on time), returned for rework 15:00, rectified 16:00 (on time),
  closed Tuesday; reopened Wednesday 10:30, rectified Thursday 09:00 (on time), closed.
  → rectified 3, on time 3, returned 1, reopened 1, overdue at the end of Sunday 0.
  Deadlines that fell (按期处置率): Tuesday 17:30 (closed by then: met) and, after reopening,
  Thursday 17:30 (rectified that morning: met) → due 2, met 2.
B (乙社区): B1, B2 every day Monday–Friday: 10 inspections. B1 fails the item worth 6 on
  Monday, Tuesday and Wednesday (one case CB1, joined by the later failures, never rectified:
  overdue since Tuesday). Score 100 − 3 × 6 = 82. A report CB2 at B2, dispatched Monday 09:00,
  rectified Friday (late: one working day), closed.
  → rectified 1, on time 0, returned 0, reopened 0, overdue 1.
  Deadlines that fell: CB1's and CB2's, both Tuesday 17:30, both missed → due 2, met 0.
C (丙社区): C1 inspected Monday–Thursday: 4 inspections, all pass: 40 of 40. Fewer than 10: not ranked.

Street: due 4, met 2, nothing overdue at the start of the week → street rate 0.5; k = 5.
A: field 96/100 × 70 = 67.20; on time (2 + 5 × 0.5)/(2 + 5) = 4.5/7 = 0.642857 × 15 = 9.642857 → 9.64;
   rework 10 − 2 × 2 = 6; overdue 5 − 0 = 5; work 20.64; total 87.84 → 良好 (≥ 80), rank 1.
B: field 82/100 × 70 = 57.40; on time (0 + 2.5)/(2 + 5) = 0.357143 × 15 = 5.357 → 5.36;
   rework 10; overdue 5 − 1 = 4; work 19.36; total 76.76 → fair (≥ 60), rank 2.
C: field 70.00; on time 2.5/5 = 0.5 × 15 = 7.5; rework 10; overdue 5; work 22.5; total 92.5, not ranked.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, Category, State
from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.inspections.models import Inspection
from chuangcheng.inspections.services.submit import ItemInput, submit_inspection
from chuangcheng.notify.models import Message, Webhook
from chuangcheng.org.models import Region, Role, Unit, User
from chuangcheng.reports.models import Ranking, RankingRules
from chuangcheng.reports.services import rankings
from tests import factories as f

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.date(2026, 11, 23)
DAYS = [MON + dt.timedelta(days=i) for i in range(7)]
NEXT_MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def upload(color: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return SimpleUploadedFile(f"{color}.jpg", out.getvalue(), content_type="image/jpeg")


def photo(by: Any, color: str = "green") -> Any:
    from chuangcheng.evidence.services import accept_photo

    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, "JPEG")
    return accept_photo(out.getvalue(), filename=f"{color}.jpg", by=by)


@dataclass
class Scene:
    cast: Any
    community_c: Region
    inspector: User
    points: dict[str, Any]
    cases: dict[str, Case]


def _inspect(scene_points: dict[str, Any], inspector: User, code: str, day: dt.date, fail: str = "",
             hour: int = 10) -> None:
    point = scene_points[code]
    items = [ItemInput(item_code=c, result="fail" if c == fail else "pass",
                       photos=[upload("red")] if c == fail else []) for c in ("RK-1", "RK-2")]
    with clock.pinned(at(day, hour)):
        submit_inspection(by=inspector, point=point, key=f"k-{code}-{day:%Y%m%d}", items=items)


@pytest.fixture
def scene(cast: Any, media: Any) -> Scene:
    community_c = f.community(cast.street, code="150103001003", name="丙社区")
    grid_c = f.grid(community_c, code="150103001003-01", name="丙一网格")
    inspector = f.UserFactory(username="inspector", role=Role.INSPECTOR, scope=cast.street)
    version = f.CatalogVersionFactory()
    kind = f.PointTypeFactory(code="RK", name="测试点位")
    f.TypeProfileFactory(version=version, point_type=kind, sample_size=2)
    f.CheckItemFactory(version=version, code="RK-1", group=None, point_type=kind, weight=Decimal(6),
                       penalty=Decimal(3))
    f.CheckItemFactory(version=version, code="RK-2", group=None, point_type=kind, weight=Decimal(4),
                       penalty=Decimal(2))
    f.AssessmentItemFactory(version=version, code="RK", name="测试点位环境", point_type=kind, points=Decimal(10))
    unit_a = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    unit_b = f.UnitFactory(code="WY-B", name="乙物业", kind=Unit.Kind.PROPERTY, region=cast.community_b)
    points = {
        "A1": f.PointFactory(code="A1", grid=cast.grid_a, point_type=kind, primary_unit=unit_a),
        "A2": f.PointFactory(code="A2", grid=cast.grid_a, point_type=kind, primary_unit=unit_a),
        "B1": f.PointFactory(code="B1", grid=cast.grid_b, point_type=kind, primary_unit=unit_b),
        "B2": f.PointFactory(code="B2", grid=cast.grid_b, point_type=kind, primary_unit=unit_b),
        "C1": f.PointFactory(code="C1", grid=grid_c, point_type=kind, primary_unit=unit_b),
    }
    for n, day in enumerate(DAYS[:5]):
        _inspect(points, inspector, "A1", day, fail="RK-2" if n == 0 else "")
        _inspect(points, inspector, "A2", day)
        _inspect(points, inspector, "B1", day, fail="RK-1" if n < 3 else "")
        _inspect(points, inspector, "B2", day)
        if n < 4:
            _inspect(points, inspector, "C1", day)
    Inspection.objects.update(kind=Inspection.Kind.STREET)  # the street's inspector: independent checks
    admin = cast.street_admin
    ca = Case.objects.get(point=points["A1"])
    cb1 = Case.objects.get(point=points["B1"])
    assert ca.state == cb1.state == State.DISPATCHED  # the failures were dispatched at once
    with clock.pinned(at(DAYS[0], 11)):
        cases.rectify_case(ca, by=admin, photos=[photo(admin, "green")])
    with clock.pinned(at(DAYS[0], 15)):
        cases.return_for_rework(ca, by=inspector, note="没修好")
    with clock.pinned(at(DAYS[0], 16)):
        cases.rectify_case(ca, by=admin, photos=[photo(admin, "blue")])
    with clock.pinned(at(DAYS[1], 9)):
        cases.verify_case(ca, by=inspector)
    with clock.pinned(at(DAYS[2], 10, 30)):
        cases.reopen_case(ca, by=inspector, note="又坏了", photos=[photo(inspector, "red")])
    with clock.pinned(at(DAYS[3], 9)):
        cases.rectify_case(ca, by=admin, photos=[photo(admin, "yellow")])
    with clock.pinned(at(DAYS[3], 11)):
        cases.verify_case(ca, by=inspector)
    with clock.pinned(at(DAYS[0], 9)):
        cb2 = cases.report_case(by=admin, source="staff", category=Category.objects.get(code="XC01"),
                                description="小广告", point=points["B2"])
        cases.accept_case(cb2, by=admin)
        cases.dispatch_case(cb2, by=admin, unit=unit_b)
    with clock.pinned(at(DAYS[4], 10)):
        cases.rectify_case(cb2, by=admin, photos=[photo(admin, "white")])
    with clock.pinned(at(DAYS[4], 11)):
        cases.verify_case(cb2, by=inspector)
    return Scene(cast, community_c, inspector, points, {"CA": ca, "CB1": cb1, "CB2": cb2})


def compute(scene: Scene) -> Ranking:
    with clock.pinned(NEXT_MONDAY):
        return rankings.compute_ranking(scene.cast.street, MON)


def rows_by_code(ranking: Ranking) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in ranking.content["rows"]}


def test_every_figure_of_the_week_matches_the_hand_calculation(scene: Scene) -> None:
    ranking = compute(scene)
    assert ranking.week == "2026-W48"
    assert ranking.status == "draft"
    assert ranking.content["complete"] is True
    assert ranking.content["through"] == "2026-11-29"
    street = ranking.content["street"]
    assert (street["cases_rectified"], street["cases_rectified_on_time"]) == (4, 3)
    assert (street["cases_due"], street["cases_due_met"], street["cases_carried"]) == (4, 2, 0)
    assert street["inspections"] == 24

    a, b, c = (rows_by_code(ranking)[r.code] for r in
               (scene.cast.community_a, scene.cast.community_b, scene.community_c))
    assert [row["code"] for row in ranking.content["rows"]] == [a["code"], b["code"], c["code"]]

    # One assessment item RK worth 10, sample 2; A lost RK-2 once (penalty 2): 10 − 2 × 2 ÷ 10 = 9.6.
    assert a["parts"]["field"] | {} == {
        "inspections": 10, "min_inspections": 10, "score": 9.6, "max_score": 10.0, "rate": 0.96, "weight": 70,
        "points": 67.2, "checks": "independent", "inspections_all": 10,
        "by_item": [{"code": "RK", "name": "测试点位环境", "points": 10.0, "sample": 2, "inspections": 10,
                   "deducted": 2.0, "loss": 0.4, "score": 9.6}]}
    assert a["parts"]["on_time"] == {
        "basis": "due", "met": 2, "due": 2, "carried": 0, "street_met": 2, "street_due": 4, "street_rate": 0.5,
        "prior_weight": 5, "raw_rate": 1.0, "rate": 0.6429, "weight": 15, "points": 9.64}
    assert a["parts"]["rework"] == {"returned": 1, "reopened": 1, "count": 2, "penalty": 2, "weight": 10,
                                    "points": 6.0}
    assert a["parts"]["overdue"] == {"overdue": 0, "penalty": 1, "weight": 5, "points": 5.0}
    assert a["parts"]["participation"]["points"] == 0.0
    assert (a["field"], a["work"], a["total"], a["level"], a["rank"]) == (67.2, 20.64, 87.84, "good", 1)

    # B lost RK-1 three times (penalty 3): 10 − 2 × 9 ÷ 10 = 8.2.
    assert (b["parts"]["field"]["inspections"], b["parts"]["field"]["score"], b["parts"]["field"]["max_score"]) \
        == (10, 8.2, 10.0)
    assert (b["parts"]["on_time"]["met"], b["parts"]["on_time"]["due"]) == (0, 2)
    assert b["parts"]["on_time"]["rate"] == 0.3571
    assert b["parts"]["on_time"]["points"] == 5.36
    assert b["parts"]["rework"]["points"] == 10.0
    assert (b["parts"]["overdue"]["overdue"], b["parts"]["overdue"]["points"]) == (1, 4.0)
    assert (b["field"], b["work"], b["total"], b["level"], b["rank"]) == (57.4, 19.36, 76.76, "fair", 2)

    assert (c["parts"]["field"]["inspections"], c["parts"]["field"]["score"]) == (4, 10.0)
    assert (c["field"], c["work"], c["total"]) == (70.0, 22.5, 92.5)
    assert (c["rank"], c["ranked"], c["reason"]) == (None, False, "too_few_inspections")
    # Nothing was ranked the week before: every ranked community is new.
    assert a["change"] is None and a["previous_rank"] is None


def test_the_street_units_are_ranked_by_their_on_time_handling(scene: Scene) -> None:
    # 甲物业: CA's two deadlines met (2 of 2), rectified 3 times, returned 1, reopened 1, nothing overdue.
    # 乙物业: CB1 and CB2 both missed Tuesday's deadline (0 of 2), CB2 rectified, CB1 still overdue.
    # Street rate 0.5, k = 5: 甲 (2 + 2.5) / 7 = 0.6429, 乙 2.5 / 7 = 0.3571.
    units = compute(scene).content["units"]
    assert [(u["code"], u["rank"]) for u in units] == [("WY-A", 1), ("WY-B", 2)]
    a, b = units
    assert (a["due"], a["met"], a["on_time_rate"], a["adjusted_rate"]) == (2, 2, 1.0, 0.6429)
    assert (a["rectified"], a["returned"], a["reopened"], a["overdue"]) == (3, 1, 1, 0)
    assert (b["due"], b["met"], b["on_time_rate"], b["adjusted_rate"]) == (2, 0, 0.0, 0.3571)
    assert (b["rectified"], b["returned"], b["reopened"], b["overdue"]) == (1, 0, 0, 1)
    assert a["change"] is None  # nothing ranked the week before


def test_the_change_is_against_last_weeks_published_ranks(scene: Scene) -> None:
    street = scene.cast.street
    Ranking.objects.create(
        street=street, week="2026-W47", week_start=MON - dt.timedelta(days=7), status="published",
        content={"rows": [{"code": scene.cast.community_b.code, "rank": 1},
                          {"code": scene.cast.community_a.code, "rank": 3}]})
    rows = rows_by_code(compute(scene))
    assert (rows[scene.cast.community_a.code]["previous_rank"], rows[scene.cast.community_a.code]["change"]) == (3, 2)
    assert (rows[scene.cast.community_b.code]["previous_rank"], rows[scene.cast.community_b.code]["change"]) == (1, -1)


def test_the_street_rules_change_the_result_and_are_audited(scene: Scene) -> None:
    admin = scene.cast.street_admin
    rankings.save_rules(scene.cast.street, {"min_inspections": 4, "levels": {"good": 88}}, by=admin)
    assert RankingRules.objects.get(street=scene.cast.street).formula == {"min_inspections": 4,
                                                                          "levels": {"good": 88}}
    assert AuditEvent.objects.filter(object_type="reports.rankingrules").count() == 1
    ranking = compute(scene)
    rows = rows_by_code(ranking)
    # C now counts (4 inspections): 92.5 first, A 87.84 second (now fair: below 88), B third.
    assert [(r["code"], r["rank"]) for r in ranking.content["rows"]] == [
        (scene.community_c.code, 1), (scene.cast.community_a.code, 2), (scene.cast.community_b.code, 3)]
    assert rows[scene.cast.community_a.code]["level"] == "fair"
    assert ranking.formula["min_inspections"] == 4


def test_bad_rules_are_refused_with_the_field_named(cast: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        rankings.save_rules(cast.street, {"field_weight": 80}, by=cast.street_admin)
    assert "__all__" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        rankings.save_rules(cast.street, {}, by=cast.admin_a)
    assert not RankingRules.objects.exists()


def test_publishing_freezes_the_ranking_and_tells_the_street_group(scene: Scene) -> None:
    street = scene.cast.street
    Webhook.objects.create(name="街道创城群", kind=Webhook.Kind.WECOM, region=street,
                           url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")
    ranking = compute(scene)
    with pytest.raises(PermissionDenied):
        rankings.publish_ranking(ranking, by=scene.cast.leader)
    with clock.pinned(NEXT_MONDAY + dt.timedelta(hours=1)):
        published = rankings.publish_ranking(ranking, by=scene.cast.street_admin)
    assert published.status == "published"
    assert published.published_by == scene.cast.street_admin
    assert AuditEvent.objects.filter(action="publish", object_type="reports.ranking").count() == 1
    message = Message.objects.get(key__startswith="ranking:")
    assert "第48周（11月23日—11月29日）" in message.title and "2026-W48" not in message.title
    assert "1. 甲社区 87.84" in message.body and "2. 乙社区 76.76" in message.body and "丙社区" in message.body
    frozen = dict(published.content)
    # The formula changes and more data arrives: the published ranking stays as it was.
    rankings.save_rules(street, {"min_inspections": 1}, by=scene.cast.street_admin)
    with pytest.raises(rankings.RankingError):
        compute(scene)
    with pytest.raises(rankings.RankingError):
        rankings.publish_ranking(published, by=scene.cast.street_admin)
    published.refresh_from_db()
    assert published.content == frozen


def test_a_draft_of_a_running_week_cannot_be_published(scene: Scene) -> None:
    with clock.pinned(at(DAYS[6], 12)):
        ranking = rankings.compute_ranking(scene.cast.street, MON)
    assert ranking.content["complete"] is False
    assert ranking.content["through"] == "2026-11-29"
    with pytest.raises(rankings.RankingError):
        rankings.publish_ranking(ranking, by=scene.cast.street_admin)
    with clock.pinned(at(DAYS[6], 12)), pytest.raises(rankings.RankingError):
        rankings.compute_ranking(scene.cast.street, MON + dt.timedelta(days=7))  # not begun


@pytest.mark.parametrize(("text", "monday"), [("2026-W48", dt.date(2026, 11, 23)), ("2026-W01", dt.date(2025, 12, 29)),
                                              ("2026-W53", dt.date(2026, 12, 28))])
def test_a_week_is_read_as_its_monday(text: str, monday: dt.date) -> None:
    assert rankings.parse_week(text) == monday
    assert rankings.week_label(monday) == text


@pytest.mark.parametrize("text", ["2026-W54", "2025-W53", "48", "2026-48", "2026-W4", ""])
def test_a_malformed_week_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="."):
        rankings.parse_week(text)


def test_the_command_computes_publishes_and_exports(scene: Scene, tmp_path: Any) -> None:
    out = io.StringIO()
    target = tmp_path / "w48.xlsx"
    with clock.pinned(NEXT_MONDAY):
        call_command("ranking", "--week", "2026-W48", "--region", scene.cast.street.code, "--publish",
                     "-o", str(target), stdout=out)
    text = out.getvalue()
    assert "甲社区" in text and "87.84" in text
    ranking = Ranking.objects.get(street=scene.cast.street, week="2026-W48")
    assert ranking.status == "published"
    from openpyxl import load_workbook

    sheet = load_workbook(target).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any(row[:3] == [1, "甲社区", 87.84] for row in values)
    # The on-time columns are the due-based counts (due, met), and the formula sheet says it in words.
    a_row = next(row for row in values if row[1] == "甲社区")
    assert a_row[10:12] == [2, 2]
    formula_sheet = load_workbook(target).worksheets[-1]
    words = [row[1] for row in formula_sheet.iter_rows(values_only=True)]
    assert "按期整改的案件数 ÷（本期到期的案件数 + 期初已超期未处置的案件数）" in words


@pytest.mark.parametrize(("args", "needle"), [
    (["--week", "2026-W54"], "2026"), (["--week", "48"], "48"), (["--week", "2026-W48", "--region", "NOPE"], "NOPE"),
])
def test_the_command_explains_bad_input(cast: Any, args: list[str], needle: str) -> None:
    with pytest.raises(CommandError, match=needle):
        call_command("ranking", *args)


def test_the_demo_publishes_each_finished_week_on_the_following_monday(scene: Scene) -> None:
    from chuangcheng.demo.rankings import publish_history

    # Wednesday 2 December: W48 is finished, W49 is running and left alone.
    with clock.pinned(at(dt.date(2026, 12, 2), 12)):
        assert publish_history(scene.cast.street, [*DAYS, dt.date(2026, 12, 1)], by=scene.cast.street_admin) == 1
        assert publish_history(scene.cast.street, DAYS, by=scene.cast.street_admin) == 0
    ranking = Ranking.objects.get(street=scene.cast.street)
    assert (ranking.week, ranking.status) == ("2026-W48", "published")
    assert clock.local(ranking.published_at) == at(dt.date(2026, 11, 30), 9)
    assert [(r["rank"], r["total"]) for r in ranking.content["rows"]] == [(1, 87.84), (2, 76.76), (None, 92.5)]


def test_the_monday_job_drafts_last_week_and_leaves_published_ones_alone(scene: Scene) -> None:
    with clock.pinned(NEXT_MONDAY):
        assert rankings.draft_due_rankings() == 1
        assert rankings.draft_due_rankings() == 0  # drafted once the week is over: nothing more to do
    ranking = Ranking.objects.get(street=scene.cast.street)
    assert (ranking.week, ranking.status) == ("2026-W48", "draft")
    rankings.publish_ranking(ranking, by=scene.cast.street_admin)
    with clock.pinned(NEXT_MONDAY):
        assert rankings.draft_due_rankings() == 0
