"""The results, trend and export pages: scoped, the hand-made figures in their tables, the rows of
a street linking to its communities' grids, bad query strings refused with a clear message."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import time_machine
from django.test import Client
from django.urls import reverse

from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.surveys.models import Survey
from tests.conftest import Cast, client_for
from tests.core.unstorable import assert_cleaned, control_text, read_back
from tests.surveys.test_results import hand_made

NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


def get(client: Client, name: str, survey: Survey, **params: Any) -> Any:
    return client.get(reverse(name, args=[survey.code]), params)


@time_machine.travel(NOW, tick=False)
def test_the_results_page_shows_the_hand_made_figures_and_links_rows_to_their_grids(cast: Cast) -> None:
    survey = hand_made(cast)
    response = get(client_for(cast.street_admin), "surveys:results", survey)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="table-awareness"' in html and 'id="table-satisfaction"' in html
    assert 'data-rate="0.5882"' in html  # street: 20 of 34
    assert 'data-rate="0.7500"' in html  # 甲社区: 15 of 20
    assert "53.1–88.8%" in html  # 甲社区's Wilson interval in percent
    assert "sample too small to rank" in html or "small-sample" in html
    grid_link = reverse("surveys:results", args=[survey.code]) + f"?region={cast.community_a.code}"
    assert grid_link in html
    # The definition in force, in the options' own words.
    assert "(知道 + 听说过)" in html and "不知道" in html
    assert 'id="table-topics"' in html and "市容环境" in html


@time_machine.travel(NOW, tick=False)
def test_a_community_admin_sees_only_their_community(cast: Cast) -> None:
    survey = hand_made(cast)
    client = client_for(cast.admin_a)
    response = get(client, "surveys:results", survey)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-region="{cast.grid_a.code}"' in html
    assert cast.community_b.code not in html
    assert 'id="direct-note"' in html  # 8 responses count to the community itself
    assert get(client, "surveys:results", survey, region=cast.community_b.code).status_code == 404
    assert get(client, "surveys:results", survey, region=cast.street.code).status_code == 404


@time_machine.travel(NOW, tick=False)
def test_bad_dates_are_refused_with_a_message(cast: Cast) -> None:
    survey = hand_made(cast)
    client = client_for(cast.street_admin)
    response = get(client, "surveys:results", survey, since="2026-13-01")
    assert response.status_code == 400 and "2026-13-01" in response.content.decode()
    assert get(client, "surveys:results", survey, **{"since": "2026-11-20", "until": "2026-11-01"}).status_code == 400
    assert get(client, "surveys:trend", survey, weeks="x").status_code == 400
    assert get(client, "surveys:export", survey, until="yesterday").status_code == 400


@time_machine.travel(NOW, tick=False)
def test_the_trend_page_has_a_table_beside_its_chart(cast: Cast) -> None:
    survey = hand_made(cast)
    response = get(client_for(cast.leader), "surveys:trend", survey)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="chart-trend-data"' in html and 'id="trend-table"' in html
    week = clock.local(clock.now() - dt.timedelta(days=1)).date().isocalendar()
    assert f'data-week="{week[0]}-W{week[1]:02d}"' in html
    assert 'data-rate="0.5882"' in html


@time_machine.travel(NOW, tick=False)
def test_the_ledger_has_a_row_per_response_and_the_indicators(cast: Cast) -> None:
    from openpyxl import load_workbook

    survey = hand_made(cast)
    response = get(client_for(cast.street_admin), "surveys:export", survey, community=cast.community_a.code,
                   **{"since": "2026-11-01", "until": "2026-11-25"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 24  # 16 in the grid + 8 counted to the community itself
    header = [c.value for c in sheet[2]]
    a1 = header.index(next(h for h in header if str(h).startswith("A1 ")))
    assert sorted({r[a1] for r in rows if r[a1]}) == sorted({"知道", "听说过", "不知道"})
    t1 = header.index(next(h for h in header if str(h).startswith("T1 ")))
    texts = [sheet.cell(row=i + 3, column=t1 + 1) for i, r in enumerate(rows) if r[t1]]
    assert [c.value for c in texts] == ["'=多种点树", "'=多种点树"]  # a formula-like text stays text
    assert all(c.data_type == "s" for c in texts)
    assert {r[1] for r in rows} == {cast.community_a.name}
    assert {r[2] or "" for r in rows} == {cast.grid_a.name, ""}
    assert not any(h and "device" in str(h).lower() for h in header)
    indicators = book.worksheets[1]
    values = list(indicators.iter_rows(min_row=3, max_row=4, values_only=True))
    assert values[0][0] == cast.community_a.name
    assert values[0][1] == 24
    assert values[0][4:6] == (75.0, 20)  # awareness 15 of 20
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, changes__survey_responses=24).exists()


@time_machine.travel(NOW, tick=False)
def test_a_community_cannot_export_the_other_community(cast: Cast) -> None:
    survey = hand_made(cast)
    response = get(client_for(cast.admin_a), "surveys:export", survey, community=cast.community_b.code)
    assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_a_text_answer_with_control_characters_is_exported_without_them(cast: Cast) -> None:
    from chuangcheng.surveys.models import Answer

    survey = hand_made(cast)
    Answer.objects.filter(text="=多种点树").update(text=control_text())
    response = get(client_for(cast.street_admin), "surveys:export", survey, community=cast.community_a.code,
                   **{"since": "2026-11-01", "until": "2026-11-25"})
    assert_cleaned(read_back(response))


@time_machine.travel(NOW, tick=False)
def test_more_responses_than_an_export_holds_are_refused_with_a_message(cast: Cast, settings: Any) -> None:
    settings.EXPORT_MAX_ROWS = 5
    survey = hand_made(cast)
    response = get(client_for(cast.street_admin), "surveys:export", survey, community=cast.community_a.code,
                   **{"since": "2026-11-01", "until": "2026-11-25"})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
