"""The Excel import page and the template downloads (thin: chuangcheng.imports does the work)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangcheng import imports
from chuangcheng.core import sheets
from chuangcheng.org import permissions

# A page with every error of a 20 000-row file would not help anyone; the first ones do.
MAX_ERRORS_SHOWN = 500


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"),
                             choices=[(kind, imports.KIND_LABELS[kind]) for kind in imports.KINDS])
    file = forms.FileField(label=gettext_lazy("Excel file (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + sheets.XLSX}))
    check_only = forms.BooleanField(label=gettext_lazy("Only check the file, do not import"), required=False)


def _require_import(request: HttpRequest) -> None:
    if not permissions.can_import(request.user):
        raise PermissionDenied(_("You may not import data."))


def import_view(request: HttpRequest) -> HttpResponse:
    _require_import(request)
    result = None
    errors: list[imports.RowError] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.IMPORT_MAX_BYTES:
                result = imports.ImportResult(kind=form.cleaned_data["kind"],
                                              dry_run=form.cleaned_data["check_only"],
                                              errors=[imports.RowError(None, "", imports.too_large_message())])
            else:
                result = imports.run_import(form.cleaned_data["kind"], upload.read(), by=request.user,
                                            dry_run=form.cleaned_data["check_only"])
            errors = result.errors[:MAX_ERRORS_SHOWN]
    else:
        form = ImportForm(initial={"kind": request.GET.get("kind", "points")})
    kinds = [(kind, imports.KIND_LABELS[kind]) for kind in imports.KINDS]
    return render(
        request,
        "web/import.html",
        {
            "form": form,
            "kinds": kinds,
            "result": result,
            "errors": errors,
            "hidden_errors": len(result.errors) - len(errors) if result else 0,
            "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024),
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
        status=200,
    )


def template_view(request: HttpRequest, kind: str) -> HttpResponse:
    _require_import(request)
    if kind not in imports.KINDS:
        raise Http404
    return sheets.xlsx_response(imports.build_template(kind), imports.TEMPLATE_FILE_NAMES[kind])
