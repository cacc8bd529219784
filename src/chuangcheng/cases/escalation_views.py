"""The escalation ladder's pages: a street's rules (its admin edits them), the 督办通知单 issued
(listed and downloaded), this week's 约谈 list for the street's leaders, and the cases referred to
the district (上报) waiting for its answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from chuangcheng.cases import permissions, queries
from chuangcheng.cases.escalation import iso_week, rules_for, talk_list
from chuangcheng.cases.models import EscalationRules, SupervisionNotice
from chuangcheng.cases.notices import notice_docx
from chuangcheng.core import clock
from chuangcheng.core.http import or_404
from chuangcheng.org.models import Region, Role
from chuangcheng.org.permissions import has_role

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

class RulesForm(forms.ModelForm):
    class Meta:
        model = EscalationRules
        fields = ["warn_percent", "remind_at", "quiet_from", "quiet_until", "notice_after_days",
                  "interview_after_days"]
        widgets = {name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
                   for name in ("remind_at", "quiet_from", "quiet_until")}

    def clean_warn_percent(self) -> int:
        value = self.cleaned_data["warn_percent"]
        if not 1 <= value <= 99:
            raise forms.ValidationError(_("Warn between 1 % and 99 % of the time limit."))
        return int(value)

    def clean_notice_after_days(self) -> int:
        value = self.cleaned_data["notice_after_days"]
        if not 1 <= value <= 60:
            raise forms.ValidationError(_("Give between 1 and 60 working days."))
        return int(value)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        notice, talk = data.get("notice_after_days"), data.get("interview_after_days")
        if notice is not None and talk is not None and not notice <= talk <= 60:
            self.add_error("interview_after_days", _("The talk list comes after the supervision notice: give as "
                                                     "many working days or more, at most 60."))
        return data

def _street_of_admin(user: Any) -> Region:
    scope = getattr(user, "scope", None)
    if not has_role(user, Role.STREET_ADMIN) or scope is None or scope.level != Region.Level.STREET:
        raise PermissionDenied(_("Only the street office's admins set the escalation rules."))
    return scope

def rules_page(request: HttpRequest) -> HttpResponse:
    street = _street_of_admin(request.user)
    rules = rules_for(street)
    form = RulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The escalation rules of %(street)s are saved.") % {"street": street.name})
        return redirect("cases:escalation_rules")
    return render(request, "cases/escalation_rules.html", {"form": form, "street": street},
                  status=400 if form.errors else 200)

def notices_visible_to(user: Any) -> QuerySet[SupervisionNotice]:
    """Notices with a case the reader sees (a unit's handlers see their unit's)."""
    visible = queries.cases_visible_to(user)
    return (SupervisionNotice.objects.filter(cases__in=visible.values("pk")).distinct()
            .select_related("street", "unit"))

def notice_list(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, *permissions.LEDGER_ROLES):
        raise PermissionDenied
    notices = list(notices_visible_to(request.user).prefetch_related("cases")[:200])
    return render(request, "cases/notice_list.html", {"notices": notices})

def notice_download(request: HttpRequest, code: str) -> HttpResponse:
    street, _sep, rest = code.partition("-")
    year, _sep, number = rest.partition("-")
    if not (year.isdigit() and number.isdigit()):
        raise Http404
    notice = or_404(notices_visible_to(request.user).filter(street__code=street, year=int(year),
                                                              number=int(number)).first())
    response = HttpResponse(notice_docx(notice), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="dubandan-{notice.code}.docx"'
    return response

TALK_ROLES = {Role.STREET_ADMIN, Role.LEADER}

def talks(request: HttpRequest) -> HttpResponse:
    """约谈: this week's list for the street's leaders and admins."""
    if not has_role(request.user, *TALK_ROLES):
        raise PermissionDenied(_("The talk list is for the street's leaders and admins."))
    now = clock.now()
    return render(request, "cases/talks.html", {
        "rows": talk_list(queries.cases_visible_to(request.user), now), "week": iso_week(clock.local(now).date())})

def referrals(request: HttpRequest) -> HttpResponse:
    """上报: cases waiting for the district's answer (the district's users answer them on the case page)."""
    if not has_role(request.user, Role.STREET_ADMIN, Role.LEADER):
        raise PermissionDenied
    cases = queries.cases_visible_to(request.user).filter(referred_at__isnull=False).order_by("referred_at")
    return render(request, "cases/referrals.html", {"cases": cases[:200],
                                                   "answering": permissions.is_district_user(request.user)})
