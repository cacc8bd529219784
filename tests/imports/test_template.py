from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from chuangcheng.imports import KINDS, build_template
from chuangcheng.imports.columns import headers
from chuangcheng.org.models import Region
from tests import factories as f


@pytest.mark.parametrize("kind", KINDS)
def test_each_template_has_chinese_headers_instructions_and_lists(db: None, kind: str) -> None:
    f.PointTypeFactory(code="ROAD_MAIN", name="主次干道")
    workbook = load_workbook(io.BytesIO(build_template(kind)))
    assert workbook.sheetnames[0] == "数据"
    data = workbook["数据"]
    assert [cell.value for cell in data[1]] == headers(kind)
    assert data.max_row == 1  # no example rows to import by mistake
    assert "说明" in workbook.sheetnames
    assert workbook["选项"].sheet_state == "hidden"
    assert data.data_validations.dataValidation  # every kind has at least one dropdown


def test_the_points_template_offers_the_point_types_of_the_database(db: None) -> None:
    f.PointTypeFactory(code="ROAD_MAIN", name="主次干道")
    f.PointTypeFactory(code="MARKET", name="农贸市场")
    workbook = load_workbook(io.BytesIO(build_template("points")))
    lists = workbook["选项"]
    type_codes = {row[0].value for row in lists.iter_rows(min_row=2) if row[0].value}
    assert {"ROAD_MAIN", "MARKET"} <= type_codes
    formulas = {str(v.formula1) for v in workbook["数据"].data_validations.dataValidation}
    assert any("选项" in formula for formula in formulas)
    help_text = " ".join(str(c.value) for row in workbook["说明"].iter_rows() for c in row if c.value)
    assert "农贸市场" in help_text


def test_the_regions_template_lists_the_levels_in_chinese(db: None) -> None:
    with translation.override("zh-hans"):
        labels = [str(label) for label in Region.Level.labels]
    lists = load_workbook(io.BytesIO(build_template("regions")))["选项"]
    assert [cell.value for cell in lists["A"][1:]] == labels
