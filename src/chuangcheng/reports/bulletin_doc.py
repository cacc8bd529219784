"""A bulletin (日通报 or 月度通报) as the sequence of blocks it prints: headings, paragraphs, tables,
photo pairs, the closing and the 版记. The Word document (`bulletin_docx`) and the page
(`bulletin_article.html`) both render these blocks, so what is printed from the page and what
is downloaded say the same thing in the same order; the page also turns each cell's link into the
list behind the number.

Blocks are plain dicts: {"t": "h1" | "h2" | "p" | "list" | "table" | "photos" | "close" | "asof" |
"distribution", ...}. A table cell is a value or {"text", "link"} (a link as `queries.bulletins.link`
makes it). Content composed before this layout (version 1) lacks the newer parts: each is left out
when missing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from chuangcheng.cases.queries import NO_UNIT, CaseFilter
from chuangcheng.core import gongwen
from chuangcheng.core.gongwen import chinese_date, pct
from chuangcheng.reports import issuing

Block = dict[str, Any]

_CN = "一二三四五六七八九十"


def _chinese() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def section_no(index: int) -> str:
    """一、 in Chinese documents, "1. " otherwise."""
    return f"{_CN[index - 1]}、" if _chinese() and index <= 10 else f"{index}. "


def sub_no(index: int) -> str:
    return f"（{_CN[index - 1]}）" if _chinese() and index <= 10 else f"({index}) "


def _cell(value: Any, link: Any = None, more: list[dict[str, Any]] | None = None) -> Any:
    """A cell: its value, the list behind it, and links only the page shows (`more`)."""
    if more:
        return {"text": value, "link": link, "more": more}
    return {"text": value, "link": link} if link else value


def _unit_rows(content: dict[str, Any], found: dict[str, Any]) -> list[list[Any]]:
    """各责任单位情况: each unit with problems or overdue cases. The overdue count is the unit's at the
    end of the period (its daily figures, as the summary's), linked to its overdue cases now with the
    oldest named on the page; overdue cases no unit of the street held make the last row, so the
    column adds up to the summary's overdue cases."""
    s = content.get("summary", {})
    now = {row["unit"]: row for row in content.get("overdue_by_unit", [])}
    units = content.get("units")
    if units is None:  # composed before units' figures were kept: the overdue cases as listed then
        at_end = {code: row["count"] for code, row in now.items()}
        names = {code: row["name"] for code, row in now.items()}
    else:
        at_end = {row["code"]: row["cases_overdue"] for row in units if row["cases_overdue"]}
        names = {row["code"]: row["name"] for row in units}

    def late(code: str) -> Any:
        count = at_end.get(code, 0)
        row = now.get(code)
        if not count or row is None:
            return count
        return _cell(count, row["link"], [{"text": c["number"], "link": c["link"]} for c in row["oldest"]])

    rows = [[u["name"], u["points"], u["failures"], late(u["code"]), "、".join(u["names"])] for u in found["by_unit"]]
    named = {u["code"] for u in found["by_unit"]}
    rows += [[names.get(code, code), 0, 0, late(code), ""] for code in sorted(at_end, key=lambda c: -at_end[c])
             if code not in named]
    others = int(s.get("cases_overdue", 0)) - sum(at_end.values())
    if units is not None and others > 0:
        rows.append([_("Other overdue cases (no unit of the subdistrict holds them)"), 0, 0,
                     _cell(others, case_list_link(content, overdue=True, unit=NO_UNIT)), ""])
    return rows


def _region_row(name: str, figures: dict[str, Any], links: dict[str, Any]) -> list[Any]:
    """A community's row of 各社区情况 (or the subdistrict's, the total), each count linked to its list."""
    return [name, f"{figures.get('visits_done', 0)}/{figures.get('visits_planned', 0)}",
            *[_cell(figures.get(key, 0), links.get(key)) for key in ("inspections", "items_failed")],
            pct(figures.get("field_rate", figures.get("score_rate"))),
            *[_cell(figures.get(key, 0), links.get(key)) for key in ("cases_opened", "cases_rectified",
                                                                   "cases_overdue")]]


def case_list_link(content: dict[str, Any], **filters: Any) -> dict[str, Any] | None:
    """The link to the street's case list with `filters`, when the content has the street's links."""
    base = (content.get("links") or {}).get("cases_overdue")
    if not base:
        return None
    query = CaseFilter(region=content["street"]["code"], **filters).query_string()
    return {**{k: v for k, v in base.items() if k != "href"}, "query": query}


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class _Numbered:
    """Headings numbered as they are added, so a part left out leaves no gap."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.h1 = 0
        self.h2 = 0

    def h(self, text: str, anchor: str) -> None:
        self.h1 += 1
        self.h2 = 0
        self.blocks.append({"t": "h1", "text": section_no(self.h1) + text, "id": anchor})

    def sub(self, text: str, anchor: str = "") -> None:
        self.h2 += 1
        self.blocks.append({"t": "h2", "text": sub_no(self.h2) + text, "id": anchor})

    def p(self, text: str, **extra: Any) -> None:
        if text:
            self.blocks.append({"t": "p", "text": text, **extra})

    def table(self, anchor: str, header: list[str], rows: list[list[Any]], total: list[Any] | None = None) -> None:
        self.blocks.append({"t": "table", "id": anchor, "header": header, "rows": rows, "total": total})


def blocks(content: dict[str, Any], *, number: int | None, remarks: str = "") -> list[Block]:
    """The blocks of the bulletin after its 版头 (title, number, issuer and date: `head`)."""
    doc = _Numbered()
    s = content.get("summary", {})
    if remarks.strip():
        doc.blocks.append({"t": "remarks", "label": _("Editor's note: "),
                           "lines": [line.strip() for line in remarks.splitlines() if line.strip()]})
    if content.get("lead"):
        doc.p(("" if _chinese() else " ").join(content["lead"]), id="lead")

    # 一、总体情况
    doc.h(pgettext("bulletin", "Overview"), "overview")
    doc.sub(pgettext("bulletin", "Inspections and the field score"))
    coverage = pct(100 * s["points_inspected"] / s["points"]) if s.get("points") else "—"
    doc.p(_("%(inspections)s inspections of %(points)s points (%(coverage)s of the %(total)s active points); "
            "%(done)s of %(planned)s planned visits made; %(checked)s check items checked, %(failed)s failed.") % {
        "inspections": s.get("inspections", 0), "points": s.get("points_inspected", 0), "coverage": coverage,
        "total": s.get("points", 0), "done": s.get("visits_done", 0), "planned": s.get("visits_planned", 0),
        "checked": s.get("items_checked", 0), "failed": s.get("items_failed", 0)})
    field = content.get("field_items")
    if field and field.get("items"):
        doc.p(_("Field score rate in the assessment's terms: %(rate)s over all checks, %(independent)s over "
                "independent checks. Each assessment item scores max(0, its points − sample × deducted ÷ "
                "inspections); the rate is the sum of the item scores ÷ the sum of the points of the items "
                "inspected. The items that lost points:") % {
            "rate": pct(s.get("field_rate")), "independent": pct(s.get("independent_field_rate"))})
        rows: list[list[Any]] = [[row["name"], row["inspections"], f"{row['points']:g}", f"{row['deducted']:g}",
                                  f"{row['score']:.2f}", pct(row.get("rate"))] for row in field["rows"]]
        if field.get("rest"):
            rest = field["rest"]
            rows.append([_("%(n)s other items (no points lost)") % {"n": rest["items"]}, "", f"{rest['points']:g}",
                         "0", f"{rest['score']:.2f}", "100.0%"])
        doc.table("field-items", [_("Assessment item"), _("Inspections"), pgettext("score", "Points"),
                                  _("Deducted"), _("Score"), _("Score rate")], rows,
                  total=[pgettext("table", "Total"), "", f"{field['points']:g}", "", f"{field['score']:.2f}",
                         pct(field.get("rate"))])
    elif field is not None:
        doc.p(_("No assessment item was inspected."))
    doc.sub(pgettext("bulletin", "Cases"))
    doc.p(_("%(opened)s cases opened (%(residents)s reported by residents), %(dispatched)s dispatched, "
            "%(rectified)s rectified, %(closed)s verified and closed, %(returned)s returned for rework; "
            "%(open)s open and %(overdue)s overdue at the end.") % {
        "opened": s.get("cases_opened", 0), "residents": s.get("cases_from_residents", 0),
        "dispatched": s.get("cases_dispatched", 0), "rectified": s.get("cases_rectified", 0),
        "closed": s.get("cases_closed", 0), "returned": s.get("cases_returned", 0),
        "open": s.get("cases_open", 0), "overdue": s.get("cases_overdue", 0)})
    rate_rows = content.get("rates", [])
    if rate_rows:
        doc.table("rates", [_("Rate"), _("Value"), _("Formula"), _("Counts")],
                  [[row["name"], pct(row.get("value")), row["words"], {"parts": row["parts"]}] for row in rate_rows])
        doc.blocks[-1]["rates"] = rate_rows  # the page shows them with the rate table it uses everywhere
    hotline = content.get("hotline")
    if hotline and (hotline.get("received") or hotline.get("due_to_sign") or hotline.get("rated")):
        rates = hotline["rates"]
        doc.p(_("12345 work orders: %(received)s received, %(returned)s returned; timely signing rate %(signing)s, "
                "on-time finishing rate %(finishing)s, callback satisfaction rate %(satisfaction)s, redo rate "
                "%(redo)s; %(overdue)s overdue to finish at the end.") % {
            "received": hotline.get("received", 0), "returned": hotline.get("returned", 0),
            "signing": pct(rates.get("timely_signing")), "finishing": pct(rates.get("on_time_finishing")),
            "satisfaction": pct(rates.get("satisfaction")), "redo": pct(rates.get("redo")),
            "overdue": hotline.get("overdue_to_finish", 0)}, id="hotline")
    trend = content.get("trend")
    if trend:
        doc.sub(pgettext("bulletin", "Trend"), "trend")
        trend_rows = [[row["label"], row["inspections"], pct(row["field_rate"]), row["items_failed"],
                       row["cases_opened"], row["cases_rectified"], pct(row["on_time_rate"])]
                      for row in trend["weeks"]]
        previous = trend["previous"]
        trend_rows.append([_("Last month (%(since)s–%(until)s)") % {
            "since": _md(previous["since"]), "until": _md(previous["until"])}, previous["inspections"],
            pct(previous["field_rate"]), previous["items_failed"], previous["cases_opened"],
            previous["cases_rectified"], pct(previous["on_time_rate"])])
        trend_rows.append([_("This month"), s.get("inspections", 0), pct(s.get("field_rate")),
                           s.get("items_failed", 0), s.get("cases_opened", 0), s.get("cases_rectified", 0),
                           pct(s.get("on_time_rate"))])
        doc.table("trend-table", [_("Period"), _("Inspections"), _("Field score rate"), _("Items failed"),
                                  _("Cases opened"), pgettext("number of cases", "Rectified"), _("On-time rate")],
                  trend_rows)

    # 二、各社区情况
    doc.h(pgettext("bulletin", "Communities"), "communities")
    doc.table("community-table", [_("Community"), _("Visits made / planned"), _("Inspections"), _("Items failed"),
                                  _("Field score rate"), _("Cases opened"), pgettext("number of cases", "Rectified"),
                                  _("Overdue")],
              [_region_row(row["name"], row, row.get("links", {})) for row in content.get("communities", [])],
              total=_region_row(_("Subdistrict"), s, content.get("links", {})))
    honor = content.get("honor")
    if honor is not None:
        for key, title in (("red", pgettext("bulletin", "Red list")), ("black", pgettext("bulletin", "Black list"))):
            doc.sub(title, f"honor-{key}")
            entries = honor.get(key, [])
            if entries:
                doc.blocks.append({"t": "list", "id": f"{key}-list", "items": [
                    f"{row['name']}：{row['reason']}。" for row in entries]})
            else:
                doc.p(_("Nobody this time."))
        doc.p(content.get("honor_rules", ""), muted=True)

    # 三、存在问题
    doc.h(pgettext("bulletin", "Problems found"), "problems")
    found = content.get("problems")
    if found is not None:
        doc.sub(pgettext("bulletin", "By community"))
        if found["by_community"]:
            items = []
            for c in found["by_community"]:
                named = "；".join(f"{p['name']}（{'、'.join(p['items'])}，{p['unit_name']}）" for p in c["points"])
                more = (_("; %(n)s more points") % {"n": c["more"]}) if c.get("more") else ""
                items.append(_("%(community)s, %(n)s points: %(points)s%(more)s.") % {
                    "community": c["name"] or _("no community"), "n": c["count"], "points": named, "more": more})
            doc.blocks.append({"t": "list", "id": "problems-by-community", "items": items})
        else:
            doc.p(_("No inspection found a problem."))
        doc.sub(pgettext("bulletin", "By responsible unit"))
        unit_rows = _unit_rows(content, found)
        if unit_rows:
            doc.table("unit-table", [_("Responsible unit"), _("Problem points"), _("Items failed"),
                                     _("Overdue cases"), _("Points")], unit_rows,
                      total=[pgettext("table", "Total"), found["points"], found["failures"],
                             sum(int(cell_text(row[3])) for row in unit_rows), ""])
        else:
            doc.p(_("No responsible unit has a problem or an overdue case."))
    else:
        overdue_rows = content.get("overdue_by_unit", [])
        if overdue_rows:
            doc.table("unit-table", [_("Responsible unit"), _("Overdue cases"), _("Oldest")],
                      [[row["name"], _cell(row["count"], row["link"]), "、".join(c["number"] for c in row["oldest"])]
                       for row in overdue_rows])
    doc.sub(pgettext("bulletin", "By category"))
    categories = content.get("categories", [])
    if categories:
        doc.table("category-table", [_("Category"), _("Items failed"), _("Share"), _("Cases opened"), _("Share")],
                  [[row["name"], row["failed"], pct(row.get("share")),
                    _cell(row["opened"], (row.get("links") or {}).get("opened")), pct(row.get("opened_share"))]
                   for row in categories],
                  total=[pgettext("table", "Total"), s.get("items_failed", 0),
                         "100.0%" if s.get("items_failed") else "—", s.get("cases_opened", 0),
                         "100.0%" if s.get("cases_opened") else "—"])
    else:
        doc.p(_("No problems were found."))
    doc.sub(pgettext("bulletin", "Zero-loss points that lost points"))
    zero = content.get("zero_loss_failed", [])
    if zero:
        doc.table("zero-loss-table", [_("Point"), _("Community"), _("Failed items")],
                  [[_cell(f"{row['name']}（{row['point']}）", row.get("link"),
                          [{"text": _("inspection"), "link": i["link"]} for i in row.get("inspections", [])]),
                    row["community"], "、".join(row["items"])] for row in zero])
    else:
        doc.p(_("Every zero-loss point inspected kept its full score."))
    doc.sub(pgettext("bulletin", "Typical problems, before and after"), "typical")
    typical = content.get("typical", [])
    if not typical:
        doc.p(_("No case with photos before and after was rectified in this period."))
    for index, row in enumerate(typical, start=1):
        doc.blocks.append({"t": "photos", "index": index, "case": row["case"], "link": row.get("link"),
                           "title": f"{index}. {row['category']} · {row['place']}",
                           "text": _("%(text)s (case %(number)s, %(unit)s)") % {
                               "text": row["text"], "number": row["case"], "unit": row.get("unit") or "—"},
                           "before": row["before"], "after": row["after"]})

    # 四、创城工作开展情况
    work = content.get("work")
    if work is not None:
        doc.h(pgettext("bulletin", "Campaign work"), "work")
        if work["figures"]:
            doc.p(_("In this period: %(items)s.") % {
                "items": "；".join(f"{row['label']} {row['value']}" for row in work["figures"])})
        else:
            doc.p(_("No volunteer action, publicity or household visit was recorded in this period."))
        if any(any(row["values"]) for row in work["by_community"]):
            doc.table("work-table", [_("Community"), *work["columns"]],
                      [[row["name"], *row["values"]] for row in work["by_community"]])
        if work["actions"]:
            doc.blocks.append({"t": "list", "id": "actions", "items": [
                f"{a['community']} · {a['title']}（{a['place']}）" + (f"：{a['outcome']}" if a["outcome"] else "")
                for a in work["actions"]]})

    # 五、整改要求
    requirements = content.get("requirements")
    if requirements is not None:
        doc.h(pgettext("bulletin", "Rectification required"), "requirements")
        deadline = _date(requirements.get("deadline"))
        if deadline is not None:
            doc.p(_("Deadline: %(date)s.") % {"date": chinese_date(deadline)}, id="deadline")
        doc.blocks.append({"t": "list", "id": "requirements-list", "items": list(requirements.get("items", []))})
    focus = content.get("focus", [])
    if focus:
        doc.sub(pgettext("bulletin", "Tomorrow's focus"), "focus")
        doc.table("focus-table", [_("Point"), _("Community"), _("Days failed in the last 7"), _("Items failed")],
                  [[_cell(f"{row['name']}（{row['point']}）", row.get("link")), row["community"], row["days"],
                    row["failures"]] for row in focus])

    # The closing, the issuing office and date, the moment of the figures, the 版记.
    settings_ = issuing.from_content(content)
    day = dt.date.fromisoformat(content["day"])
    doc.blocks.append({"t": "close", "text": _("This bulletin is hereby circulated."),
                       "issuer": settings_.issuer, "date": chinese_date(day)})
    as_of = content.get("as_of", "")
    if as_of:
        moment = dt.datetime.fromisoformat(as_of)
        doc.blocks.append({"t": "asof", "text": _("Figures as of %(moment)s.") % {
            "moment": f"{chinese_date(moment.date())} {moment:%H:%M}"}})
    doc.blocks.append({"t": "distribution", "lines": settings_.lines(), "cc": settings_.cc,
                       "issuer": settings_.issuer, "date": chinese_date(day)})
    return doc.blocks


def cell_text(cell: Any) -> str:
    """What a cell prints: its value, its text, or its parts ("label count；label count")."""
    if isinstance(cell, dict):
        if "parts" in cell:
            return "；".join(f"{part['label']} {part['count']}" for part in cell["parts"])
        return gongwen.cell_text(cell["text"])
    return gongwen.cell_text(cell)


def for_page(items: list[Block]) -> list[Block]:
    """The blocks with each table's numeric columns marked (`num`), for the page's alignment."""
    for block in items:
        if block["t"] == "table":
            texts = [[cell_text(c) for c in row] for row in [*block["rows"], *([block["total"]] if block["total"]
                                                                                 else [])]]
            numbers = gongwen.numeric_columns(texts)
            block["num"] = [i in numbers for i in range(len(block["header"]))]
            block["cells"] = [[{"c": c, "n": i in numbers} for i, c in enumerate(row)] for row in block["rows"]]
            block["total_cells"] = ([{"c": c, "n": i in numbers} for i, c in enumerate(block["total"])]
                                    if block["total"] else None)
    return items


def head(content: dict[str, Any], *, number: int | None) -> dict[str, str]:
    """The 版头: title, number line, issuer and date as printed."""
    monthly = content.get("kind") == "monthly"
    line = _("No. %(number)s") % {"number": number} if number else _("Draft")
    if monthly and content.get("since"):
        since = dt.date.fromisoformat(content["since"])
        line = f"{since.year}年{since.month}月 · {line}" if _chinese() else f"{since:%Y-%m} · {line}"
    return {"title": content.get("title", ""), "number": line,
            "issuer": issuing.from_content(content).issuer or content.get("issuer", ""),
            "date": chinese_date(dt.date.fromisoformat(content["day"]))}


def _md(value: str) -> str:
    day = dt.date.fromisoformat(value)
    return f"{day.month}月{day.day}日"
