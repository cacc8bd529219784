from django.urls import path

from chuangcheng.web import pwa, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_page, name="import"),
    path("import/template/<str:kind>.xlsx", views.import_template, name="import_template"),
    path("changes/", views.audit_log, name="audit"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    # The installable web app (web.pwa): the worker at the root, so its scope is the whole site.
    path("sw.js", pwa.service_worker, name="service_worker"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("icons/icon.svg", pwa.icon_vector, name="icon_svg"),
    path("icons/icon-<int:size>.png", pwa.icon, name="icon"),
    path("offline/", pwa.offline, name="offline"),
    path("queue/", pwa.queue, name="queue"),
]
