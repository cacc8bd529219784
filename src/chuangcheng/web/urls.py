from django.urls import path

from chuangcheng.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("changes/", views.audit_log, name="audit"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
]
