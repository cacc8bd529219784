"""Back office: the group robots of grids and units, and the outbox with its failures."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from chuangcheng.core.admin import ScopedAuditedAdmin
from chuangcheng.notify import permissions, queries, services
from chuangcheng.notify.models import Message, Webhook
from chuangcheng.org import queries as org_queries


@admin.register(Webhook)
class WebhookAdmin(ScopedAuditedAdmin):
    visible = staticmethod(queries.webhooks_visible_to)
    scoped_choices = {"region": org_queries.regions_visible_to, "unit": org_queries.units_visible_to}
    list_display = ["name", "kind", "region", "unit", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "region__name", "unit__name"]
    fields = ["name", "kind", "region", "unit", "url", "secret", "active"]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "url":
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def region_path_of(self, obj: Any) -> str:
        owner_region = obj.region or obj.unit.region
        return str(owner_region.path)

    def may_change(self, request: HttpRequest, obj: Any) -> bool:
        return permissions.can_configure_webhook(request.user, obj.region or obj.unit.region)

    # Admin roles configure robots without a Django model permission of their own: the scope
    # and the predicate decide.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._admin_role(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin_role(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._admin_role(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._admin_role(request) and (obj is None or self.may_change(request, obj))

    def _admin_role(self, request: HttpRequest) -> bool:
        user = request.user
        return user.is_superuser or (
            user.is_staff and getattr(user, "scope", None) is not None
            and permissions.can_configure_webhook(user, user.scope)
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "target_short", "title", "status", "attempts", "next_attempt_at",
                    "sent_at"]
    list_filter = ["status", "channel"]
    search_fields = ["key", "title", "target"]
    date_hierarchy = "created_at"
    actions = ["retry"]
    readonly_fields = ["key", "channel", "target", "webhook", "title", "body", "payload", "status", "attempts",
                       "unanswered", "orphaned", "next_attempt_at", "last_error", "created_at", "sent_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Message]:
        return queries.messages_visible_to(request.user)

    @admin.display(description=_("target"))
    def target_short(self, obj: Message) -> str:
        # Robot addresses carry their key: show only the start.
        return obj.target if len(obj.target) <= 40 else obj.target[:37] + "…"

    @admin.action(description=_("Retry the selected failed messages"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = services.retry_messages(queryset, by=request.user)
        self.message_user(
            request,
            ngettext("%(count)d message will be sent again.", "%(count)d messages will be sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return permissions.can_view_outbox(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return permissions.can_view_outbox(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
