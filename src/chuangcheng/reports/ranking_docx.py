"""The weekly ranking as a 通报 (Word, in the layout of `core.gongwen`): the 版头 with the week
as its number line, an opening paragraph written from the week's figures, 一、排名情况 (the
communities' table), 二、红黑榜, 三、责任单位排名, 四、评分办法 (this ranking's formula in words),
五、工作要求, the signature and the 版记.

It renders a ranking's frozen `content` and `formula` and nothing else: every sentence is a template
filled with the ranking's own figures. Rankings computed before the units were ranked, or before the
issuing lines were stored, still render (the units' part says so; the street's settings fill in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from chuangcheng.core import clock, gongwen
from chuangcheng.reports import issuing
from chuangcheng.reports import ranking as formula_
from chuangcheng.reports.models import Publication, Ranking
from chuangcheng.reports.rankings_xlsx import change_label, level_label
from chuangcheng.reports.services.rankings import honour_lists

SERIALS = "一二三四五六七八九十"


def _points(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def _number(value: Any) -> str:
    """A formula's number as the rules hold it: 70, 2.5."""
    if value is None:
        return "—"
    number = float(value)
    return str(int(number)) if number == int(number) else f"{number:g}"


def _rate(rate: Any) -> str:
    """A 0–1 rate as a percentage with one decimal."""
    return "—" if rate is None else f"{float(rate) * 100:.1f}%"


def document_day(ranking: Ranking) -> dt.date:
    """The date the 通报 carries: the day it was published, or (a draft) the day it was computed."""
    moment = ranking.published_at if ranking.status == Publication.PUBLISHED and ranking.published_at \
        else ranking.computed_at
    return clock.local(moment).date()


# --- the parts ---------------------------------------------------------------------------------


def opening(ranking: Ranking) -> str:
    """The opening paragraph: the week's street figures, then how many were ranked."""
    content = ranking.content
    street = content.get("street") or {}
    rows = content.get("rows", [])
    ranked = [row for row in rows if row.get("rank")]
    facts = []
    if street.get("inspections") is not None:
        field = f"全街道共开展督查{street['inspections']}次"
        if street.get("score_rate") is not None:
            checks = "独立督查" if street.get("field_checks") == "independent" else "全部督查"
            field += f"，{checks}实地得分率{float(street['score_rate']):.1f}%"
        facts.append(field)
    if street.get("cases_due") is not None:
        due = int(street.get("cases_due", 0)) + int(street.get("cases_carried", 0))
        met = int(street.get("cases_due_met", 0))
        cases = f"到期应处置案件{due}件，按期处置{met}件"
        if due:
            cases += f"，按期处置率{100 * met / due:.1f}%"
        facts.append(cases)
        facts.append(f"返工{street.get('cases_returned', 0)}件，重办{street.get('cases_reopened', 0)}件，"
                     f"周末超期未处置{street.get('cases_overdue', 0)}件")
    standing = f"按照评分办法，{len(ranked)}个社区参加排名"
    if len(rows) > len(ranked):
        standing += f"，{len(rows) - len(ranked)}个社区因督查次数不足未参加排名"
    if content.get("units"):
        standing += f"；{len(content['units'])}个责任单位承办了案件，一并排名"
    week = f"{ranking.week_title}，{'；'.join(facts)}。" if facts else ""
    return f"{week}{standing}。现将有关情况通报如下："


def data_as_of(ranking: Ranking) -> str:
    """"数据截至…": the end of the week, or the moment a running week was computed."""
    through = ranking.content.get("through")
    if ranking.content.get("complete") and through:
        return f"（数据截至{gongwen.chinese_date(dt.date.fromisoformat(through))}24时）"
    moment = clock.local(ranking.computed_at)
    return f"（数据截至{gongwen.chinese_date(moment.date())}{moment.hour}时{moment.minute:02d}分，本周尚未结束）"


