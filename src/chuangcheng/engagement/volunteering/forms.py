"""Page forms for volunteer actions: field parsing only; the services check permission, state,
place and time, and their ValidationErrors are shown on these forms."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import periods
from chuangcheng.engagement.volunteering.models import OUTCOMES, Action
from chuangcheng.evidence.forms import PhotosField
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Role
from chuangcheng.places.queries import points_visible_to

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, input_formats=DATETIME_FORMATS, widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))


def _coordinate(label: Any, digits: int) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=digits, decimal_places=6, required=False,
                              widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label=_("type"), choices=Action.Kind.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    community: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("community"), queryset=None, to_field_name="code")
    place_name = forms.CharField(label=_("place"), max_length=120, required=False,
                                 help_text=_("Where volunteers meet, as people call it."))
    point: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("point (optional)"), queryset=None, to_field_name="code", required=False,
        help_text=_("A point of the community: its location is used when none is given."))
    lon = _coordinate(_("longitude"), 9)
    lat = _coordinate(_("latitude"), 8)
    starts_at = _when(_("starts"))
    ends_at = _when(_("ends"))
    capacity = forms.IntegerField(label=_("places"), min_value=1, max_value=500, initial=10)
    targets = forms.MultipleChoiceField(label=_("targets"), choices=Action.Target.choices, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    organizer: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("organizer"), queryset=None, required=False, to_field_name="username",
        help_text=_("Empty: you organize it."))
    description = forms.CharField(label=_("description"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "community").queryset = org_queries.communities_visible_to(user).order_by("sort_order", "path")
        _choices(self, "point").queryset = points_visible_to(user).filter(active=True).select_related("grid")
        _choices(self, "organizer").queryset = (
            org_queries.users_visible_to(user).filter(is_active=True, role__in=[
                Role.STREET_ADMIN, Role.COMMUNITY_ADMIN, Role.GRID_WORKER, Role.VOLUNTEER])
            .order_by("username"))
        self.fields["organizer"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place_name") and not data.get("point"):
            self.add_error("place_name", _("Name the place, or choose a point."))
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if isinstance(starts, dt.datetime) and isinstance(ends, dt.datetime) and ends <= starts:
            self.add_error("ends_at", _("The action must end after it starts."))
        return data


class LocationForm(forms.Form):
    """The phone's location: filled by the browser's geolocation, or typed when there is no JS."""

    lon = _coordinate(_("longitude"), 9)
    lat = _coordinate(_("latitude"), 8)


class CloseForm(forms.Form):
    summary = forms.CharField(label=_("summary"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    before_photos = PhotosField(label=_("photos before"), required=False)
    after_photos = PhotosField(label=_("photos after"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in OUTCOMES:
            self.fields[f"outcome_{code}"] = forms.IntegerField(
                label=label, min_value=0, max_value=100_000, initial=0, required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
        order = [f"outcome_{code}" for code, _label in OUTCOMES] + ["summary", "before_photos", "after_photos"]
        self.order_fields(order)

    def outcome(self) -> dict[str, Any]:
        return {code: self.cleaned_data.get(f"outcome_{code}") or 0 for code, _label in OUTCOMES}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=300)


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("hours"), min_value=0, max_value=24, decimal_places=2, max_digits=5)
    reason = forms.CharField(label=_("reason"), max_length=300)


class PeriodForm(periods.PeriodForm):
    """The period (default: the last 30 days, at most a year) and a community of the figures and the ledger."""

    community: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("community"), queryset=None, to_field_name="code", required=False, empty_label=_("all"))
    default_days = 30
    max_days = 367

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "community").queryset = org_queries.communities_visible_to(user).order_by("sort_order", "path")
