"""The inspection ledger (督查台账) as an Excel workbook: one row per inspection with the items it
failed and the cases those failures opened or joined, for any filter of the inspection records.
Scoped to the caller, formula-like text kept as text, every export in the change log."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from chuangcheng.core import clock, exports, sheets
from chuangcheng.inspections.models import ItemResult
from chuangcheng.inspections.queries.records import LedgerFilter, filter_inspections
from chuangcheng.org.queries import scope_of

__all__ = ["LEDGER", "LedgerFilter", "filter_inspections", "inspection_ledger", "ledger_count"]

# The kind of background export the ledger is (core.exports).
LEDGER = "inspections.ledger"


def _local(moment: Any) -> Any:
    return clock.local(moment).replace(tzinfo=None) if moment else None


def ledger_rows(inspections: Any) -> tuple[list[str], list[list[Any]]]:
    header = [_("Date"), _("Submitted"), _("Community"), _("Grid"), _("Point code"), _("Point"), _("Type"),
              _("Zero-loss point"), _("Inspector"), _("Score"), _("Possible score"), _("Score rate (%)"),
              _("Items failed"), _("Failed items"), _("Cases"), _("Location check"), _("Distance (m)"), _("Note"),
              _("Who checked")]
    rows = []
    for insp in inspections:
        failures = list(insp.failures)
        items = "\n".join(
            " · ".join(part for part in [r.item.text, r.category.name if r.category_id else "", r.note] if part)
            for r in failures)
        cases = "\n".join(dict.fromkeys(f"{r.case.number} {r.case.get_state_display()}"
                                        for r in failures if r.case_id))
        rows.append([
            insp.day, _local(insp.submitted_at), insp.grid.parent.name if insp.grid.parent_id else "",
            insp.grid.name, insp.point.code, insp.point.name, insp.point.point_type.name,
            _("yes") if insp.point.zero_loss else "", insp.inspector.display_name, float(insp.score),
            float(insp.max_score), round(insp.rate, 1) if insp.rate is not None else None, insp.failed_count,
            items, cases, insp.get_location_display(), insp.distance_m, insp.note, insp.get_kind_short(),
        ])
    return header, rows


def inspection_ledger(user: Any, flt: LedgerFilter, *, progress: exports.Progress | None = None) -> tuple[bytes, int]:
    """The workbook and its number of inspections. Raises sheets.TooManyRows when the filter
    selects more inspections than an export may hold (narrow it first). `progress(done, total)`
    is told how many rows have been written (a background export shows it)."""
    from openpyxl.styles import Alignment

    inspections = (
        filter_inspections(user, flt).select_related("inspector__person")
        .prefetch_related(Prefetch(
            "results", to_attr="failures",
            queryset=ItemResult.objects.filter(result=ItemResult.Result.FAIL)
            .select_related("item", "category", "case").order_by("id")))
        .order_by("day", "submitted_at", "id")
    )
    total = sheets.check_rows(inspections.count())
    selected = inspections.iterator(chunk_size=1000)
    header, rows = ledger_rows(exports.counted(selected, total, progress) if progress else selected)
    heading = [_("Inspection ledger (督查台账)"), f"{flt.since:%Y-%m-%d} – {flt.until:%Y-%m-%d}",
               f"{clock.local(clock.now()):%Y-%m-%d %H:%M}"]
    book, sheet = sheets.table_sheet(_("Inspection ledger"), heading, header, rows)
    for cell in sheet["A"][2:]:
        cell.number_format = "yyyy-mm-dd"
    for cell in sheet["B"][2:]:
        cell.number_format = "yyyy-mm-dd hh:mm"
    for column, width in {"A": 12, "B": 17, "F": 24, "N": 50, "O": 30, "R": 30}.items():
        sheet.column_dimensions[column].width = width
    for cell in sheet["N"][2:] + sheet["O"][2:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "C3"
    sheets.log_export(user, scope_of(user), what="inspections", count=total,
                      note=f"inspection ledger: {flt.query_string()}")
    return sheets.to_bytes(book), total


def ledger_count(user: Any, flt: LedgerFilter) -> int:
    """How many inspections the ledger of this filter would hold (to choose: now or in the background)."""
    return filter_inspections(user, flt).count()


def build_ledger_in_background(user: Any, params: dict[str, Any], progress: exports.Progress) -> bytes:
    """The background export's builder: the same ledger, its filter read back from the job's
    parameters (the query string the records page had)."""
    from django.http import QueryDict

    flt = LedgerFilter.from_params(QueryDict(params.get("query", "")))
    body, _count = inspection_ledger(user, flt, progress=progress)
    return body
