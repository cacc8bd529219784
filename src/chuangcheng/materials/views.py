"""/materials/: a street's archive (completeness), one item's materials with the upload form, a
file's download, withdrawing a file, the assessment date and the zip export.

Readers: the street's admins and leaders, and logins above the street. Community staff and other
roles get 403; a street outside one's reach, or a file of another street, is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangcheng.core import sheets
from chuangcheng.core.http import or_404
from chuangcheng.materials import exports, permissions, queries, services
from chuangcheng.materials.forms import AssessmentDateForm, UploadForm, WithdrawForm
from chuangcheng.materials.models import Material
from chuangcheng.org.models import Region


def _street(request: HttpRequest, code: str) -> Region:
    if not permissions.reads_materials(request.user):
        raise PermissionDenied(_("Your role does not keep the assessment materials."))
    return or_404(queries.street_for(request.user, code))


def _add_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def index(request: HttpRequest) -> HttpResponse:
    if not permissions.reads_materials(request.user):
        raise PermissionDenied(_("Your role does not keep the assessment materials."))
    streets = list(queries.streets_for(request.user))
    if len(streets) == 1:
        return redirect("materials:archive", streets[0].code)
    return render(request, "materials/streets.html", {"streets": streets})


def archive(request: HttpRequest, street: str) -> HttpResponse:
    region = _street(request, street)
    status = queries.completeness(region)
    keeper = permissions.can_keep_materials(request.user, region)
    return render(request, "materials/archive.html", {
        "street": region, "status": status, "can_keep": keeper,
        "date_form": AssessmentDateForm(initial={"assessment_on": queries.assessment_date(region)}),
    })


@require_POST
def assessment_date(request: HttpRequest, street: str) -> HttpResponse:
    region = _street(request, street)
    if not permissions.can_set_assessment_date(request.user, region):
        raise PermissionDenied(_("Only the subdistrict office's admins set the assessment date."))
    form = AssessmentDateForm(request.POST)
    if form.is_valid():
        services.set_assessment_date(region, by=request.user, on=form.cleaned_data["assessment_on"])
        messages.success(request, _("The assessment date is saved."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("materials:archive", region.code)


def item(request: HttpRequest, street: str, code: str) -> HttpResponse:
    region = _street(request, street)
    found = or_404(queries.item_for(code))
    keeper = permissions.can_keep_materials(request.user, region)
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if not keeper:
            raise PermissionDenied(_("Only the subdistrict office's admins file assessment materials."))
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                material = services.file_material(
                    region, by=request.user, item=found, kind=data["kind"], title=data["title"],
                    dated_on=data["dated_on"], upload=data["file"], note=data["note"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("“%(title)s” is filed.") % {"title": material.title})
                return redirect("materials:item", region.code, found.code)
        status = 400
    completeness = queries.completeness(region)
    return render(request, "materials/item.html", {
        "street": region, "item": found, "row": completeness.row(found.code), "status": completeness,
        "withdrawn": list(queries.street_materials(region, codes=[found.code], withdrawn=True)
                          .filter(withdrawn_at__isnull=False).order_by("-withdrawn_at")),
        "form": form, "can_keep": keeper,
    }, status=status)


def _material(request: HttpRequest, street: str, number: str) -> tuple[Region, Material]:
    region = _street(request, street)
    return region, or_404(queries.material_for(request.user, region, number))


def download(request: HttpRequest, street: str, number: str) -> FileResponse:
    _region, material = _material(request, street, number)
    try:
        handle = material.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, content_type=material.content_type, as_attachment=True,
                            filename=material.original_name)
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = f'"{material.sha256}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def withdraw(request: HttpRequest, street: str, number: str) -> HttpResponse:
    region, material = _material(request, street, number)
    if not permissions.can_withdraw(request.user, region):
        raise PermissionDenied(_("Only the subdistrict office's admins withdraw assessment materials."))
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.withdraw_material(material, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("“%(title)s” is withdrawn.") % {"title": material.title})
                return redirect("materials:item", region.code, material.item_code)
        status = 400
    return render(request, "materials/withdraw.html", {"street": region, "material": material, "form": form},
                  status=status)


def export(request: HttpRequest, street: str) -> HttpResponse | FileResponse:
    region = _street(request, street)
    status = queries.completeness(region)
    try:
        body, _count = exports.archive_zip(status, by=request.user)
    except sheets.TooManyRows as exc:
        messages.error(request, str(exc))
        return redirect("materials:archive", region.code)
    return FileResponse(body, content_type="application/zip", as_attachment=True,
                        filename=f"materials-{region.code}-{status.on.isoformat()}.zip")


STREET = "<str:street>"
urlpatterns = [
    path("", index, name="index"),
    path(f"{STREET}/", archive, name="archive"),
    path(f"{STREET}/date/", assessment_date, name="assessment_date"),
    path(f"{STREET}/export.zip", export, name="export"),
    path(f"{STREET}/items/<str:code>/", item, name="item"),
    path(f"{STREET}/files/<str:number>/", download, name="file"),
    path(f"{STREET}/files/<str:number>/withdraw/", withdraw, name="withdraw"),
]
