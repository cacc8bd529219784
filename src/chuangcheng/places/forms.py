from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.org import queries as org_queries
from chuangcheng.places.models import Point
from chuangcheng.standards.models import PointType


class PointForm(forms.ModelForm):
    """Field-level parsing only; the service validates the whole point (grid, China, scope)."""

    class Meta:
        model = Point
        fields = ["code", "name", "point_type", "grid", "lon", "lat", "address", "primary_unit",
                  "cooperating_units", "responsible_people", "zero_loss", "note", "active"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grid = cast(forms.ModelChoiceField, self.fields["grid"])
        grid.queryset = org_queries.grids_visible_to(user).select_related("parent")
        grid.required = False
        grid.help_text = _("Leave empty to find the grid from the location.")
        cast(forms.ModelChoiceField, self.fields["point_type"]).queryset = PointType.objects.all()
        units = org_queries.units_visible_to(user)
        cast(forms.ModelChoiceField, self.fields["primary_unit"]).queryset = units
        cooperating_units = cast(forms.ModelMultipleChoiceField, self.fields["cooperating_units"])
        cooperating_units.queryset = units
        cooperating_units.required = False
        people: Any = org_queries.people_visible_to(user)
        responsible_people = cast(forms.ModelMultipleChoiceField, self.fields["responsible_people"])
        responsible_people.queryset = people
        responsible_people.required = False
        self.fields["lon"].widget.attrs.update({"inputmode": "decimal", "step": "0.000001"})
        self.fields["lat"].widget.attrs.update({"inputmode": "decimal", "step": "0.000001"})
        if self.instance.pk:
            self.fields["code"].disabled = True

    def validate_unique(self) -> None:
        # A new point with an existing code would silently update that point in the service.
        if not self.instance.pk and Point.objects.filter(code=self.cleaned_data.get("code")).exists():
            self.add_error("code", _("A point with this code already exists."))

    def _post_clean(self) -> None:
        # The service runs full_clean on the whole row; skip the ModelForm's own model validation
        # so errors are reported once.
        self.validate_unique()


class PhotoForm(forms.Form):
    photo = forms.FileField(label=_("photo"))
    caption = forms.CharField(label=_("caption"), max_length=120, required=False)


