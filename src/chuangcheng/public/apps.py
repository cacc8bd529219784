from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "chuangcheng.public"
    label = "public"
    verbose_name = _("Residents and Open311")
