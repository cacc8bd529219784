"""Page forms for cases: field parsing only. The services check state, permission and the whole
case; their ValidationErrors are shown on these forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Category, Resolution, Severity, Source
from chuangcheng.evidence.forms import PhotosField
from chuangcheng.org import queries as org_queries
from chuangcheng.places.queries import points_visible_to


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name
        return f"{label}（{obj.campaign_label}）" if obj.campaign_label else label


class ReportForm(forms.Form):
    category = CategoryChoiceField(label=_("category"), queryset=Category.objects.none())
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.NORMAL)
    source = forms.ChoiceField(label=_("source"), choices=Source.choices, initial=Source.INSPECTION)
    point: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("point"), queryset=None, required=False, to_field_name="code",
        help_text=_("The point where the problem is, if it is at one."))
    grid: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("grid"), queryset=None, required=False, to_field_name="code",
        help_text=_("Without a point: the grid, or a location inside one."))
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    lon = forms.DecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False,
                             widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.000001"}))
    lat = forms.DecimalField(label=_("latitude"), max_digits=8, decimal_places=6, required=False,
                             widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.000001"}))
    description = forms.CharField(label=_("description"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    photos = PhotosField(label=_("photos of the problem"), required=True)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from chuangcheng.cases.queries import leaf_categories

        cast(forms.ModelChoiceField, self.fields["category"]).queryset = leaf_categories()
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = (
            points_visible_to(user).filter(active=True).order_by("name"))
        cast(forms.ModelChoiceField, self.fields["grid"]).queryset = (
            org_queries.grids_visible_to(user).select_related("parent"))


class ActionForm(forms.Form):
    """One form for every action; each action shows the fields the case workflow's table gives it,
    required as the table says."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("responsible unit"), queryset=None,
                                                          to_field_name="code")
    resolution = forms.ChoiceField(label=_("why not accepted"), choices=[
        (Resolution.NOT_OURS, Resolution.NOT_OURS.label), (Resolution.DUPLICATE, Resolution.DUPLICATE.label),
        (Resolution.NOT_FIXABLE, Resolution.NOT_FIXABLE.label)])
    until = forms.DateTimeField(label=_("new deadline"),
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
    grant = forms.TypedChoiceField(label=_("decision"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("grant the extension")), ("no", _("refuse it"))],
                                   widget=forms.RadioSelect)
    reason = forms.CharField(label=_("reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("photos"))

    def __init__(self, *args: Any, action: str, user: Any, case: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{action}_%s")  # several action forms share one page
        super().__init__(*args, **kwargs)
        self.action = action
        from chuangcheng.cases.workflow import CASES

        transition = CASES[action]
        keep = {"version", *transition.fields}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in transition.fields:
            self.fields[name].required = name in transition.required
        if "unit" in self.fields:
            units = org_queries.units_visible_to(user).filter(active=True)
            if case is not None and action == "redispatch" and case.unit_id:
                units = units.exclude(pk=case.unit_id)
            cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units
        if action == "rectify":
            self.fields["photos"].label = _("photos after the rectification")
        elif action == "reopen":
            self.fields["photos"].label = _("photos showing the problem is back")
        elif action == "close_again":
            self.fields["note"].label = _("answer to the resident (shown on their tracking page)")
        elif action == "verify":
            self.fields["photos"].label = _("photos taken on site")
            resolution = cast(forms.ChoiceField, self.fields["resolution"])
            resolution.label = _("verification result")
            resolution.choices = [(Resolution.FIXED, Resolution.FIXED.label),
                                  (Resolution.NOT_FIXABLE, Resolution.NOT_FIXABLE.label)]
            resolution.initial = Resolution.FIXED


class SaveViewForm(forms.Form):
    name = forms.CharField(label=_("name of this view"), max_length=40)
    query = forms.CharField(widget=forms.HiddenInput, max_length=500, required=False)
