"""Page forms for inspections: field parsing only. The services check scope, the checklist, the
day and the photos; their ValidationErrors are shown next to the item or field they name.

The inspection form is one set of fields per check item, named after the item's code:
`result_<code>` (pass / fail / na), `count_<code>`, `category_<code>`, `note_<code>` and
`photo_<code>` (files), plus `key`, `lon`, `lat`, `started_at`, `submitted_at` (the phone's moment of
pressing submit, set by offline.js: an inspection queued without network is sent later) and `note`
for the whole visit."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chuangcheng.core import clock
from chuangcheng.inspections.services.submit import ItemInput
from chuangcheng.org import queries as org_queries
from chuangcheng.org.models import Role
from chuangcheng.standards.models import CheckItem

RESULTS = ("pass", "fail", "na")
NUMBER_MEASURES = {CheckItem.Measure.COUNT, CheckItem.Measure.OCCURRENCES, CheckItem.Measure.RATE}
# Roles that walk the rounds and may be given visits.
ROUND_ROLES = (Role.INSPECTOR, Role.GRID_WORKER)
# Items judged by the number found: no result without it (occurrences count 0 on a pass).
VALUE_MEASURES = {CheckItem.Measure.COUNT, CheckItem.Measure.RATE}
TITLE_LENGTH = 32
TITLE_ENDS = re.compile(r"[，。；：,;:（(！!？?]")


def item_title(item: CheckItem) -> str:
    """An item named in a sentence: its text up to the first stop, shortened ("路灯亮灯率不低于 95%")."""
    text = " ".join(item.text.split())
    head = TITLE_ENDS.split(text, maxsplit=1)[0].strip() or text
    return head if len(head) <= TITLE_LENGTH else head[:TITLE_LENGTH - 1].rstrip() + "…"


def new_key() -> str:
    return uuid.uuid4().hex


@dataclass
class ItemAnswer:
    """What the form holds for one check item, as typed (shown again after an error)."""

    item: CheckItem
    result: str = ""
    count: str = ""
    category: str = ""
    note: str = ""
    photos: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.item.code

    @property
    def wants_number(self) -> bool:
        return self.item.measure in NUMBER_MEASURES

    @property
    def needs_number(self) -> bool:
        """A count or rate item: passing or failing it takes the number found."""
        return self.item.measure in VALUE_MEASURES

    @property
    def title(self) -> str:
        return item_title(self.item)

    @property
    def named_errors(self) -> list[str]:
        """The errors as they stand alone (at the top of the page, for a screen reader): "<item>: <error>"."""
        return [gettext("%(item)s: %(error)s") % {"item": self.title, "error": e} for e in self.errors]

    @property
    def error_field(self) -> str:
        """The field to fix first for this item's errors (focused when the page comes back):
        result, count, photo or category."""
        if not self.errors:
            return ""
        if not self.result:
            return "result"
        count = self.count
        count_wrong = ((self.needs_number and not count) or (bool(count) and not count.isdigit())
                       or (self.item.measure == CheckItem.Measure.RATE and count.isdigit() and int(count) > 100))
        if self.wants_number and self.result != "na" and count_wrong:
            return "count"
        if self.result == "fail" and not self.photos:
            return "photo"
        if self.result == "fail" and not self.category:
            return "category"
        return "count" if self.wants_number and self.result != "na" else "result"


@dataclass
class InspectionInput:
    """The whole posted inspection: the answers per item and the visit's own fields."""

    answers: list[ItemAnswer]
    key: str = ""
    lon: str = ""
    lat: str = ""
    started_at: str = ""
    submitted_at: str = ""
    note: str = ""
    covert: bool = False  # a covert visit (暗访), declared by a subdistrict- or district-level inspector
    errors: dict[str, list[str]] = field(default_factory=dict)  # "key", "lon", "note", "__all__" ...

    @property
    def by_code(self) -> dict[str, ItemAnswer]:
        return {a.code: a for a in self.answers}

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(a.errors for a in self.answers)

    def add_error(self, name: str, message: str) -> None:
        """An error under a service's field key: `items.<code>[.<field>]` goes next to the item."""
        if name.startswith("items."):
            code = name.split(".", 2)[1]
            answer = self.by_code.get(code)
            if answer is not None:
                answer.errors.append(message)
                return
        if name in {"lon", "lat"}:
            name = "location"
        if name not in {"key", "location", "note", "started_at", "covert"}:
            name = NON_FIELD_ERRORS
        self.errors.setdefault(name, []).append(message)

    def apply(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, messages in exc.message_dict.items():
                for message in messages:
                    self.add_error(name, message)
        else:
            for message in exc.messages:
                self.add_error(NON_FIELD_ERRORS, message)

    def item_inputs(self) -> list[ItemInput]:
        return [
            ItemInput(item_code=a.code, result=a.result, count=int(a.count) if a.count else None,
                      category_code=a.category if a.result == "fail" else "",
                      note=a.note, photos=tuple(a.photos) if a.result == "fail" else ())
            for a in self.answers if a.result
        ]

    def coordinates(self) -> tuple[Decimal | None, Decimal | None]:
        def number(text: str) -> Decimal | None:
            return Decimal(text) if text else None
        return number(self.lon), number(self.lat)

    def started(self) -> dt.datetime | None:
        return _moment(self.started_at)

    def finished(self) -> dt.datetime | None:
        return _moment(self.submitted_at)


def _moment(text: str) -> dt.datetime | None:
    """An ISO moment with its offset; anything else (a naive time, not a time) is no moment."""
    try:
        moment = parse_datetime(text) if text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        return None
    return moment


def blank_input(checklist: Sequence[CheckItem], defaults: Mapping[int, str]) -> InspectionInput:
    """A fresh form: a new submission key, the default category of each item, started now."""
    return InspectionInput(
        answers=[ItemAnswer(item=item, category=defaults.get(item.pk, "")) for item in checklist],
        key=new_key(), started_at=clock.now().isoformat(timespec="seconds"),
    )


def parse_inspection(data: Any, files: Any, checklist: Sequence[CheckItem]) -> InspectionInput:
    """Read the POST into answers, checking what a form can check: a result for every item, a
    whole number where one is asked, numbers for the coordinates. The rest is the service's."""
    answers = []
    for item in checklist:
        code = item.code
        answer = ItemAnswer(
            item=item,
            result=str(data.get(f"result_{code}", "")).strip(),
            count=str(data.get(f"count_{code}", "")).strip()[:12],
            category=str(data.get(f"category_{code}", "")).strip()[:40],
            note=str(data.get(f"note_{code}", "")).strip()[:500],
            photos=list(files.getlist(f"photo_{code}")) if files is not None else [],
        )
        if answer.result not in RESULTS:
            answer.result = ""
            answer.errors.append(str(_("Choose pass, fail or not applicable.")))
        if answer.count and answer.result != "na":
            if not answer.count.isdigit():
                answer.errors.append(str(_("Enter a whole number of 0 or more.")))
        elif answer.result == "na":
            answer.count = ""
        answers.append(answer)
    parsed = InspectionInput(
        answers=answers,
        key=str(data.get("key", "")).strip()[:64],
        lon=str(data.get("lon", "")).strip()[:20],
        lat=str(data.get("lat", "")).strip()[:20],
        started_at=str(data.get("started_at", "")).strip()[:40],
        submitted_at=str(data.get("submitted_at", "")).strip()[:40],
        note=str(data.get("note", "")).strip()[:2000],
        covert=str(data.get("covert", "")).strip() in {"1", "on", "true"},
    )
    if not parsed.key:
        parsed.key = new_key()
        parsed.add_error("key", str(_("The page lost its submission key; submit again.")))
    try:
        parsed.coordinates()
    except InvalidOperation:
        parsed.add_error("lon", str(_("The location is not a pair of numbers.")))
    return parsed


class AddVisitForm(forms.Form):
    point = forms.CharField(label=_("point code"), max_length=40)
    person: forms.ModelChoiceField = forms.ModelChoiceField(label=_("inspector"), queryset=None,
                                                            to_field_name="username")
    date = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = inspectors_for(user)


class MoveVisitForm(forms.Form):
    person: forms.ModelChoiceField = forms.ModelChoiceField(label=_("move to"), queryset=None,
                                                            to_field_name="username")
    date = forms.DateField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["person"]).queryset = inspectors_for(user)


def inspectors_for(user: Any) -> Any:
    """The logins this user may give visits to: inspectors and grid workers in their scope."""
    return (org_queries.users_visible_to(user).filter(role__in=ROUND_ROLES, is_active=True)
            .order_by("role", "username"))


class RulesForm(forms.ModelForm):
    """The street's planning rules; the service validates and audits."""

    class Meta:
        from chuangcheng.inspections.models import PlanRules

        model = PlanRules
        fields = ["every_n_days", "max_points_per_person", "distance_limit_m", "grace_hours", "plan_at",
                  "cross_checks_per_day"]
        widgets = {"plan_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older page, a script): the street's current number stays.
        self.fields["cross_checks_per_day"].required = False

    def clean_cross_checks_per_day(self) -> int:
        value = self.cleaned_data.get("cross_checks_per_day")
        return int(self.instance.cross_checks_per_day if value is None else value)
