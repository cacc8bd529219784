"""Case pages: the list for each role, reporting, the detail with its timeline and the actions
the viewer may take, the unit handler's phone page to rectify, and the case's photos."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from chuangcheng.cases import actions, permissions, queries
from chuangcheng.cases.exports import case_ledger
from chuangcheng.cases.forms import ActionForm, ReportForm, SaveViewForm
from chuangcheng.cases.models import Case, CaseEvent, Category, Rating, SavedView, Source, State
from chuangcheng.cases.services import report_case, suggest_unit
from chuangcheng.cases.workflow import CASES, EVENT_LABELS, UNIT_ACTIONS
from chuangcheng.core import clock, sheets
from chuangcheng.core.drafts import draft_accepted
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.pagination import paginate
from chuangcheng.core.periods import PeriodForm
from chuangcheng.evidence.actions import action_forms, at_version, take_form
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.uploads import accepted_uploads
from chuangcheng.evidence.views import photo_view
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Region, Role

# The ready-made views of the list, by role: (label, query string).
PRESETS: dict[str, list[tuple[Any, str]]] = {
    "admin": [
        (gettext_lazy("All open"), "state=open"), (gettext_lazy("To accept"), "state=reported"),
        (gettext_lazy("To dispatch"), "state=accepted"), (gettext_lazy("Awaiting verification"), "state=rectified"),
        (gettext_lazy("Overdue"), "overdue=1"), (gettext_lazy("Due soon"), "due_soon=1"),
        (gettext_lazy("Suspended"), "state=suspended"), (gettext_lazy("Closed"), "state=closed"),
    ],
    Role.UNIT_HANDLER: [
        (gettext_lazy("My unit's open cases"), "mine=1"), (gettext_lazy("Overdue"), "overdue=1"),
        (gettext_lazy("Due soon"), "due_soon=1"), (gettext_lazy("Awaiting verification"), "state=rectified"),
        (gettext_lazy("Closed"), "state=closed"),
    ],
    Role.INSPECTOR: [
        (gettext_lazy("Awaiting verification"), "state=rectified"), (gettext_lazy("Reported by me"), "mine=1"),
        (gettext_lazy("All open"), "state=open"), (gettext_lazy("Overdue"), "overdue=1"),
    ],
    "other": [(gettext_lazy("All open"), "state=open"), (gettext_lazy("Reported by me"), "mine=1"),
              (gettext_lazy("Overdue"), "overdue=1"), (gettext_lazy("Closed"), "state=closed")],
}


def presets_for(user: Any) -> list[tuple[Any, str]]:
    if user.role in {Role.STREET_ADMIN, Role.COMMUNITY_ADMIN} or user.is_superuser:
        return PRESETS["admin"]
    return PRESETS.get(user.role, PRESETS["other"])


def _list_query(request: HttpRequest) -> str:
    """The filter part of the query string (no page number), as views are saved and compared."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# The list's "what happened in the period" choices (CaseFilter.did).
DID_CHOICES = [
    ("dispatched", pgettext_lazy("what happened to a case", "Dispatched")),
    ("rectified", pgettext_lazy("what happened to a case", "Rectified")),
    ("closed", pgettext_lazy("what happened to a case", "Verified and closed")),
    ("returned", pgettext_lazy("what happened to a case", "Returned for rework")),
    ("reopened", pgettext_lazy("what happened to a case", "Reopened")),
    ("sent_back", pgettext_lazy("what happened to a case", "Sent back as wrong unit")),
    ("rated", pgettext_lazy("what happened to a case", "Rated by the resident")),
]
# The lists behind 按期处置率 (CaseFilter.due): deadlines that fell in the period.
DUE_CHOICES = [
    ("due", gettext_lazy("Fell due in the period or overdue at its start")),
    ("met", gettext_lazy("Handled by the deadline that fell")),
    ("missed", gettext_lazy("Deadline missed")),
]
RATING_CHOICES = [("positive", gettext_lazy("Satisfied or basically satisfied")), *Rating.choices]


