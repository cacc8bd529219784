from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "chuangcheng.engagement"
    label = "engagement"
    verbose_name = _("Task lists, volunteers and publicity")

    def ready(self) -> None:
        from chuangcheng.engagement.publicity import jobs as publicity_jobs
        from chuangcheng.engagement.tasklists import jobs as tasklist_jobs
        from chuangcheng.engagement.volunteering import jobs as volunteering_jobs

        tasklist_jobs.register()
        volunteering_jobs.register()
        publicity_jobs.register()
