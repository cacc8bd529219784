"""The daily figures for the rollups: due, completed (on time) and overdue, per street, community and
grid, a task counted once in each region of its scope and once in the street."""

from __future__ import annotations

import datetime as dt

from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.figures import day_extra
from tests.engagement.tasklists.conftest import a_task, photo


def test_the_figures_of_three_days_match_what_happened(scene, wednesday):
    c = scene.cast
    on_time = a_task(scene, title="甲社区楼道", due_on=dt.date(2026, 11, 27), regions=[c.community_a])
    late = a_task(scene, title="两社区占道", unit=scene.squad, due_on=dt.date(2026, 11, 25),
                  regions=[c.grid_a, c.community_b])
    cancelled = a_task(scene, title="取消的", due_on=dt.date(2026, 11, 25))
    services.cancel_task(cancelled, by=c.street_admin, reason="重复")
    wednesday.move_to("2026-11-26T10:00:00+08:00")
    services.submit_task(on_time, by=scene.handler_a, photos=[photo(scene.handler_a)])
    wednesday.move_to("2026-11-27T10:00:00+08:00")
    services.verify_task(on_time, by=c.street_admin)
    services.submit_task(late, by=scene.squad_handler, photos=[photo(scene.squad_handler, "green")])

    def zeros(**kw):
        return {"tasks_due": 0, "tasks_completed": 0, "tasks_completed_on_time": 0, "tasks_overdue": 0, **kw}

    # Wednesday: the late task was due and is still with its unit at midnight; it counts once in the
    # street, in grid A, in community A (above grid A) and in community B; the cancelled one not at all.
    assert day_extra(dt.date(2026, 11, 25), c.street) == {
        c.street.pk: zeros(tasks_due=1, tasks_overdue=1), c.community_a.pk: zeros(tasks_due=1, tasks_overdue=1),
        c.grid_a.pk: zeros(tasks_due=1, tasks_overdue=1), c.community_b.pk: zeros(tasks_due=1, tasks_overdue=1)}
    # Thursday: still overdue at the end of the day (it was submitted only on Friday).
    assert day_extra(dt.date(2026, 11, 26), c.street)[c.street.pk] == zeros(tasks_overdue=1)
    # Friday: the on-time task was due and verified; the late one is submitted, so no longer overdue.
    assert day_extra(dt.date(2026, 11, 27), c.street) == {
        c.street.pk: zeros(tasks_due=1, tasks_completed=1, tasks_completed_on_time=1),
        c.community_a.pk: zeros(tasks_due=1, tasks_completed=1, tasks_completed_on_time=1)}
    assert day_extra(dt.date(2026, 11, 24), c.street) == {}


def test_the_rollups_read_the_task_figures(scene):
    from chuangcheng.reports.services import extra

    a_task(scene, due_on=dt.date(2026, 11, 25))
    merged = extra.day_extra(dt.date(2026, 11, 25), scene.cast.street)
    assert merged[scene.cast.street.pk]["tasks_due"] == 1
