"""The cast: a district with one street and two communities (A and B), each with one grid,
and a login for each role that matters for scope. Tests use these names."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from chuangcheng.org.models import Region, Role, User
from tests import factories as f

PASSWORD = "correct horse battery"


@dataclass
class Cast:
    district: Region
    street: Region
    community_a: Region
    community_b: Region
    grid_a: Region
    grid_b: Region
    street_admin: User
    admin_a: User
    admin_b: User
    grid_worker_a: User
    leader: User


@pytest.fixture
def cast(db: None) -> Cast:
    district = f.district(code="150103", name="回民区")
    street = f.street(district, code="150103001", name="光明路街道")
    community_a = f.community(street, code="150103001001", name="甲社区",
                              boundary=f.square(111.650, 40.820, 0.01))
    community_b = f.community(street, code="150103001002", name="乙社区",
                              boundary=f.square(111.700, 40.820, 0.01))
    grid_a = f.grid(community_a, code="150103001001-01", name="甲一网格", boundary=f.square(111.650, 40.820))
    grid_b = f.grid(community_b, code="150103001002-01", name="乙一网格", boundary=f.square(111.700, 40.820))
    return Cast(
        district=district,
        street=street,
        community_a=community_a,
        community_b=community_b,
        grid_a=grid_a,
        grid_b=grid_b,
        street_admin=f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street, is_staff=True),
        admin_a=f.UserFactory(username="admin_a", role=Role.COMMUNITY_ADMIN, scope=community_a, is_staff=True),
        admin_b=f.UserFactory(username="admin_b", role=Role.COMMUNITY_ADMIN, scope=community_b, is_staff=True),
        grid_worker_a=f.UserFactory(username="grid_worker_a", role=Role.GRID_WORKER, scope=grid_a),
        leader=f.UserFactory(username="leader", role=Role.LEADER, scope=street),
    )


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def as_user():
    return client_for
