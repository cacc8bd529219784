"""The project's URLs plus two views that fail, for the 500 tests."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.urls import path

from chuangcheng.urls import handler500
from chuangcheng.urls import urlpatterns as project_urls


@login_not_required
def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug in a view")


urlpatterns = [path("boom/", boom), path("api/boom/", boom), path("open311/v2/boom.json", boom), *project_urls]

__all__ = ["handler500", "urlpatterns"]
