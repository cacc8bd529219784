"""/hotline/: the pages of 12345 hotline work orders."""

from django.urls import path

from chuangcheng.hotline import views

app_name = "hotline"
urlpatterns = [
    path("", views.index, name="index"),
    path("import/", views.import_orders, name="import"),
    path("export/", views.export_orders, name="export"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/<str:action>/", views.step, name="step"),
]
