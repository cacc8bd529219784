"""The hotline's rates on a small scene whose numbers can be checked by hand.

Period 30 Nov – 3 Dec, now 3 Dec 10:00. Orders (receipt, 签收 limit, what happened):
  A  30 Nov 09:00, limit 30 Nov 17:00: signed 10:00 (in time); answered and finished 2 Dec 12:00, by
     its date (2 Dec 23:59) — dispatched to 甲物业; callback 满意 2 Dec 13:00.
  B  30 Nov 09:00, limit 30 Nov 17:00: signed 1 Dec 09:00 (late); finish date 1 Dec 23:59, finished
     2 Dec 12:00 (late); callback 不满意 2 Dec 14:00 (redone), finished again 3 Dec 09:00,
     callback 基本满意 3 Dec 09:30.
  C  1 Dec 09:00, limit 1 Dec 17:00: never signed; finish date 2 Dec 23:59, not finished.
  D  2 Dec 09:00, limit 2 Dec 17:00: returned 10:00 (in time; out of the finishing count).
  E  3 Dec 08:00, limit 3 Dec 20:00: not due yet, in no denominator.
及时签收率 = (A, D) / (A, B, C, D) = 50 %; 按时办结率 = A / (A, B, C) = 33.3 %;
回访满意率 = (满意 1 + 基本满意 1) / 3 callbacks = 66.7 %; 重办率 = 1 redone / 3 finishings = 33.3 %."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangcheng.cases import services as cases
from chuangcheng.hotline import services
from chuangcheng.hotline.figures import period_figures
from chuangcheng.hotline.models import Callback
from tests.hotline.conftest import at, receive

pytestmark = pytest.mark.django_db


def _scene(scene, time_machine):
    admin = scene.cast.street_admin

    def when(moment):
        time_machine.move_to(moment, tick=False)

    end_of = lambda day: at(day, 23, 59) + dt.timedelta(seconds=59)  # noqa: E731
    when(at(30, 9))
    a = receive(scene, "A", received_at=at(30, 9), sign_due=at(30, 17), finish_due=end_of(2))
    b = receive(scene, "B", received_at=at(30, 9), sign_due=at(30, 17), finish_due=end_of(1))
    when(at(30, 10))
    services.sign_order(a, by=admin)
    cases.accept_case(a.case, by=admin)
    cases.dispatch_case(a.case, by=admin, unit=scene.unit)
    when(at(1, 9))
    c = receive(scene, "C", received_at=at(1, 9), sign_due=at(1, 17), finish_due=end_of(2))
    services.sign_order(b, by=admin)
    when(at(2, 9))
    d = receive(scene, "D", received_at=at(2, 9), sign_due=at(2, 17))
    when(at(2, 10))
    services.return_order(d, by=admin, reason="非本辖区")
    when(at(2, 12))
    for order in (a, b):
        services.answer_order(order, by=admin, answer="已处理")
        services.finish_order(order, by=admin)
    when(at(2, 13))
    services.record_callback(a, by=admin, rating=Callback.SATISFIED)
    when(at(2, 14))
    services.record_callback(b, by=admin, rating=Callback.UNSATISFIED, note="没人来")
    when(at(3, 8))
    receive(scene, "E", received_at=at(3, 8), sign_due=at(3, 20))
    when(at(3, 9))
    services.answer_order(b, by=admin, answer="已重新处理")
    services.finish_order(b, by=admin)
    when(at(3, 9, 30))
    services.record_callback(b, by=admin, rating=Callback.BASIC)
    when(at(3, 10))
    return a, b, c, d


def test_the_rates_divide_by_what_fell_due(scene, time_machine):
    _scene(scene, time_machine)
    figures = period_figures(scene.cast.street, dt.date(2026, 11, 30), dt.date(2026, 12, 3))
    assert (figures["due_to_sign"], figures["signed_in_time"]) == (4, 2)
    assert (figures["due_to_finish"], figures["finished_in_time"]) == (3, 1)
    assert (figures["rated"], figures["satisfied"], figures["basic"], figures["unsatisfied"]) == (3, 1, 1, 1)
    assert (figures["finished"], figures["returned"], figures["received"]) == (3, 1, 5)
    rates = figures["rates"]
    assert rates["timely_signing"] == pytest.approx(50.0)
    assert rates["on_time_finishing"] == pytest.approx(100 / 3)
    assert rates["satisfaction"] == pytest.approx(200 / 3)
    assert rates["redo"] == pytest.approx(100 / 3)
    assert (figures["overdue_to_sign"], figures["overdue_to_finish"]) == (1, 1)  # C, both ways


def test_the_units_figures_count_their_own_orders(scene, time_machine):
    _scene(scene, time_machine)
    figures = period_figures(scene.cast.street, dt.date(2026, 11, 30), dt.date(2026, 12, 3))
    [unit] = figures["units"]
    assert unit["name"] == "甲物业"
    assert (unit["due_to_sign"], unit["signed_in_time"], unit["rated"], unit["satisfied"]) == (1, 1, 1, 1)
    assert unit["rates"]["timely_signing"] == pytest.approx(100.0)


def test_a_period_without_orders_shows_no_rate_rather_than_100(scene):
    figures = period_figures(scene.cast.street, dt.date(2026, 11, 1), dt.date(2026, 11, 2))
    assert figures["rates"] == {"timely_signing": None, "on_time_finishing": None, "satisfaction": None,
                                "redo": None}
