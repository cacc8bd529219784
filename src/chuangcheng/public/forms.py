"""Forms of the residents' pages and the office's triage: field parsing only; the services check
the rest and their ValidationErrors are shown on these forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.cases.models import Category, Rating, Resolution
from chuangcheng.evidence.forms import PhotosField
from chuangcheng.org.models import Region
from chuangcheng.public import queries


def public_category_choices() -> list[tuple[str, Any]]:
    """Public categories grouped in plain words; each group's "other" comes last as shipped."""
    groups: dict[str, list[tuple[str, str]]] = {}
    order: list[str] = []
    leaves = (Category.objects.filter(active=True, public=True, parent__isnull=False, parent__active=True)
              .select_related("parent").order_by("parent__sort_order", "parent__code", "sort_order", "code"))
    for leaf in leaves:
        assert leaf.parent is not None  # noqa: S101 - filtered
        if leaf.parent.name not in groups:
            order.append(leaf.parent.name)
            groups[leaf.parent.name] = []
        groups[leaf.parent.name].append((leaf.code, leaf.name))
    return [("", _("— choose —")), *[(name, groups[name]) for name in order]]


class CategoryCodeField(forms.ChoiceField):
    def clean(self, value: Any) -> Any:
        code = super().clean(value)
        return Category.objects.filter(code=code, public=True, active=True, parent__isnull=False).first()


class ReportForm(forms.Form):
    photos = PhotosField(label=_("Photos of the problem"), required=False,
                         help_text=_("One to three clear photos help the most."))
    category = CategoryCodeField(label=_("What kind of problem is it?"))
    lon = forms.DecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    lat = forms.DecimalField(label=_("latitude"), max_digits=8, decimal_places=6, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    address = forms.CharField(label=_("Address or landmark"), max_length=200, required=False)
    community: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Community"), queryset=Region.objects.none(), required=False, to_field_name="code",
        empty_label=_("— choose —"),
        help_text=_("Needed when you give an address instead of a place on the map: the community where "
                    "the problem is."))
    description = forms.CharField(label=_("What is wrong?"), max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": 4000}))
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile number (optional)"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
                            help_text=_("Never shown to the public. With a verified number you can follow "
                                        "the report from any phone and get text messages."))
    sms_code = forms.CharField(label=_("Code from the text message"), max_length=8, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "one-time-code"}))
    notify_sms = forms.BooleanField(label=_("Send me a text message when something happens"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = public_category_choices()  # type: ignore[attr-defined]
        # The public street's communities, the same as the map and the text list beside it.
        self.fields["community"].queryset = queries.public_communities()  # type: ignore[attr-defined]


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    sms_code = forms.CharField(label=_("Code from the text message"), max_length=8, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                             "autocomplete": "one-time-code"}))


class AnswerForm(forms.Form):
    fixed = forms.TypedChoiceField(label=_("Is the problem fixed?"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("Yes, fixed")), ("no", _("No, not fixed"))],
                                   widget=forms.RadioSelect)
    photos = PhotosField(label=_("A photo of how it looks now (needed for “not fixed”)"), required=False)
    note = forms.CharField(label=_("Anything to add?"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RatingForm(forms.Form):
    """满意 / 基本满意 / 不满意, with the reason needed for 不满意 (the service checks it too)."""

    rating = forms.ChoiceField(label=_("How satisfied are you with how it was fixed?"), widget=forms.RadioSelect,
                               choices=Rating.choices)
    reason = forms.CharField(
        label=_("What is still wrong? (needed for “not satisfied”)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
        help_text=_("If you are not satisfied, the street office looks at the problem again."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_rate_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rating") == Rating.UNSATISFIED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Tell us what is still wrong: a reason is needed for “not satisfied”."))
        return data


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason the resident sees"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    resolution = forms.ChoiceField(label=_("Why"), choices=[(Resolution.NOT_OURS, Resolution.NOT_OURS.label),
                                                            (Resolution.NOT_FIXABLE, Resolution.NOT_FIXABLE.label)])


class MergeForm(forms.Form):
    into = forms.CharField(label=_("Case number to merge into"), max_length=40)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False)


class BlockForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)


class RedemptionForm(forms.Form):
    phone = forms.CharField(label=_("Mobile number"), max_length=20)
    amount = forms.IntegerField(label=_("Points to redeem"), min_value=1, max_value=100000)
    note = forms.CharField(label=_("What for"), max_length=200, required=False)
