"""Open311 GeoReport v2 at /open311/v2/: the resources with a format extension (.xml or .json),
the office's page for API keys, and a catch-all so even an unknown path answers in the
standard's error format."""

from __future__ import annotations

from django.urls import path, re_path

from chuangcheng.public.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>xml|json)$"

urlpatterns = [
    path("keys/", views.keys, name="keys"),
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<number>[^/]+)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+)" + FMT, views.token, name="token"),
    re_path(r"^servicerequestupdates" + FMT, views.updates, name="updates"),
    re_path(r"^(?P<rest>.*?)" + FMT, views.not_found),
    re_path(r"^(?P<rest>.*)$", views.not_found),
]
