"""Page forms of mock assessment rounds: field parsing only; the services check the rest."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.assessment.draw import MAX_SEED
from chuangcheng.assessment.models import Round
from chuangcheng.org.models import Region, Role, User


def random_seed() -> int:
    return secrets.randbelow(1_000_000)


class NewRoundForm(forms.Form):
    street = forms.ModelChoiceField(label=_("Subdistrict"), queryset=Region.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=MAX_SEED,
                              help_text=_("The draw depends only on the seed and the points: the same seed over "
                                          "the same points draws the same sample. Keep the proposed one, or "
                                          "type another."))
    team_kind = forms.ChoiceField(label=_("Assessed by"), choices=Round.Team.choices, initial=Round.Team.STREET)
    team = forms.ModelMultipleChoiceField(label=_("Team"), queryset=User.objects.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text=_("The drawn points are dealt to the team in turn; you can "
                                                      "change who takes which point before the start."))

    def __init__(self, *args: Any, streets: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets  # type: ignore[attr-defined]
        self.fields["team"].queryset = candidates  # type: ignore[attr-defined]
        self.fields["team"].label_from_instance = lambda u: u.display_name  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("seed", random_seed())
            first = streets.first()
            if first is not None:
                self.initial.setdefault("street", first.pk)
            # The street's inspectors, ticked: the usual team.
            self.initial.setdefault("team", [u.pk for u in candidates if u.role == Role.INSPECTOR])
