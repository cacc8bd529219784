"""The demo's survey on a small subdistrict of its own: made from the campaign template, published
to every community, answered through the service over the weeks (self and household visits), rates
differ between communities, and nothing is written at or after today's midnight."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.demo.surveys import add_surveys
from chuangcheng.org.models import Region, Role
from chuangcheng.surveys import results
from chuangcheng.surveys.models import Publication, Response, Survey
from tests import factories as f


@pytest.fixture
def small_street(db: None) -> Region:
    street = f.street(code=STREET_CODE, name="演示街道")
    for i in (1, 2):
        community = f.community(street, code=f"{STREET_CODE}00{i}", name=f"演示{i}社区")
        grid = f.grid(community, code=f"{STREET_CODE}00{i}-01", name=f"演示{i}网格")
        f.UserFactory(username=f"grid_worker_{i}", role=Role.GRID_WORKER, scope=grid)
    f.UserFactory(username="street_admin", role=Role.STREET_ADMIN, scope=street)
    return street


def test_the_demo_survey_is_answered_through_the_services(small_street: Region) -> None:
    now = clock.local(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC))
    made = add_surveys(seed=2, weeks=3, now=now)
    survey = Survey.objects.get()
    assert survey.template == "campaign"
    assert Publication.objects.filter(survey=survey).count() == 2
    assert made == Response.objects.count() > 40
    assert set(Response.objects.values_list("mode", flat=True)) == {"self", "visit"}
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    assert not Response.objects.filter(submitted_at__gte=midnight).exists()
    assert Response.objects.filter(mode="visit", region__level=Region.Level.GRID).exists()
    admin = survey.created_by
    res = results.results(admin, survey, small_street)
    assert res.total.rate("awareness").n > 0 and res.total.score().n > 0
    rates = [row.figures.rate("awareness").value for row in res.rows]
    assert len(set(rates)) == 2


def test_one_seed_gives_the_same_answers(small_street: Region) -> None:
    now = clock.local(dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.UTC))
    first = add_surveys(seed=5, weeks=1, now=now)
    modes = list(Response.objects.order_by("submitted_at", "id").values_list("mode", "submitted_at"))
    Response.objects.all().delete()
    Survey.objects.all().delete()
    assert add_surveys(seed=5, weeks=1, now=now) == first
    assert list(Response.objects.order_by("submitted_at", "id").values_list("mode", "submitted_at")) == modes
