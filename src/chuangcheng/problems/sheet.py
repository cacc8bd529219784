"""The problem-list workbook: the template handed out (a data sheet, an instructions sheet and a
hidden sheet behind the dropdowns) and the reading of a filled one into plain rows.

The column names are the contract with the clerks who fill the sheet, so they are Chinese here as
they are in the file; what goes wrong is reported in the user's language (see importing.py)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from chuangcheng.cases.models import Category
from chuangcheng.core import sheets
from chuangcheng.org.models import Region, Unit
from chuangcheng.standards.models import PointType

DATA_SHEET = "问题清单"
HELP_SHEET = "填写说明"
LIST_SHEET = "下拉选项"
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    help: str
    width: int = 14
    choices: str = ""


COLUMNS = [
    Column("row", "序号", True, "清单上的问题序号（正整数），一个清单内不重复。", 6),
    Column("place", "问题地点", True, "照清单原文填写，如“新华大街与公园路交叉口东北角”。", 30),
    Column("point", "点位编码", False, "系统中点位的编码；填了就按点位定位，须在本街道内。", 14),
    Column("point_type", "点位类型", False, "从下拉列表中选择。", 14, "point_type"),
    Column("lon", "经度", False, "WGS-84 经度，如 111.650321；与纬度一起填写，须落在本街道的网格内。", 12),
    Column("lat", "纬度", False, "WGS-84 纬度，如 40.820114。", 12),
    Column("grid", "所在网格", False, "没有点位和经纬度时必填：网格的编码或名称。", 16, "grid"),
    Column("description", "问题描述", True, "照清单原文填写。", 40),
    Column("category", "问题类别", True, "从下拉列表中选择（大类/小类），决定整改时限。", 22, "category"),
    Column("unit", "责任单位", False, "清单点名的责任单位，从下拉列表中选择；留空则由街道派遣。", 20, "unit"),
    Column("photos", "照片", False, "整改前照片的文件名，多张用分号隔开；照片放在与表格一起上传的 zip 中。", 24),
]
HEADERS = [c.header for c in COLUMNS]
STEPS = [
    "1. 每个问题填一行，从第 2 行开始；不要修改第 1 行的列名。橙色列必填，蓝色列选填。",
    "2. 清单的下发单位、文号、类型（督查/暗访/测评反馈）、下发日期和整改期限在导入页面（或命令行）填写，不在表内。",
    "3. 定位三选一：点位编码，或经纬度，或所在网格；点位和经纬度必须在本街道范围内。",
    "4. 照片：把整改前照片（jpg/png）打成一个 zip，与表格一起上传；“照片”列填 zip 中的文件名。",
    "5. 先“只检查”，再正式导入。只要有一行出错，整份清单都不会导入；按错误列表改正后重新上传。",
    "6. 同一街道的同一文号只能导入一次。",
    "7. 每个问题导入后成为一件“上级交办”案件；清单期限早于类别时限时，按清单期限。",
]


def category_label(category: Category) -> str:
    """How the template names a category: 大类/小类."""
    return f"{category.parent.name}/{category.name}" if category.parent else category.name


def choice_values(source: str, street: Region | None) -> list[str]:
    if source == "point_type":
        return list(PointType.objects.order_by("sort_order", "code").values_list("name", flat=True))
    if source == "category":
        return [category_label(c) for c in Category.objects.filter(active=True, parent__isnull=False)
                .select_related("parent").order_by("parent__sort_order", "sort_order", "code")]
    if source == "unit":
        return list(units_for(street).values_list("name", flat=True))
    grids = Region.objects.filter(level=Region.Level.GRID)
    if street is not None:
        grids = grids.filter(path__startswith=street.path)
    return list(grids.order_by("code").values_list("name", flat=True))


def units_for(street: Region | None) -> Any:
    """The active units that may be named for a street's problems: those registered in it and
    those serving it from above (a district department)."""
    units = Unit.objects.filter(active=True)
    if street is not None:
        above = ["/" + "/".join(street.ancestor_codes()[: i + 1]) + "/" for i in range(len(street.ancestor_codes()))]
        units = units.filter(region__path__startswith=street.path) | units.filter(region__path__in=above)
    return units.order_by("code")


def build_template(street: Region | None = None, *, rows: list[list[Any]] | None = None) -> bytes:
    """The template as .xlsx bytes, its dropdowns filled for `street` (or every street); `rows`
    pre-fills the data sheet (the example in docs/)."""
    book = Workbook()
    data = book.active
    data.title = DATA_SHEET
    lists = book.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    help_sheet = book.create_sheet(HELP_SHEET)
    ranges: dict[str, str] = {}
    for index, source in enumerate(("point_type", "category", "unit", "grid"), start=1):
        values = choice_values(source, street)
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=source)
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=sheets.safe(value))
        if values:
            ranges[source] = f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    last_row = settings.IMPORT_MAX_ROWS + 1
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center")
        cell.comment = Comment(("必填。" if column.required else "选填。") + column.help, "创城")
        data.column_dimensions[letter].width = column.width
        if column.choices in ranges:
            validation = DataValidation(
                type="list", formula1=ranges[column.choices], allow_blank=not column.required,
                showErrorMessage=column.choices != "grid", errorTitle="请从列表中选择",
                error=f"“{column.header}”请从下拉列表中选择。")
            validation.add(f"{letter}2:{letter}{last_row}")
            data.add_data_validation(validation)
    data.freeze_panes = "A2"
    for values in rows or []:
        sheets.append_row(data, values)
    help_sheet.column_dimensions["A"].width = 14
    help_sheet.column_dimensions["B"].width = 8
    help_sheet.column_dimensions["C"].width = 90
    help_rows: list[tuple[str, ...]] = [
        ("上级交办问题清单导入模板使用说明",), *[(step,) for step in STEPS],
        (f"每个文件最多 {settings.IMPORT_MAX_ROWS} 行。",), (), ("列名", "必填", "说明"),
        *[(c.header, "是" if c.required else "", c.help) for c in COLUMNS],
    ]
    for line in help_rows:
        help_sheet.append(list(line))
    help_sheet["A1"].font = Font(bold=True, size=14)
    for sheet_row in help_sheet.iter_rows():
        for cell in sheet_row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    book.active = 0
    return sheets.to_bytes(book)


@dataclass
class SheetRow:
    line: int  # the row number in the workbook, as the clerk sees it
    cells: dict[str, str]


class BadSheet(Exception):  # noqa: N818 - the message is what the clerk is told
    pass


def read_sheet(data: bytes) -> list[SheetRow]:
    """The filled rows of the data sheet as text by column key. Raises BadSheet (missing columns);
    the caller has checked the file is a workbook of a sane size (imports.reading.check_file)."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book[DATA_SHEET] if DATA_SHEET in book.sheetnames else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [text(v) for v in next(rows, ())]
        missing = [c.header for c in COLUMNS if c.required and c.header not in header]
        if missing:
            raise BadSheet("、".join(missing))
        where = {c.key: header.index(c.header) for c in COLUMNS if c.header in header}
        found: list[SheetRow] = []
        for line, values in enumerate(rows, start=2):
            cells = {key: text(values[i]) if i < len(values) else "" for key, i in where.items()}
            if any(cells.values()):
                found.append(SheetRow(line=line, cells=cells))
            if len(found) > settings.IMPORT_MAX_ROWS:
                break
        return found
    finally:
        book.close()


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
