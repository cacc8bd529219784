"""/problems/: the pages of problem lists from above."""

from chuangcheng.problems.views import urlpatterns

app_name = "problems"
__all__ = ["app_name", "urlpatterns"]
