"""/reports/: each page family keeps its own url list next to its views."""

from chuangcheng.reports.views import bulletins, dashboards, issuing, rankings

app_name = "reports"
urlpatterns = [*dashboards.urlpatterns, *bulletins.urlpatterns, *issuing.urlpatterns, *rankings.urlpatterns]
