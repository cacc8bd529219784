"""The hotline's Excel export read in (checked row by row, never twice) and our export written out."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from chuangcheng.cases.models import Case
from chuangcheng.hotline import exchange
from chuangcheng.hotline.models import ExchangeLog, WorkOrder
from tests.hotline.conftest import receive

pytestmark = pytest.mark.django_db

HEADER = ["工单编号", "受理时间", "诉求人", "联系电话", "诉求内容", "问题分类", "事发地址", "签收时限", "办结时限"]
ROWS = [
    ["GD001", "2026-12-02 09:15", "李四", "13900001111", "菜市场门口占道经营", "占道经营", "乙街18号",
     "2026-12-02 17:15", "2026-12-07 18:00"],
    ["GD002", "2026/12/02 10:00", "王五", "13900002222", "楼道堆放杂物", "", "甲街3号", "", ""],
]


def workbook(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_importing_the_same_export_twice_duplicates_nothing(scene):
    first = exchange.import_workbook(workbook(ROWS), street=scene.cast.street)
    assert (first.created, first.unchanged, first.errors) == (2, 0, [])
    second = exchange.import_workbook(workbook(ROWS), street=scene.cast.street)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert WorkOrder.objects.count() == 2
    assert Case.objects.count() == 2
    order = WorkOrder.objects.get(number="GD001")
    assert order.case.point == scene.point  # placed by its address
    assert order.finish_due.isoformat() == "2026-12-07T10:00:00+00:00"


def test_a_corrected_row_updates_only_what_changed(scene):
    exchange.import_workbook(workbook(ROWS), street=scene.cast.street)
    changed = [ROWS[0][:4] + ["菜市场门口占道经营，早晚高峰尤其严重"] + ROWS[0][5:], ROWS[1]]
    result = exchange.import_workbook(workbook(changed), street=scene.cast.street)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert WorkOrder.objects.get(number="GD001").request.endswith("尤其严重")


def test_bad_rows_are_refused_with_their_reasons_and_nothing_is_written(scene):
    rows = [ROWS[0], ["", "2026-12-02 09:00", "", "", "无工单号", "", "", "", ""],
            ["GD003", "昨天", "", "", "时间不对", "", "", "", ""],
            ["GD001", "2026-12-02 09:15", "", "", "重复的工单号", "", "", "", ""],
            ["GD004", "2026-12-02 09:15", "", "", "", "", "", "", ""]]
    result = exchange.import_workbook(workbook(rows), street=scene.cast.street)
    reasons = dict(result.errors)
    assert sorted(reasons) == [3, 4, 5, 6]
    assert "工单编号" in reasons[3]
    assert "昨天" in reasons[4]
    assert "第2行" in reasons[5]
    assert "诉求" in reasons[6]
    assert WorkOrder.objects.count() == 0
    assert ExchangeLog.objects.get(kind="import").ok is False


def test_a_workbook_without_the_hotlines_columns_is_refused(scene):
    result = exchange.import_workbook(workbook(ROWS, header=["编号", "内容"]), street=scene.cast.street)
    assert result.errors and "工单编号" in result.errors[0][1]
    result = exchange.import_workbook(b"not a workbook", street=scene.cast.street)
    assert result.errors and ".xlsx" in result.errors[0][1]


def test_a_dry_run_checks_and_writes_nothing(scene):
    result = exchange.import_workbook(workbook(ROWS), street=scene.cast.street, dry_run=True)
    assert (result.created, result.errors) == (2, [])
    assert WorkOrder.objects.count() == 0


def test_the_export_has_the_hotlines_columns_first_and_masks_the_caller(scene):
    receive(scene, "GD009")
    data = exchange.export_workbook(WorkOrder.objects.all(), street=scene.cast.street)
    sheet = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    assert header[:9] == HEADER
    row = [c.value for c in sheet[2]]
    assert row[0] == "GD009"
    assert (row[2], row[3]) == ("张**", "138****5678")
    again = exchange.import_workbook(data, street=scene.cast.street)  # our export reads back in
    assert again.errors == [] and WorkOrder.objects.count() == 1
