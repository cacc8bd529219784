from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "chuangcheng.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, pre_migrate

        from chuangcheng.core import dbstats, exports, heartbeats, jobs

        heartbeats.connect_celery_signals()
        # Exports kept past their day are removed (under `chuangcheng serve`; Celery beat too).
        jobs.register("core.purge_exports", exports.purge_expired)
        # SQLite's planner statistics, refreshed hourly (PostgreSQL's autovacuum keeps its own).
        jobs.register("core.refresh_statistics", dbstats.refresh_statistics_hourly)
        pre_migrate.connect(lift_statement_timeout, dispatch_uid="chuangcheng-lift-statement-timeout")
        post_migrate.connect(restore_statement_timeout, dispatch_uid="chuangcheng-restore-statement-timeout")


def lift_statement_timeout(using: str = "default", **kwargs: object) -> None:
    """Migrations may rewrite big tables: DB_STATEMENT_TIMEOUT_MS is for requests, not for them."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")


def restore_statement_timeout(using: str = "default", **kwargs: object) -> None:
    """Back to the connection's own DB_STATEMENT_TIMEOUT_MS once the migrations are done."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
