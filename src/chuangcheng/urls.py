from django.contrib import admin
from django.urls import include, path

from chuangcheng.api.api import api
from chuangcheng.org import views as org_views

urlpatterns = [
    path("accounts/login/", org_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", org_views.sign_out, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("org/", include("chuangcheng.org.urls")),
    path("points/", include("chuangcheng.places.urls")),
    path("catalog/", include("chuangcheng.standards.urls")),
    path("", include("chuangcheng.web.urls")),
]
