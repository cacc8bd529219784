"""The hotline pages: who sees which orders, the filters, the steps from the page, the import and
export, and the exchange's failures shown to the street admin."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from chuangcheng.cases import services as cases
from chuangcheng.core import clock
from chuangcheng.hotline.models import ExchangeLog, OrderState, WorkOrder
from tests.conftest import client_for
from tests.hotline.conftest import receive
from tests.hotline.test_excel import ROWS, workbook

pytestmark = pytest.mark.django_db


def test_the_list_masks_the_caller_and_filters_overdue_orders(scene):
    receive(scene, "LATE", received_at=clock.now() - dt.timedelta(hours=30))
    receive(scene, "FRESH")
    page = client_for(scene.cast.street_admin).get("/hotline/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "138****5678" in text and "13812345678" not in text
    assert "张**" in text
    overdue = client_for(scene.cast.street_admin).get("/hotline/?state=overdue_sign").content.decode()
    assert 'data-number="LATE"' in overdue and 'data-number="FRESH"' not in overdue
    assert "及时签收率" in text


def test_an_order_is_signed_and_answered_from_its_page_but_not_finished_unanswered(scene):
    order = receive(scene, "P-1")
    admin = client_for(scene.cast.street_admin)
    assert admin.post("/hotline/P-1/sign/").status_code == 302
    response = admin.post("/hotline/P-1/finish/", follow=True)
    assert "答复" in response.content.decode()
    order.refresh_from_db()
    assert order.state == OrderState.SIGNED
    admin.post("/hotline/P-1/answer/", {"answer": "已清理完毕"})
    admin.post("/hotline/P-1/finish/")
    order.refresh_from_db()
    assert (order.state, order.answer) == (OrderState.FINISHED, "已清理完毕")
    page = admin.get("/hotline/P-1/").content.decode()
    assert "已清理完毕" in page and "收到热线工单" in page and "办结" in page


def test_a_unit_sees_only_its_own_orders(scene):
    mine = receive(scene, "MINE")
    receive(scene, "NOT-MINE")
    cases.accept_case(mine.case, by=scene.cast.street_admin)
    cases.dispatch_case(mine.case, by=scene.cast.street_admin, unit=scene.unit)
    handler = client_for(scene.handler)
    text = handler.get("/hotline/").content.decode()
    assert 'data-number="MINE"' in text and 'data-number="NOT-MINE"' not in text
    assert handler.get("/hotline/NOT-MINE/").status_code == 404
    assert client_for(scene.other_handler).post("/hotline/MINE/sign/").status_code == 404
    assert "及时签收率" not in text  # the street's figures are the office's


def test_a_community_admin_sees_the_orders_of_the_community_only(scene):
    receive(scene, "IN-A")  # the street's first grid: 甲社区
    receive(scene, "IN-B", lon=111.700, lat=40.820)
    text = client_for(scene.cast.admin_a).get("/hotline/").content.decode()
    assert 'data-number="IN-A"' in text and 'data-number="IN-B"' not in text
    assert client_for(scene.cast.admin_a).get("/hotline/export/").status_code == 403


def test_a_grid_worker_has_no_hotline_page(scene):
    assert client_for(scene.cast.grid_worker_a).get("/hotline/").status_code == 403


def test_the_street_admin_imports_and_exports_excel(scene):
    admin = client_for(scene.cast.street_admin)
    upload = SimpleUploadedFile("orders.xlsx", workbook(ROWS))
    response = admin.post("/hotline/import/", {"file": upload}, follow=True)
    assert WorkOrder.objects.count() == 2
    assert "2" in response.content.decode()
    bad = SimpleUploadedFile("bad.xlsx", workbook([["", "2026-12-02", "", "", "", "", "", "", ""]]))
    response = admin.post("/hotline/import/", {"file": bad}, follow=True)
    assert "第2行" in response.content.decode()
    assert WorkOrder.objects.count() == 2
    export = admin.get("/hotline/export/")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 3


def test_failed_exchanges_are_shown_to_the_street_admin(scene):
    ExchangeLog.objects.create(street=scene.cast.street, kind="pull", ok=False, status=500, detail="HTTP 500")
    text = client_for(scene.cast.street_admin).get("/hotline/").content.decode()
    assert 'id="exchange-failures"' in text and "HTTP 500" in text


def test_the_list_reads_a_fixed_number_of_queries_whatever_the_orders(scene, django_assert_max_num_queries):
    admin = client_for(scene.cast.street_admin)
    receive(scene, "Q-1")
    admin.get("/hotline/")  # warm the session and the caches
    with django_assert_max_num_queries(60) as few:
        admin.get("/hotline/")
    for n in range(2, 8):
        receive(scene, f"Q-{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get("/hotline/")
