"""The inputs of a work order's steps and of an import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.hotline.models import Callback


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer to the caller"), widget=forms.Textarea(attrs={"rows": 4}),
                             max_length=4000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(label=_("Finish by"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class DecisionForm(forms.Form):
    grant = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "yes",
                                   choices=[("yes", _("grant")), ("no", _("refuse"))])
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class CallbackForm(forms.Form):
    rating = forms.ChoiceField(label=_("Callback result"),
                               choices=[c for c in Callback.choices if c[0]])
    note = forms.CharField(label=_("Note"), required=False, max_length=4000)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("The hotline's Excel export (.xlsx)"))
