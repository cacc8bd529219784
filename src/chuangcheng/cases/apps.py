from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "chuangcheng.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from chuangcheng.cases.services import sweep_deadlines
        from chuangcheng.core import jobs

        # Due-soon warnings and overdue escalation (督办) under `chuangcheng serve`.
        jobs.register("cases.sweep_deadlines", sweep_deadlines)
