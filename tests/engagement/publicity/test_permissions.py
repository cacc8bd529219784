"""Who may push, register items, record visits and export the ledgers."""

from __future__ import annotations

import pytest

from chuangcheng.engagement.publicity import permissions
from chuangcheng.org.models import Role
from tests import factories as f
from tests.conftest import Cast


@pytest.mark.django_db
def test_grid_workers_push_to_their_grid_and_admins_to_the_grids_of_their_region(cast: Cast) -> None:
    assert permissions.can_push(cast.grid_worker_a, cast.grid_a)
    assert not permissions.can_push(cast.grid_worker_a, cast.grid_b)
    assert permissions.can_push(cast.admin_a, cast.grid_a) and not permissions.can_push(cast.admin_a, cast.grid_b)
    assert permissions.can_push(cast.street_admin, cast.grid_b)
    assert not permissions.can_push(cast.street_admin, cast.community_a)  # grids only: a community is expanded
    assert not permissions.can_push(cast.leader, cast.grid_a)


@pytest.mark.django_db
def test_items_and_visits_are_written_in_ones_region_by_workers_and_admins(cast: Cast) -> None:
    assert permissions.can_register_item(cast.grid_worker_a, cast.grid_a)
    assert not permissions.can_register_item(cast.grid_worker_a, cast.grid_b)
    assert not permissions.can_register_item(cast.leader, cast.grid_a)
    assert permissions.can_record_visit(cast.admin_a, cast.grid_a)
    assert not permissions.can_record_visit(cast.admin_b, cast.grid_a)
    volunteer = f.UserFactory(username="vol", role=Role.VOLUNTEER, scope=cast.community_a)
    assert permissions.can_be_visitor(volunteer) and not permissions.can_record_visit(volunteer, cast.grid_a)


@pytest.mark.django_db
def test_the_ledgers_are_for_admins_and_leaders(cast: Cast) -> None:
    assert permissions.can_export(cast.admin_a) and permissions.can_export(cast.leader)
    assert not permissions.can_export(cast.grid_worker_a)
    assert permissions.can_view_publicity(cast.leader)
    handler = f.UserFactory(username="h", role=Role.UNIT_HANDLER, scope=cast.street)
    assert not permissions.can_view_publicity(handler)
