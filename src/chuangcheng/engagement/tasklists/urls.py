from __future__ import annotations

from django.urls import path

from chuangcheng.engagement.tasklists import views

app_name = "tasklists"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("mine/", views.my_tasks, name="mine"),
    path("new/", views.task_new, name="new"),
    path("by-unit/", views.by_unit, name="by_unit"),
    path("ledger/", views.ledger_export, name="export"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<str:number>/", views.meeting_detail, name="meeting"),
    path("meetings/<str:number>/photos/<str:sha256>/<str:variant>/", views.meeting_photo, name="meeting_photo"),
    path("t/<str:number>/", views.task_detail, name="detail"),
    path("t/<str:number>/act/<str:action>/", views.task_action, name="act"),
    path("t/<str:number>/photos/<str:sha256>/<str:variant>/", views.task_photo, name="photo"),
]
