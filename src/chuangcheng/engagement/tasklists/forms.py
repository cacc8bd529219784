"""Page forms for meetings and tasks: field parsing only. The services check permission, state and
the whole row; their ValidationErrors are shown on these forms."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.core.periods import PeriodForm
from chuangcheng.engagement.tasklists.models import Priority
from chuangcheng.evidence.forms import PhotosField
from chuangcheng.org.models import Person, Region, Unit
from chuangcheng.places.models import Point


def _units_of(street: Region) -> Any:
    from django.db.models import Q

    ancestors = ["/" + "/".join(street.ancestor_codes()[: i + 1]) + "/" for i in range(len(street.ancestor_codes()))]
    return (Unit.objects.filter(active=True).filter(Q(region__path__startswith=street.path)
                                                    | Q(region__path__in=ancestors))
            .select_related("region").order_by("kind", "name"))


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.region.name}）"


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.region.name}）"


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        where = obj.unit.name if obj.unit_id else obj.region.name
        return f"{obj.name} · {where}" + (f" · {obj.post}" if obj.post else "")


class MeetingForm(forms.Form):
    held_at = forms.DateTimeField(label=_("held at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    title = forms.CharField(label=_("title"), max_length=200)
    place = forms.CharField(label=_("place"), max_length=200)
    chair = forms.CharField(label=_("chaired by"), max_length=50)
    units = UnitsChoice(label=_("units present"), queryset=Unit.objects.none(), required=False,
                        to_field_name="code", widget=forms.CheckboxSelectMultiple)
    attendees = forms.ModelMultipleChoiceField(
        label=_("people present"), queryset=Person.objects.none(), required=False, to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}))
    decisions = forms.CharField(label=_("decisions"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
                                help_text=_("One decision a line; they are numbered in this order."))
    minutes = forms.CharField(label=_("minutes"), required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 6}))
    photos = PhotosField(label=_("photos of the meeting"), required=False)

    def __init__(self, *args: Any, street: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["units"]).queryset = _units_of(street)
        cast(forms.ModelMultipleChoiceField, self.fields["attendees"]).queryset = (
            Person.objects.filter(region__path__startswith=street.path, active=True)
            .select_related("unit").order_by("name"))

    def decision_lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("decisions", "").splitlines() if line.strip()]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    unit = UnitChoice(label=_("responsible unit"), queryset=Unit.objects.none(), to_field_name="code")
    person = PersonChoice(label=_("person in charge"), queryset=Person.objects.none(), required=False,
                          to_field_name="code",
                          help_text=_("Someone of the unit, or a staff member of the subdistrict."))
    regions = forms.ModelMultipleChoiceField(
        label=_("communities and grids"), queryset=Region.objects.none(), required=False, to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}))
    points = forms.ModelMultipleChoiceField(
        label=_("points"), queryset=Point.objects.none(), required=False, to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 6}))
    due_on = forms.DateField(label=_("deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("A date, or leave it empty and give working days."))
    working_days = forms.IntegerField(label=_("or within working days"), required=False, min_value=1,
                                      max_value=250, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    priority = forms.ChoiceField(label=_("priority"), choices=Priority.choices, initial=Priority.NORMAL)
    evidence_required = forms.BooleanField(label=_("photos required to submit"), required=False, initial=True)
    meeting = forms.CharField(required=False, widget=forms.HiddenInput, max_length=30)
    decision = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, street: Region, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = _units_of(street)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = (
            Person.objects.filter(active=True, region__path__startswith=street.path)
            .select_related("unit", "region").order_by("unit__name", "name"))
        cast(forms.ModelMultipleChoiceField, self.fields["regions"]).queryset = (
            Region.objects.filter(path__startswith=street.path,
                                  level__in=[Region.Level.COMMUNITY, Region.Level.GRID]).order_by("path"))
        cast(forms.ModelMultipleChoiceField, self.fields["points"]).queryset = (
            Point.objects.filter(grid__path__startswith=street.path, active=True).order_by("name"))


class ActionForm(forms.Form):
    """The fields of one action on a task, and the version the page showed."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, action: str, task: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        if action == "progress":
            self.fields["percent"] = forms.IntegerField(
                label=_("progress (%)"), min_value=0, max_value=99,
                initial=getattr(task, "percent", 0), widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            self.fields["note"] = forms.CharField(label=_("what was done"), max_length=2000,
                                                  widget=forms.Textarea(attrs={"rows": 3}))
            self.fields["photos"] = PhotosField(label=_("photos"), required=False)
        elif action == "submit":
            self.fields["note"] = forms.CharField(label=_("note"), max_length=2000, required=False,
                                                  widget=forms.Textarea(attrs={"rows": 3}))
            required = bool(getattr(task, "evidence_required", True))
            self.fields["photos"] = PhotosField(label=_("photos of the result"), required=required)
        elif action == "verify":
            self.fields["note"] = forms.CharField(label=_("note"), max_length=2000, required=False,
                                                  widget=forms.Textarea(attrs={"rows": 2}))
            self.fields["photos"] = PhotosField(label=_("photos"), required=False)
        elif action in {"send_back", "cancel"}:
            self.fields["reason"] = forms.CharField(label=_("reason"), max_length=2000,
                                                    widget=forms.Textarea(attrs={"rows": 3}))
            if action == "send_back":
                self.fields["photos"] = PhotosField(label=_("photos"), required=False)


class LedgerForm(PeriodForm):
    """The ledger's period (default: the last 31 days, at most a year) and community."""

    default_days = 31
    max_days = 367
    community = forms.ModelChoiceField(label=_("community"), queryset=Region.objects.none(), required=False,
                                       to_field_name="code", empty_label=_("the whole subdistrict"))

    def __init__(self, *args: Any, communities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["community"]).queryset = communities
