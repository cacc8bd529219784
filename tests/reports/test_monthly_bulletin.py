"""The monthly bulletin (月度通报): June 2026 of the bulletin scene, composed on 1 July. It has the
daily bulletin's parts over the month, a trend by week and against the month before, its own
issue numbers, its page and Word document, and the first evening of July drafts it by itself.
Publishing takes the publisher's 整改要求 and deadline."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation
from docx import Document

from chuangcheng.reports.models import Bulletin, Publication
from chuangcheng.reports.queries.bulletins import compose_bulletin, compose_monthly
from chuangcheng.reports.services.bulletins import draft_bulletin, draft_due_bulletins, publish_bulletin
from tests.conftest import client_for
from tests.reports.bulletin_scene import DAY, EVENING, at, build

JULY_1 = at(dt.date(2026, 7, 1), 18)


@pytest.fixture
def scene(cast, media):
    return build(cast)


@pytest.fixture
def june(scene):
    with time_machine.travel(JULY_1, tick=False):
        return compose_monthly(scene.cast.street, dt.date(2026, 6, 15))


def test_the_month_adds_up_its_days(scene, june):
    assert (june["kind"], june["since"], june["until"]) == ("monthly", "2026-06-01", "2026-06-30")
    with time_machine.travel(JULY_1, tick=False):
        first = compose_bulletin(scene.cast.street, dt.date(2026, 6, 1))["summary"]
        third = compose_bulletin(scene.cast.street, DAY)["summary"]
    # Inspections happened on 1 and 3 June only; cases O3 (1 June) and C1–C3, R (3 June) were opened.
    assert june["summary"]["inspections"] == first["inspections"] + third["inspections"] == 6
    assert june["summary"]["cases_opened"] == first["cases_opened"] + third["cases_opened"]
    assert june["focus"] == []  # "tomorrow's focus" is the daily bulletin's


def test_the_trend_runs_by_week_and_against_the_month_before(june):
    trend = june["trend"]
    labels = [row["label"] for row in trend["weeks"]]
    assert labels[0] == "第23周（6月1日—6月7日）" and len(labels) == 5
    assert [row["inspections"] for row in trend["weeks"]] == [6, 0, 0, 0, 0]
    # The month before over as many days: May 1–30, when B2 was inspected on 27 and 28 May.
    assert (trend["previous"]["since"], trend["previous"]["until"]) == ("2026-05-01", "2026-05-30")
    assert trend["previous"]["inspections"] == 2


def test_monthly_numbers_run_apart_from_the_daily_ones(scene):
    street = scene.cast.street
    with time_machine.travel(JULY_1, tick=False):
        daily = publish_bulletin(draft_bulletin(street, DAY), by=None)
        monthly = draft_bulletin(street, dt.date(2026, 6, 20), kind=Bulletin.Kind.MONTHLY)
        assert monthly.day == dt.date(2026, 6, 1) and monthly.key == "2026-06"
        monthly = publish_bulletin(monthly, by=None)
    assert (daily.number, monthly.number) == (1, 1)


def test_the_first_evening_of_a_month_drafts_the_month_before(scene, settings):
    settings.BULLETIN_DRAFT_AT = "17:30"
    with time_machine.travel(JULY_1, tick=False):
        assert draft_due_bulletins() == 2
        assert draft_due_bulletins() == 0
    kinds = sorted(Bulletin.objects.values_list("kind", "day"))
    assert kinds == [("daily", dt.date(2026, 7, 1)), ("monthly", dt.date(2026, 6, 1))]
    with time_machine.travel(at(dt.date(2026, 7, 2), 18), tick=False):
        draft_due_bulletins()
    assert Bulletin.objects.filter(kind="monthly").count() == 1


def test_the_monthly_page_and_word_document(scene):
    admin = scene.cast.street_admin
    with time_machine.travel(JULY_1, tick=False):
        client = client_for(admin)
        response = client.post("/reports/bulletins/draft/", {"street": scene.cast.street.code, "month": "2026-06"})
        assert response.status_code == 302 and response["Location"] == "/reports/bulletins/150103001/2026-06/"
        html = client.get("/reports/bulletins/150103001/2026-06/").content.decode()
        word = client.get("/reports/bulletins/150103001/2026-06/bulletin.docx")
        bad = client.post("/reports/bulletins/draft/", {"street": scene.cast.street.code, "month": "2026-13"})
    assert "光明路街道创建全国文明城市工作月度通报" in html and "本月走势" in html and "第23周（6月1日—6月7日）" in html
    assert word.status_code == 200
    assert 'filename="monthly-150103001-2026-06-draft.docx"' in word["Content-Disposition"]
    assert bad.status_code == 302 and not Bulletin.objects.filter(day=dt.date(2026, 12, 1)).exists()


def test_the_command_writes_the_monthly_document(scene, tmp_path):
    out = tmp_path / "june.docx"
    with time_machine.travel(JULY_1, tick=False), translation.override("zh-hans"):
        call_command("bulletin", "--month", "2026-06", "--region", scene.cast.street.code, "--format", "docx",
                     "-o", str(out))
    doc = Document(io.BytesIO(out.read_bytes()))
    lines = [p.text for p in doc.paragraphs]
    assert lines[0] == "光明路街道创建全国文明城市工作月度通报" and lines[1].startswith("2026年6月")
    assert lines[2].endswith("2026年6月30日")
    assert "（三）本月走势" in lines
    trend = next(t for t in doc.tables if t.rows[0].cells[0].text == "时间段")
    assert [row.cells[0].text for row in trend.rows[1:]][-2:] == ["上月同期（5月1日—5月30日）", "本月合计"]


def test_publishing_takes_the_edited_requirements_and_deadline(scene):
    street = scene.cast.street
    with time_machine.travel(EVENING, tick=False):
        draft = draft_bulletin(street, DAY)
        assert draft.content["requirements"]["deadline"] == "2026-06-05"
        with pytest.raises(ValidationError):
            publish_bulletin(draft, by=None, deadline=DAY)
        published = publish_bulletin(draft, by=None, deadline=dt.date(2026, 6, 8),
                                     requirements="甲物业6月8日前清理甲一路小广告。\n\n乙社区加强市场巡查。")
    assert published.status == Publication.PUBLISHED
    assert published.content["requirements"] == {"deadline": "2026-06-08",
                                                  "items": ["甲物业6月8日前清理甲一路小广告。", "乙社区加强市场巡查。"]}


def test_the_publish_form_offers_the_composed_requirements(scene):
    with time_machine.travel(EVENING, tick=False):
        draft_bulletin(scene.cast.street, DAY)
        client = client_for(scene.cast.street_admin)
        html = client.get("/reports/bulletins/150103001/2026-06-03/").content.decode()
        response = client.post("/reports/bulletins/150103001/2026-06-03/publish/",
                               {"remarks": "", "deadline": "2026-06-01", "requirements": "立即整改。"})
        after = client.get("/reports/bulletins/150103001/2026-06-03/", follow=True).content.decode()
    assert 'name="deadline"' in html and 'value="2026-06-05"' in html and "立行立改" in html
    assert response.status_code == 302 and "整改时限须晚于通报日期。" in after
    assert Bulletin.objects.get().status == Publication.DRAFT
