from django.contrib import admin

from chuangcheng.hotline.models import ExchangeLog, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "state", "received_at", "street"]
    search_fields = ["number"]
    readonly_fields = ["case", "street"]


@admin.register(ExchangeLog)
class ExchangeLogAdmin(admin.ModelAdmin):
    list_display = ["at", "kind", "ok", "order_number", "detail"]
    list_filter = ["kind", "ok"]
