from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "chuangcheng.public"
    label = "public"
    verbose_name = _("Residents and Open311")

    def ready(self) -> None:
        from chuangcheng.core import jobs
        from chuangcheng.public import tasks

        # Under `chuangcheng serve`: texts to reporters who asked, points, old rate-limit rows.
        jobs.register(tasks.NOTIFY_REPORTERS, tasks.notify_reporters)
        jobs.register(tasks.AWARD_POINTS, tasks.award_due_points)
        jobs.register(tasks.PRUNE_ATTEMPTS, tasks.prune_attempts)
