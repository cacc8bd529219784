"""Pages of the assessment catalog: everybody signed in reads it; street admins edit drafts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core.forms import apply_validation_error
from chuangcheng.core.http import or_404
from chuangcheng.org import permissions
from chuangcheng.standards import queries, services
from chuangcheng.standards.forms import (
    AssessmentItemForm,
    CheckItemForm,
    DraftForm,
    PublishForm,
    TypeProfileForm,
)
from chuangcheng.standards.models import AssessmentItem, CatalogVersion, CheckItem, PointType


def _version(request: HttpRequest, number: int) -> CatalogVersion:
    return or_404(queries.version_for(request.user, number))


def _editable_version(request: HttpRequest, number: int) -> CatalogVersion:
    """A draft the user may edit; a published version gets a message and no form."""
    if not permissions.can_edit_catalog(request.user):
        raise PermissionDenied(_("Only the street office may change the assessment catalog."))
    version = _version(request, number)
    if not version.is_editable:
        raise PermissionDenied(_("A published or superseded version cannot be changed; start a new draft."))
    return version


def _point_type(code: str) -> PointType:
    return or_404(queries.point_type_by_code(code))


def _edit_context(request: HttpRequest, version: CatalogVersion | None) -> dict[str, Any]:
    can_edit = permissions.can_edit_catalog(request.user)
    return {"can_edit": can_edit, "editable": bool(can_edit and version is not None and version.is_editable)}


def catalog(request: HttpRequest) -> HttpResponse:
    version = queries.version_in_force()
    context = _edit_context(request, version)
    return render(request, "standards/catalog.html", {
        **context,
        "version": version,
        "rows": queries.type_rows(version),
        "versions": queries.versions_visible_to(request.user),
        "draft": queries.open_draft() if context["can_edit"] else None,
    })


def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    version = _version(request, number)
    return render(request, "standards/version.html", {
        **_edit_context(request, version),
        "version": version,
        "in_force": queries.version_in_force(),
        "previous": queries.previous_version(version),
        "groups": queries.groups_with_items(version),
        "rows": queries.type_rows(version),
        **_assessment_context(version),
    })


def _assessment_context(version: CatalogVersion) -> dict[str, Any]:
    items = queries.assessment_items(version)
    observed = [a for a in items if a.is_observed]
    materials = [a for a in items if not a.is_observed]
    return {
        "observed": [a for a in observed if not a.is_minors],
        "minors": [a for a in observed if a.is_minors],
        "materials": materials,
        "observed_points": sum((a.points for a in observed), Decimal(0)),
        "materials_points": sum((a.points for a in materials), Decimal(0)),
    }


def point_type_detail(request: HttpRequest, code: str, number: int | None = None) -> HttpResponse:
    point_type = _point_type(code)
    version = or_404(_version(request, number) if number is not None else queries.version_in_force())
    profile = queries.profile_for(version, point_type)
    sections = queries.checklist_sections(point_type, version)
    return render(request, "standards/point_type.html", {
        **_edit_context(request, version),
        "version": version,
        "point_type": point_type,
        "profile": profile,
        "sections": sections,
        "item_count": sum(len(s.items) for s in sections),
        "weight_total": sum(i.weight for s in sections for i in s.items),
        "points_total": sum((s.assessment.points for s in sections if s.assessment), Decimal(0)),
    })


def compare(request: HttpRequest, number: int) -> HttpResponse:
    version = _version(request, number)
    previous = queries.previous_version(version)
    return render(request, "standards/compare.html", {
        "version": version,
        "previous": previous,
        "diff": queries.compare_versions(previous, version),
    })


def draft_start(request: HttpRequest) -> HttpResponse:
    if not permissions.can_edit_catalog(request.user):
        raise PermissionDenied(_("Only the street office may change the assessment catalog."))
    draft = queries.open_draft()
    if draft is not None:
        messages.info(request, _("Draft version %(number)s is already open.") % {"number": draft.number})
        return redirect("standards:version", number=draft.number)
    form = DraftForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.start_draft(by=request.user, title=form.cleaned_data["title"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Draft version %(number)s started.") % {"number": draft.number})
            return redirect("standards:version", number=draft.number)
    return render(request, "standards/draft_form.html", {
        "form": form, "in_force": queries.version_in_force(),
    })


def item_edit(request: HttpRequest, number: int, code: str | None = None) -> HttpResponse:
    version = _editable_version(request, number)
    item: CheckItem | None = None
    initial: dict[str, Any] = {"weight": 1}
    if code is not None:
        item = or_404(queries.item_for(version, code))
        initial = {
            "code": item.code, "group": item.group.code if item.group else "",
            "point_type": item.point_type.code if item.point_type else "", "text": item.text,
            "measure": item.measure, "threshold": item.threshold, "distance_m": item.distance_m,
            "weight": item.weight, "deduction": item.deduction, "penalty": item.penalty,
            "unit_kinds": item.unit_kinds,
        }
    else:
        initial.update({"group": request.GET.get("group", ""), "point_type": request.GET.get("type", "")})
    form = CheckItemForm(request.POST or None, initial=initial, version=version, editing=item is not None)
    if request.method == "POST" and form.is_valid():
        try:
            saved, _changed = services.save_check_item(
                version, by=request.user, code=item.code if item else form.cleaned_data["code"],
                **form.item_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Item %(code)s saved.") % {"code": saved.code})
            point_type = saved.point_type if saved.point_type_id is not None else None
            if point_type is not None:
                return redirect("standards:version_type", number=version.number, code=point_type.code)
            version_url = reverse("standards:version", kwargs={"number": version.number})
            return redirect(f"{version_url}#{saved.code}")
    return render(request, "standards/item_form.html", {"form": form, "version": version, "item": item})


def item_delete(request: HttpRequest, number: int, code: str) -> HttpResponse:
    version = _editable_version(request, number)
    item = or_404(queries.item_for(version, code))
    if request.method == "POST":
        services.delete_check_item(version, by=request.user, code=code)
        messages.success(request, _("Item %(code)s deleted.") % {"code": code})
        return redirect("standards:version", number=version.number)
    return render(request, "standards/item_delete.html", {"version": version, "item": item})


def profile_edit(request: HttpRequest, number: int, code: str) -> HttpResponse:
    version = _editable_version(request, number)
    point_type = _point_type(code)
    profile = queries.profile_for(version, point_type)
    initial = {
        "groups": [g.code for g in profile.groups.all()] if profile else [],
        "unit_kinds": profile.unit_kinds if profile else [],
        "description": profile.description if profile else "",
        "sample_size": profile.sample_size if profile else 3,
    }
    form = TypeProfileForm(request.POST or None, initial=initial, version=version)
    if request.method == "POST" and form.is_valid():
        # An empty sample size keeps the one the type has (3 for a type new to the version).
        sample = form.cleaned_data["sample_size"]
        try:
            services.save_type_profile(
                version, by=request.user, point_type=point_type, groups=form.cleaned_data["groups"],
                unit_kinds=form.cleaned_data["unit_kinds"], description=form.cleaned_data["description"],
                **({"sample_size": sample} if sample is not None else {}),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Point type %(name)s saved.") % {"name": point_type.name})
            return redirect("standards:version_type", number=version.number, code=point_type.code)
    return render(request, "standards/profile_form.html", {
        "form": form, "version": version, "point_type": point_type,
    })


def assessment_edit(request: HttpRequest, number: int, code: str | None = None) -> HttpResponse:
    """Add or change an assessment item (测评内容) of a draft."""
    version = _editable_version(request, number)
    item: AssessmentItem | None = None
    initial: dict[str, Any] = {"method": AssessmentItem.Method.OBSERVE}
    if code is not None:
        item = or_404(queries.assessment_item_for(version, code))
        initial = {
            "code": item.code, "name": item.name, "method": item.method,
            "point_type": item.point_type.code if item.point_type else "",
            "group": item.group.code if item.group else "", "points": item.points,
            "description": item.description,
        }
    else:
        initial.update({"point_type": request.GET.get("type", ""), "group": request.GET.get("group", "")})
        if request.GET.get("method") == AssessmentItem.Method.MATERIALS:
            initial["method"] = AssessmentItem.Method.MATERIALS
    form = AssessmentItemForm(request.POST or None, initial=initial, version=version, editing=item is not None)
    if request.method == "POST" and form.is_valid():
        try:
            saved, _changed = services.save_assessment_item(
                version, by=request.user, code=item.code if item else form.cleaned_data["code"],
                **form.item_fields(),
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Assessment item %(name)s saved.") % {"name": saved.name})
            version_url = reverse("standards:version", kwargs={"number": version.number})
            return redirect(f"{version_url}#assessment-{saved.code}")
    return render(request, "standards/assessment_form.html", {"form": form, "version": version, "item": item})


def assessment_delete(request: HttpRequest, number: int, code: str) -> HttpResponse:
    version = _editable_version(request, number)
    item = or_404(queries.assessment_item_for(version, code))
    if request.method == "POST":
        services.delete_assessment_item(version, by=request.user, code=code)
        messages.success(request, _("Assessment item %(name)s deleted.") % {"name": item.name})
        return redirect("standards:version", number=version.number)
    return render(request, "standards/assessment_delete.html", {"version": version, "item": item})


def publish(request: HttpRequest, number: int) -> HttpResponse:
    version = _editable_version(request, number)
    previous = queries.previous_version(version)
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.publish_version(version, by=request.user, changelog=form.cleaned_data["changelog"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Version %(number)s is now in force.") % {"number": version.number})
            return redirect("standards:version", number=version.number)
    return render(request, "standards/publish_form.html", {
        "form": form, "version": version, "previous": previous,
        "diff": queries.compare_versions(queries.version_in_force(), version),
    })


@require_POST
def discard(request: HttpRequest, number: int) -> HttpResponse:
    version = _editable_version(request, number)
    services.discard_draft(version, by=request.user)
    messages.success(request, _("Draft version %(number)s discarded.") % {"number": number})
    return redirect("standards:catalog")
