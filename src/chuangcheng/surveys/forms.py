"""The office's forms for making and building surveys. Residents' answers are read straight from
the POST by the answer views (one field per question, named q-<code>) and checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.org.models import Region
from chuangcheng.surveys.models import Indicator, Option, Question, Survey
from chuangcheng.surveys.templates import TEMPLATES

BLANK = "blank"


class CreateForm(forms.Form):
    template = forms.ChoiceField(label=_("Start from"), widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("Leave empty to use the template's title."))
    region = forms.ModelChoiceField(label=_("Made by"), queryset=Region.objects.none(), empty_label=None)

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template: Any = self.fields["template"]
        template.choices = [(BLANK, _("A blank survey")),
                                           *[(t.name, t.label) for t in TEMPLATES.values()]]
        region: Any = self.fields["region"]
        region.queryset = regions if regions is not None else Region.objects.none()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("template") == BLANK and not (data.get("title") or "").strip():
            self.add_error("title", _("Give the blank survey a title."))
        return data


class SettingsForm(forms.ModelForm):
    opens_at = forms.DateTimeField(label=_("Opens"), required=False, widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    closes_at = forms.DateTimeField(label=_("Closes"), required=False, widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    class Meta:
        model = Survey
        fields = ["title", "intro", "thanks", "opens_at", "closes_at", "allow_visits", "min_sample"]
        widgets = {"intro": forms.Textarea(attrs={"rows": 3}), "thanks": forms.Textarea(attrs={"rows": 2})}


def condition_choices(questions: list[Question], before: Question | None = None) -> list[tuple[str, Any]]:
    """Skip-logic choices "Q1:know", grouped by the earlier choice questions."""
    groups: list[tuple[str, Any]] = []
    for q in questions:
        if before is not None and q.order >= before.order:
            break
        if q.kind == Question.Kind.TEXT:
            continue
        groups.append((f"{q.code} · {q.text[:30]}", [(f"{q.code}:{o.code}", o.text) for o in q.options.all()]))
    return groups


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Hint"), max_length=200, required=False)
    interviewer_note = forms.CharField(
        label=_("Note for the interviewer"), max_length=200, required=False,
        help_text=_("Shown only when a grid worker records answers on a household visit (such as "
                    "“do not read out 不清楚”); residents answering on their own never see it."))
    kind = forms.ChoiceField(label=_("Kind"), choices=Question.Kind.choices)
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)
    indicator = forms.ChoiceField(label=_("Counts for indicator"), required=False,
                                  choices=[("", _("none")), *Indicator.choices])
    topic = forms.CharField(label=_("Topic"), max_length=60, required=False,
                            help_text=_("For satisfaction questions: what is rated (交通秩序, 公共厕所 …)."))
    show_if = forms.MultipleChoiceField(
        label=_("Show only if"), required=False, widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Show this question only when an earlier question was answered with one of these. "
                    "Choose none to always show it."))

    def __init__(self, *args: Any, questions: list[Question] | None = None, before: Question | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        show_if: Any = self.fields["show_if"]
        show_if.choices = condition_choices(questions or [], before)

    def condition(self, questions: list[Question]) -> tuple[Question | None, list[str]]:
        """The skip-logic question and option codes chosen (one question only)."""
        picked = [v.split(":", 1) for v in self.cleaned_data.get("show_if") or []]
        codes = {q for q, _o in picked}
        if len(codes) > 1:
            raise forms.ValidationError(_("Choose answers of one earlier question only."))
        if not codes:
            return None, []
        code = codes.pop()
        return next((q for q in questions if q.code == code), None), [o for _q, o in picked]


class NewQuestionForm(QuestionForm):
    options = forms.CharField(label=_("Options"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One option a line (not for text questions). Set how each counts "
                                          "for the indicator after adding."))

    def option_texts(self) -> list[str]:
        return [line.strip() for line in (self.cleaned_data.get("options") or "").splitlines() if line.strip()]


class OptionForm(forms.Form):
    text = forms.CharField(label=_("Option"), max_length=120)
    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("For the indicator"), choices=Option.Role.choices)
    score = forms.DecimalField(label=_("Score"), required=False, min_value=0, max_value=100, decimal_places=1)


class PublishForm(forms.Form):
    regions = forms.ModelMultipleChoiceField(label=_("Communities and grids"), queryset=Region.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, regions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["regions"]
        field.queryset = regions if regions is not None else Region.objects.none()
        field.label_from_instance = (
            lambda r: f"{r.parent.name} · {r.name}" if r.level == Region.Level.GRID and r.parent else r.name)


class QuestionTextForm(forms.Form):
    """After publication only the texts of a question may be corrected."""

    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    help_text = forms.CharField(label=_("Hint"), max_length=200, required=False)
    interviewer_note = forms.CharField(
        label=_("Note for the interviewer"), max_length=200, required=False,
        help_text=_("Shown only when a grid worker records answers on a household visit (such as "
                    "“do not read out 不清楚”); residents answering on their own never see it."))
