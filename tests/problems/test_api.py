"""/api/problems: the lists a reader may see with their progress, one list with its problems and
their cases; another street's list is 404 and a role that does not read lists is 403."""

from __future__ import annotations

import pytest

from chuangcheng.org.models import Role
from tests import factories as f
from tests.problems.test_deadlines_and_progress import _fix, _problems

pytestmark = pytest.mark.django_db


def test_a_reader_lists_the_streets_problem_lists_and_follows_a_problem_to_its_case(scene, as_user):
    batch, problems = _problems(scene)
    _fix(problems[1].case, scene, verify=True)
    inspector = as_user(scene.inspector)

    [listed] = inspector.get("/api/problems").json()
    assert listed["code"] == batch.code and listed["reference"] == batch.reference
    assert listed["progress"] == {"total": 3, "done": 1, "overdue": 0, "percent": 33}

    detail = inspector.get(f"/api/problems/{batch.code}").json()
    assert [p["row"] for p in detail["problems"]] == [1, 2, 3]
    first = detail["problems"][0]
    assert first["done"] is True and first["case"] == problems[1].case.number and first["case_state"] == "closed"
    assert inspector.get(f"/api/cases/{first['case']}").status_code == 200


def test_another_streets_admin_and_a_grid_worker_cannot_read_the_list(scene, as_user):
    batch, _problems_by_row = _problems(scene)
    assert as_user(scene.other_admin).get(f"/api/problems/{batch.code}").status_code == 404
    assert as_user(scene.other_admin).get("/api/problems").json() == []
    worker = f.UserFactory(username="worker_x", role=Role.GRID_WORKER, scope=scene.cast.grid_a)
    refused = as_user(worker).get("/api/problems")
    assert refused.status_code == 403 and refused.json()["error"]["message"]
