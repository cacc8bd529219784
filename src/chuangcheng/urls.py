from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from chuangcheng.api.api import api
from chuangcheng.org import views as org_views


def _api_urls() -> tuple[list[Any], str, str]:
    """The API authenticates every call itself (session or token) and answers 401 in its own
    error format, so the sign-in redirect of LoginRequiredMiddleware must not apply to it."""
    patterns, app_name, namespace = api.urls

    def exempt(items: list[Any]) -> None:
        for item in items:
            if hasattr(item, "url_patterns"):
                exempt(item.url_patterns)
            else:
                item.callback = login_not_required(item.callback)

    exempt(patterns)
    return patterns, app_name, namespace


urlpatterns = [
    path("favicon.ico", login_not_required(RedirectView.as_view(url=static("chuangcheng/favicon.svg")))),
    path("accounts/login/", org_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", org_views.sign_out, name="logout"),
    path("accounts/", org_views.account, name="account"),
    path("accounts/password/", org_views.PasswordChange.as_view(), name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The messages of our own scripts (locale/*/djangojs.po), for every page, residents' included.
    path("jsi18n/", login_not_required(JavaScriptCatalog.as_view(packages=["chuangcheng.web"])),
         name="javascript-catalog"),
    # One page changes one's own password (and revokes one's API tokens): the back office's goes there.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
    path("api/", _api_urls()),
    path("org/", include("chuangcheng.web.org_urls")),
    path("points/", include("chuangcheng.places.urls")),
    path("catalog/", include("chuangcheng.standards.urls")),
    path("cases/", include("chuangcheng.cases.urls")),
    path("inspections/", include("chuangcheng.inspections.urls")),
    path("exports/", include("chuangcheng.core.export_pages")),
    path("inbox/", include("chuangcheng.notify.urls")),
    path("reports/", include("chuangcheng.reports.urls")),
    path("open311/v2/", include("chuangcheng.public.open311.urls")),
    path("r/", include("chuangcheng.public.urls")),
    path("tasks/", include("chuangcheng.engagement.tasklists.urls")),
    path("volunteering/", include("chuangcheng.engagement.volunteering.urls")),
    path("publicity/", include("chuangcheng.engagement.publicity.urls")),
    path("surveys/", include("chuangcheng.surveys.urls")),
    path("s/", include("chuangcheng.surveys.public_urls")),
    path("assessment/", include("chuangcheng.assessment.urls")),
    path("materials/", include("chuangcheng.materials.urls")),
    path("problems/", include("chuangcheng.problems.urls")),
    path("hotline/", include("chuangcheng.hotline.urls")),
    path("", include("chuangcheng.web.urls")),
]

# Unhandled errors: a self-contained Chinese page (JSON on the API, GeoReport errors on Open311);
# 503 with Retry-After when the database is unavailable (chuangcheng.core.faults).
handler500 = "chuangcheng.core.faults.server_error"
# Our own 403 and 404 pages (JSON under /api/).
handler403 = "chuangcheng.web.errors.permission_denied"
handler404 = "chuangcheng.web.errors.page_not_found"