def case_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not request.GET and user.role == Role.UNIT_HANDLER:
        return redirect(f"{request.path}?mine=1")  # a handler starts from the unit's own work
    period_form = PeriodForm(request.GET or None)  # a bad date: shown beside the fields, no period applied
    flt = queries.CaseFilter.from_params(request.GET, period=period_form.period)
    now = clock.now()
    cases = queries.filter_cases(user, flt, now=now)
    page = paginate(request, cases)
    current = _list_query(request)
    detail = reverse("cases:detail", args=[_NUMBER])  # each row's link: this with the row's number
    # The filters' options in one query each: the categories (groups and leaves), the regions
    # (communities and grids), only the columns an option shows.
    categories = list(Category.objects.filter(active=True).only("code", "name", "parent_id", "campaign_label"))
    regions = list(org_queries.regions_visible_to(user).select_related(None)
                   .filter(level__in=[Region.Level.COMMUNITY, Region.Level.GRID]).only("code", "name", "level"))
    return render(request, "cases/case_list.html", {
        "page": page, "flt": flt, "now": now, "current": current, "period_form": period_form,
        "rows": [_row(case, now, detail) for case in page.object_list],
        "presets": [(label, query, query == current) for label, query in presets_for(user)],
        "saved": SavedView.objects.filter(user=user),
        "save_form": SaveViewForm(initial={"query": current}),
        "states": [("open", _("All open")), *State.choices],
        "groups": [c for c in categories if c.parent_id is None],
        "categories": [(c.code, f"{c.name}（{c.campaign_label}）" if c.campaign_label else c.name)
                       for c in categories if c.parent_id is not None],
        "units": org_queries.units_visible_to(user).filter(active=True).select_related(None).only("code", "name"),
        "communities": [r for r in regions if r.level == Region.Level.COMMUNITY],
        "grids": [r for r in regions if r.level == Region.Level.GRID],
        "sources": [*Source.choices, ("public", _("Residents or hotline"))],
        "did_choices": DID_CHOICES,
        "due_choices": DUE_CHOICES,
        "rating_choices": RATING_CHOICES,
        "counts": queries.case_counts(user, now),
        "can_report": user.role in permissions.REPORTING_ROLES,
        "can_export": user.role in permissions.LEDGER_ROLES or user.is_superuser,
    }, status=400 if period_form.errors else 200)


def case_export(request: HttpRequest) -> HttpResponse:
    """整改台账: the cases of the list's filter as an Excel workbook (logged)."""
    user: Any = request.user
    if user.role not in permissions.LEDGER_ROLES and not user.is_superuser:
        raise PermissionDenied(_("Your role does not export the case ledger."))
    try:
        flt = queries.CaseFilter.from_params(request.GET)
    except ValidationError:  # the list shows what is wrong beside its fields
        return redirect(f"{_url('cases:list')}?{request.GET.urlencode()}")
    return sheets.export_response(request, lambda: case_ledger(user, flt),
                                  filename=f"case-ledger-{clock.local(clock.now()):%Y%m%d-%H%M}.xlsx",
                                  back=f"{_url('cases:list')}?{flt.query_string()}")


_NUMBER = "NUMBER"  # a stand-in case number (numbers are letters, digits and hyphens: no escaping)


def _row(case: Case, now: Any, detail: str) -> dict[str, Any]:
    """A row of the list, its formatted values made here once rather than by filters per row."""
    return {
        "case": case, "light": _light(case, now), "url": detail.replace(_NUMBER, case.number),
        "summary": Truncator(case.description).chars(60),
        "deadline": f"{clock.local(case.deadline):%Y-%m-%d %H:%M}" if case.deadline else "",
    }


def _light(case: Case, now: Any) -> str:
    """red: overdue; yellow: due soon; green: in time; "": no running clock."""
    if case.is_overdue(now):
        return "red"
    if case.is_due_soon(now):
        return "yellow"
    return "green" if case.is_running and case.deadline else ""


