"""A round's report in the assessors' terms, computed once when the round is finished and frozen in
`Round.report` (a later change of the catalog or of a case never changes it).

Scores come from `standards.scoring` over the round's own inspections, which are exactly the sample:
for each assessment item (测评内容) of a drawn point type, `inspections` is the number of drawn points
of that type (its sample size), so the item score is the assessors' own: 分值 minus everything the
failures cost it (`penalty_of`), at least 0. The predicted field score scales the round's 得分率 to
the field part of the catalog (Σ 分值 of its observed items). docs/guide/mock-assessment.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from chuangcheng.assessment.models import Round, RoundPoint, State
from chuangcheng.inspections.models import ItemResult
from chuangcheng.standards.models import AssessmentItem
from chuangcheng.standards.queries import ScoringRules, scoring_rules
from chuangcheng.standards.scoring import ZERO, Tally, cents, field_score, penalty_of


def _pct(value: float | None) -> str | None:
    return None if value is None else f"{value:.1f}"


def _change(now: str | None, before: str | None) -> str | None:
    if now is None or before is None:
        return None
    diff = Decimal(now) - Decimal(before)
    return f"{diff:+.1f}"


def previous_round(round: Round) -> Round | None:  # noqa: A002
    """The street's last finished round before this one."""
    return (Round.objects.filter(street_id=round.street_id, state=State.FINISHED, number__lt=round.number)
            .order_by("-number").first())


def compute_report(round: Round) -> dict[str, Any]:  # noqa: A002, C901
    """The report of a round whose drawn points are recorded, as JSON-ready data."""
    rules = scoring_rules(round.catalog)
    by_version: dict[int, ScoringRules] = {round.catalog_id: rules}
    points = list(RoundPoint.objects.filter(round=round).select_related(
        "point", "point__grid", "point__grid__parent", "point__primary_unit", "point_type", "assessor",
        "inspection").order_by("position"))
    tallies: dict[str, Tally] = {}
    lost: list[dict[str, Any]] = []
    inspection_ids = [rp.inspection_id for rp in points if rp.inspection_id is not None]
    failures = (ItemResult.objects.filter(inspection_id__in=inspection_ids, result=ItemResult.Result.FAIL)
                .select_related("item", "item__group", "case", "case__unit").prefetch_related("photos")
                .order_by("inspection_id", "item__sort_order", "item__code"))
    failures_of: dict[int, list[ItemResult]] = {}
    for failure in failures:
        failures_of.setdefault(failure.inspection_id, []).append(failure)
    for rp in points:
        inspection = rp.inspection
        if inspection is None:
            continue
        version_rules = by_version.get(inspection.version_id)
        if version_rules is None:
            version_rules = by_version[inspection.version_id] = scoring_rules(inspection.version_id)
        for type_code in version_rules.codes_for_type(rp.point_type_id):
            tallies.setdefault(type_code, Tally()).add(1, 0)
        for failure in failures_of.get(inspection.pk, []):
            item = failure.item
            code = version_rules.item_for(rp.point_type_id, item.group_id)
            cost = penalty_of(item.measure, item.penalty, failure.count)
            if code is None or cost <= ZERO:
                continue
            tallies.setdefault(code, Tally()).add(0, cost)
            case = failure.case
            unit = (case.unit if case is not None and case.unit_id else None) or rp.point.primary_unit
            lost.append({
                "item": code, "item_name": rules.rules[code].name if code in rules.rules else code,
                "check": item.text, "count": failure.count, "deducted": str(cents(cost)), "note": failure.note,
                "position": rp.position, "point": rp.point.code, "point_name": rp.point.name,
                "community": rp.point.grid.parent.name if rp.point.grid.parent else "",
                "unit": unit.name if unit is not None else "",
                "photos": [p.sha256 for p in failure.photos.all()],
                "case": case.number if case is not None else None,
                "case_opened": failure.case_opened,
                "inspection": inspection.key,
            })
    score = field_score(rules.rules.values(), tallies)
    field_points = sum((Decimal(p) for p in AssessmentItem.objects.filter(
        version=round.catalog, point_type__isnull=False).exclude(method=AssessmentItem.Method.MATERIALS)
        .values_list("points", flat=True)), ZERO)
    rate = score.rate
    previous = previous_round(round)
    before = previous.report if previous is not None else {}
    before_items = {i["code"]: i["rate"] for i in before.get("items", [])}
    before_overall = before.get("overall", {}).get("rate")
    items = []
    for s in score.items:
        item_rate = _pct(s.rate)
        items.append({
            "code": s.rule.code, "name": s.rule.name, "point_type": s.rule.point_type,
            "points": str(s.rule.points), "sample": s.rule.sample, "inspections": s.inspections,
            "deducted": str(cents(s.deducted)), "score": str(s.score), "rate": item_rate,
            "previous_rate": before_items.get(s.rule.code), "change": _change(item_rate, before_items.get(s.rule.code)),
        })
    overall_rate = _pct(rate)
    return {
        "street": {"code": round.street.code, "name": round.street.name},
        "round": round.number, "title": round.title, "seed": round.seed, "catalog": round.catalog.number,
        "team_kind": round.team_kind,
        "drawn_at": round.drawn_at.isoformat() if round.drawn_at else None,
        "started_at": round.started_at.isoformat() if round.started_at else None,
        "sample": [{
            "position": rp.position, "point": rp.point.code, "name": rp.point.name, "type": rp.point_type.name,
            "community": rp.point.grid.parent.name if rp.point.grid.parent else "",
            "assessor": rp.assessor.display_name if rp.assessor else "",
            "inspection": rp.inspection.key if rp.inspection else None,
            "day": rp.inspection.day.isoformat() if rp.inspection else None,
        } for rp in points],
        "items": items,
        "overall": {"score": str(score.score), "points": str(score.points), "rate": overall_rate,
                    "previous_rate": before_overall, "change": _change(overall_rate, before_overall)},
        "predicted": {
            "field_points": str(field_points),
            "score": str(cents(field_points * score.score / score.points)) if score.points else None,
        },
        "lost": lost,
        "previous": {"round": previous.number, "finished_at": previous.finished_at.isoformat()
                     if previous.finished_at else None} if previous is not None else None,
    }


def photo_url(round: Round, sha256: str, variant: str = "display") -> str:  # noqa: A002
    return reverse("assessment:photo", args=[round.street.code, round.number, sha256, variant])
