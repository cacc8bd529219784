"""The back office is scoped like everything else and records who changed what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext, gettext_lazy

from chuangcheng.core import audit
from chuangcheng.core.models import AuditEvent, CalendarDay


class ScopedAuditedAdmin(admin.ModelAdmin):
    """Subclasses name the scoped query (`visible`), how to find an object's region path
    (`region_path_of`), and which region is checked for changes (`managed_region`)."""

    visible: Callable[[Any], QuerySet[Any]]
    # Foreign keys whose choices are limited to what the user sees: field name -> query.
    scoped_choices: dict[str, Callable[[Any], QuerySet[Any]]] = {}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return type(self).visible(request.user)

    def region_path_of(self, obj: models.Model) -> str:
        return ""

    def may_change(self, request: HttpRequest, obj: models.Model) -> bool:
        return True

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.may_change(request, obj))

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        # Registered data is deactivated, not deleted: its history must stay readable.
        return False

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        query = self.scoped_choices.get(db_field.name)
        if query is not None:
            kwargs["queryset"] = query(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        query = self.scoped_choices.get(db_field.name)
        if query is not None:
            kwargs["queryset"] = query(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        before = audit.snapshot(type(obj)._default_manager.get(pk=obj.pk)) if change and obj.pk else {}
        request._audit_before = before  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {})
        after = audit.snapshot(obj)
        changes = audit.diff(before, after)
        if change and not changes:
            return
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            instance=obj,
            changes=changes,
            region_path=self.region_path_of(obj),
            note="admin",
        )


class ServiceAdmin(ScopedAuditedAdmin):
    """The back office as one more caller of the app's service: the form checks the input, then
    `write` hands it to the service with the signed-in admin as `by`, so the service's scope rule
    and audit event apply here exactly as on the product's pages and in imports."""

    def write(self, request: HttpRequest, form: Any, change: bool) -> models.Model:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        saved = self.write(request, form, change)
        # The admin's change log, message and redirect read the saved row from the form's object.
        obj.pk = saved.pk
        form.instance = saved

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Many-to-many links are the service's to set; inline rows still go through save_formset.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "action", "object_type", "object_key", "object_label"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_key", "object_label", "actor_name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AuditEvent]:
        qs = super().get_queryset(request)
        user = request.user
        if user.is_superuser:
            return qs
        scope = getattr(user, "scope", None)
        return qs.filter(region_path__startswith=scope.path) if scope is not None else qs.none()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _keeps_calendar(user: Any) -> bool:
    # core sits below org in the layers, so this cannot use org.permissions.is_street_admin;
    # it checks the same thing: an active superuser or street admin (Role.STREET_ADMIN).
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or getattr(user, "role", "") == "street_admin")
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAuditedAdmin):
    """Street admins enter each new year's holidays and make-up workdays when the State Council
    announces them; their rows are never overwritten by `chuangcheng holidays --sync`."""

    visible = staticmethod(lambda user: CalendarDay.objects.all())
    list_display = ["date", "weekday", "kind", "name", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    fields = ["date", "kind", "name", "source"]
    readonly_fields = ["source"]

    @admin.display(description=gettext_lazy("weekday"))
    def weekday(self, obj: CalendarDay) -> str:
        return str(WEEKDAYS[obj.date.weekday()])

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _keeps_calendar(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _keeps_calendar(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _keeps_calendar(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _keeps_calendar(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A mistyped row an admin entered may go; the library's rows are corrected, not deleted.
        return _keeps_calendar(request.user) and obj is not None and obj.source == CalendarDay.Source.ADMIN

    def save_model(self, request: HttpRequest, obj: models.Model, form: Any, change: bool) -> None:
        # An admin's edit of a library row makes it the office's row: the sync keeps it from now on.
        obj.source = CalendarDay.Source.ADMIN  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        audit.record(actor=request.user, action=AuditEvent.Action.DELETE, instance=obj,
                     changes=audit.snapshot(obj), note="admin")
        super().delete_model(request, obj)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        from django.contrib import messages

        from chuangcheng.core import clock, workcal

        calendar = workcal.WorkCalendar()
        for year in (clock.today().year, clock.today().year + 1):
            if not calendar.covered(year):
                messages.warning(
                    request,
                    gettext(
                        "No holidays are entered for %(year)s yet: deadlines in %(year)s count Monday to Friday "
                        "only. Add the holidays and make-up workdays when the State Council announces them."
                    )
                    % {"year": year},
                )
        return super().changelist_view(request, extra_context)
