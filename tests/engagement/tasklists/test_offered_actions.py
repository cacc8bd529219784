"""The task page offers exactly the actions the API offers, for every role and every state: both
are read from the task workflow's table (tasklists.workflow.TASKS)."""

from __future__ import annotations

import re

from django.urls import reverse

from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.workflow import TASKS
from tests.conftest import client_for
from tests.engagement.tasklists.conftest import a_task, photo

ACTION = re.compile(r'<details class="action"[^>]*data-action="([a-z_]+)"')


def test_every_state_and_every_role_gets_the_same_actions_on_the_page_and_from_the_api(scene):
    cast = scene.cast
    admin = cast.street_admin
    tasks = {"open": a_task(scene)}
    tasks["in_progress"] = a_task(scene)
    services.post_progress(tasks["in_progress"], by=scene.handler_a, note="已清理一半", percent=50)
    for name, submitter in (("submitted", scene.handler_a), ("submitted_by_the_office", admin)):
        tasks[name] = a_task(scene)
        services.submit_task(tasks[name], by=submitter, photos=[photo(submitter)])
    tasks["done"] = a_task(scene)
    services.submit_task(tasks["done"], by=scene.handler_a, photos=[photo(scene.handler_a)])
    services.verify_task(tasks["done"], by=admin)
    tasks["cancelled"] = a_task(scene)
    services.cancel_task(tasks["cancelled"], by=admin, reason="已并入其他任务")
    people = {"street_admin": admin, "community_admin": cast.admin_a, "grid_worker": cast.grid_worker_a,
              "leader": cast.leader, "unit_handler": scene.handler_a, "other_unit_handler": scene.squad_handler}
    seen: set[str] = set()
    for role, user in people.items():
        client = client_for(user)
        for name, task in tasks.items():
            page = client.get(reverse("tasklists:detail", args=[task.number]))
            api = client.get(f"/api/tasks/{task.number}")
            assert page.status_code == api.status_code, (role, name)
            if page.status_code != 200:
                continue
            on_page = ACTION.findall(page.content.decode())
            assert sorted(TASKS[a].api_name for a in on_page) == sorted(api.json()["actions"]), (role, name)
            seen |= set(on_page)
    assert seen == {t.action for t in TASKS.offered()}
