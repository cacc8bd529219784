"""The case lists behind the due-based rates (reports.rates): cases whose deadline fell in a period
(or that were overdue at its start), those handled by it and those not; closed at the first attempt;
rated; reported by residents or the hotline.

Every case is 非法小广告 (one working day): dispatched on Monday 16 November 2026 at 09:00, it falls
due on Tuesday at 17:30.
- A: rectified Monday, closed Monday → due Tuesday, met. Reopened Wednesday → due again Thursday,
  never rectified again → missed.
- B: never rectified → due Tuesday, missed; overdue from then on (carried into Wednesday).
- C: suspended Tuesday morning → its clock stopped: nothing falls.
- D: sent back Tuesday morning as the wrong unit → no deadline: nothing falls.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine

from chuangcheng.cases import services
from chuangcheng.cases.models import CaseEvent, State
from chuangcheng.cases.queries import CaseFilter, due_in_period, fell_due, filter_cases
from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM
from tests.cases.conftest import dispatched, photo

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
TUESDAY, WEDNESDAY, THURSDAY = "2026-11-17", "2026-11-18", "2026-11-19"
LATER = dt.datetime(2026, 11, 23, 12, 0, tzinfo=SHANGHAI)


def at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 0, tzinfo=SHANGHAI)


def numbers(user, **params):
    return {case.number for case in filter_cases(user, CaseFilter.from_params(params), now=LATER)}


def build(scene):
    with time_machine.travel(MONDAY, tick=False):
        a, b, c, d = (dispatched(scene) for _ in range(4))
    with clock.pinned(at(16, 15)):
        services.rectify_case(a, by=scene.handler, photos=[photo(scene.handler)])
    with clock.pinned(at(16, 16)):
        services.verify_case(a, by=scene.inspector)
    with clock.pinned(at(17, 10)):
        services.suspend_case(c, by=scene.cast.street_admin, reason="等待拆除许可")
        services.send_back(d, by=scene.handler, reason="不归我们管")
    with clock.pinned(at(18, 10)):
        services.reopen_case(a, by=scene.inspector, note="又贴上了", photos=[photo(scene.inspector, "blue")])
    return a, b, c, d


def test_the_lists_hold_the_deadlines_that_fell_met_and_missed(scene):
    a, b, _c, _d = build(scene)
    admin = scene.cast.street_admin
    tuesday = {"since": TUESDAY, "until": TUESDAY}
    assert numbers(admin, due="due", **tuesday) == {a.number, b.number}
    assert numbers(admin, due="met", **tuesday) == {a.number}  # rectified the day before counts
    assert numbers(admin, due="missed", **tuesday) == {b.number}
    # Wednesday: nothing falls, but B was overdue when the day began.
    wednesday = {"since": WEDNESDAY, "until": WEDNESDAY}
    assert numbers(admin, due="due", **wednesday) == {b.number}
    assert numbers(admin, due="missed", **wednesday) == {b.number}
    assert numbers(admin, due="met", **wednesday) == set()
    # Reopened, A falls due again at its new deadline and misses it.
    thursday = {"since": THURSDAY, "until": THURSDAY}
    assert numbers(admin, due="due", **thursday) == {a.number, b.number}
    assert numbers(admin, due="missed", **thursday) == {a.number, b.number}


def test_suspended_and_sent_back_cases_have_no_deadline_to_fall(scene):
    a, b, c, d = build(scene)
    fell = fell_due(at(17, 0), at(18, 0))
    assert {(f.case_id, f.met) for f in fell} == {(a.pk, True), (b.pk, False)}
    assert all(f.unit == scene.unit.code for f in fell)
    assert c.pk not in due_in_period(at(18, 0), at(19, 0)).due
    assert d.pk not in due_in_period(at(18, 0), at(19, 0)).due


def test_a_deadline_still_to_come_has_not_fallen(scene):
    a, b, _c, _d = build(scene)
    assert {f.case_id for f in fell_due(at(17, 0), at(17, 17))} == set()  # 17:00, before 17:30
    # The list for today stops at now.
    with time_machine.travel(at(17, 17), tick=False):
        flt = CaseFilter.from_params({"due": "due", "since": TUESDAY, "until": TUESDAY})
        assert set(filter_cases(scene.cast.street_admin, flt).values_list("pk", flat=True)) == set()


def test_closed_at_the_first_attempt_and_ratings(scene):
    a, b, _c, _d = build(scene)
    with clock.pinned(at(17, 9)):
        services.rectify_case(b, by=scene.handler, photos=[photo(scene.handler, "green")])
    with clock.pinned(at(17, 10)):
        services.return_for_rework(b, by=scene.inspector, note="没清干净")
    with clock.pinned(at(17, 11)):
        services.rectify_case(b, by=scene.handler, photos=[photo(scene.handler, "white")])
    with clock.pinned(at(17, 12)):
        services.verify_case(b, by=scene.inspector)
    CaseEvent.objects.create(case=b, action="rate", from_state=State.CLOSED, to_state=State.CLOSED,
                             at=at(17, 13), data={"rating": "unsatisfied"})
    CaseEvent.objects.create(case=a, action="rate", from_state=State.CLOSED, to_state=State.CLOSED,
                             at=at(17, 13), data={"rating": "basic"})
    admin = scene.cast.street_admin
    monday = {"since": "2026-11-16", "until": TUESDAY}
    assert numbers(admin, did="closed", **monday) == {a.number, b.number}
    assert numbers(admin, did="closed", first_time="1", **monday) == {a.number}
    assert numbers(admin, did="rated", **monday) == {a.number, b.number}
    assert numbers(admin, did="rated", rating="positive", **monday) == {a.number}
    assert numbers(admin, did="rated", rating="unsatisfied", **monday) == {b.number}


def test_residents_and_hotline_reports_are_the_public_source(scene):
    with time_machine.travel(MONDAY, tick=False):
        resident = services.report_case(by=SYSTEM, source="resident", category=scene.category, description="垃圾",
                                        grid=scene.cast.grid_a)
        hotline = services.report_case(by=SYSTEM, source="hotline", category=scene.category, description="热线",
                                       grid=scene.cast.grid_a)
        dispatched(scene)
    assert numbers(scene.cast.street_admin, source="public") == {resident.number, hotline.number}


def test_the_list_page_offers_and_keeps_the_new_filters(scene, client):
    a, b, _c, _d = build(scene)
    client.force_login(scene.cast.street_admin)
    with time_machine.travel(LATER, tick=False):
        page = client.get("/cases/", {"due": "missed", "since": TUESDAY, "until": TUESDAY})
    html = page.content.decode()
    assert page.status_code == 200
    assert b.number in html and a.number not in html
    assert '<option value="missed" selected>' in html
    assert 'name="first_time"' in html and 'name="rating"' in html
