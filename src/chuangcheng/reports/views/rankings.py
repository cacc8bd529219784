"""Weekly ranking pages (/reports/rankings/...): the weeks of a subdistrict, one week's table whose
rows open into their parts, publishing, the Excel copy and the subdistrict's formula.

Readers: the street's admins, leaders and inspectors (drafts too); the admins of its communities
read published rankings. Other roles get 403; a subdistrict outside one's reach is a 404."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chuangcheng.core import clock, gongwen, sheets
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.org.models import Region
from chuangcheng.reports import permissions
from chuangcheng.reports import ranking as formula_
from chuangcheng.reports.models import Ranking
from chuangcheng.reports.ranking_docx import render_ranking_docx
from chuangcheng.reports.rankings_xlsx import change_label, level_label, participation_name, ranking_workbook
from chuangcheng.reports.services import rankings

WEEK = r"(?P<week>\d{4}-W\d{2})"
RECENT_WEEKS = 8
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HONOUR_TITLES = [("red", gettext_lazy("Red list of communities")), ("black", gettext_lazy("Black list of communities")),
                 ("units_red", gettext_lazy("Red list of units")), ("units_black", gettext_lazy("Black list of units"))]


def _street(request: HttpRequest, code: str) -> Region:
    user: Any = request.user
    if not (user.is_superuser or permissions.reads_rankings(user)):
        raise PermissionDenied(_("Your role does not read the weekly rankings."))
    return or_404(rankings.street_for(user, code))


def _monday(week: str) -> dt.date:
    try:
        return rankings.parse_week(week)
    except ValueError as exc:
        raise Http404(str(exc)) from exc


def index(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not (user.is_superuser or permissions.reads_rankings(user)):
        raise PermissionDenied(_("Your role does not read the weekly rankings."))
    streets = list(rankings.streets_for(user))
    if len(streets) == 1:
        return redirect("reports:ranking_weeks", streets[0].code)
    return render(request, "reports/ranking_streets.html", {"streets": streets})


def weeks(request: HttpRequest, street_code: str) -> HttpResponse:
    street = _street(request, street_code)
    user: Any = request.user
    manage = permissions.can_manage_rankings(user, street)
    # The list shows a ranking's week and status, never its table (content, formula: large JSON).
    stored = rankings.rankings_for(user, street).defer("content", "formula")
    recent: list[dict[str, Any]] = []
    if permissions.can_see_ranking_drafts(user, street):
        # The last weeks, computed or not, so an admin sees what is still to do.
        this_monday = rankings.monday_of(clock.today())
        mondays = [this_monday - dt.timedelta(days=7 * i) for i in range(RECENT_WEEKS)]
        by_monday = {r.week_start: r for r in stored.filter(week_start__in=mondays)}
        recent = [{"monday": m, "week": rankings.week_label(m), "label": gongwen.week_label(m),
                   "end": m + dt.timedelta(days=6), "ranking": by_monday.get(m), "current": m == this_monday}
                  for m in mondays]
    page = paginate(request, stored.filter(status="published"), per_page=26)
    return render(request, "reports/ranking_weeks.html", {
        "street": street, "recent": recent, "page": page, "can_manage": manage,
    })


def _links(street: Region, row: dict[str, Any], start: str, end: str) -> dict[str, str]:
    """Where each input of a row comes from: the lists behind the figures."""
    code = row["code"]
    history = reverse("inspections:history")
    case_list = reverse("cases:list")
    return {
        "inspections": f"{history}?{urlencode({'since': start, 'until': end, 'community': code})}",
        "coverage": f"{reverse('inspections:coverage')}?{urlencode({'since': start, 'until': end})}",
        "cases": f"{case_list}?{urlencode({'region': code, 'since': start, 'until': end})}",
        "closed": f"{case_list}?{urlencode({'region': code, 'did': 'rectified', 'since': start, 'until': end})}",
        "returned": f"{case_list}?{urlencode({'region': code, 'did': 'returned', 'since': start, 'until': end})}",
        "reopened": f"{case_list}?{urlencode({'region': code, 'did': 'reopened', 'since': start, 'until': end})}",
        "overdue": f"{case_list}?{urlencode({'region': code, 'overdue': '1'})}",
        "due": f"{case_list}?{urlencode({'region': code, 'due': 'due', 'since': start, 'until': end})}",
        "met": f"{case_list}?{urlencode({'region': code, 'due': 'met', 'since': start, 'until': end})}",
    }


def _reason(row: dict[str, Any]) -> str:
    if row["reason"] == "too_few_inspections":
        return _("Not ranked: too few inspections (%(n)d of %(min)d)") % {
            "n": row["parts"]["field"]["inspections"], "min": row["parts"]["field"]["min_inspections"]}
    if row["reason"]:
        return _("Not ranked: nothing was scored")
    return ""


def week(request: HttpRequest, street_code: str, week: str) -> HttpResponse:
    street = _street(request, street_code)
    monday = _monday(week)
    user: Any = request.user
    ranking = rankings.ranking_for(user, street, monday)
    manage = permissions.can_manage_rankings(user, street)
    if ranking is None and not manage:
        raise Http404
    rows = []
    units: list[dict[str, Any]] | None = None
    honours: dict[str, list[dict[str, Any]]] = {}
    if ranking is not None:
        content = ranking.content
        for row in content.get("rows", []):
            rows.append({**row, "level_label": level_label(row["level"]), "change_label": change_label(row),
                         "reason_label": _reason(row),
                         "links": _links(street, row, content["start"], content["end"])})
        if "units" in content:  # rankings computed before the units were ranked have none
            units = [{**unit, "change_label": change_label(unit), "rate_label": gongwen.pct(
                None if unit.get("on_time_rate") is None else unit["on_time_rate"] * 100)} for unit in content["units"]]
        honours = rankings.honour_lists(ranking)
    previous = monday - dt.timedelta(days=7)
    following = monday + dt.timedelta(days=7)
    return render(request, "reports/ranking.html", {
        "street": street, "week": rankings.week_label(monday), "week_label": gongwen.week_label(monday),
        "monday": monday, "units": units,
        "honours": [(key, title, honours[key]) for key, title in HONOUR_TITLES if honours.get(key)],
        "previous_label": gongwen.week_label(previous),
        "next_label": gongwen.week_label(following) if following <= clock.today() else "",
        "sunday": monday + dt.timedelta(days=6), "ranking": ranking, "rows": rows,
        "can_manage": manage, "can_compute": manage and monday <= clock.today()
        and (ranking is None or ranking.status == "draft"),
        "can_publish": ranking is not None and permissions.can_publish_ranking(user, ranking),
        "previous_week": rankings.week_label(monday - dt.timedelta(days=7)),
        "next_week": rankings.week_label(monday + dt.timedelta(days=7)) if monday + dt.timedelta(days=7)
        <= clock.today() else "",
    })


@require_POST
def compute(request: HttpRequest, street_code: str, week: str) -> HttpResponse:
    street = _street(request, street_code)
    monday = _monday(week)
    if not permissions.can_manage_rankings(request.user, street):
        raise PermissionDenied(_("Only the subdistrict's admins compute its ranking."))
    try:
        rankings.compute_ranking(street, monday)
    except rankings.RankingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The ranking of %(label)s was computed.") % {"label": gongwen.week_label(monday)})
    return redirect("reports:ranking", street.code, week)


@require_POST
def publish(request: HttpRequest, street_code: str, week: str) -> HttpResponse:
    street = _street(request, street_code)
    monday = _monday(week)
    ranking = or_404(Ranking.objects.filter(street=street, week_start=monday).first())
    try:
        rankings.publish_ranking(ranking, by=request.user)
    except rankings.RankingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The ranking of %(label)s is published.") % {"label": ranking.week_title})
    return redirect("reports:ranking", street.code, week)


def export(request: HttpRequest, street_code: str, week: str) -> HttpResponse:
    street = _street(request, street_code)
    ranking = or_404(rankings.ranking_for(request.user, street, _monday(week)))
    return sheets.export_response(request, lambda: ranking_workbook(ranking),
                                  filename=f"ranking-{street.code}-{ranking.week}.xlsx",
                                  back=reverse("reports:ranking", args=[street.code, week]))


def document(request: HttpRequest, street_code: str, week: str) -> HttpResponse:
    """The ranking 通报 as a Word document; whoever reads the ranking's page may download it."""
    street = _street(request, street_code)
    ranking = or_404(rankings.ranking_for(request.user, street, _monday(week)))
    response = HttpResponse(render_ranking_docx(ranking), content_type=DOCX)
    name = f"{street.name}{ranking.week_title}排名通报.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _label(key: str) -> Any:
    return gettext_lazy(formula_.FORMULA_LABELS[key])


