from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "chuangcheng.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from chuangcheng.core import exports, jobs
        from chuangcheng.inspections.exports import LEDGER, build_ledger_in_background
        from chuangcheng.inspections.services.plans import make_todays_plans

        # The inspection ledger over the threshold is built in the background.
        exports.register(LEDGER, build_ledger_in_background)

        # The morning plan (日调度) under `chuangcheng serve`: nothing happens before plan_at.
        jobs.register("inspections.make_todays_plans", make_todays_plans)
