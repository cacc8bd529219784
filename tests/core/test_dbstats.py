"""SQLite's query planner statistics: gathered by a periodic job (hourly), by the demo once built;
with them, a subdistrict's cases are counted from its own grids instead of by walking every case
of the city (issue 19)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection

from chuangcheng.cases.models import Case
from chuangcheng.core import dbstats, jobs
from tests import factories as f
from tests.cases.conftest import (
    Scene,
    reported,
    scene,  # noqa: F401  # the fixture, shared
)

pytestmark = pytest.mark.django_db
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's autovacuum analyses tables")


def plan_of(queryset: Any) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@sqlite_only
def test_a_subdistricts_cases_are_counted_from_its_grids_once_statistics_are_gathered(scene: Scene) -> None:  # noqa: F811
    # Another subdistrict beside ours, with most of the city's cases.
    other = f.street(scene.cast.district, code="150103002", name="海拉尔西路街道")
    grids = [f.grid(f.community(other, code=f"150103002{c:03d}"), code=f"150103002{c:03d}-01") for c in range(1, 21)]
    reported(scene)
    case = Case.objects.get()
    Case.objects.bulk_create([Case(number=f"CC-X-{n:05d}", source=case.source, category=case.category,
                                   grid=grids[n % len(grids)], description="小广告", reported_by=case.reported_by,
                                   reported_at=case.reported_at) for n in range(400)])
    ours = Case.objects.filter(grid__path__startswith=scene.cast.street.path)
    assert dbstats.refresh_statistics() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'cases_case'")
        assert cursor.fetchone()[0] > 0
    plan = plan_of(ours.order_by().values("id"))  # as its count reads it
    assert "SEARCH cases_case USING" in plan and "(grid_id=?)" in plan, plan
    assert ours.count() == 1


@sqlite_only
def test_the_job_gathers_them_once_an_hour_per_process() -> None:
    cache.delete(dbstats._REFRESHED)
    assert "core.refresh_statistics" in jobs._JOBS
    assert dbstats.refresh_statistics_hourly() is True
    assert dbstats.refresh_statistics_hourly() is False
    cache.delete(dbstats._REFRESHED)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="the PostgreSQL run")
def test_postgresql_is_left_to_its_autovacuum() -> None:
    assert dbstats.refresh_statistics() is False and dbstats.refresh_statistics_hourly() is False