def case_new(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.role not in permissions.REPORTING_ROLES:
        raise PermissionDenied(_("Your role does not report problems here."))
    initial = {"point": request.GET.get("point", "")[:40]} if request.GET.get("point") else {}
    form = ReportForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point, grid = data["point"], data["grid"]
        place = point.name if point else (data["address"] or (grid.name if grid else ""))
        try:
            with accepted_uploads(data["photos"], by=user, place=place) as photos:
                case = report_case(
                    by=user, source=data["source"], category=data["category"], description=data["description"],
                    point=point, grid=grid, lon=data["lon"], lat=data["lat"], address=data["address"],
                    severity=data["severity"], photos=photos,
                )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Case %(number)s reported.") % {"number": case.number})
            return redirect("cases:detail", number=case.number)
    status = 400 if form.errors else 200
    return render(request, "cases/case_form.html", {"form": form}, status=status)


def case_detail(request: HttpRequest, number: str) -> HttpResponse:
    case = _case(request, number)
    return _render_detail(request, case)


def _case(request: HttpRequest, number: str) -> Case:
    return or_404(queries.case_for(request.user, number))


def _render_detail(request: HttpRequest, case: Case, *, failed: ActionForm | None = None, error: str = "",
                   status: int = 200) -> HttpResponse:
    user: Any = request.user
    events = list(queries.case_timeline(case))
    for event in events:
        event.label = str(EVENT_LABELS.get(event.action, event.action))  # type: ignore[attr-defined]
    rectified_by = CASES.last_actor(case, "rectify", events)
    # Every action the API offers this user is offered here too; what the unit does is grouped
    # apart for anyone who is not the unit's handler (the office may act on the unit's behalf).
    allowed = CASES.allowed(user, case, rectified_by=rectified_by)
    is_handler = permissions.is_unit_handler_of(user, case)
    suggested = suggest_unit(case) if "dispatch" in allowed else None

    def new(action: str) -> ActionForm:
        initial: dict[str, Any] = {"version": case.version}
        if action == "dispatch" and suggested is not None:
            initial["unit"] = suggested.code
        return ActionForm(action=action, user=user, case=case, initial=initial)

    forms = action_forms(CASES, allowed, failed=failed, new=new)
    for item in forms:
        item["on_behalf"] = item["action"] in UNIT_ACTIONS and not is_handler
    before = [p for e in events if e.action == "report" for p in e.photos.all()]
    after_event = next((e for e in reversed(events) if e.action == "rectify"), None)
    now = clock.now()
    return render(request, "cases/case_detail.html", {
        "case": case, "events": events, "forms": forms, "error": error,
        "before": before, "after": list(after_event.photos.all()) if after_event else [],
        "after_event": after_event, "light": _light(case, now), "now": now,
        "suggested": suggested, "is_handler": is_handler,
        "own_forms": [item for item in forms if not item["on_behalf"]],
        "behalf_forms": [item for item in forms if item["on_behalf"]],
    }, status=status)


@require_POST
def case_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    """Every action from a page: the form's fields, the photos, the version the page showed."""
    case = _case(request, number)
    if action not in actions.ACTIONS:  # the offered actions of the case workflow
        raise Http404
    form = ActionForm(request.POST, request.FILES, action=action, user=request.user, case=case)
    refused = take_form(actions.ACTIONS, action, case, by=_user(request), form=form)
    if refused:
        return _after_failure(request, case, refused.form, refused.error, refused.status)
    messages.success(request, _("Case %(number)s: %(action)s — done.") % {
        "number": case.number, "action": CASES[action].label})
    if action == "rectify":
        draft_accepted(request, f"rectify|{case.number}")  # the rectify page's draft (photos) may go
    if request.POST.get("next") == "mine":
        return redirect(f"{_url('cases:list')}?mine=1")
    return redirect("cases:detail", number=case.number)


def _url(name: str) -> str:
    return reverse(name)


def _after_failure(request: HttpRequest, case: Case, form: ActionForm | None, error: str,
                   status: int) -> HttpResponse:
    """Show the page again, with the reason, as it is now (the case may have moved on)."""
    fresh = _case(request, case.number)
    if request.POST.get("next") == "mine" and form is not None and form.action == "rectify":
        return _render_rectify(request, fresh, form=form, status=status)
    at_version(form, fresh)
    return _render_detail(request, fresh, failed=form, error=error, status=status)


def case_rectify(request: HttpRequest, number: str) -> HttpResponse:
    """The unit handler's phone page: the problem, its before-photos, and one form."""
    case = _case(request, number)
    if "rectify" not in permissions.allowed_actions(request.user, case):
        messages.info(request, _("This case cannot be marked rectified now."))
        return redirect("cases:detail", number=case.number)
    return _render_rectify(request, case)


def _render_rectify(request: HttpRequest, case: Case, *, form: ActionForm | None = None,
                    status: int = 200) -> HttpResponse:
    form = form or ActionForm(action="rectify", user=request.user, case=case, initial={"version": case.version})
    before = [p for e in queries.case_timeline(case) if e.action == "report" for p in e.photos.all()]
    return render(request, "cases/case_rectify.html", {
        "case": case, "form": form, "before": before, "light": _light(case, clock.now()),
    }, status=status)


def may_see_photo(request: HttpRequest, photo: Photo, /, *, number: str) -> bool:
    """A photo of this case's events, to people who may see the case."""
    return CaseEvent.objects.filter(case=_case(request, number), photos=photo).exists()


case_photo = photo_view(may_see_photo)


def _user(request: HttpRequest) -> Any:
    return request.user


@require_POST
def save_view(request: HttpRequest) -> HttpResponse:
    form = SaveViewForm(request.POST)
    if form.is_valid():
        query = QueryDict(form.cleaned_data["query"])
        clean = urlencode(sorted((k, v) for k, v in query.items() if k != "page" and v))
        SavedView.objects.update_or_create(user=_user(request), name=form.cleaned_data["name"].strip(),
                                           defaults={"query": clean})
        messages.success(request, _("View “%(name)s” saved.") % {"name": form.cleaned_data["name"].strip()})
        return redirect(f"{_url('cases:list')}?{clean}")
    messages.error(request, _("Give the view a name of at most 40 characters."))
    return redirect(f"{_url('cases:list')}?{form.data.get('query', '')}")


@require_POST
def delete_view(request: HttpRequest, code: str) -> HttpResponse:
    deleted, _rows = SavedView.objects.filter(user=_user(request), code=code).delete()
    if deleted:
        messages.success(request, _("View removed."))
    return redirect("cases:list")
