"""The weekly ranking (周排名): compute a week's draft from the rollups, publish it (frozen, sent to
the subdistrict's group robots), and keep each subdistrict's formula. The formula itself is in
`chuangcheng.reports.ranking`, on plain numbers; this module feeds it the week's figures.

The few reads the ranking pages need (which subdistricts and weeks a user may see) sit at the end,
already scoped."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chuangcheng.core import audit, clock, gongwen
from chuangcheng.core.models import AuditEvent
from chuangcheng.org.models import Region
from chuangcheng.org.permissions import has_role
from chuangcheng.reports import permissions
from chuangcheng.reports import ranking as formula_
from chuangcheng.reports.issuing import issuing_for
from chuangcheng.reports.models import Publication, Ranking, RankingRules

WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")


class RankingError(Exception):
    """A ranking cannot be computed or published now; the message says why (translated)."""


# --- weeks ------------------------------------------------------------------------------------


def parse_week(text: str) -> dt.date:
    """The Monday of an ISO week written "2026-W48"; ValueError with a translated message."""
    match = WEEK_RE.match((text or "").strip())
    if not match:
        raise ValueError(_("Give the week as YYYY-Www, for example 2026-W48 (not %(text)s).")
                         % {"text": (text or "")[:20]})
    year, week = int(match[1]), int(match[2])
    try:
        return dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(_("The year %(year)s has no week %(week)s.") % {"year": year, "week": week}) from None


def week_label(week_start: dt.date) -> str:
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


# --- the formula of a subdistrict -------------------------------------------------------------


def formula_for(street: Region) -> dict[str, Any]:
    """The full formula in force for `street` (its overrides over the default)."""
    rules = RankingRules.objects.filter(street=street).first()
    try:
        return formula_.validate(rules.formula if rules else {})
    except formula_.FormulaError:
        # Stored rules are validated on save; a default changed since then must not stop the ranking.
        return formula_.validate({})


def formula_errors(error: formula_.FormulaError) -> dict[str, list[str]]:
    """The formula's errors as translated messages by key ("__all__" for the whole formula)."""
    return {key: [_(message) % params if params else _(message)] for key, (message, params) in error.errors.items()}


@transaction.atomic
def save_rules(street: Region, formula: dict[str, Any], *, by: Any) -> RankingRules:
    """Keep `formula` (the whole formula or only some keys) as the street's rules; only what
    differs from the default is stored. ValidationError with translated messages by field."""
    if not permissions.can_manage_rankings(by, street):
        raise PermissionDenied(_("Only the subdistrict's admins change its ranking rules."))
    try:
        full = formula_.validate(formula)
    except formula_.FormulaError as exc:
        raise ValidationError(formula_errors(exc)) from exc
    overrides = formula_.overrides_of(full)
    rules, created = RankingRules.objects.select_for_update().get_or_create(street=street)
    before = {} if created else formula_.overrides_of(formula_.merged(rules.formula))
    if not created and before == overrides:
        return rules
    rules.formula = overrides
    rules.updated_at = clock.now()
    rules.save()
    audit.record(actor=by, action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
                 instance=rules, region_path=street.path, changes={"formula": [before, overrides]},
                 note="ranking rules")
    return rules


# --- computing a week -------------------------------------------------------------------------


def _inputs(region: Region, figures: Any, formula: dict[str, Any]) -> formula_.Inputs:
    # The field part in the assessment's terms, from independent checks only when the rule says so.
    independent_only = bool(formula.get("independent_only", True))
    field = figures.field_score(independent_only=independent_only)
    return formula_.Inputs(
        code=region.code, name=region.name, inspections=formula_.inspections_scored(field), score=field.score,
        max_score=field.points, field_items=formula_.field_items(field),
        checks="independent" if independent_only else "all", inspections_all=figures.inspections,
        cases_rectified=figures.cases_rectified,
        cases_rectified_on_time=figures.cases_rectified_on_time, cases_returned=figures.cases_returned,
        cases_reopened=figures.cases_reopened, cases_overdue=figures.cases_overdue,
        cases_due=figures.cases_due, cases_due_met=figures.cases_due_met, cases_carried=figures.cases_carried,
        extra=formula_.participation_figures(getattr(figures, "extra", None) or {}, population=region.population,
                                             households=region.households),
    )


