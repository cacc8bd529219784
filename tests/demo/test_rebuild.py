"""One seed, one subdistrict: build with the command, wipe, build again, compare."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from chuangcheng.demo.generator import build_demo
from chuangcheng.org.models import Region, User
from tests.demo.support import PASSWORD, snapshot, wipe


@pytest.mark.slow
def test_the_same_seed_builds_the_same_subdistrict_twice(db: None) -> None:
    if Region.objects.filter(code="150103001").exists():
        wipe()
    out = io.StringIO()

    call_command("demo", no_serve=True, password=PASSWORD, stdout=out)
    first = snapshot()
    wipe()
    result = build_demo(seed=1)

    text = out.getvalue()
    assert "光明路街道" in text and PASSWORD in text and "  community_admin_8 " in text
    assert result.created and len(result.password) >= 12
    assert User.objects.get(username="leader").check_password(result.password)
    assert snapshot() == first
    assert len(first["points"]) >= 140
