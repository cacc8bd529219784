"""The case page offers exactly the actions the API offers, for every role and every state: both
are read from the case workflow's table (cases.workflow.CASES)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, State
from chuangcheng.cases.workflow import CASES
from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.org.models import Role
from tests import factories as f
from tests.cases.conftest import dispatched, photo, reported
from tests.conftest import client_for

ACTION = re.compile(r'<details class="action"[^>]*data-action="([a-z_]+)"')


def _people(scene: Any) -> dict[str, Any]:
    cast = scene.cast
    return {
        "street_admin": cast.street_admin, "community_admin": cast.admin_a, "other_community_admin": cast.admin_b,
        "grid_worker": cast.grid_worker_a, "inspector": scene.inspector, "unit_handler": scene.handler,
        "leader": cast.leader,
        "volunteer": f.UserFactory(username="volunteer", role=Role.VOLUNTEER, scope=cast.street),
        # 上报: the district's admin answers what the street referred.
        "district_admin": f.UserFactory(username="district_admin", role=Role.STREET_ADMIN, scope=cast.district),
    }


def _cases(scene: Any) -> dict[str, Case]:
    """A case in every state, and the variants that change what may be done."""
    admin = scene.cast.street_admin
    cases: dict[str, Case] = {"reported": reported(scene)}
    for state in (State.ACCEPTED, State.REJECTED, State.SUSPENDED):
        case = reported(scene)
        Case.objects.filter(pk=case.pk).update(state=state)
        cases[state] = case
    cases["dispatched"] = dispatched(scene)
    cases["rectifying"] = dispatched(scene)
    services.start_rectification(cases["rectifying"], by=scene.handler)
    cases["extension_asked"] = dispatched(scene)
    Case.objects.filter(pk=cases["extension_asked"].pk).update(
        extension_requested_until=clock.now() + dt.timedelta(days=5), extension_reason="材料未到")
    for name, rectifier in (("rectified", scene.handler), ("rectified_by_the_office", admin)):
        case = dispatched(scene)
        services.rectify_case(case, by=rectifier, photos=[photo(rectifier)])
        cases[name] = case
    cases["closed"] = cases_closed = dispatched(scene)
    services.rectify_case(cases_closed, by=scene.handler, photos=[photo(scene.handler)])
    services.verify_case(cases_closed, by=scene.inspector)
    # A resident's 不满意 sent a closed case back to the office (dispatch again, or close again).
    cases["back_after_rating"] = rated = dispatched(scene)
    services.rectify_case(rated, by=scene.handler, photos=[photo(scene.handler)])
    services.verify_case(rated, by=scene.inspector)
    services.rate_case(rated, by=SYSTEM, rating="unsatisfied", reason="没修好")
    cases["referred"] = referred = reported(scene)
    services.accept_case(referred, by=admin)
    services.refer_case(referred, by=admin, reason="需区级部门处理")
    never_dispatched = reported(scene)
    Case.objects.filter(pk=never_dispatched.pk).update(state=State.CLOSED)
    cases["closed_never_dispatched"] = never_dispatched
    return cases


@pytest.fixture
def states(scene: Any) -> dict[str, Case]:
    return _cases(scene)


def test_every_state_and_every_role_gets_the_same_actions_on_the_page_and_from_the_api(scene, states):
    seen_somewhere: set[str] = set()
    for role, user in _people(scene).items():
        client = client_for(user)
        for name, case in states.items():
            page = client.get(f"/cases/{case.number}/")
            api = client.get(f"/api/cases/{case.number}")
            assert page.status_code == api.status_code, (role, name)
            if page.status_code == 404:
                continue
            on_page = ACTION.findall(page.content.decode())
            from_api = api.json()["allowed_actions"]
            assert sorted(CASES[a].api_name for a in on_page) == sorted(from_api), (role, name)
            seen_somewhere |= set(on_page)
    # Every offered action is offered to someone in some state.
    assert seen_somewhere == {t.action for t in CASES.offered()}


def test_the_page_verifies_a_case_as_not_fixable_as_the_api_can(scene, as_user):
    case = dispatched(scene)
    services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler)])
    case.refresh_from_db()
    client = as_user(scene.inspector)
    assert 'name="resolution"' in client.get(f"/cases/{case.number}/").content.decode()
    response = client.post(f"/cases/{case.number}/act/verify/",
                           {"version": case.version, "resolution": "not_fixable", "note": "管线老化，无法整改"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.resolution == "not_fixable"


def test_the_office_sees_the_units_own_actions_apart_on_the_page(scene, as_user):
    case = dispatched(scene)
    page = as_user(scene.cast.street_admin).get(f"/cases/{case.number}/").content.decode()
    behalf = page.index("data-action=\"start\"")
    assert page.index("data-action=\"redispatch\"") < behalf
    assert page.rindex("<h3>", 0, behalf) > page.index("data-action=\"rectify\"")


def test_each_action_form_shows_the_fields_the_table_gives_it(scene):
    from chuangcheng.cases.forms import ActionForm
    from chuangcheng.engagement.tasklists.forms import ActionForm as TaskActionForm
    from chuangcheng.engagement.tasklists.workflow import TASKS

    case = dispatched(scene)
    for t in CASES.offered():
        form = ActionForm(action=t.action, user=scene.cast.street_admin, case=case)
        assert set(form.fields) - {"version"} == set(t.fields), t.action
        assert {name for name, field in form.fields.items() if field.required} - {"version"} == set(t.required)
    for t in TASKS.offered():
        assert set(TaskActionForm(action=t.action).fields) - {"version"} == set(t.fields), t.action
