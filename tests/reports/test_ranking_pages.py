"""The ranking pages: who reads what, the table with its parts and links, computing, publishing,
the Excel copy and the rules form. The ranking shown is made by the formula from figures written
here (A: 90 of 100 over 12 inspections, 3 of 3 cases handled by the deadline that fell; B: 80 of
100 over 10, 0 of 1), with the subdistrict's 4 due, 3 met (按期处置率 0.75):

A: 63.00 + (3 + 3.75)/8 × 15 = 12.66 + 10 + 5 → 90.66, 优秀, rank 1
B: 56.00 + 3.75/6 × 15 = 9.38 + 10 + 5 → 80.38, 良好, rank 2
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from chuangcheng.org.models import Role
from chuangcheng.reports import ranking as formula_
from chuangcheng.reports.models import Ranking, RankingRules
from tests import factories as f
from tests.core.unstorable import assert_cleaned, control_text, read_back

TZ = ZoneInfo("Asia/Shanghai")
MON = dt.date(2026, 11, 23)
NEXT_MONDAY = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TZ)
URL = "/reports/rankings/150103001/2026-W48/"


@pytest.fixture(autouse=True)
def next_monday():
    with time_machine.travel(NEXT_MONDAY, tick=False):
        yield


def make_ranking(cast: Any, status: str = "draft", b_name: str = "") -> Ranking:
    a, b = cast.community_a, cast.community_b
    rows = formula_.rank_week([
        formula_.Inputs(code=a.code, name=a.name, inspections=12, score=90, max_score=100, cases_due=3,
                        cases_due_met=3),
        formula_.Inputs(code=b.code, name=b_name or b.name, inspections=10, score=80, max_score=100,
                        cases_due=1),
    ], formula_.StreetRates(cases_due=4, cases_due_met=3), formula_.validate({}))
    return Ranking.objects.create(
        street=cast.street, week="2026-W48", week_start=MON, status=status, formula=formula_.validate({}),
        content={"week": "2026-W48", "start": "2026-11-23", "end": "2026-11-29", "through": "2026-11-29",
                 "complete": True, "rows": rows, "street": {}})


def test_the_table_shows_each_community_with_its_parts_and_links(cast, as_user):
    make_ranking(cast)
    response = as_user(cast.street_admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-code="{cast.community_a.code}" data-rank="1" data-total="90.66"' in html
    assert f'data-code="{cast.community_b.code}" data-rank="2" data-total="80.38"' in html
    assert f'id="parts-{cast.community_a.code}"' in html and "<summary>" in html
    assert "12.66" in html and "9.38" in html  # the on-time parts
    assert f"/cases/?region={cast.community_b.code}&amp;overdue=1" in html
    assert f"/inspections/history/?since=2026-11-23&amp;until=2026-11-29&amp;community={cast.community_a.code}" in html
    assert 'id="publish-ranking"' in html


@pytest.mark.parametrize("who", ["leader", "inspector"])
def test_leaders_and_inspectors_read_drafts_but_do_not_publish(cast, as_user, who):
    make_ranking(cast)
    user = cast.leader if who == "leader" else f.UserFactory(role=Role.INSPECTOR, scope=cast.street)
    response = as_user(user).get(URL)
    assert response.status_code == 200
    assert 'id="publish-ranking"' not in response.content.decode()
    assert as_user(user).post(URL + "publish/").status_code == 403
    assert Ranking.objects.get().status == "draft"


def test_community_admins_read_only_published_rankings(cast, as_user):
    ranking = make_ranking(cast)
    assert as_user(cast.admin_a).get(URL).status_code == 404
    assert as_user(cast.admin_a).get("/reports/rankings/150103001/").status_code == 200
    ranking.status = "published"
    ranking.save()
    response = as_user(cast.admin_b).get(URL)
    assert response.status_code == 200
    assert f'data-code="{cast.community_a.code}" data-rank="1"' in response.content.decode()


def test_other_roles_are_refused_and_another_street_is_not_found(cast, as_user):
    make_ranking(cast, status="published")
    assert as_user(cast.grid_worker_a).get(URL).status_code == 403
    assert as_user(cast.grid_worker_a).get("/reports/rankings/").status_code == 403
    handler = f.UserFactory(role=Role.UNIT_HANDLER, scope=cast.street)
    assert as_user(handler).get(URL).status_code == 403
    other = f.street(cast.district, code="150103002", name="另一街道")
    other_admin = f.UserFactory(role=Role.STREET_ADMIN, scope=other)
    assert as_user(other_admin).get(URL).status_code == 404
    assert as_user(other_admin).get(URL.replace("2026-W48/", "2026-W48.xlsx")).status_code == 404
    assert as_user(other_admin).get("/reports/rankings/150103001/rules/").status_code == 404


def test_a_week_that_does_not_exist_is_not_found(cast, as_user):
    assert as_user(cast.street_admin).get("/reports/rankings/150103001/2026-W54/").status_code == 404
    assert as_user(cast.street_admin).get("/reports/rankings/150103001/48/").status_code == 404


def test_the_street_admin_lands_on_the_weeks_and_computes_a_week(cast, as_user):
    client = as_user(cast.street_admin)
    response = client.get("/reports/rankings/")
    assert response.status_code == 302 and response["Location"] == "/reports/rankings/150103001/"
    weeks = client.get("/reports/rankings/150103001/").content.decode()
    assert 'data-week="2026-W48"' in weeks and 'data-status="none"' in weeks
    page = client.get(URL).content.decode()
    assert 'id="no-ranking"' in page and 'id="compute-ranking"' in page
    assert client.post(URL + "compute/").status_code == 302
    ranking = Ranking.objects.get(street=cast.street, week="2026-W48")
    assert ranking.status == "draft" and ranking.content["complete"] is True
    # No inspections this week: both communities listed, neither ranked.
    assert [(row["code"], row["rank"]) for row in ranking.content["rows"]] == [
        (cast.community_a.code, None), (cast.community_b.code, None)]


def test_the_leader_cannot_compute(cast, as_user):
    assert as_user(cast.leader).post(URL + "compute/").status_code == 403
    assert not Ranking.objects.exists()


def test_publishing_from_the_page_freezes_the_ranking(cast, as_user):
    make_ranking(cast)
    client = as_user(cast.street_admin)
    response = client.post(URL + "publish/")
    assert response.status_code == 302
    ranking = Ranking.objects.get()
    assert ranking.status == "published" and ranking.published_by == cast.street_admin
    page = client.get(URL).content.decode()
    assert 'data-status="published"' in page
    assert 'id="publish-ranking"' not in page and 'id="compute-ranking"' not in page
    assert client.post(URL + "compute/").status_code == 302  # refused with a message, nothing recomputed
    assert Ranking.objects.get().content == ranking.content


def test_the_excel_copy_holds_the_table_with_formula_like_text_kept_as_text(cast, as_user):
    make_ranking(cast, b_name="=HYPERLINK(\"http://x\")")
    response = as_user(cast.leader).get("/reports/rankings/150103001/2026-W48.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert rows[0][:5] == [1, "甲社区", 90.66, 63.0, 27.66]
    assert rows[0][7:12] == [12, 90.0, 100.0, 3, 3]
    assert rows[1][:5] == [2, "'=HYPERLINK(\"http://x\")", 80.38, 56.0, 24.38]
    assert sheet.cell(row=4, column=2).data_type == "s"
    assert len(book.worksheets) == 3  # the table, every part, the formula


def test_the_rules_form_saves_valid_weights_and_explains_bad_ones(cast, as_user):
    client = as_user(cast.street_admin)
    page = client.get("/reports/rankings/150103001/rules/")
    assert page.status_code == 200 and 'data-key="field_weight">70<' in page.content.decode()
    data = {"field_weight": "60", "min_inspections": "8", "on_time_weight": "15", "prior_weight": "5",
            "rework_weight": "10", "rework_penalty": "2", "overdue_weight": "5", "overdue_penalty": "1",
            "participation_weight": "10", "target_volunteer_hours": "40",
            "excellent": "90", "good": "80", "fair": "60", "independent_only": "on"}
    bad = client.post("/reports/rankings/150103001/rules/", {**data, "field_weight": "61"})
    assert bad.status_code == 400
    assert 'class="errorlist' in bad.content.decode() and "101" in bad.content.decode()
    assert not RankingRules.objects.exists()
    bad = client.post("/reports/rankings/150103001/rules/", {**data, "target_volunteer_hours": "0"})
    assert bad.status_code == 400 and 'id="id_target_volunteer_hours_errors"' in bad.content.decode()
    # A weight for participation with no figure given a target: said above the figures.
    bad = client.post("/reports/rankings/150103001/rules/", {**data, "target_volunteer_hours": ""})
    assert bad.status_code == 400
    assert "“参与度”设有权重：请至少填写一项指标及其目标值。" in bad.content.decode()
    bad = client.post("/reports/rankings/150103001/rules/", {**data, "good": "95"})
    assert bad.status_code == 400 and 'id="id_excellent_errors"' in bad.content.decode()
    good = client.post("/reports/rankings/150103001/rules/", data)
    assert good.status_code == 302
    assert RankingRules.objects.get(street=cast.street).formula == {
        "field_weight": 60, "min_inspections": 8, "participation_weight": 10,
        "participation_targets": {"volunteer_hours": 40}}


def test_only_the_street_admin_changes_the_rules(cast, as_user):
    assert as_user(cast.leader).get("/reports/rankings/150103001/rules/").status_code == 200
    assert as_user(cast.leader).post("/reports/rankings/150103001/rules/", {}).status_code == 403
    assert as_user(cast.admin_a).get("/reports/rankings/150103001/rules/").status_code == 403


def test_the_week_list_needs_a_bounded_number_of_queries(cast, as_user, django_assert_max_num_queries):
    for i in range(6):
        monday = MON - dt.timedelta(days=7 * i)
        Ranking.objects.create(street=cast.street, week=f"2026-W{48 - i}", week_start=monday, status="published",
                               content={"rows": []})
    client = as_user(cast.admin_a)
    with django_assert_max_num_queries(12):
        response = client.get("/reports/rankings/150103001/")
    assert response.content.decode().count('data-week="2026-W') == 6


def test_a_community_name_with_control_characters_still_gives_a_workbook(cast, as_user):
    make_ranking(cast, b_name=control_text())
    assert_cleaned(read_back(as_user(cast.leader).get("/reports/rankings/150103001/2026-W48.xlsx")))


def test_the_workbook_names_its_sheets_columns_parts_and_settings_in_chinese(cast, as_user):
    ranking = make_ranking(cast)
    ranking.content = {**ranking.content, "units": [
        {"code": "WY-A", "name": "甲物业", "dispatched": 2, "rectified": 2, "returned": 0, "reopened": 0, "rework": 0,
         "overdue": 0, "due": 2, "met": 2, "carried": 0, "on_time_rate": 1.0, "adjusted_rate": 0.8929,
         "prior_weight": 5, "rank": 1, "previous_rank": None, "change": None}]}
    ranking.save()
    book = load_workbook(io.BytesIO(as_user(cast.leader).get("/reports/rankings/150103001/2026-W48.xlsx").content))
    assert book.sheetnames == ["排名", "责任单位", "分项", "计算公式"]
    assert book.worksheets[0]["A1"].value == "第48周（11月23日—11月29日）排名"
    assert [c.value for c in book["责任单位"][1]][:3] == ["名次", "责任单位", "派遣件数"]
    parts = [[c.value for c in row] for row in book["分项"].iter_rows(min_row=2)]
    assert ["甲社区", "实地督查", "实地得分率", 0.9] in parts
    assert ["甲社区", "按期处置率", "全街道按期处置率", 0.75] in parts
    assert ["甲社区", "实地督查", "计分的督查", "仅独立督查"] in parts
    english = {"field", "on_time", "rework", "overdue", "participation", "rate", "by_item", "points", "weight"}
    assert not english & {value for row in parts for value in row[1:3]}
    settings = {row[0]: row[1] for row in book["计算公式"].iter_rows(values_only=True)}
    assert settings["实地督查（分值）"] == 70
    assert "field_weight" not in settings and "levels" not in settings
    assert settings["等级"] == "优秀 ≥ 90，良好 ≥ 80，合格 ≥ 60"


def test_the_rules_page_offers_the_participation_figures_by_name(cast, as_user):
    client = as_user(cast.street_admin)
    page = client.get("/reports/rankings/150103001/rules/").content.decode()
    assert '<label for="id_target_volunteer_hours">志愿服务时长</label>' in page
    assert 'name="participation_targets"' not in page and "volunteer_hours=" not in page
    data = {"field_weight": "60", "min_inspections": "10", "on_time_weight": "15", "prior_weight": "5",
            "rework_weight": "10", "rework_penalty": "2", "overdue_weight": "5", "overdue_penalty": "1",
            "participation_weight": "10", "target_household_visits_per_100": "5", "target_volunteer_hours": "",
            "excellent": "90", "good": "80", "fair": "60", "independent_only": "on"}
    assert client.post("/reports/rankings/150103001/rules/", data).status_code == 302
    assert RankingRules.objects.get().formula["participation_targets"] == {"household_visits_per_100": 5}
    page = client.get("/reports/rankings/150103001/rules/").content.decode()
    assert "每百户入户宣传户数：周目标 5" in page
    assert 'name="target_household_visits_per_100" value="5"' in page


def test_weeks_are_labelled_as_a_bulletin_names_them(cast, as_user):
    make_ranking(cast, status="published")
    client = as_user(cast.street_admin)
    weeks = client.get("/reports/rankings/150103001/").content.decode()
    assert "第48周（11月23日—11月29日）" in weeks and ">2026-W48<" not in weeks
    page = client.get(URL).content.decode()
    assert "<h1 data-week=\"2026-W48\">光明路街道第48周（11月23日—11月29日）排名</h1>" in page
    assert "← 第47周（11月16日—11月22日）" in page