class RulesForm(forms.Form):
    field_weight = forms.DecimalField(label=_label("field_weight"), min_value=0, max_value=100)
    min_inspections = forms.IntegerField(label=_label("min_inspections"), min_value=0, max_value=10_000)
    independent_only = forms.BooleanField(
        label=_label("independent_only"), required=False,
        help_text=gettext_lazy("Subdistrict, cross-checks, district and covert visits score the field part; a "
                               "community's self-checks still count for coverage and problems found."))
    on_time_weight = forms.DecimalField(label=_label("on_time_weight"), min_value=0, max_value=100)
    prior_weight = forms.DecimalField(
        label=_label("prior_weight"), min_value=0, max_value=10_000,
        help_text=gettext_lazy("A community's rate is (on time + k × the subdistrict's rate) / (rectified + k)."))
    rework_weight = forms.DecimalField(label=_label("rework_weight"), min_value=0, max_value=100)
    rework_penalty = forms.DecimalField(label=_label("rework_penalty"), min_value=0, max_value=10_000)
    overdue_weight = forms.DecimalField(label=_label("overdue_weight"), min_value=0, max_value=100)
    overdue_penalty = forms.DecimalField(label=_label("overdue_penalty"), min_value=0, max_value=10_000)
    participation_weight = forms.DecimalField(label=_label("participation_weight"), min_value=0, max_value=100)
    excellent = forms.DecimalField(label=gettext_lazy("Excellent from (total)"), min_value=0, max_value=100)
    good = forms.DecimalField(label=gettext_lazy("Good from (total)"), min_value=0, max_value=100)
    fair = forms.DecimalField(label=gettext_lazy("Fair from (total)"), min_value=0, max_value=100)

    @staticmethod
    def initial_from(formula: dict[str, Any]) -> dict[str, Any]:
        initial = {key: formula[key] for key in formula_.NUMBER_KEYS}
        initial["independent_only"] = formula["independent_only"]
        initial.update(formula["levels"])
        return initial

    def formula(self, targets: dict[str, Any]) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {key: data[key] for key in formula_.NUMBER_KEYS}
        out["independent_only"] = bool(data["independent_only"])
        out["participation_targets"] = targets
        out["levels"] = {name: data[name] for name in ("excellent", "good", "fair")}
        return out


