"""Residents' pages (no account needed) and the staff's triage of their reports."""

from __future__ import annotations

from django.urls import path

from chuangcheng.public import views

app_name = "public"
urlpatterns = [
    path("", views.report, name="report"),
    path("area.geojson", views.area, name="area"),
    path("nearby/", views.nearby, name="nearby"),
    path("sms/", views.sms_code, name="sms_code"),
    path("follow/<str:number>/", views.follow, name="follow"),
    path("t/", views.lookup, name="lookup"),
    path("t/<str:code>/", views.track, name="track"),
    path("t/<str:code>/answer/", views.answer, name="answer"),
    path("t/<str:code>/rate/", views.rate, name="rate"),
    path("t/<str:code>/phone/", views.verify_phone, name="verify_phone"),
    path("v/<str:token>/", views.rate_link, name="rate_link"),
    path("t/<str:code>/erase/", views.erase, name="erase"),
    path("p/<str:sha256>.jpg", views.photo, name="photo"),
    path("p/<str:sha256>/<str:size>.jpg", views.photo, name="photo_sized"),
    path("triage/", views.triage, name="triage"),
    path("triage/<str:code>/<str:action>/", views.triage_action, name="triage_action"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/<str:code>/", views.moderate, name="moderate"),
    path("blocked/", views.block, name="block"),
    path("public-cases/", views.publish, name="publish"),
    path("points/", views.points, name="points"),
]
