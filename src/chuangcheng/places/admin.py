from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from chuangcheng.core.admin import ServiceAdmin
from chuangcheng.org import permissions
from chuangcheng.org import queries as org_queries
from chuangcheng.places import queries, services
from chuangcheng.places.models import Point, PointPhoto


class PointPhotoInline(admin.TabularInline):
    model = PointPhoto
    extra = 0
    fields = ["view", "caption", "sha256", "uploaded_at", "uploaded_by"]
    # Photos and their captions change on the point page, through the places services.
    readonly_fields = ["view", "caption", "sha256", "uploaded_at", "uploaded_by"]

    @admin.display(description=_("photo"))
    def view(self, obj: PointPhoto) -> str:
        # Uploads are not public files: they are served through the scoped point page.
        url = reverse("places:photo", args=[obj.point.code, obj.sha256])
        return format_html('<a href="{}"><img src="{}" alt="" width="96"></a>', url, url)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Photos go through the point page, which checks the file by its content.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Point)
class PointAdmin(ServiceAdmin):
    visible = staticmethod(queries.points_visible_to)
    scoped_choices = {
        "grid": org_queries.grids_visible_to,
        "primary_unit": org_queries.units_visible_to,
        "cooperating_units": org_queries.units_visible_to,
        "responsible_people": org_queries.people_visible_to,
    }
    list_display = ["name", "code", "point_type", "grid", "primary_unit", "zero_loss", "active"]
    list_filter = ["point_type", "zero_loss", "active"]
    search_fields = ["name", "code", "address"]
    filter_horizontal = ["cooperating_units", "responsible_people"]
    inlines = [PointPhotoInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["code", "created_at", "updated_at"] if obj else ["created_at", "updated_at"]

    def region_path_of(self, obj: Any) -> str:
        return obj.grid.path

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return permissions.can_edit_point(request.user, obj.grid)

    def write(self, request: HttpRequest, form: Any, change: bool) -> models.Model:
        obj = form.instance
        point, _changed = services.save_point(
            by=request.user,
            code=obj.code,
            cooperating_units=form.cleaned_data.get("cooperating_units"),
            responsible_people=form.cleaned_data.get("responsible_people"),
            **{name: getattr(obj, name) for name in services.POINT_FIELDS},
        )
        return point
