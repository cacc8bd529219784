from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "chuangcheng.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from chuangcheng.core import jobs, metrics
        from chuangcheng.notify.alerts import check_outbox, outbox_figures
        from chuangcheng.notify.services import deliver_pending

        # Retries and anything left pending go out within a minute under `chuangcheng serve`.
        jobs.register("notify.deliver_pending", deliver_pending)
        # Failed messages and a growing backlog are told to the street admins and the operators.
        jobs.register("notify.check_alerts", check_outbox)
        metrics.register_scraped(outbox_figures)