def _street_summary(street: Region, figures: Any, formula: dict[str, Any]) -> dict[str, Any]:
    independent_only = bool(formula.get("independent_only", True))
    field = figures.field_score(independent_only=independent_only)
    return {
        "code": street.code, "name": street.name, "inspections": figures.inspections,
        "score": float(field.score), "max_score": float(field.points), "score_rate": field.rate,
        "field_checks": "independent" if independent_only else "all",
        "cases_rectified": figures.cases_rectified, "cases_rectified_on_time": figures.cases_rectified_on_time,
        "cases_returned": figures.cases_returned, "cases_reopened": figures.cases_reopened,
        "cases_overdue": figures.cases_overdue, "cases_open": figures.cases_open,
        "cases_due": figures.cases_due, "cases_due_met": figures.cases_due_met,
        "cases_carried": figures.cases_carried, "on_time_rate": figures.on_time_rate,
    }


def _unit_inputs(unit: Any, figures: Any) -> formula_.UnitInputs:
    return formula_.UnitInputs(
        code=unit.code, name=unit.name, cases_dispatched=figures.cases_dispatched,
        cases_rectified=figures.cases_rectified, cases_returned=figures.cases_returned,
        cases_reopened=figures.cases_reopened, cases_overdue=figures.cases_overdue, cases_due=figures.cases_due,
        cases_due_met=figures.cases_due_met, cases_carried=figures.cases_carried)


@dataclass
class WeekRows:
    rows: list[dict[str, Any]]
    units: list[dict[str, Any]]
    summary: dict[str, Any]
    through: dt.date


@dataclass
class PreviousRanks:
    communities: dict[str, int]
    units: dict[str, int]


def _week_rows(street: Region, week_start: dt.date, formula: dict[str, Any], now: dt.datetime,
               previous: PreviousRanks | None) -> WeekRows:
    from chuangcheng.reports.queries import figures

    through = min(week_start + dt.timedelta(days=6), clock.local(now).date())
    live = figures.Live(now)  # days not stored yet, computed once for both reads
    street_figures = figures.totals(street, week_start, through, now=now, live=live)
    rates = formula_.StreetRates(cases_due=street_figures.cases_due, cases_due_met=street_figures.cases_due_met,
                                 cases_carried=street_figures.cases_carried)
    communities = figures.children(street, week_start, through, now=now, live=live)
    rows = formula_.rank_week([_inputs(region, figs, formula) for region, figs in communities], rates, formula,
                              previous.communities if previous else None)
    units = formula_.rank_units([_unit_inputs(unit, figs) for unit, figs in
                                 figures.units(street, week_start, through, now=now, live=live)], rates, formula,
                                previous.units if previous else None)
    return WeekRows(rows, units, _street_summary(street, street_figures, formula), through)


@dataclass(frozen=True)
class UnitPlace:
    """A unit's place in a published weekly ranking, for its own page."""

    ranking: Ranking
    row: dict[str, Any]
    of: int

    @property
    def change_label(self) -> str:
        from chuangcheng.reports.rankings_xlsx import movement_label

        return movement_label(self.row.get("change"))

    @property
    def on_time_pct(self) -> float | None:
        rate = self.row.get("on_time_rate")
        return None if rate is None else float(rate) * 100


def unit_place(unit: Any, *, look_back: int = 8) -> UnitPlace | None:
    """The unit's row in the latest published ranking of its street that ranked it (the last
    `look_back` published weeks are read), else None."""
    codes = unit.region.ancestor_codes()
    street_code = codes[1] if len(codes) >= 2 else None
    rankings = Ranking.objects.filter(status=Publication.PUBLISHED)
    if street_code is not None:
        rankings = rankings.filter(street__code=street_code)
    for ranking in rankings.order_by("-week_start")[:look_back]:
        units = ranking.content.get("units") or []
        row = next((r for r in units if r.get("code") == unit.code and r.get("rank")), None)
        if row is not None:
            return UnitPlace(ranking, row, len(units))
    return None


def _ranks(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["code"]: row["rank"] for row in rows if row.get("rank")}


