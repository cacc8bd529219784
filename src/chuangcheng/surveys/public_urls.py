"""Residents' pages: answer a survey from its link or QR code (no account needed)."""

from __future__ import annotations

from django.urls import URLPattern

app_name = "survey_answer"
urlpatterns: list[URLPattern] = []
