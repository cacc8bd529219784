"""The charts' axes and labels as the server decides them (reports/charts.py): a high score is not
a flat line at the top of a 0–100 axis, a cut axis says where it starts, weeks read as dates, bars
leave room for their value labels and long names are shortened beside a bar only."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from chuangcheng.reports import charts


def test_a_score_near_99_percent_gets_an_axis_that_starts_near_it_and_says_so() -> None:
    axis = charts.percent_axis([98.6, 99.2, None, 99.7])
    assert axis["range"] == [90.0, 100.0]
    assert axis["cut"] is True
    assert axis["tickvals"][0] == 90.0 and axis["tickvals"][-1] == 100.0 and len(axis["tickvals"]) <= 6
    with translation.override("zh-hans"):
        assert charts.percent_axis([98.6, 99.7])["title"] == "比率（%），坐标轴从 90% 起"


def test_a_percent_axis_keeps_zero_when_the_values_spread_low() -> None:
    for values in ([12.0, 99.0], [35.0, 60.0], [], [None, None]):
        axis = charts.percent_axis(values)
        assert axis["range"] == [0.0, 100.0] and axis["cut"] is False
    with translation.override("zh-hans"):
        assert charts.percent_axis([12.0])["title"] == "比率（%）"


def test_a_cut_percent_axis_starts_on_a_tick_below_the_lowest_value() -> None:
    assert charts.percent_axis([72.0, 99.0])["range"] == [60.0, 100.0]
    assert charts.percent_axis([86.0, 90.0])["tickvals"] == [80.0, 85.0, 90.0, 95.0, 100.0]
    assert charts.percent_axis([100.0, 100.0])["range"][0] == 95.0


def test_bars_get_room_above_the_largest_for_its_label_but_ticks_stop_at_100_percent() -> None:
    axis = charts.percent_axis([50.0, 100.0], bars=True)
    assert axis["range"][1] > 100.0
    assert max(axis["tickvals"]) == 100.0
    counts = charts.count_axis([0, 3, 40])
    assert counts["range"][0] == 0.0 and counts["range"][1] > 40
    assert counts["dtick"] == 10


def test_a_count_axis_ticks_whole_numbers_and_keeps_a_scale_when_empty() -> None:
    assert charts.count_axis([])["range"] == [0.0, 1.0]
    assert charts.count_axis([2])["dtick"] == 1
    assert charts.count_axis([7])["dtick"] == 2
    assert charts.count_axis([130])["dtick"] == 50
    assert charts.count_axis([999])["dtick"] == 200


def test_weeks_are_labelled_by_their_monday_with_the_year_only_across_new_year() -> None:
    mondays = [dt.date(2025, 12, 22), dt.date(2025, 12, 29), dt.date(2026, 1, 5)]
    with translation.override("zh-hans"):
        assert charts.week_labels(mondays) == ["2025年12月22日", "2025年12月29日", "1月5日"]
        assert charts.week_label(dt.date(2026, 11, 30)) == "11月30日"
    with translation.override("en"):
        assert charts.week_labels(mondays[1:]) == ["12/29/2025", "1/5"]


def test_long_names_are_shortened_beside_a_bar_and_kept_apart() -> None:
    assert charts.short_name("市容环境 › 乱张贴") == "市容环境 › 乱张贴"
    assert charts.short_name("市容环境秩序管理 › 乱张贴小广告") == "乱张贴小广告"
    assert charts.short_name("呼和浩特市某某物业服务有限公司") == "呼和浩特市某某物业…"
    names = charts.short_names(["呼和浩特市某某物业服务有限公司一", "呼和浩特市某某物业服务有限公司二"])
    assert len(set(names)) == 2 and all(n.startswith("呼和浩特市某某物业…") for n in names)


def test_a_chart_keeps_the_full_names_for_its_table_and_hover() -> None:
    chart = charts.chart("c", "t", "hbar", ["呼和浩特市某某物业服务有限公司"], [{"name": "s", "y": [99.0]}],
                         percent=True)
    assert chart["x"] == ["呼和浩特市某某物业服务有限公司"]
    assert chart["ticks"] == ["呼和浩特市某某物业…"]
    assert chart["axis"]["cut"] is True and chart["axis"]["range"][1] > 99.0
