"""Back office for the catalog. The pages under /catalog/ are the way to edit it: versions (draft,
publish, discard), check items and type profiles change only there, through the standards services,
and are read-only here. Point types and a draft's groups, which have no page of their own, may be
fixed here; a published or superseded version's rows are read-only."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from chuangcheng.core import audit
from chuangcheng.core.models import AuditEvent
from chuangcheng.standards.models import (
    AssessmentItem,
    CatalogVersion,
    CheckGroup,
    CheckItem,
    PointType,
    TypeProfile,
)


class AuditedAdmin(admin.ModelAdmin):
    """Records back-office changes like the services do (catalog rows have no region)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.UPDATE if change else AuditEvent.Action.CREATE,
            instance=obj,
            changes={
                name: [audit._plain(form.initial.get(name)), audit._plain(form.cleaned_data.get(name))]
                for name in form.changed_data
            },
            note="admin",
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(actor=request.user, action=AuditEvent.Action.DELETE, instance=obj, note="admin")
        super().delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for reference; the catalog pages and their services are the one write path."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class FrozenVersionMixin:
    """A row of a published or superseded version cannot be changed or deleted here."""

    def _version_of(self, obj: Any) -> CatalogVersion | None:
        return obj.version if obj is not None else None

    def _frozen(self, obj: Any) -> bool:
        version = self._version_of(obj)
        return version is not None and not version.is_editable

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._frozen(obj) and super().has_delete_permission(request, obj)  # type: ignore[misc]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # New rows may only go into a draft.
        if db_field.name == "version":
            kwargs["queryset"] = CatalogVersion.objects.filter(status=CatalogVersion.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


@admin.register(PointType)
class PointTypeAdmin(AuditedAdmin):
    list_display = ("code", "name", "sort_order")
    search_fields = ("code", "name")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Points and catalog versions refer to a point type; it is never deleted.
        return False


@admin.register(CatalogVersion)
class CatalogVersionAdmin(ReadOnlyAdmin):
    # A version starts as a copy of the one in force and moves draft -> published -> superseded
    # only through the catalog page ("Start a draft", "Publish", "Discard").
    list_display = ("number", "title", "status", "published_at", "published_by")
    list_filter = ("status",)


class VersionRowAdmin(FrozenVersionMixin, AuditedAdmin):
    list_filter: ClassVar[tuple[str, ...]] = ("version",)
    list_select_related: ClassVar[tuple[str, ...]] = ("version",)



@admin.register(CheckGroup)
class CheckGroupAdmin(VersionRowAdmin):
    list_display = ("code", "name", "version", "sort_order")
    search_fields = ("code", "name")


@admin.register(TypeProfile)
class TypeProfileAdmin(ReadOnlyAdmin):
    list_display = ("point_type", "version", "sample_size")
    list_filter = ("version",)
    list_select_related = ("version", "point_type")


@admin.register(CheckItem)
class CheckItemAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "group", "point_type", "measure", "threshold", "weight", "deduction",
                    "penalty")
    list_filter = ("version", "measure", "group__code", "point_type")
    list_select_related = ("version", "group", "point_type")
    search_fields = ("code", "text")


@admin.register(AssessmentItem)
class AssessmentItemAdmin(ReadOnlyAdmin):
    # 测评内容 change only in a draft on the catalog page, which checks them against the type's groups
    # and the check items' penalties.
    list_display = ("code", "name", "version", "method", "point_type", "group", "points")
    list_filter = ("version", "method", "point_type")
    list_select_related = ("version", "point_type", "group")
    search_fields = ("code", "name")
