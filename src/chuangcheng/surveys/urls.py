"""Staff pages: build and publish (views.builder), read the indicators and export (views.results)."""

from __future__ import annotations

from chuangcheng.surveys.views import builder, results

app_name = "surveys"
urlpatterns = [*builder.urlpatterns, *results.urlpatterns]
