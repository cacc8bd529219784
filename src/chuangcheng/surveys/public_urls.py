"""Residents' pages: answer a survey from its link or QR code (no account needed)."""

from __future__ import annotations

from chuangcheng.surveys.views import answer

app_name = "survey_answer"
urlpatterns = [*answer.urlpatterns]
