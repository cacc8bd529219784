"""The .xlsx templates the app hands out: a data sheet with the headers, a Chinese instructions
sheet, and a hidden sheet holding the lists behind the dropdowns."""

from __future__ import annotations

import io

from django.conf import settings
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from chuangcheng.imports.columns import (
    CHOICE_SOURCES,
    COLUMNS,
    DATA_SHEET,
    HELP_SHEET,
    KINDS,
    LIST_SHEET,
    NO,
    YES,
    Column,
    chinese_labels,
)
from chuangcheng.standards.models import PointType

REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
OPTIONAL_FILL = PatternFill("solid", fgColor="DDEBF7")
BOLD = Font(bold=True)

TITLES = {"regions": "区域", "units": "责任单位", "people": "人员", "points": "点位"}
ORDER_NOTE = "导入顺序：先区域，再责任单位，再人员，最后点位（后面的表会引用前面的编码）。"
STEPS = [
    "1. 在“数据”页第 1 行下方逐行填写，每行一条记录；不要修改、删除或调换第 1 行的列名。",
    "2. 橙色列必填，蓝色列可留空；带下拉箭头的列请从列表中选择。",
    "3. 编码是稳定的：文件中的编码在系统中已存在时更新该条记录，不存在时新建。同一编码在文件中只能出现一次。",
    "4. 保存为“Excel 工作簿 (*.xlsx)”，在系统“Excel 导入”页先勾选“只检查”上传核对，再正式导入。",
    "5. 只要有一行出错，整个文件都不会导入；按错误列表中的行号和列名改正后重新上传。",
    "6. 同一文件重复导入不会产生任何变化；留空的可选单元格会清空原有内容（区域边界除外）。",
]


def build_template(kind: str) -> bytes:
    """The template for one kind of import, as .xlsx bytes."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    columns = COLUMNS[kind]
    workbook = Workbook()
    data = workbook.active
    data.title = DATA_SHEET
    lists = workbook.create_sheet(LIST_SHEET)
    lists.sheet_state = "hidden"
    help_sheet = workbook.create_sheet(HELP_SHEET)

    list_ranges = _fill_lists(lists, columns)
    last_row = settings.IMPORT_MAX_ROWS + 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if column.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center")
        if column.help:
            cell.comment = Comment(("必填。" if column.required else "选填。") + column.help, "创城")
        dimension = data.column_dimensions[letter]
        dimension.width = column.width
        if column.text:
            dimension.number_format = "@"
        if column.choices and column.choices in list_ranges:
            validation = DataValidation(
                type="list", formula1=list_ranges[column.choices], allow_blank=not column.required,
                showErrorMessage=True, errorTitle="请从列表中选择", error=f"“{column.header}”请从下拉列表中选择。",
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            data.add_data_validation(validation)
    data.freeze_panes = "A2"
    _fill_help(help_sheet, kind, columns)
    workbook.active = 0
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _choice_values(source: str) -> list[str]:
    if source == "bool":
        return [YES, NO]
    if source == "point_type":
        return list(PointType.objects.order_by("sort_order", "code").values_list("code", flat=True))
    return chinese_labels(CHOICE_SOURCES[source])


def _fill_lists(sheet: Worksheet, columns: list[Column]) -> dict[str, str]:
    """One column per list on the hidden sheet; returns each list's absolute range."""
    ranges: dict[str, str] = {}
    sources = [c.choices for c in columns if c.choices]
    for index, source in enumerate(dict.fromkeys(sources), start=1):
        values = _choice_values(source)
        if not values:
            continue
        letter = get_column_letter(index)
        sheet.cell(row=1, column=index, value=source)
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=value)
        ranges[source] = f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${len(values) + 1}"
    return ranges


def _fill_help(sheet: Worksheet, kind: str, columns: list[Column]) -> None:
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 90
    rows: list[tuple[str, ...]] = [
        (f"{TITLES[kind]}导入模板使用说明",),
        (ORDER_NOTE,),
        *[(step,) for step in STEPS],
        (f"每个文件最多 {settings.IMPORT_MAX_ROWS} 行、{settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB。",),
        (),
        ("列名", "必填", "说明"),
        *[(c.header, "是" if c.required else "", c.help) for c in columns],
    ]
    for source in dict.fromkeys(c.choices for c in columns if c.choices):
        rows += [(), *_choice_table(source)]
    for row in rows:
        sheet.append(list(row))
    sheet["A1"].font = Font(bold=True, size=14)
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if cell.value in {"列名", "必填", "说明", "可填写的值", "对应编码", "类型编码", "类型名称"}:
                cell.font = BOLD


def _choice_table(source: str) -> list[tuple[str, ...]]:
    if source == "bool":
        return [("是/否列", "", "填“是”或“否”；也接受 Y/N、1/0，留空为否。")]
    if source == "point_type":
        types = list(PointType.objects.order_by("sort_order", "code").values_list("code", "name"))
        return [("类型编码", "", "类型名称"), *types]
    titles = {"level": "层级", "unit_kind": "单位类型", "role": "角色"}
    choices = CHOICE_SOURCES[source]
    return [
        (titles[source], "", "可填写的值（选中文名称，或填写对应编码）"),
        *[(label, "", str(value)) for label, value in zip(chinese_labels(choices), choices.values, strict=True)],
    ]
