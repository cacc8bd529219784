from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chuangcheng.core.admin import ScopedAuditedAdmin
from chuangcheng.org import permissions, queries
from chuangcheng.org.models import ApiToken, LoginAttempt, Person, Region, Unit, User

admin.site.site_header = _("Chuangcheng back office")
admin.site.site_title = _("Chuangcheng")
admin.site.index_title = _("Registered data")


@admin.register(Region)
class RegionAdmin(ScopedAuditedAdmin):
    visible = staticmethod(queries.regions_visible_to)
    scoped_choices = {"parent": queries.regions_visible_to}
    list_display = ["name", "code", "level", "parent", "households", "population"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # Codes are stable and a region is not moved once created.
        return ["path", "code", "level", "parent"] if obj else ["path"]

    def region_path_of(self, obj: models.Model) -> str:
        return obj.path  # type: ignore[attr-defined]

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return permissions.can_manage_region(request.user, obj)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.path = obj.build_path()
        super().save_model(request, obj, form, change)


class RegionOwnedAdmin(ScopedAuditedAdmin):
    """Units and people belong to a region: an admin of that region (or above) changes them,
    and their code never changes once given."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code"] if obj else []

    def region_path_of(self, obj: Any) -> str:
        return obj.region.path

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return permissions.can_manage_region(request.user, obj.region)


@admin.register(Unit)
class UnitAdmin(RegionOwnedAdmin):
    visible = staticmethod(queries.units_visible_to)
    scoped_choices = {"region": queries.regions_visible_to}
    list_display = ["name", "code", "kind", "region", "head_name", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code", "head_name"]


@admin.register(Person)
class PersonAdmin(RegionOwnedAdmin):
    visible = staticmethod(queries.people_visible_to)
    scoped_choices = {"region": queries.regions_visible_to, "unit": queries.units_visible_to}
    list_display = ["name", "code", "region", "unit", "party_member", "volunteer", "active"]
    list_filter = ["party_member", "volunteer", "active"]
    search_fields = ["name", "code", "phone"]


@admin.register(User)
class ScopedUserAdmin(UserAdmin):
    list_display = ["username", "display_name", "role", "scope", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Campaign"), {"fields": ("role", "scope", "person")}),
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return queries.users_visible_to(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_superuser(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_superuser(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.is_superuser(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return permissions.is_superuser(request.user)


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    list_display = ["at", "username", "ip", "succeeded"]
    list_filter = ["succeeded"]
    search_fields = ["username", "ip"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_superuser(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.is_superuser(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