def _previous_ranks(street: Region, week_start: dt.date, now: dt.datetime) -> PreviousRanks:
    """Last week's ranks of the communities and the units: from its published ranking (the units'
    only when it ranked them), else worked out now (not stored)."""
    last_monday = week_start - dt.timedelta(days=7)
    stored = Ranking.objects.filter(street=street, week_start=last_monday).first()
    if stored is not None and stored.status == Publication.PUBLISHED:
        return PreviousRanks(_ranks(stored.content.get("rows", [])), _ranks(stored.content.get("units", [])))
    formula = stored.formula if stored is not None and stored.formula else formula_for(street)
    week = _week_rows(street, last_monday, formula, now, None)
    return PreviousRanks(_ranks(week.rows), _ranks(week.units))


@transaction.atomic
def compute_ranking(street: Region, week_start: dt.date, *, now: dt.datetime | None = None) -> Ranking:
    """Create or refresh the draft ranking of `street` for the ISO week starting `week_start`
    (a finished week, or the current one so far). A published ranking is never recomputed."""
    now = now or clock.now()
    if street.level != Region.Level.STREET:
        raise RankingError(_("Rankings are made for a subdistrict."))
    if week_start.weekday() != 0:
        raise RankingError(_("A week starts on a Monday."))
    today = clock.local(now).date()
    if week_start > today:
        raise RankingError(_("The week %(label)s has not begun.") % {"label": gongwen.week_label(week_start)})
    ranking = Ranking.objects.select_for_update().filter(street=street, week_start=week_start).first()
    if ranking is not None and ranking.status == Publication.PUBLISHED:
        raise RankingError(_("The ranking of %(label)s is published and stays as it was published.")
                           % {"label": ranking.week_title})
    formula = formula_for(street)
    previous = _previous_ranks(street, week_start, now)
    week = _week_rows(street, week_start, formula, now, previous)
    week_end = week_start + dt.timedelta(days=6)
    content = {
        "week": week_label(week_start), "week_label": gongwen.week_label(week_start),
        "start": week_start.isoformat(), "end": week_end.isoformat(),
        "through": week.through.isoformat(), "complete": today > week_end, "street": week.summary,
        "rows": week.rows, "ranked": sum(1 for row in week.rows if row["ranked"]),
        # The responsible units that had cases, ranked by `ranking.unit_order` (older rankings have none).
        "units": week.units, "issuing": issuing_for(street).as_dict(),
    }
    if ranking is None:
        ranking = Ranking(street=street, week_start=week_start, week=week_label(week_start))
    ranking.formula = formula
    ranking.content = content
    ranking.computed_at = now
    ranking.save()
    return ranking


@transaction.atomic
def publish_ranking(ranking: Ranking, *, by: Any) -> Ranking:
    """Freeze a finished week's draft and tell the subdistrict's chat groups. `by` None is the
    system (the `ranking --publish` command run by the operator)."""
    ranking = Ranking.objects.select_for_update().select_related("street").get(pk=ranking.pk)
    if by is not None and not permissions.can_manage_rankings(by, ranking.street):
        raise PermissionDenied(_("Only the subdistrict's admins publish its ranking."))
    if ranking.status == Publication.PUBLISHED:
        raise RankingError(_("The ranking of %(label)s is already published.") % {"label": ranking.week_title})
    if not ranking.content.get("complete"):
        raise RankingError(_("The ranking of %(label)s was computed before the week ended: compute it again "
                             "after Sunday, then publish.") % {"label": ranking.week_title})
    ranking.status = Publication.PUBLISHED
    ranking.published_at = clock.now()
    ranking.published_by = by if getattr(by, "is_authenticated", False) else None
    ranking.save(update_fields=["status", "published_at", "published_by"])
    audit.record(actor=by, action=AuditEvent.Action.PUBLISH, instance=ranking, region_path=ranking.street.path,
                 changes={"status": [Publication.DRAFT, Publication.PUBLISHED]}, note=f"ranking {ranking.week}")
    _tell_groups(ranking)
    return ranking


def ranking_link(ranking: Ranking) -> str:
    from django.urls import reverse

    return reverse("reports:ranking", args=[ranking.street.code, ranking.week])


