"""The named predicates of volunteer actions."""

from __future__ import annotations

from chuangcheng.engagement.volunteering import permissions


def test_admins_plan_in_their_scope_only(cast, crew):
    assert permissions.can_plan_action(cast.admin_a, cast.community_a)
    assert not permissions.can_plan_action(cast.admin_a, cast.community_b)
    assert permissions.can_plan_action(cast.street_admin, cast.community_b)
    assert not permissions.can_plan_action(crew.v1, cast.community_a)
    assert not permissions.can_plan_action(cast.leader)


def test_the_organizer_manages_even_without_an_admin_role(cast, crew):
    from tests.engagement.volunteering.conftest import plan

    action = plan(cast, organizer=crew.v1)
    assert permissions.can_manage_action(crew.v1, action)
    assert not permissions.can_manage_action(crew.v2, action)
    assert permissions.can_manage_action(cast.street_admin, action)
    assert not permissions.can_manage_action(cast.admin_b, action)


def test_signing_up_needs_a_person_on_the_register(cast, crew):
    assert permissions.can_sign_up(crew.v1)
    assert not permissions.can_sign_up(cast.admin_a)


def test_participation_and_ledger_are_for_offices_and_leaders(cast, crew):
    for user in (cast.street_admin, cast.admin_a, cast.leader):
        assert permissions.can_see_participation(user) and permissions.can_export_ledger(user)
    for user in (crew.v1, cast.grid_worker_a):
        assert not permissions.can_see_participation(user) and not permissions.can_export_ledger(user)
