"""`chuangcheng hotline import|export|pull|push` and the periodic exchange job."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from chuangcheng.hotline.models import WorkOrder
from chuangcheng.hotline.tasks import exchange_with_hotline
from tests.hotline.fake_hotline import FakeHotline
from tests.hotline.test_adapter import order
from tests.hotline.test_excel import ROWS, workbook

pytestmark = pytest.mark.django_db


def test_import_then_export_on_the_command_line(scene, tmp_path):
    source = tmp_path / "orders.xlsx"
    source.write_bytes(workbook(ROWS))
    out = io.StringIO()
    call_command("hotline", "import", str(source), "--street", scene.cast.street.code, "--dry-run", stdout=out)
    assert "created 2" in out.getvalue() and WorkOrder.objects.count() == 0
    call_command("hotline", "import", str(source), "--street", scene.cast.street.code, stdout=io.StringIO())
    call_command("hotline", "import", str(source), "--street", scene.cast.street.code, stdout=out)
    assert "unchanged 2" in out.getvalue() and WorkOrder.objects.count() == 2
    target = tmp_path / "out.xlsx"
    call_command("hotline", "export", "-o", str(target), "--street", scene.cast.street.code, stdout=io.StringIO())
    rows = list(load_workbook(io.BytesIO(target.read_bytes())).active.iter_rows(values_only=True))
    assert len(rows) == 3
    assert "13900001111" in {r[3] for r in rows}  # for the hotline centre itself: not masked


def test_a_bad_workbook_fails_the_command_with_its_rows(scene, tmp_path):
    source = tmp_path / "bad.xlsx"
    source.write_bytes(workbook([["", "2026-12-02 09:00", "", "", "", "", "", "", ""]]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("hotline", "import", str(source), "--street", scene.cast.street.code, stderr=err)
    assert "row 2" in err.getvalue()


def test_pull_needs_the_interface_configured(scene, settings):
    settings.HOTLINE_URL = ""
    with pytest.raises(CommandError, match="HOTLINE_URL"):
        call_command("hotline", "pull")


def test_the_periodic_job_pulls_and_pushes(scene, settings):
    with FakeHotline() as fake:
        settings.HOTLINE_URL, settings.HOTLINE_BACKOFF_SECONDS = fake.url, 0
        settings.HOTLINE_STREET = scene.cast.street.code
        fake.orders = [order("JOB-1")]
        assert exchange_with_hotline()["created"] == 1
        assert exchange_with_hotline()["created"] == 0
    assert WorkOrder.objects.filter(number="JOB-1").count() == 1
