"""The archive's forms: they parse input; the checks that matter live in services and files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chuangcheng.materials import files
from chuangcheng.materials.models import Kind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    dated_on = forms.DateField(label=_("Date the document bears"),
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": files.ACCEPT}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "PDF, Word (.docx), Excel (.xlsx), JPEG or PNG, at most %(max)d MB. The file is kept exactly as sent."
        ) % {"max": files.max_bytes() // files.MB}


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Why is it withdrawn?"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))


class AssessmentDateForm(forms.Form):
    assessment_on = forms.DateField(
        label=_("Assessment date"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Materials count when dated in the year that ends on this day. Empty: the year ends today."))