def honour_lists(ranking: Ranking, size: int = 3) -> dict[str, list[dict[str, Any]]]:
    """The 红榜 and 黑榜 of the communities (`red`, `black`) and of the units (`units_red`,
    `units_black`) of a ranking, each entry's reasons in words ("实地得分率最高（96.0%）")."""
    lists = formula_.honours(ranking.content.get("rows", []), ranking.content.get("units", []), size)
    for entries in lists.values():
        for entry in entries:
            entry["reasons"] = [_(message) % params if params else _(message) for message, params in entry["reasons"]]
            entry["why"] = "，".join(entry["reasons"])
    return lists


def summary_text(ranking: Ranking, top: int = 3) -> tuple[str, str]:
    """The title and a short body for the chat groups: the first places and the rest in one line."""
    title = _("%(street)s ranking of %(label)s") % {"street": ranking.street.name, "label": ranking.week_title}
    rows = ranking.content.get("rows", [])
    lines = [f"{row['rank']}. {row['name']} {row['total']:.2f}" for row in rows if row.get("rank")][:top]
    rest = [row["name"] for row in rows if not row.get("rank")]
    if rest:
        lines.append(_("Not ranked (too few inspections): %(names)s") % {"names": "、".join(rest)})
    return title, "\n".join(lines)


def _tell_groups(ranking: Ranking) -> None:
    from chuangcheng.notify.services import notify_region_groups

    title, body = summary_text(ranking)
    notify_region_groups(ranking.street, key=f"ranking:{ranking.street.code}:{ranking.week}", title=title,
                         body=body, link=ranking_link(ranking))


def draft_due_rankings(*, now: dt.datetime | None = None) -> int:
    """For the scheduler, Monday morning: draft last week's ranking of every subdistrict that has
    none published yet. Safe to run twice. Returns how many drafts were written."""
    now = now or clock.now()
    last_monday = monday_of(clock.local(now).date()) - dt.timedelta(days=7)
    done = 0
    # Published, or drafted after the week ended: nothing left to do for that street.
    week_end = clock.start_of(last_monday + dt.timedelta(days=7))
    done_streets = Ranking.objects.filter(week_start=last_monday).filter(
        Q(status=Publication.PUBLISHED) | Q(computed_at__gte=week_end)).values("street_id")
    for street in Region.objects.filter(level=Region.Level.STREET).exclude(pk__in=done_streets):
        compute_ranking(street, last_monday, now=now)
        done += 1
    return done


# --- reads for the pages ----------------------------------------------------------------------


def streets_for(user: Any) -> QuerySet[Region]:
    """The subdistricts whose rankings this user may open."""
    streets = Region.objects.filter(level=Region.Level.STREET)
    if getattr(user, "is_superuser", False):
        return streets
    scope = getattr(user, "scope", None)
    if scope is None or not permissions.reads_rankings(user):
        return streets.none()
    if scope.level <= Region.Level.STREET:
        return streets.filter(path__startswith=scope.path) if has_role(user, *permissions.RANKING_READERS) \
            else streets.none()
    return streets.filter(code__in=scope.ancestor_codes())


def street_for(user: Any, code: str) -> Region | None:
    street = Region.objects.filter(level=Region.Level.STREET, code=code).first()
    if street is None or not permissions.can_list_rankings(user, street):
        return None
    return street


def rankings_for(user: Any, street: Region) -> QuerySet[Ranking]:
    """The street's rankings this user reads: drafts only for those who see drafts."""
    qs = Ranking.objects.filter(street=street).select_related("published_by")
    if not permissions.can_see_ranking_drafts(user, street):
        qs = qs.filter(status=Publication.PUBLISHED)
    return qs


def drafts_to_publish(user: Any) -> list[Ranking]:
    """The drafts `user` may publish now, street by street, newest week first: one query for all the
    streets they see (a district office sees ten)."""
    streets = [street for street in streets_for(user) if permissions.can_see_ranking_drafts(user, street)]
    drafts = (Ranking.objects.filter(street__in=streets, status=Publication.DRAFT)
              .select_related("street", "published_by").order_by("street__path", "-week_start"))
    return [ranking for ranking in drafts if permissions.can_publish_ranking(user, ranking)]


def ranking_for(user: Any, street: Region, week_start: dt.date) -> Ranking | None:
    return rankings_for(user, street).filter(week_start=week_start).first()

