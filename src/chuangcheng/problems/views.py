"""/problems/: the lists of a reader's streets, a list's page (progress, problems and their cases,
the 销号 report), entering a list (imported from a workbook or typed in) and dispatching a problem
the list named no unit for.

Readers: the street's admins, leaders and inspectors, and logins above the street; the street
admins enter and dispatch. Other roles get 403; a list of a street out of reach is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core import clock, sheets
from chuangcheng.core.http import or_404
from chuangcheng.evidence.uploads import prepare_uploads
from chuangcheng.org.models import Region
from chuangcheng.problems import importing, permissions, queries, report, services
from chuangcheng.problems.forms import DispatchForm, ImportForm, ListForm, ProblemRows
from chuangcheng.problems.models import ProblemList
from chuangcheng.problems.sheet import build_template

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _user(request: HttpRequest) -> Any:
    """The signed-in user (the middleware has sent anyone else to the sign-in page)."""
    return request.user


def _require_reader(request: HttpRequest) -> None:
    if not permissions.reads_problem_lists(request.user):
        raise PermissionDenied(_("Your role does not handle problem lists from above."))


def _managed_streets(request: HttpRequest) -> Any:
    streets = queries.streets_managed_by(request.user)
    if not streets.exists():
        raise PermissionDenied(_("Only the subdistrict office enters its problem lists."))
    return streets


def _header(data: dict[str, Any]) -> services.ListHeader:
    return services.ListHeader(street=data["street"], reference=data["reference"], issuer=data["issuer"],
                               kind=data["kind"], issued_on=data["issued_on"], deadline=data["deadline"],
                               note=data.get("note", ""))


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def index(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    lists = list(queries.lists_for(request.user))
    progress = queries.progress_by_list(lists)
    return render(request, "problems/index.html", {
        "rows": [(batch, progress[batch.pk]) for batch in lists],
        "can_enter": queries.streets_managed_by(request.user).exists(),
    })


def detail(request: HttpRequest, code: str) -> HttpResponse:
    _require_reader(request)
    batch = or_404(queries.list_for(request.user, code))
    problems = list(queries.problems_of(batch))
    now = clock.now()
    manager = permissions.can_manage_lists(request.user, batch.street)
    rows = [{"problem": p, "done": queries.is_done(p), "overdue": queries.is_overdue(p, batch.due_at, now),
             "dispatch": manager and p.case is not None and p.case.unit_id is None and p.case.state == "accepted"}
            for p in problems]
    return render(request, "problems/detail.html", {
        "batch": batch, "rows": rows, "progress": queries.progress_of(batch, problems, now), "can_manage": manager,
        "dispatch_form": DispatchForm(street=batch.street) if manager else None,
    })


def download_report(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    _require_reader(request)
    batch = or_404(queries.list_for(request.user, code))
    name = f"{batch.street.name}{batch.reference}整改销号报告"
    if fmt == "xlsx":
        return sheets.xlsx_response(report.build_xlsx(batch), f"{name}.xlsx")
    if fmt != "docx":
        raise Http404
    response = HttpResponse(report.build_docx(batch), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=f"{name}.docx")
    return response


def template(request: HttpRequest) -> HttpResponse:
    streets = _managed_streets(request)
    street = streets.filter(code=request.GET.get("street", "")).first() or streets.first()
    return sheets.xlsx_response(build_template(street), "上级交办问题清单导入模板.xlsx")


def import_list(request: HttpRequest) -> HttpResponse:
    streets = _managed_streets(request)
    form = ImportForm(request.POST or None, request.FILES or None, streets=streets)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photos = data["photos"].read() if data.get("photos") else None
        try:
            result = importing.import_problem_list(data["file"].read(), _header(data), by=_user(request),
                                                   photos_zip=photos, dry_run=data["dry_run"])
        except ValidationError as exc:
            _add_errors(form, exc)
        if result is not None and result.problem_list is not None:
            messages.success(request, _("The list %(reference)s is entered: %(n)d problems, each now a case.")
                             % {"reference": result.problem_list.reference, "n": len(result.problems)})
            return redirect("problems:detail", result.problem_list.code)
    status = 400 if request.method == "POST" and (not form.is_valid() or (result and result.errors)) else 200
    return render(request, "problems/import.html", {"form": form, "result": result}, status=status)


def new(request: HttpRequest) -> HttpResponse:
    streets = _managed_streets(request)
    street: Region | None = streets.filter(pk=request.POST.get("street") or 0).first() or streets.first()
    form = ListForm(request.POST or None, streets=streets, initial={"street": street})
    rows = ProblemRows(request.POST or None, request.FILES or None, form_kwargs={"street": street})
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        entered = _enter_typed(request, form, rows)
        if entered is not None:
            messages.success(request, _("The list %(reference)s is entered: %(n)d problems, each now a case.")
                             % {"reference": entered.reference, "n": entered.problems.count()})
            return redirect("problems:detail", entered.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "problems/new.html", {"form": form, "rows": rows}, status=status)


def _enter_typed(request: HttpRequest, form: ListForm, rows: Any) -> ProblemList | None:
    header = _header(form.cleaned_data)
    problems: list[services.ProblemInput] = []
    failed = False
    lookups = None
    for number, row in enumerate(rows.forms, start=1):
        if row.is_blank():
            continue
        data = row.cleaned_data
        cells = {"row": str(data.get("row") or number), "place": data.get("place") or "",
                 "description": data.get("description") or "",
                 "category": data["category"].code if data.get("category") else "",
                 "grid": data["grid"].code if data.get("grid") else "",
                 "unit": data["unit"].code if data.get("unit") else ""}
        lookups = lookups or importing.Lookups(header.street)
        problem, errors = importing.check_row(cells, number, lookups, None)
        for error in errors:
            row.add_error(None, f"{error.column}：{error.message}")
        if data.get("photo") and problem is not None:
            try:
                problem.photos = prepare_uploads([data["photo"]], by=_user(request), place=problem.place)
            except ValidationError as exc:
                _add_errors(row, exc)
                problem = None
        failed = failed or problem is None
        if problem is not None:
            problems.append(problem)
    if failed:
        return None
    try:
        return services.enter_problem_list(header, problems, by=_user(request))
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


@require_POST
def dispatch(request: HttpRequest, code: str, row: int) -> HttpResponse:
    _require_reader(request)
    batch = or_404(queries.list_for(request.user, code))
    if not permissions.can_manage_lists(request.user, batch.street):
        raise PermissionDenied(_("Only the subdistrict office dispatches the problems of its lists."))
    problem = or_404(batch.problems.select_related("case").filter(row=row).first())
    form = DispatchForm(request.POST, street=batch.street)
    if not form.is_valid():
        messages.error(request, _("Choose the responsible unit."))
        return redirect("problems:detail", batch.code)
    try:
        services.dispatch_problem(problem, by=_user(request), unit=form.cleaned_data["unit"])
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Problem %(row)d is dispatched.") % {"row": problem.row})
    return redirect("problems:detail", batch.code)


urlpatterns = [
    path("", index, name="lists"),
    path("template.xlsx", template, name="template"),
    path("import/", import_list, name="import"),
    path("new/", new, name="new"),
    path("<str:code>/", detail, name="detail"),
    path("<str:code>/report.<str:fmt>", download_report, name="report"),
    path("<str:code>/<int:row>/dispatch", dispatch, name="dispatch"),
]
