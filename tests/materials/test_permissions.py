"""Who reads a street's archive and who keeps it."""

from __future__ import annotations

import pytest

from chuangcheng.materials import permissions
from chuangcheng.org.models import Role
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_street_admin_reads_and_keeps_the_archive_of_their_street(cast):
    assert permissions.can_read_materials(cast.street_admin, cast.street)
    assert permissions.can_keep_materials(cast.street_admin, cast.street)


def test_the_leader_reads_but_does_not_keep(cast):
    assert permissions.can_read_materials(cast.leader, cast.street)
    assert not permissions.can_keep_materials(cast.leader, cast.street)


def test_a_district_leader_reads_every_street_below(cast):
    district_leader = f.UserFactory(role=Role.LEADER, scope=cast.district)
    assert permissions.can_read_materials(district_leader, cast.street)


def test_community_staff_and_inspectors_neither_read_nor_keep(cast):
    inspector = f.UserFactory(role=Role.INSPECTOR, scope=cast.street)
    for user in (cast.admin_a, cast.grid_worker_a, inspector):
        assert not permissions.can_read_materials(user, cast.street)
        assert not permissions.can_keep_materials(user, cast.street)


def test_nobody_reaches_another_streets_archive(cast):
    street2 = f.street(cast.district, code="150103002")
    assert not permissions.can_read_materials(cast.street_admin, street2)
    assert not permissions.can_keep_materials(cast.street_admin, street2)