TARGET_PREFIX = "target_"


class TargetsForm(forms.Form):
    """The participation targets: one number per figure of `PARTICIPATION_FIGURES`, labelled with
    its name in words; a blank one is not used. Targets the page does not offer (a volunteer
    action's outcome counters, set elsewhere) are kept as they are."""

    def __init__(self, *args: Any, kept: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kept = dict(kept or {})
        for name, label in formula_.PARTICIPATION_FIGURES.items():
            self.fields[TARGET_PREFIX + name] = forms.DecimalField(
                label=gettext_lazy(label), required=False, min_value=0, max_value=1_000_000)

    @staticmethod
    def split(targets: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the initial values of the offered figures, the targets kept as they are)."""
        offered = {TARGET_PREFIX + k: v for k, v in targets.items() if k in formula_.PARTICIPATION_FIGURES}
        kept = {k: v for k, v in targets.items() if k not in formula_.PARTICIPATION_FIGURES}
        return offered, kept

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field, value in list(data.items()):
            if value is not None and value <= 0:
                self.add_error(field, _("Enter a target of more than 0, or leave it blank."))
        return data

    def targets(self) -> dict[str, Any]:
        chosen = {field.removeprefix(TARGET_PREFIX): value for field, value in self.cleaned_data.items()
                  if value is not None}
        return {**self.kept, **chosen}


# Formula keys without a field of their own: where their errors show (None: above the form).
FORM_FIELD_OF: dict[str, str | None] = {"levels": "excellent"}


def rules(request: HttpRequest, street_code: str) -> HttpResponse:
    street = _street(request, street_code)
    user: Any = request.user
    manage = permissions.can_manage_rankings(user, street)
    if not permissions.can_see_ranking_drafts(user, street):
        raise PermissionDenied(_("Your role does not read the ranking rules."))
    current = rankings.formula_for(street)
    offered, kept = TargetsForm.split(current["participation_targets"])
    form = RulesForm(initial=RulesForm.initial_from(current))
    targets = TargetsForm(initial=offered, kept=kept)
    status = 200
    if request.method == "POST":
        if not manage:
            raise PermissionDenied(_("Only the subdistrict's admins change its ranking rules."))
        form = RulesForm(request.POST)
        targets = TargetsForm(request.POST, kept=kept)
        if all([form.is_valid(), targets.is_valid()]):  # both, so each shows its errors
            try:
                rankings.save_rules(street, form.formula(targets.targets()), by=user)
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        if key == "participation_targets":
                            targets.add_error(None, error)
                        else:
                            form.add_error(key if key in form.fields else FORM_FIELD_OF.get(key), error)
            else:
                messages.success(request, _("The ranking rules are saved; they apply to rankings computed from now."))
                return redirect("reports:ranking_rules", street.code)
        status = 400
    return render(request, "reports/ranking_rules.html", {
        "street": street, "form": form, "targets": targets, "can_manage": manage, "formula": current,
        "default": formula_.DEFAULT_FORMULA,
        "targets_in_force": [(participation_name(name), target)
                             for name, target in current["participation_targets"].items()],
    }, status=status)


urlpatterns = [
    path("rankings/", index, name="rankings"),
    path("rankings/<str:street_code>/", weeks, name="ranking_weeks"),
    path("rankings/<str:street_code>/rules/", rules, name="ranking_rules"),
    re_path(rf"^rankings/(?P<street_code>[^/]+)/{WEEK}/$", week, name="ranking"),
    re_path(rf"^rankings/(?P<street_code>[^/]+)/{WEEK}/compute/$", compute, name="ranking_compute"),
    re_path(rf"^rankings/(?P<street_code>[^/]+)/{WEEK}/publish/$", publish, name="ranking_publish"),
    re_path(rf"^rankings/(?P<street_code>[^/]+)/{WEEK}\.xlsx$", export, name="ranking_export"),
    re_path(rf"^rankings/(?P<street_code>[^/]+)/{WEEK}/ranking\.docx$", document, name="ranking_docx"),
]
