"""One seed, one subdistrict: wipe the session's build, build again, compare."""

from __future__ import annotations

import pytest

from chuangcheng.demo.generator import DemoResult, build_demo
from chuangcheng.org.models import User
from chuangcheng.places.models import Point
from tests.demo.support import snapshot, wipe


@pytest.mark.slow
def test_the_same_seed_builds_the_same_subdistrict_twice(demo: DemoResult, db: None) -> None:
    first = snapshot()  # the session's build
    wipe()

    result = build_demo(seed=1)

    assert result.created and len(result.password) >= 12
    assert User.objects.get(username="leader").check_password(result.password)
    assert snapshot() == first
    assert len(first["points"]) >= 140 and Point.objects.count() == len(first["points"])
