from django.urls import path

from chuangcheng.web import directory as views

app_name = "org"
urlpatterns = [
    path("regions/", views.region_list, name="regions"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("units/", views.unit_list, name="units"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("people/", views.person_list, name="people"),
    path("people/<str:code>/", views.person_detail, name="person"),
]
