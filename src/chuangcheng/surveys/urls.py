"""Staff pages: build, publish, read the indicators, export."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "surveys"
urlpatterns: list[URLPattern] = []
