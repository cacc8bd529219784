"""The pages' forms: they parse and offer choices in the user's region; the rules are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock
from chuangcheng.core.periods import Period, PeriodForm
from chuangcheng.engagement.publicity import permissions, queries
from chuangcheng.engagement.publicity.models import VISIT_TOPICS, HouseholdVisit, OfflineItem
from chuangcheng.org.models import Region, User
from chuangcheng.org.queries import communities_visible_to, users_visible_to

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
THEMES = ["讲文明树新风", "社会主义核心价值观", "文明健康 有你有我", "关爱未成年人", "诚信建设", "垃圾分类",
          "创建全国文明城市"]
MAX_RANGE_DAYS = 366


class PushForm(forms.Form):
    targets = forms.MultipleChoiceField(
        label=_("Grids"), widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick grids, or a community to reach all its grids."),
        error_messages={"required": _("Choose at least one grid.")},
    )
    title = forms.CharField(label=_("Title"), max_length=100)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}), max_length=1200,
                           help_text=_("Plain text; **bold** and line breaks show in the group."))
    image = forms.FileField(label=_("Image"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {r.code: r for r in queries.push_scopes_for(user)}
        self.fields["targets"].choices = [  # type: ignore[attr-defined]
            (code, _("%(name)s (all its grids)") % {"name": r.name} if r.level == Region.Level.COMMUNITY
             else r.name) for code, r in self.regions.items()
        ]

    def chosen(self) -> tuple[list[Region], Region | None]:
        """The grids to push to, and the scope to file it under (a whole community when one was ticked)."""
        from chuangcheng.engagement.publicity.services import grids_of

        picked = [self.regions[c] for c in self.cleaned_data["targets"] if c in self.regions]
        grids: list[Region] = []
        for region in picked:
            grids.extend(g for g in grids_of(region) if g.code in self.regions)
        grids = list(dict.fromkeys(grids))
        whole = [r for r in picked if r.level == Region.Level.COMMUNITY]
        return grids, whole[0] if len(whole) == 1 and len(picked) == 1 else None


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OfflineItem.Kind.choices)
    theme = forms.CharField(label=_("Theme"), max_length=100,
                            widget=forms.TextInput(attrs={"list": "publicity-themes"}))
    count = forms.IntegerField(label=_("Count"), min_value=1, max_value=99, initial=1,
                               help_text=_("A board holding three posters counts 3."))
    put_up_on = forms.DateField(label=_("Put up on"), widget=DATE)
    photo = forms.FileField(label=_("Photo"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["put_up_on"].initial = clock.today()


class TakeDownForm(forms.Form):
    taken_down_on = forms.DateField(label=_("Taken down on"), widget=DATE)


class VisitForm(forms.Form):
    grid = forms.ChoiceField(label=_("Grid"))
    building = forms.CharField(label=_("Building"), max_length=20,
                               widget=forms.TextInput(attrs={"inputmode": "text", "autocomplete": "off"}))
    unit = forms.CharField(label=_("Unit (单元)"), max_length=10, required=False,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    room = forms.CharField(label=_("Room"), max_length=10,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                                         "autofocus": True}))
    result = forms.ChoiceField(label=_("Result"), choices=HouseholdVisit.Result.choices, widget=forms.RadioSelect,
                               initial=HouseholdVisit.Result.VISITED)
    topics = forms.MultipleChoiceField(label=_("Topics"), choices=VISIT_TOPICS, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    day = forms.DateField(label=_("Date"), widget=DATE)
    surname = forms.CharField(label=_("Resident's surname (optional)"), max_length=4, required=False)
    visitor = forms.ChoiceField(label=_("Visitor"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.grids = {g.code: g for g in queries.push_grids_for(user)}
        self.fields["grid"].choices = [  # type: ignore[attr-defined]
            (code, g.name) for code, g in self.grids.items()]
        self.visitors = {u.username: u for u in users_visible_to(user).filter(
            is_active=True, role__in=[str(r) for r in permissions.VISITOR_ROLES]).order_by("username")}
        self.visitors.setdefault(user.username, user)
        self.fields["visitor"].choices = [  # type: ignore[attr-defined]
            (name, u.display_name or name) for name, u in self.visitors.items()]
        self.fields["visitor"].initial = user.username
        self.fields["day"].initial = clock.today()
        if len(self.grids) == 1:
            self.fields["grid"].initial = next(iter(self.grids))

    def chosen_grid(self) -> Region:
        return self.grids[self.cleaned_data["grid"]]

    def chosen_visitor(self) -> User | None:
        return self.visitors.get(self.cleaned_data.get("visitor") or "")


def this_month() -> Period:
    """The publicity pages' default period: this month so far."""
    today = clock.today()
    return Period(today.replace(day=1), today)


class LedgerForm(PeriodForm):
    community = forms.ChoiceField(label=_("Community"), required=False)
    max_days = MAX_RANGE_DAYS

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, default=this_month(), **kwargs)
        self.communities = {c.code: c for c in communities_visible_to(user).order_by("path")}
        self.fields["community"].choices = [("", _("All communities in my region")),  # type: ignore[attr-defined]
                                            *[(code, c.name) for code, c in self.communities.items()]]
