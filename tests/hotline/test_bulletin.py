"""The daily bulletin says the hotline's figures under 案件处置 when work orders came, and not otherwise."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangcheng.core import clock
from chuangcheng.hotline import services
from chuangcheng.reports.bulletin_doc import blocks
from chuangcheng.reports.queries.bulletins import compose_bulletin
from tests.hotline.conftest import receive

pytestmark = pytest.mark.django_db


def _paragraph(content):
    return next((b["text"] for b in blocks(content, number=1) if b.get("id") == "hotline"), None)


def test_the_bulletin_gives_the_days_hotline_figures(scene):
    order = receive(scene, "B-1", received_at=clock.now() - dt.timedelta(hours=2),
                    sign_due=clock.now() - dt.timedelta(hours=1))
    receive(scene, "B-2", received_at=clock.now() - dt.timedelta(hours=2), sign_due=clock.now() - dt.timedelta(hours=1))
    services.sign_order(order, by=scene.cast.street_admin)  # late: after its limit
    content = compose_bulletin(scene.cast.street, clock.today())
    assert content["hotline"]["received"] == 2
    text = _paragraph(content)
    assert text is not None and "12345工单" in text and "及时签收率 0.0%" in text


def test_a_day_without_work_orders_has_no_hotline_paragraph(scene):
    content = compose_bulletin(scene.cast.street, clock.today())
    assert _paragraph(content) is None


def test_the_street_overview_shows_this_weeks_hotline_rates(scene):
    from tests.conftest import client_for

    order = receive(scene, "D-1", received_at=clock.now() - dt.timedelta(hours=3),
                    sign_due=clock.now() - dt.timedelta(hours=1))
    services.sign_order(order, by=scene.cast.street_admin)  # an hour after its limit
    receive(scene, "D-2", received_at=clock.now() - dt.timedelta(hours=2), sign_due=clock.now() - dt.timedelta(hours=1))
    street = client_for(scene.cast.street_admin).get(f"/reports/?region={scene.cast.street.code}").content.decode()
    response = client_for(scene.cast.street_admin).get(f"/reports/community/{scene.cast.community_a.code}/")
    assert response.status_code == 200
    community = response.content.decode()
    assert 'id="hotline-rates"' in street and "12345热线工单（本周）" in street
    assert 'data-rate-value="timely_signing">0.0%<' in street and ">0 / 2<" in street
    assert 'id="hotline-rates"' not in community  # orders belong to the street
