"""Mock assessment pages: the rounds of the user's streets, drawing a new round, a round's page (the
sample as a plain list for a phone, who assesses what, progress, the actions), recording a drawn
point with the inspection form, and the frozen report (page, Word and JSON) with its photos."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.assessment import permissions, queries, services
from chuangcheng.assessment.docx import render_docx, stored_photo
from chuangcheng.assessment.forms import NewRoundForm
from chuangcheng.assessment.models import Round, RoundPoint, State
from chuangcheng.assessment.report import photo_url
from chuangcheng.assessment.workflow import EVENT_LABELS, ROUNDS
from chuangcheng.cases.queries import leaf_categories
from chuangcheng.core import clock
from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed
from chuangcheng.evidence.models import Photo
from chuangcheng.evidence.views import photo_view
from chuangcheng.inspections.forms import blank_input, parse_inspection
from chuangcheng.inspections.models import ItemResult
from chuangcheng.inspections.queries import records
from chuangcheng.inspections.services.submit import default_category
from chuangcheng.org.models import Role, User
from chuangcheng.org.permissions import has_role


def _user(request: HttpRequest) -> Any:
    return request.user


def _round(request: HttpRequest, street: str, number: int) -> Round:
    """The round, when the user may see it: 404 otherwise (a drawn round does not exist for the
    communities, whatever its address)."""
    return or_404(queries.round_for(_user(request), street, number))


def round_list(request: HttpRequest) -> HttpResponse:
    if not has_role(_user(request), *permissions.STREET_ROLES, Role.COMMUNITY_ADMIN):
        raise PermissionDenied(_("Mock assessment rounds are run by the subdistrict office."))
    rounds = list(queries.rounds_visible_to(_user(request)).order_by("street__code", "-number"))
    return render(request, "assessment/round_list.html", {
        "rounds": rounds, "may_draw": queries.streets_managed_by(_user(request)).exists()})


def new_round(request: HttpRequest) -> HttpResponse:
    streets = queries.streets_managed_by(_user(request))
    if not streets.exists():
        raise PermissionDenied(_("Only the subdistrict office's admins run mock assessment rounds."))
    candidates = User.objects.none()
    for street in streets:
        candidates = candidates | queries.team_candidates(street)
    form = NewRoundForm(request.POST or None, streets=streets, candidates=candidates.distinct())
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                round = services.draw_round(  # noqa: A001
                    data["street"], by=_user(request), seed=data["seed"], team=list(data["team"]),
                    title=data["title"], team_kind=data["team_kind"])
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Round %(number)s is drawn. The communities do not see it until "
                                            "it starts.") % {"number": round.number})
                return redirect("assessment:detail", round.street.code, round.number)
    return render(request, "assessment/new_round.html", {"form": form}, status=status)


def _by_type(points: list[RoundPoint]) -> list[dict[str, Any]]:
    groups: dict[int, dict[str, Any]] = {}
    for rp in points:
        groups.setdefault(rp.point_type_id, {"type": rp.point_type, "points": []})["points"].append(rp)
    return list(groups.values())


def round_detail(request: HttpRequest, street: str, number: int) -> HttpResponse:
    round = _round(request, street, number)  # noqa: A001
    return _render_detail(request, round)


def _render_detail(request: HttpRequest, round: Round, status: int = 200) -> HttpResponse:  # noqa: A002
    points = queries.round_points(round)
    user = _user(request)
    actions = [ROUNDS[a] for a in ROUNDS.allowed(user, round) if a != "assign"]
    events = queries.events_of(round)
    return render(request, "assessment/round_detail.html", {
        "round": round, "groups": _by_type(points), "points": points,
        "recorded": sum(1 for rp in points if rp.recorded), "total": len(points),
        "actions": actions, "may_assign": "assign" in ROUNDS.allowed(user, round),
        "team": sorted(round.team.all(), key=lambda u: u.username),
        "may_record": {rp.pk for rp in points if round.state == State.STARTED and not rp.recorded
                       and permissions.can_record(user, rp)},
        "events": [(e, EVENT_LABELS.get(e.action, e.action)) for e in events],
        "submitted": next((rp for rp in points if rp.inspection is not None
                           and str(rp.position) == request.GET.get("recorded")), None),
    }, status=status)


@require_POST
def round_assign(request: HttpRequest, street: str, number: int) -> HttpResponse:
    round = _round(request, street, number)  # noqa: A001
    team = {str(u.pk): u for u in round.team.all()}
    assessors: dict[int, User | None] = {}
    for rp in round.points.all():
        value = request.POST.get(f"assessor_{rp.position}")
        if value is None:
            continue
        if value and value not in team:
            messages.error(request, _("Choose an assessor from the round's team."))
            return redirect("assessment:detail", street, number)
        assessors[rp.position] = team.get(value) if value else None
    try:
        services.assign_points(round, by=_user(request), assessors=assessors, version=_version(request))
    except (ValidationError, TransitionNotAllowed, Conflict) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, _("The assessors are saved."))
    return redirect("assessment:detail", street, number)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


@require_POST
def round_act(request: HttpRequest, street: str, number: int, action: str) -> HttpResponse:
    round = _round(request, street, number)  # noqa: A001
    runners: dict[str, Callable[..., Any]] = {"start": services.start_round, "finish": services.finish_round,
               "cancel": lambda r, by, version: services.cancel_round(
                   r, by=by, version=version, note=request.POST.get("note", ""))}
    if action not in runners:
        raise Http404
    try:
        runners[action](round, by=_user(request), version=_version(request))
    except (ValidationError, TransitionNotAllowed, Conflict) as exc:
        messages.error(request, _message(exc))
    else:
        messages.success(request, {"start": _("The round has started: the team can record the drawn points."),
                                   "finish": _("The round is finished and its report is frozen."),
                                   "cancel": _("The round is cancelled.")}[action])
        if action == "finish":
            return redirect("assessment:report", street, number)
    return redirect("assessment:detail", street, number)


def record_point(request: HttpRequest, street: str, number: int, position: int) -> HttpResponse:
    """The inspection form of one drawn point; its POST comes back here."""
    round = _round(request, street, number)  # noqa: A001
    rp = or_404(next((p for p in queries.round_points(round) if p.position == position), None))
    if not permissions.can_record(_user(request), rp):
        raise PermissionDenied(_("This drawn point is assigned to someone else."))
    if round.state != State.STARTED or rp.recorded:
        if rp.inspection is not None:
            return redirect("inspections:detail", key=rp.inspection.key)
        messages.error(request, _("Drawn points are recorded while the round runs."))
        return redirect("assessment:detail", street, number)
    point = rp.point
    checklist = list(records.checklist_of(point))
    if request.method != "POST":
        defaults = {item.pk: getattr(default_category(item), "code", "") for item in checklist}
        return _render_form(request, rp, blank_input(checklist, defaults))
    form = parse_inspection(request.POST, request.FILES, checklist)
    if form.has_errors:
        return _render_form(request, rp, form, status=400)
    lon, lat = form.coordinates()
    try:
        inspection, created = services.record_point(
            rp, by=_user(request), key=form.key, items=form.item_inputs(), lon=lon, lat=lat,
            started_at=form.started(), note=form.note)
    except ValidationError as exc:
        form.apply(exc)
        return _render_form(request, rp, form, status=400)
    messages.success(request, _("Drawn point %(n)s is recorded.") % {"n": rp.position} if created
                     else _("This inspection was already submitted."))
    # The round's page tells the phone that this draft was submitted (inspect.js forgets it).
    return redirect(f"{reverse('assessment:detail', args=[street, number])}?recorded={rp.position}")


def _render_form(request: HttpRequest, rp: RoundPoint, form: Any, *, status: int = 200) -> HttpResponse:
    groups = []
    for _key, run in groupby(form.answers, key=lambda a: (a.item.group_id or 0, a.item.point_type_id or 0)):
        answers = list(run)
        owner = answers[0].item.group or answers[0].item.point_type
        groups.append({"name": owner.name if owner is not None else "", "answers": answers})
    return render(request, "assessment/record.html", {
        "round": rp.round, "round_point": rp, "point": rp.point, "form": form, "groups": groups,
        "day": clock.today(), "categories": _category_groups(), "max_bytes": settings.PHOTO_MAX_BYTES,
        "posted": request.method == "POST", "had_photos": request.method == "POST" and bool(request.FILES),
    }, status=status)


def _category_groups() -> list[tuple[str, list[Any]]]:
    """The categories a failure can be filed under, by their group (as the inspection form has them)."""
    groups: dict[str, list[Any]] = {}
    for category in leaf_categories().order_by("parent__sort_order", "sort_order", "code"):
        groups.setdefault(category.parent.name if category.parent else "", []).append(category)
    return list(groups.items())


def _finished(request: HttpRequest, street: str, number: int) -> Round:
    round = _round(request, street, number)  # noqa: A001
    if round.state != State.FINISHED or not round.report:
        raise Http404
    return round


def round_report(request: HttpRequest, street: str, number: int) -> HttpResponse:
    round = _finished(request, street, number)  # noqa: A001
    report = round.report
    lost = [{**row, "photo_urls": [(photo_url(round, sha), photo_url(round, sha, "thumbnail"))
                                        for sha in row.get("photos", [])]}
            for row in report.get("lost", [])]
    return render(request, "assessment/report.html", {"round": round, "report": report, "lost": lost})


def report_docx(request: HttpRequest, street: str, number: int) -> HttpResponse:
    round = _finished(request, street, number)  # noqa: A001
    response = HttpResponse(render_docx(round.report, photo=stored_photo),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="mock-assessment-{street}-{number}.docx"'
    return response


def report_json(request: HttpRequest, street: str, number: int) -> HttpResponse:
    round = _finished(request, street, number)  # noqa: A001
    response = HttpResponse(json.dumps(round.report, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="mock-assessment-{street}-{number}.json"'
    return response


def may_see_photo(request: HttpRequest, photo: Photo, /, *, street: str, number: int) -> bool:
    """A photo of a failure found at one of the round's drawn points, to people who may see the round."""
    round = _round(request, street, number)  # noqa: A001
    return ItemResult.objects.filter(inspection__round_point__round=round, photos=photo).exists()


round_photo = photo_view(may_see_photo)
