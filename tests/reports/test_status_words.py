"""Status words as the offices say them, in the Chinese interface: a published bulletin or ranking
is 已发布, open cases are 未结, a move in the ranking is 上升 N 名 / 下降 N 名 / 持平 (not an arrow or
a signed number alone), a survey collecting answers is 进行中."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from chuangcheng.cases.models import Resolution
from chuangcheng.reports.models import Publication
from chuangcheng.reports.rankings_xlsx import change_label
from chuangcheng.reports.services.bulletins import draft_bulletin, publish_bulletin
from chuangcheng.reports.services.rankings import UnitPlace
from chuangcheng.surveys import services as surveys
from tests.conftest import client_for
from tests.reports.bulletin_scene import DAY, EVENING, build
from tests.reports.test_ranking_pages import NEXT_MONDAY, URL, make_ranking

pytestmark = pytest.mark.django_db


def test_a_move_in_the_ranking_is_said_in_words(cast: Any) -> None:
    with time_machine.travel(NEXT_MONDAY, tick=False):
        ranking = make_ranking(cast, status="published")
        rows = ranking.content["rows"]
        rows[0]["change"], rows[1]["change"] = 2, -1
        ranking.save()
        html = client_for(cast.leader).get(URL).content.decode()
    cells = re.findall(r'<td class="change" data-change="[^"]*">([^<]*)</td>', html)
    assert cells == ["上升 2 名", "下降 1 名"]
    assert "↑" not in html and "↓" not in html
    assert 'id="ranking-status" data-status="published">已发布<' in html


def test_no_move_and_a_newcomer_have_their_words_too(cast: Any) -> None:
    with translation.override("zh-hans"):
        assert change_label({"rank": 3, "change": 0}) == "持平"
        assert change_label({"rank": 3, "change": None}) == "新上榜"
        assert change_label({"rank": None, "change": None}) == ""
        place = UnitPlace(ranking=None, row={"change": -3}, of=9)  # type: ignore[arg-type]
        assert place.change_label == "下降 3 名"


def test_the_leaders_home_says_the_weeks_ranking_is_published(cast: Any) -> None:
    with time_machine.travel(NEXT_MONDAY, tick=False):
        make_ranking(cast, status="published")
        html = client_for(cast.leader).get("/").content.decode()
    assert "已发布" in html and "published" not in re.sub(r'data-[a-z-]+="[^"]*"', "", html).lower().replace(
        "unpublished", "")


def test_a_published_bulletin_says_已发布_on_its_page_and_in_the_list(cast: Any, media: Any) -> None:
    scene = build(cast)
    with time_machine.travel(EVENING, tick=False):
        publish_bulletin(draft_bulletin(scene.cast.street, DAY), by=None)
        admin = client_for(cast.street_admin)
        page = admin.get(f"/reports/bulletins/{cast.street.code}/{DAY:%Y-%m-%d}/").content.decode()
        listing = admin.get("/reports/bulletins/").content.decode()
    assert re.search(r'id="bulletin-status" data-status="published">已发布 ·', page)
    assert re.search(r'data-status="published">.*?<span class="state state-closed">已发布</span>', listing, re.S)
    with translation.override("zh-hans"):
        assert str(Publication.DRAFT.label) == "草稿"


def test_open_cases_are_未结(cast: Any) -> None:
    html = client_for(cast.street_admin).get(reverse("reports:overview")).content.decode()
    assert '<th scope="col">未结</th>' in html and '<th scope="col">打开</th>' not in html
    assert "期末未结" in html and "结案 <a" in html and "结案时间 <a" not in html
    with translation.override("zh-hans"):
        assert str(Resolution.NONE.label) == "未结"


def test_a_survey_collecting_answers_is_进行中_and_a_closed_one_已结束(cast: Any) -> None:
    survey = surveys.create_from_template(region=cast.street, template="support", by=cast.street_admin)
    surveys.publish(survey, regions=[cast.community_a], by=cast.street_admin)
    page = client_for(cast.street_admin).get(reverse("surveys:detail", args=[survey.code])).content.decode()
    assert 'id="survey-status" data-status="open">进行中<' in page
    surveys.close(survey, by=cast.street_admin)
    page = client_for(cast.street_admin).get(reverse("surveys:detail", args=[survey.code])).content.decode()
    assert 'data-status="closed">已结束<' in page and "结案时间" not in page