def _work_columns(rows: list[dict[str, Any]], formula: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The work parts shown as columns: (part key, header)."""
    columns = [("on_time", "按期处置"), ("rework", "返工重办"), ("overdue", "超期")]
    if formula.get("participation_weight") or any(row["parts"].get("participation", {}).get("points")
                                                   for row in rows):
        columns.append(("participation", "参与"))
    return columns


def communities_table(doc: Any, ranking: Ranking) -> None:
    rows = ranking.content.get("rows", [])
    if not rows:
        gongwen.para(doc, "本周没有社区的数据。")
        return
    work = _work_columns(rows, ranking.formula or {})
    header = ["名次", "社区", "总分", "实地", *[title for _key, title in work], "等级", "变化"]
    table = []
    for row in rows:
        parts = row.get("parts", {})
        table.append([row.get("rank") or "—", row["name"], _points(row.get("total")), _points(row.get("field")),
                      *[_points((parts.get(key) or {}).get("points")) for key, _title in work],
                      # An unranked community gets no level: it was not measured on equal terms.
                      (level_label(row.get("level", "")) if row.get("rank") else "") or "—",
                      change_label(row) or "—"])
    gongwen.table(doc, header, table)
    for row in rows:
        if row.get("reason") == "too_few_inspections":
            field = row.get("parts", {}).get("field", {})
            gongwen.para(doc, f"{row['name']}本周计分督查{field.get('inspections', 0)}次，少于"
                              f"{field.get('min_inspections', 0)}次，不参加排名。")
        elif row.get("reason"):
            gongwen.para(doc, f"{row['name']}本周没有计分的督查，不参加排名。")


def _honour(doc: Any, title: str, entries: list[dict[str, Any]], *, unit: bool) -> None:
    gongwen.subheading(doc, title)
    for entry in entries:
        standing = f"第{entry['rank']}名" if unit else f"第{entry['rank']}名，{_points(entry['total'])}分"
        reasons = entry["why"] or "—"
        gongwen.para(doc, f"{entry['name']}（{standing}）：{reasons}。")


def honours(doc: Any, ranking: Ranking) -> None:
    lists = honour_lists(ranking)
    if not lists["red"] and not lists["units_red"]:
        gongwen.para(doc, "本周参加排名的社区和责任单位均不足2个，不设红黑榜。")
        return
    number = 0
    for key, title, unit in (("red", "社区红榜", False), ("black", "社区黑榜", False),
                             ("units_red", "责任单位红榜", True), ("units_black", "责任单位黑榜", True)):
        if lists[key]:
            _honour(doc, f"（{SERIALS[number]}）{title}", lists[key], unit=unit)
            number += 1


def units_table(doc: Any, ranking: Ranking) -> None:
    units = ranking.content.get("units")
    if units is None:
        gongwen.para(doc, "本期排名计算时尚未对责任单位排名。")
        return
    if not units:
        gongwen.para(doc, "本周没有责任单位承办案件。")
        return
    k = _number((ranking.formula or {}).get("prior_weight"))
    gongwen.para(doc, f"承办了案件的责任单位按按期处置率排名（应处置件数少的单位向全街道按期处置率靠拢，k = {k}），"
                      "相同时周末超期件数少的在前，再相同时返工与重办件数少的在前。")
    header = ["名次", "责任单位", "派遣", "整改", "应处置", "按期处置", "按期处置率", "返工", "重办", "周末超期",
              "变化"]
    table = [[u["rank"], u["name"], u["dispatched"], u["rectified"], u["due"], u["met"], _rate(u.get("on_time_rate")),
              u["returned"], u["reopened"], u["overdue"], change_label(u) or "—"] for u in units]
    gongwen.table(doc, header, table)


def method(ranking: Ranking) -> list[str]:
    """This ranking's formula in words, with its own weights."""
    f = ranking.formula or {}
    if not f:
        return ["本期排名未保存评分办法。"]
    weights = [f"实地督查{_number(f.get('field_weight'))}分", f"按期处置{_number(f.get('on_time_weight'))}分",
               f"返工与重办{_number(f.get('rework_weight'))}分", f"超期{_number(f.get('overdue_weight'))}分"]
    if f.get("participation_weight"):
        weights.append(f"参与{_number(f.get('participation_weight'))}分")
    k = _number(f.get("prior_weight"))
    checks = ("只计街道督查、交叉检查、区级督查和暗访等独立督查，社区自查不计分"
              if f.get("independent_only", True) else "计入全部督查，含社区自查")
    out = [
        f"总分100分，其中{'、'.join(weights)}。",
        f"实地得分 = 实地得分率 × {_number(f.get('field_weight'))}。实地得分率按测评体系计算：每项测评内容得分 = "
        f"分值 − 抽样数 × 扣分 ÷ 督查次数（最低0分），实地得分率 = 各项得分之和 ÷ 所查测评内容分值之和；"
        f"{checks}。本周计分督查少于{_number(f.get('min_inspections'))}次的社区列出但不参加排名。",
        f"按期处置得分 = （按期处置件数 + {k} × 全街道按期处置率）÷（应处置件数 + {k}）× "
        f"{_number(f.get('on_time_weight'))}。应处置件数为本周到期的案件与周初已超期未处置的案件之和，"
        "案件较少时得分向全街道水平靠拢。",
        f"返工与重办得分 = {_number(f.get('rework_weight'))} − {_number(f.get('rework_penalty'))} × "
        "（退回返工件数 + 重新办理件数），最低0分。",
        f"超期得分 = {_number(f.get('overdue_weight'))} − {_number(f.get('overdue_penalty'))} × "
        "周末超期未处置件数，最低0分。",
    ]
    targets = f.get("participation_targets") or {}
    if f.get("participation_weight") and targets:
        named = "、".join(f"{_(formula_.PARTICIPATION_FIGURES.get(name, name))}（周目标{_number(t)}）"
                         for name, t in targets.items())
        out.append(f"参与得分 = 各项指标完成率（实际 ÷ 目标，最高为1）的平均值 × "
                   f"{_number(f.get('participation_weight'))}，指标为：{named}。")
    levels = f.get("levels") or {}
    bands = "，".join(f"{_number(levels.get(name))}分以上为{level_label(name)}" for name in formula_.LEVELS[:3])
    out.append(f"各项得分四舍五入保留两位小数，相加为总分；总分相同名次相同。总分{bands}，以下为{level_label('poor')}。")
    return out


def requirements(ranking: Ranking, day: dt.date, rectify_days: int) -> list[str]:
    """五、工作要求: standing sentences, with this week's overdue cases and a deadline when any."""
    street = ranking.content.get("street") or {}
    overdue = int(street.get("cases_overdue") or 0)
    out = ["（一）各社区、各责任单位要对照本通报查找差距，列入黑榜的要认真分析原因，制定整改措施，"
           "排名靠前的要巩固成果。"]
    if overdue:
        deadline = issuing.rectify_deadline(day, rectify_days)
        out.append(f"（二）本周末仍有{overdue}件案件超期未处置，相关责任单位要于{gongwen.chinese_date(deadline)}前"
                   "整改到位，并在平台上报整改情况。")
    else:
        out.append("（二）各责任单位要按时限办理派遣的案件，整改完成后及时在平台上报，防止超期。")
    out.append("（三）各社区要加强日常巡查和自查，做到问题早发现、早处置，防止反弹回潮。")
    return out


# --- the document ------------------------------------------------------------------------------


def render_ranking_docx(ranking: Ranking) -> bytes:
    """The ranking 通报 as .docx bytes (always in Chinese: it is an official document)."""
    with translation.override("zh-hans"):
        return _render(ranking)


def _render(ranking: Ranking) -> bytes:
    street = ranking.street
    lines = issuing.from_content(ranking.content, street)
    day = document_day(ranking)
    doc = gongwen.new_document()
    gongwen.title_block(doc, title=f"{street.name}创城工作周排名通报", number_line=ranking.week_title,
                        issuer=lines.issuer, day=day)
    gongwen.para(doc, "各社区、各责任单位：", indent=False)
    gongwen.para(doc, opening(ranking))
    gongwen.para(doc, data_as_of(ranking))

    gongwen.heading(doc, "一、排名情况")
    communities_table(doc, ranking)
    gongwen.heading(doc, "二、红黑榜")
    honours(doc, ranking)
    gongwen.heading(doc, "三、责任单位排名")
    units_table(doc, ranking)
    gongwen.heading(doc, "四、评分办法")
    for sentence in method(ranking):
        gongwen.para(doc, sentence)
    gongwen.heading(doc, "五、工作要求")
    for sentence in requirements(ranking, day, lines.rectify_days):
        gongwen.para(doc, sentence)

    gongwen.signature(doc, issuer=lines.issuer, day=day)
    gongwen.distribution(doc, lines=lines.lines(), cc=lines.cc, issuer=lines.issuer, day=day)
    return gongwen.to_bytes(doc)
