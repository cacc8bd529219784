from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from chuangcheng.core.models import AuditEvent
from chuangcheng.places.models import Point
from tests.imports.conftest import World, filled, point_rows


def test_the_command_writes_a_template(db: None, tmp_path: Path) -> None:
    target = tmp_path / "points.xlsx"
    call_command("import", "points", "--template", "-o", str(target), stdout=io.StringIO())
    assert load_workbook(target).sheetnames[0] == "数据"


def test_the_command_imports_a_file_as_the_system_and_prints_progress(world: World, tmp_path: Path) -> None:
    source = tmp_path / "points.xlsx"
    source.write_bytes(filled("points", point_rows(6)))
    out = io.StringIO()
    call_command("import", "points", str(source), stdout=out)
    assert Point.objects.count() == 6
    assert "6/6" in out.getvalue()
    assert AuditEvent.objects.filter(object_type="places.point", actor__isnull=True).count() == 6


def test_the_command_checks_as_a_user_and_fails_with_the_row_errors(world: World, tmp_path: Path) -> None:
    rows = point_rows(3)
    source = tmp_path / "points.xlsx"
    source.write_bytes(filled("points", rows))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import", "points", str(source), "--user", "admin_a", stdout=io.StringIO(), stderr=err)
    assert "[网格编码]" in err.getvalue() and "3" in err.getvalue()
    assert Point.objects.count() == 0


def test_the_command_dry_run_writes_nothing(world: World, tmp_path: Path) -> None:
    source = tmp_path / "points.xlsx"
    source.write_bytes(filled("points", point_rows(2)))
    call_command("import", "points", str(source), "--dry-run", stdout=io.StringIO())
    assert Point.objects.count() == 0


def test_the_command_refuses_an_unknown_user_or_missing_file(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError):
        call_command("import", "points", str(tmp_path / "none.xlsx"), stdout=io.StringIO())
    source = tmp_path / "points.xlsx"
    source.write_bytes(filled("points", point_rows(1)))
    with pytest.raises(CommandError):
        call_command("import", "points", str(source), "--user", "nobody", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("import", "points", str(source), "--user", "leader", stdout=io.StringIO())
