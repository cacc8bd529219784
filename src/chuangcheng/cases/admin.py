from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from chuangcheng.cases.models import Case, CaseEvent, Category
from chuangcheng.cases.queries import cases_visible_to
from chuangcheng.core.admin import ScopedAuditedAdmin
from chuangcheng.org import permissions


@admin.register(Category)
class CategoryAdmin(ScopedAuditedAdmin):
    """Categories are data a street admin keeps: names, time limits, whether residents see them."""

    visible = staticmethod(lambda user: Category.objects.select_related("parent"))
    list_display = ["name", "code", "parent", "campaign_label", "limit_amount", "limit_unit", "public", "active"]
    list_filter = ["parent", "public", "active"]
    search_fields = ["name", "code"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj else []

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_street_admin(request.user)

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return permissions.is_street_admin(request.user)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ("at", "actor_name", "action", "from_state", "to_state", "note")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through their actions, each an event."""

    list_display = ["number", "category", "state", "grid", "unit", "deadline", "reported_at"]
    list_filter = ["state", "source", "severity"]
    search_fields = ["number", "description", "address"]
    inlines = [CaseEventInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Case]:
        return cases_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.has_role(request.user, *permissions.ADMIN_ROLES)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.has_role(request.user, *permissions.ADMIN_ROLES)
