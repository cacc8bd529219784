"""The named predicates, one behaviour each."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from chuangcheng.org import permissions


def test_can_manage_region_is_limited_to_admins_in_scope(cast):
    assert permissions.can_manage_region(cast.street_admin, cast.grid_b)
    assert permissions.can_manage_region(cast.admin_a, cast.grid_a)
    assert not permissions.can_manage_region(cast.admin_a, cast.grid_b)
    assert not permissions.can_manage_region(cast.admin_a, cast.street)
    assert not permissions.can_manage_region(cast.grid_worker_a, cast.grid_a)
    assert not permissions.can_manage_region(cast.leader, cast.grid_a)


def test_can_edit_point_follows_the_grid(cast):
    assert permissions.can_edit_point(cast.admin_b, cast.grid_b)
    assert not permissions.can_edit_point(cast.admin_b, cast.grid_a)


def test_a_disabled_account_may_do_nothing(cast):
    cast.street_admin.is_active = False
    assert not permissions.can_manage_region(cast.street_admin, cast.grid_a)
    assert not permissions.can_import(cast.street_admin)


def test_anonymous_may_do_nothing(cast):
    anonymous = AnonymousUser()
    assert not permissions.can_manage_region(anonymous, cast.grid_a)
    assert not permissions.can_view_audit(anonymous)
    assert not permissions.can_see_phone_numbers(anonymous)


def test_only_the_street_office_edits_the_catalog(cast):
    assert permissions.can_edit_catalog(cast.street_admin)
    assert not permissions.can_edit_catalog(cast.admin_a)
    assert not permissions.can_edit_catalog(cast.leader)


def test_phone_numbers_are_for_roles_that_call_people(cast):
    assert permissions.can_see_phone_numbers(cast.grid_worker_a)
    assert not permissions.can_see_phone_numbers(cast.leader)


def test_volunteers_do_not_browse_the_people_register(cast, as_user):
    from chuangcheng.org.models import Role
    from tests import factories as f

    volunteer = f.UserFactory(role=Role.VOLUNTEER, scope=cast.community_a)
    assert not permissions.can_list_people(volunteer)
    assert permissions.can_list_people(cast.grid_worker_a)
    client = as_user(volunteer)
    assert client.get("/org/people/").status_code == 403
    assert "/org/people/" not in client.get("/").content.decode()
