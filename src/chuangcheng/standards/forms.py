"""Forms of the catalog pages. They parse input only; the rules live in the model and services."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.org.models import Unit
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
)


def _label(model: type, name: str) -> Any:
    return model._meta.get_field(name).verbose_name  # type: ignore[attr-defined]


class DraftForm(forms.Form):
    title = forms.CharField(
        label=_label(CatalogVersion, "title"), max_length=120,
        help_text=_("For example: 2027 catalog, market items revised."),
    )


class CheckItemForm(forms.Form):
    code = forms.CharField(
        label=_label(CheckItem, "code"), max_length=40,
        help_text=_("Stable code such as MARKET-13; it cannot be changed later."),
    )
    group = forms.ChoiceField(
        label=_label(CheckItem, "group"), required=False,
        help_text=_("Choose a group (shared by several point types) or one point type, not both."),
    )
    point_type = forms.ChoiceField(label=_label(CheckItem, "point_type"), required=False)
    text = forms.CharField(label=_label(CheckItem, "text"), widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.ChoiceField(label=_label(CheckItem, "measure"), choices=CheckItem.Measure.choices)
    threshold = forms.DecimalField(
        label=_label(CheckItem, "threshold"), required=False, max_digits=8, decimal_places=2,
        help_text=_("For a count: the least number; for a rate: a percentage from 0 to 100."),
    )
    distance_m = forms.IntegerField(
        label=_label(CheckItem, "distance_m"), required=False, min_value=0,
        help_text=_("Optional: the walk over which the inspector counts, in metres."),
    )
    weight = forms.DecimalField(label=_label(CheckItem, "weight"), max_digits=6, decimal_places=2, initial=1)
    deduction = forms.DecimalField(
        label=_label(CheckItem, "deduction"), required=False, max_digits=6, decimal_places=2,
        help_text=_("Only for occurrences: what each occurrence deducts, at most the weight."),
    )
    penalty = forms.DecimalField(
        label=_label(CheckItem, "penalty"), required=False, max_digits=6, decimal_places=2,
        help_text=_("What a failure costs the assessment item (测评内容) this item falls under: per occurrence "
                    "for an occurrences item, once otherwise. At most that item's points; empty: costs nothing."),
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_label(CheckItem, "unit_kinds"), required=False, choices=Unit.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, version: CatalogVersion, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "—")] + [
            (g.code, f"{g.code} {g.name}") for g in CheckGroup.objects.filter(version=version)
        ]
        cast(forms.ChoiceField, self.fields["point_type"]).choices = [("", "—")] + [
            (pt.code, f"{pt.code} {pt.name}") for pt in PointType.objects.all()
        ]
        if editing:
            self.fields["code"].disabled = True

    def item_fields(self) -> dict[str, Any]:
        """The cleaned values as `services.save_check_item` takes them."""
        return {name: value for name, value in self.cleaned_data.items() if name != "code"}


class TypeProfileForm(forms.Form):
    groups = forms.MultipleChoiceField(
        label=_label(TypeProfile, "groups"), required=False, widget=forms.CheckboxSelectMultiple
    )
    unit_kinds = forms.MultipleChoiceField(
        label=_label(TypeProfile, "unit_kinds"), required=False, choices=Unit.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_label(TypeProfile, "description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    sample_size = forms.IntegerField(
        label=_label(TypeProfile, "sample_size"), min_value=1, max_value=100, required=False,
        help_text=_("How many points of this type the field assessment samples (测评抽样数)."),
        error_messages={"min_value": _("An assessor visits at least 1 point of a type: give a sample size of 1 "
                                       "or more.")},
    )

    def __init__(self, *args: Any, version: CatalogVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["groups"]).choices = [
            (g.code, f"{g.code} {g.name}") for g in CheckGroup.objects.filter(version=version)
        ]


class AssessmentItemForm(forms.Form):
    code = forms.CharField(
        label=_label(AssessmentItem, "code"), max_length=40,
        help_text=_("Stable code such as MARKET.ENV; it cannot be changed later."),
    )
    name = forms.CharField(
        label=_label(AssessmentItem, "name"), max_length=120,
        help_text=_("As a clerk reads it, e.g. 农贸市场·环境卫生. Start it with 未成年人思想道德建设· for the "
                    "minors' section."),
    )
    method = forms.ChoiceField(label=_label(AssessmentItem, "method"), choices=AssessmentItem.Method.choices)
    point_type = forms.ChoiceField(
        label=_label(AssessmentItem, "point_type"), required=False,
        help_text=_("Where it is observed; empty for an item assessed from documents."),
    )
    group = forms.ChoiceField(
        label=_label(AssessmentItem, "group"), required=False,
        help_text=_("One of the point type's check groups; empty: the point type's own check items."),
    )
    points = forms.DecimalField(label=_label(AssessmentItem, "points"), max_digits=6, decimal_places=2)
    description = forms.CharField(
        label=_label(AssessmentItem, "description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, version: CatalogVersion, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["group"]).choices = [("", "—")] + [
            (g.code, f"{g.code} {g.name}") for g in CheckGroup.objects.filter(version=version)
        ]
        cast(forms.ChoiceField, self.fields["point_type"]).choices = [("", "—")] + [
            (pt.code, f"{pt.code} {pt.name}") for pt in PointType.objects.all()
        ]
        if editing:
            self.fields["code"].disabled = True

    def item_fields(self) -> dict[str, Any]:
        """The cleaned values as `services.save_assessment_item` takes them."""
        return {name: value for name, value in self.cleaned_data.items() if name != "code"}


class PublishForm(forms.Form):
    changelog = forms.CharField(
        label=_label(CatalogVersion, "changelog"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What changed and why. A list of the items added, removed and changed is added for you."),
    )
