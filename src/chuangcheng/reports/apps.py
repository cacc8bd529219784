from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "chuangcheng.reports"
    label = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from chuangcheng.core import jobs
        from chuangcheng.reports import tasks

        # Under `chuangcheng serve`: store finished days' figures, draft the evening bulletin and
        # last week's ranking.
        jobs.register(tasks.BUILD_ROLLUPS, tasks.build_rollups)
        jobs.register(tasks.DRAFT_BULLETINS, tasks.draft_bulletins)
        jobs.register(tasks.DRAFT_RANKINGS, tasks.draft_rankings)
