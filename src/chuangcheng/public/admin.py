"""Back office for the public side: reports are read-only here (personal data masked); their
triage, moderation and erasure go through the pages and services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chuangcheng.core.admin import ScopedAuditedAdmin
from chuangcheng.core.validators import mask_phone
from chuangcheng.org import permissions
from chuangcheng.public.models import Report
from chuangcheng.public.queries import reports_visible_to


@admin.register(Report)
class ReportAdmin(ScopedAuditedAdmin):
    visible = staticmethod(reports_visible_to)
    list_display = ["code", "case", "channel", "masked_phone", "phone_verified", "created_at", "feedback",
                    "text_hidden", "anonymized_at"]
    list_filter = ["channel", "feedback", "text_hidden"]
    search_fields = ["code", "case__number"]
    fields = ("code", "case", "channel", "client", "masked_phone", "phone_verified", "created_at", "feedback",
              "feedback_at", "notify_sms", "text_hidden", "anonymized_at")
    readonly_fields = fields

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: Report) -> str:
        return mask_phone(obj.phone)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return reports_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.has_role(request.user, *permissions.ADMIN_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_role(request.user, *permissions.ADMIN_ROLES)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
