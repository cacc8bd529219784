"""The issuing settings page (/reports/issuing/<street>/): a street admin sets the issuing office,
the 报 / 送 / 发 / 抄送 lines and the days given to rectify, seeing the defaults that a blank field
takes. Others of the street get 403; a subdistrict outside one's reach is a 404."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.html import escape
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from chuangcheng.core.http import or_404
from chuangcheng.org.models import Region
from chuangcheng.reports import issuing as issuing_
from chuangcheng.reports import permissions
from chuangcheng.reports.models import ReportSettings
from chuangcheng.reports.queries.bulletins import streets_for
from chuangcheng.reports.services import issuing as services


def _field(name: str, field_class: type[forms.Field] = forms.CharField, **kwargs: Any) -> Any:
    """A form field labelled as the model's, with its limits."""
    model_field = cast("models.Field[Any, Any]", ReportSettings._meta.get_field(name))
    if field_class is forms.CharField:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", model_field.max_length)
    return field_class(label=capfirst(model_field.verbose_name), help_text=model_field.help_text, **kwargs)


class IssuingForm(forms.Form):
    issuer = _field("issuer")
    report_to = _field("report_to")
    send_to = _field("send_to")
    distribute_to = _field("distribute_to")
    cc = _field("cc")
    rectify_days = _field("rectify_days", forms.IntegerField, min_value=1, max_value=issuing_.MAX_RECTIFY_DAYS)

    def __init__(self, *args: Any, street: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What a blank field takes, shown in it and under it.
        defaults = {
            "issuer": issuing_.default_issuer(street),
            "report_to": issuing_.default_report_to(street),
            "send_to": issuing_.DEFAULT_SEND_TO,
            "distribute_to": issuing_.DEFAULT_DISTRIBUTE_TO,
        }
        for name, default in defaults.items():
            field = self.fields[name]
            if default:
                field.widget.attrs["placeholder"] = default
                # Help texts are shown unescaped (web/form_fields.html); a street's name is data.
                field.help_text = _("Blank: %(default)s") % {"default": escape(default)}
            else:
                field.help_text = _("Blank: no such line.")
        self.fields["cc"].help_text = _("Blank: no 抄送 line.")

    @staticmethod
    def initial_from(stored: ReportSettings | None) -> dict[str, Any]:
        if stored is None:
            return {"rectify_days": ReportSettings._meta.get_field("rectify_days").default}
        return {name: getattr(stored, name) for name in services.FIELDS}


def settings_page(request: HttpRequest, street: str) -> HttpResponse:
    region = or_404(streets_for(request.user).filter(code=street).first())
    if not permissions.can_manage_bulletins(request.user, region):
        raise PermissionDenied(_("Only the subdistrict's street admins change how its bulletins are issued."))
    stored = ReportSettings.objects.filter(street=region).first()
    form = IssuingForm(initial=IssuingForm.initial_from(stored), street=region)
    status = 200
    if request.method == "POST":
        form = IssuingForm(request.POST, street=region)
        if form.is_valid():
            try:
                services.save_issuing(region, form.cleaned_data, by=request.user)
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
            else:
                messages.success(request, _("The issuing settings are saved; they apply to bulletins composed "
                                            "from now on."))
                return redirect("reports:issuing", region.code)
        status = 400
    return render(request, "reports/issuing.html", {
        "street": region, "form": form, "in_force": issuing_.issuing_for(region),
    }, status=status)


urlpatterns: list[Any] = [
    # Not under bulletins/<street>/: that prefix is followed by a day.
    path("issuing/<str:street>/", settings_page, name="issuing"),
]
