"""Who sees which case: the region decides for staff, the unit for its handlers."""

from __future__ import annotations

import datetime as dt

import time_machine

from chuangcheng.cases.queries import cases_visible_to
from tests import factories as f
from tests.cases.conftest import dispatched

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_a_community_admin_of_b_sees_nothing_of_a_case_in_a(scene):
    with time_machine.travel(MONDAY, tick=False):
        case = dispatched(scene)
    assert list(cases_visible_to(scene.cast.admin_a)) == [case]
    assert list(cases_visible_to(scene.cast.admin_b)) == []
    assert list(cases_visible_to(scene.cast.street_admin)) == [case]


def test_a_unit_handler_sees_only_the_cases_of_their_unit(scene):
    from chuangcheng.org.models import Role

    with time_machine.travel(MONDAY, tick=False):
        case = dispatched(scene)
    other = f.UserFactory(role=Role.UNIT_HANDLER, scope=scene.cast.street,
                          person=f.PersonFactory(region=scene.cast.street, unit=scene.other_unit))
    assert list(cases_visible_to(scene.handler)) == [case]
    assert list(cases_visible_to(other)) == []
