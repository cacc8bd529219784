"""Volunteers of community A (two party members, one not), an action at 甲社区's square and
helpers to move the clock. The action runs 09:00–11:00 local on Saturday 2026-11-21."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chuangcheng.engagement.volunteering import services
from chuangcheng.engagement.volunteering.models import Action
from chuangcheng.org.models import Role, User
from tests import factories as f

LON, LAT = 111.650, 40.820  # the square in 甲社区 (inside grid 甲一网格)
PLANNED_AT = timezone.make_aware(dt.datetime(2026, 11, 18, 10, 0))  # noqa: DTZ001 - made aware
START = timezone.make_aware(dt.datetime(2026, 11, 21, 9, 0))  # noqa: DTZ001
END = START + dt.timedelta(hours=2)


@dataclass
class Crew:
    v1: User  # party member
    v2: User  # party member
    v3: User  # not a party member
    outsider: User  # a volunteer of community B


def _volunteer(code: str, name: str, region: Any, *, party: bool) -> User:
    person = f.PersonFactory(code=code, name=name, region=region, volunteer=True, party_member=party)
    return f.UserFactory(username=code.lower(), role=Role.VOLUNTEER, scope=region, person=person)


@pytest.fixture
def crew(cast: Any) -> Crew:
    return Crew(
        v1=_volunteer("V1", "志愿者一", cast.community_a, party=True),
        v2=_volunteer("V2", "志愿者二", cast.grid_a, party=True),
        v3=_volunteer("V3", "志愿者三", cast.community_a, party=False),
        outsider=_volunteer("V9", "乙社区志愿者", cast.community_b, party=True),
    )


def at(moment: dt.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


def plan(cast: Any, *, capacity: int = 10, by: Any = None, **kw: Any) -> Action:
    values = {"kind": Action.Kind.PERSUASION, "title": "劝导乱停车", "community": cast.community_a,
              "place_name": "甲社区广场", "lon": LON, "lat": LAT, "starts_at": START, "ends_at": END,
              "capacity": capacity, "targets": ["parking", "bicycles"], **kw}
    with at(PLANNED_AT):
        return services.plan_action(by=by or cast.admin_a, **values)


@pytest.fixture
def action(cast: Any) -> Action:
    return plan(cast)


def offset(metres_north: float) -> tuple[float, float]:
    """A place `metres_north` metres north of the square."""
    return LON, LAT + metres_north / 111_195.0


def jpeg(color: str = "red") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(out, format="JPEG")
    return SimpleUploadedFile(f"{color}.jpg", out.getvalue(), content_type="image/jpeg")

