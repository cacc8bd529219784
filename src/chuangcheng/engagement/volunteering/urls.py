"""Volunteer actions (志愿服务), mounted at /volunteering/."""

from __future__ import annotations

from django.urls import path

from chuangcheng.engagement.volunteering import views

app_name = "volunteering"
urlpatterns = [
    path("", views.action_list, name="list"),
    path("new/", views.action_new, name="new"),
    path("me/", views.mine, name="mine"),
    path("participation/", views.participation, name="participation"),
    path("ledger/", views.export, name="export"),
    path("a/<str:code>/", views.action_detail, name="detail"),
    path("a/<str:code>/signup/", views.signup, name="signup"),
    path("a/<str:code>/withdraw/", views.withdraw, name="withdraw"),
    path("a/<str:code>/checkin/", views.checkin, name="checkin"),
    path("a/<str:code>/qr.<str:fmt>", views.qr_code, name="qr"),
    path("a/<str:code>/roster/", views.roster, name="roster"),
    path("a/<str:code>/roster/checkin/", views.check_in_for, name="checkin_for"),
    path("a/<str:code>/roster/<str:person>/hours/", views.correct_hours, name="correct_hours"),
    path("a/<str:code>/close/", views.close, name="close"),
    path("a/<str:code>/cancel/", views.cancel, name="cancel"),
    path("a/<str:code>/photos/<str:sha256>/<str:variant>/", views.photo, name="photo"),
]
