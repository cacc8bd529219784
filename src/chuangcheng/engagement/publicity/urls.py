from __future__ import annotations

from django.urls import URLPattern, path

from chuangcheng.engagement.publicity import views

app_name = "publicity"
urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("pushes/", views.pushes, name="pushes"),
    path("pushes/new/", views.push_new, name="push_new"),
    path("pushes/<str:number>/", views.push_detail, name="push"),
    path("pushes/<str:number>/image/", views.push_image, name="push_image"),
    path("points/", views.points, name="points"),
    path("points/<str:code>/", views.point_detail, name="point"),
    path("items/<str:code>/take-down/", views.item_take_down, name="item_take_down"),
    path("items/<str:code>/photo/<str:variant>/", views.item_photo, name="item_photo"),
    path("visits/", views.visits, name="visits"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("coverage/", views.coverage, name="coverage"),
    path("ledgers/", views.export, name="export"),
]
