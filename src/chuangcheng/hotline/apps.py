from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "chuangcheng.hotline"
    label = "hotline"
    verbose_name = _("12345 hotline work orders")

    def ready(self) -> None:
        # Under `chuangcheng serve` (no Celery beat) the exchange runs in serve's own scheduler.
        from chuangcheng.core import jobs
        from chuangcheng.hotline import tasks

        jobs.register(tasks.EXCHANGE, tasks.exchange_with_hotline)
