"""The demo's residents' reports, on a small subdistrict of its own (not the whole demo): reports
are written through the services over the weeks, handled at later moments, and stop at midnight."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chuangcheng.cases.models import Case, Source, State
from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.public import add_resident_reports
from chuangcheng.org.models import Role, Unit
from chuangcheng.public.models import Feedback, Report
from tests import factories as f


@pytest.fixture
def small_street(db: None, media: Any) -> None:
    street = f.street(code=STREET_CODE, name="演示街道")
    community = f.community(street, name="演示社区", boundary=f.square(111.65, 40.82, 0.01))
    f.grid(community, name="演示网格", boundary=f.square(111.65, 40.82, 0.004))
    f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street)
    unit = f.UnitFactory(code="CG-DEMO", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=street)
    person = f.PersonFactory(code="P-DEMO", name="经办人", region=street, unit=unit)
    f.UserFactory(username="cg_handler", role=Role.UNIT_HANDLER, scope=street, person=person)


def test_the_demo_reports_are_played_through_the_services(small_street: None) -> None:
    now = clock.local(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC))
    made = add_resident_reports(seed=3, weeks=3, now=now, per_day=(2, 3))
    assert made == Report.objects.count() > 20
    assert set(Case.objects.values_list("source", flat=True)) == {Source.RESIDENT}
    states = set(Case.objects.values_list("state", flat=True))
    assert State.CLOSED in states and State.REPORTED in states
    assert Report.objects.filter(feedback=Feedback.FIXED).exists()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    from chuangcheng.cases.models import CaseEvent

    assert not CaseEvent.objects.filter(at__gte=midnight).exists()
