"""Every publicity page opens for the people who do publicity and is closed to those who do not."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from chuangcheng.org.models import Role
from tests import factories as f
from tests.conftest import Cast, client_for
from tests.engagement.publicity.conftest import Places

PAGES = ["publicity:index", "publicity:pushes", "publicity:points", "publicity:visits", "publicity:coverage"]


@pytest.mark.django_db
@time_machine.travel("2026-11-27 10:00 +0800", tick=False)
def test_the_pages_open_for_workers_admins_and_leaders_and_not_for_unit_handlers(cast: Cast, places: Places) -> None:
    for user in (cast.grid_worker_a, cast.admin_a, cast.street_admin, cast.leader):
        client = client_for(user)
        for name in PAGES:
            assert client.get(reverse(name)).status_code == 200, (user.username, name)
        assert client.get(reverse("publicity:point", args=["BUS-A"])).status_code == 200
    writer = client_for(cast.grid_worker_a)
    assert writer.get(reverse("publicity:push_new")).status_code == 200
    assert writer.get(reverse("publicity:visit_new")).status_code == 200
    leader = client_for(cast.leader)
    assert leader.get(reverse("publicity:push_new")).status_code == 403
    assert leader.get(reverse("publicity:export")).status_code == 200
    assert b'name="kind"' not in leader.get(reverse("publicity:point", args=["BUS-A"])).content
    handler = f.UserFactory(username="handler", role=Role.UNIT_HANDLER, scope=cast.street)
    for name in PAGES:
        assert client_for(handler).get(reverse(name)).status_code == 403
