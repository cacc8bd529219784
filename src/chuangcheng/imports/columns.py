"""The columns of each import template and the fixed lists behind their dropdowns.

Headers are Chinese and fixed: they are what the clerks see in Excel/WPS and what the reader
matches. Choice labels come from the model choices, in Chinese (the zh-hans catalogue), and the
reader accepts the label in any of our languages as well as the stored code value."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Choices
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from chuangcheng.org.models import Region, Role, Unit

KINDS = ("regions", "units", "people", "points")
KIND_LABELS = {
    "regions": _("regions"),
    "units": _("responsible units"),
    "people": _("people"),
    "points": _("points"),
}
# The file name offered for a downloaded template (and used by the docs).
TEMPLATE_FILE_NAMES = {
    "regions": "区域导入模板.xlsx",
    "units": "责任单位导入模板.xlsx",
    "people": "人员导入模板.xlsx",
    "points": "点位导入模板.xlsx",
}

DATA_SHEET = "数据"
HELP_SHEET = "说明"
LIST_SHEET = "选项"
YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    header: str
    required: bool = False
    help: str = ""
    width: int = 14
    # "level", "unit_kind", "role", "point_type" or "bool": a dropdown in the template.
    choices: str = ""
    # Keep the cell as text in Excel (codes and phone numbers lose leading zeros otherwise).
    text: bool = False
    # The model field this column fills, to put a service's field error on the right column.
    field: str = ""


CODE_HELP = "稳定编码，字母、数字、点、横线或下划线，最长 40 位；已存在的编码会被更新，不存在的会新建。"

COLUMNS: dict[str, list[Column]] = {
    "regions": [
        Column("编码", True, CODE_HELP, 18, text=True, field="code"),
        Column("名称", True, "区域名称，如“光明路街道”“甲社区”“甲一网格”。", 18, field="name"),
        Column("层级", True, "区、街道、社区或网格（从下拉列表选择）。", 10, choices="level", field="level"),
        Column("上级编码", False, "上一级区域的编码；区不填。上级可以是本文件中的区域，也可以是系统中已有的区域。",
               18, text=True, field="parent"),
        Column("边界GeoJSON", False, "WGS-84 坐标的 GeoJSON Polygon 或 MultiPolygon；留空则保留原有边界。",
               30, field="boundary"),
        Column("户数", False, "整数，可留空。", 8, field="households"),
        Column("人口", False, "整数，可留空。", 8, field="population"),
    ],
    "units": [
        Column("编码", True, CODE_HELP, 16, text=True, field="code"),
        Column("名称", True, "单位全称。", 24, field="name"),
        Column("类型", True, "单位类型（从下拉列表选择）。", 16, choices="unit_kind", field="kind"),
        Column("所属区域编码", True, "单位所属区域（街道、社区或网格）的编码。", 18, text=True, field="region"),
        Column("负责人", False, "", 10, field="head_name"),
        Column("负责人手机", False, "11 位手机号。", 14, text=True, field="head_phone"),
        Column("联络人", False, "", 10, field="liaison_name"),
        Column("联络人手机", False, "11 位手机号。", 14, text=True, field="liaison_phone"),
        Column("地址", False, "", 30, field="address"),
    ],
    "people": [
        Column("编码", True, CODE_HELP, 14, text=True, field="code"),
        Column("姓名", True, "", 10, field="name"),
        Column("手机号", True, "11 位手机号，不能与其他人员重复。", 14, text=True, field="phone"),
        Column("所属区域编码", True, "人员所属区域的编码；登录账号的管辖范围就是这个区域。", 18, text=True,
               field="region"),
        Column("所属单位编码", False, "所在责任单位的编码，可留空。", 16, text=True, field="unit"),
        Column("职务", False, "", 12, field="post"),
        Column("党员", False, "是或否，留空为否。", 8, choices="bool", field="party_member"),
        Column("志愿者", False, "是或否，留空为否。", 8, choices="bool", field="volunteer"),
        Column("登录账号", False, "填写登录账号和角色即为此人开通账号（初始无密码，由管理员设置）。", 14,
               text=True, field="username"),
        Column("角色", False, "登录角色（从下拉列表选择）；与登录账号同时填写。", 14, choices="role",
               field="role"),
    ],
    "points": [
        Column("编码", True, CODE_HELP, 14, text=True, field="code"),
        Column("名称", True, "", 22, field="name"),
        Column("类型编码", True, "点位类型编码（从下拉列表选择，对照表见“说明”页）。", 14, choices="point_type",
               text=True, field="point_type"),
        Column("网格编码", True, "点位所在网格的编码。", 18, text=True, field="grid"),
        Column("经度", True, "WGS-84 经度，小数，如 111.650123。", 12, field="lon"),
        Column("纬度", True, "WGS-84 纬度，小数，如 40.820456。", 12, field="lat"),
        Column("地址", False, "", 24, field="address"),
        Column("主责单位编码", True, "主责单位的编码。", 14, text=True, field="primary_unit"),
        Column("协同单位编码", False, "多个编码用逗号分隔；留空表示没有协同单位。", 18, text=True,
               field="cooperating_units"),
        Column("包点责任人编码", False, "人员编码，多个用逗号分隔。", 18, text=True, field="responsible_people"),
        Column("零失分点位", False, "是或否，留空为否。", 10, choices="bool", field="zero_loss"),
        Column("备注", False, "", 24, field="note"),
    ],
}


def headers(kind: str) -> list[str]:
    return [column.header for column in COLUMNS[kind]]


def column_for_field(kind: str, field: str) -> str:
    """The header of the column that fills a model field ("" when none does)."""
    for column in COLUMNS[kind]:
        if column.field == field:
            return column.header
    return ""


def _labels(choices: type[Choices], language: str) -> list[str]:
    with translation.override(language):
        return [str(label) for label in choices.labels]


def chinese_labels(choices: type[Choices]) -> list[str]:
    """The labels a clerk picks from in the template's dropdown."""
    return _labels(choices, "zh-hans")


CHOICE_SOURCES: dict[str, type[Choices]] = {"level": Region.Level, "unit_kind": Unit.Kind, "role": Role}


def choice_lookup(choices: type[Choices]) -> dict[str, object]:
    """Everything a clerk may type for a choice, casefolded, mapped to the stored value: the code
    value, the member name and the label in each of our languages (Chinese first)."""
    lookup: dict[str, object] = {}
    languages: Iterable[str] = ("en", translation.get_language() or "en", "zh-hans")
    for language in languages:
        for value, label in zip(choices.values, _labels(choices, language), strict=True):
            lookup[label.strip().casefold()] = value
    for member in choices:
        lookup[member.name.casefold()] = member.value
        lookup[str(member.value).casefold()] = member.value
    return lookup


TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "t", "有"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", "f", "无", ""}
