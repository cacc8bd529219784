"""The problem-list forms: they parse input; the checks that matter live in importing and services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Category
from chuangcheng.core import clock
from chuangcheng.org.models import Region
from chuangcheng.problems.models import Kind
from chuangcheng.problems.sheet import category_label, units_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ListForm(forms.Form):
    """The list's own fields, the same for typing in and for importing."""

    street = forms.ModelChoiceField(label=_("Subdistrict"), queryset=Region.objects.none(), empty_label=None)
    reference = forms.CharField(label=_("Reference number"), max_length=80,
                                help_text=_("As on the list, e.g. 区创城办〔2026〕15号; once per subdistrict."))
    issuer = forms.CharField(label=_("Issued by"), max_length=100, help_text=_("e.g. 区创城办"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    deadline = forms.DateField(label=_("Rectify by"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, streets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["street"]).queryset = streets
        self.fields["issued_on"].initial = clock.today()


class ImportForm(ListForm):
    file = forms.FileField(label=_("Problem list (.xlsx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))
    photos = forms.FileField(label=_("Photos (.zip)"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": ".zip"}),
                             help_text=_("The before-photos the sheet names, by file name."))
    dry_run = forms.BooleanField(label=_("Only check, import nothing"), required=False, initial=True)


class ProblemRowForm(forms.Form):
    """One problem typed in: a blank row is skipped."""

    row = forms.IntegerField(label=_("No."), min_value=1, required=False, widget=forms.NumberInput(attrs={"size": 3}))
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Region.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), max_length=4000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Category.objects.none(), required=False)
    photo = forms.FileField(label=_("Before-photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))

    def __init__(self, *args: Any, street: Region | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grids = Region.objects.filter(level=Region.Level.GRID).order_by("code")
        if street is not None:
            grids = grids.filter(path__startswith=street.path)
        cast(forms.ModelChoiceField, self.fields["grid"]).queryset = grids
        categories = Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = categories
        self.fields["category"].label_from_instance = category_label  # type: ignore[attr-defined]
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units_for(street)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(k) for k in ("place", "description", "category", "grid", "unit", "photo"))


ProblemRows = forms.formset_factory(ProblemRowForm, extra=8, max_num=200)


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Responsible unit"), queryset=Category.objects.none())

    def __init__(self, *args: Any, street: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = units_for(street)
