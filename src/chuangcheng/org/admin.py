from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chuangcheng.core.admin import ServiceAdmin
from chuangcheng.core.services import save_audited
from chuangcheng.org import permissions, queries, services
from chuangcheng.org.forms import AdminSetPasswordForm, AdminSignInForm
from chuangcheng.org.models import ApiToken, LoginAttempt, Person, Region, Unit, User

admin.site.site_header = _("Chuangcheng back office")
admin.site.site_title = _("Chuangcheng")
admin.site.index_title = _("Registered data")
# The back office's login page is throttled like the sign-in page (chuangcheng.org.signin).
admin.site.login_form = AdminSignInForm


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
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

    def write(self, request: HttpRequest, form: Any, change: bool) -> models.Model:
        obj = form.instance
        region, _changed = services.save_region(
            by=request.user, code=obj.code, name=obj.name, level=obj.level, parent=obj.parent,
            **{name: getattr(obj, name) for name in services.REGION_FIELDS if name != "name"},
        )
        return region


class RegionOwnedAdmin(ServiceAdmin):
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

    def write(self, request: HttpRequest, form: Any, change: bool) -> models.Model:
        obj = form.instance
        unit, _changed = services.save_unit(
            by=request.user, code=obj.code, **{name: getattr(obj, name) for name in services.UNIT_FIELDS}
        )
        return unit


@admin.register(Person)
class PersonAdmin(RegionOwnedAdmin):
    visible = staticmethod(queries.people_visible_to)
    scoped_choices = {"region": queries.regions_visible_to, "unit": queries.units_managed_by}
    list_display = ["name", "code", "region", "unit", "party_member", "volunteer", "active"]
    list_filter = ["party_member", "volunteer", "active"]
    search_fields = ["name", "code", "phone"]

    def write(self, request: HttpRequest, form: Any, change: bool) -> models.Model:
        obj = form.instance
        person, _changed = services.save_person(
            by=request.user, code=obj.code, **{name: getattr(obj, name) for name in services.PERSON_FIELDS}
        )
        return person


# The fields save_login gives, with their values on a login that has none yet.
LOGIN_FIELDS: dict[str, Any] = {"role": "", "scope": None, "person": None, "is_staff": False}


@admin.register(User)
class ScopedUserAdmin(UserAdmin):
    change_password_form = AdminSetPasswordForm
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

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # Django's own sign-in fields are saved here; role, scope, person and back-office access
        # are given by save_login in save_related (after the permissions the form sets), so its
        # scope rule, its audit event and its back-office permissions apply.
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request._login_fields = {name: getattr(obj, name) for name in LOGIN_FIELDS}  # type: ignore[attr-defined]
        for name in LOGIN_FIELDS:
            setattr(obj, name, getattr(stored, name) if stored else LOGIN_FIELDS[name])
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        user = form.instance
        wanted = getattr(request, "_login_fields", {})
        if not wanted:
            return
        if wanted["role"] and wanted["scope"] is not None:
            services.save_login(by=request.user, username=user.username, role=wanted["role"],
                                scope=wanted["scope"], person=wanted["person"], is_staff=wanted["is_staff"])
        else:
            # A login without a campaign role (an operator's own account) has no scope to check.
            save_audited(user, by=request.user, values=wanted, note="admin", exclude_from_validation=["password"])


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
