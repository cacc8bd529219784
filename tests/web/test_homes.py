"""Each role's home (issue 16): the first screen is what that person needs now, and every figure
links to the list behind it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from chuangcheng.org.models import Role
from tests import factories as f


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("role", [r for r, _ in Role.choices])
def test_every_role_has_a_home_that_opens(cast, as_user, role):
    user = f.UserFactory(role=role, scope=cast.grid_a if role in (Role.GRID_WORKER, Role.VOLUNTEER) else cast.street)
    body = text(as_user(user).get("/"))
    assert "<h1>" in body
