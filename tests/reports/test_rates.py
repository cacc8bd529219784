"""The case rates (reports.rates): each formula on hand-made numbers, then one day counted by hand.

The day is Wednesday 3 June 2026 (X) in the cast's street; every case is 非法小广告 (one working day:
dispatched on Tuesday at 09:10, it falls due on Wednesday at 17:30). P = 甲物业, S = 城管中队.

| case | unit | what happened | on X |
|---|---|---|---|
| K1 | P | dispatched Tue, rectified X 10:00, closed X 11:00, rated satisfied X 12:00 | due, met; first-time close |
| K2 | P | rectified Tue 15:00, closed Tue 16:00; rated basic, then unsatisfied on X | due, met (fixed the day before) |
| K3 | P | dispatched Tue, never rectified | due, missed; overdue at the end of X |
| K4 | S | dispatched Tue; 3 days more granted on X 10:00 (until Fri 17:30) | not due on X: due Friday |
| K5 | P | dispatched Tue, rectified Thu 10:00 (late) | due, missed; overdue at the end of X |
| K6 | P | dispatched Fri 29 May (due Mon 1 June 17:30), never rectified | carried in: overdue at X's start |
| K8 | S | rectified, returned for rework, rectified Tue; closed X 09:00 | due, met; not first-time |
| R1 | – | a resident's report in grid B on X | reported by residents |
| H1 | – | a hotline report in grid B on X | reported by residents |

X, street: due 5 (K1 K2 K3 K5 K8), met 3 (K1 K2 K8), carried 1 (K6) → 按期处置率 3 ÷ 6 = 50 %;
closed 2 (K1, K8), first-time 1 → 一次完成率 50 %; ratings 3 (satisfied 1, basic 1, unsatisfied 1) →
群众满意率 2 ÷ 3; opened 2 (R1, H1), both by residents → 监督举报率 100 %.
Units on X: P due 4 (K1 K2 K3 K5), met 2, carried 1 (K6) → 2 ÷ 5 = 40 %; S due 1 (K8), met 1 → 100 %.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs

import pytest
import time_machine
from django.http import QueryDict

from chuangcheng.cases import queries as case_queries
from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, CaseEvent, Category, State
from chuangcheng.core import clock
from chuangcheng.core.workflow import SYSTEM
from chuangcheng.org.models import Unit
from chuangcheng.reports import rates
from chuangcheng.reports.queries import figures
from chuangcheng.reports.queries.bulletins import compose_bulletin
from chuangcheng.reports.services.rollups import build_day, compute_day
from tests import factories as f
from tests.reports.conftest import after_photo, at

X = dt.date(2026, 6, 3)  # Wednesday
TUE, THU, FRI = X - dt.timedelta(days=1), X + dt.timedelta(days=1), X + dt.timedelta(days=2)
LAST_FRIDAY = dt.date(2026, 5, 29)
THU_NOON = at(THU, 12)


# --- the formulas on plain numbers -------------------------------------------------------------


def test_on_time_divides_the_met_deadlines_by_those_that_fell_plus_the_overdue_carried_in():
    assert rates.on_time(3, 5, 1) == pytest.approx(50.0)
    assert rates.on_time(3, 3) == pytest.approx(100.0)
    # Nothing fell due, but one case was overdue when the period began: 0 %, not "—", not 100 %.
    assert rates.on_time(0, 0, 1) == 0.0
    assert rates.on_time(0, 0, 0) is None


def test_each_other_rate_on_hand_made_numbers():
    assert rates.closure(8, 2) == pytest.approx(80.0)  # 8 closed, 2 still open
    assert rates.closure(0, 0) is None
    assert rates.rework(1, 4) == pytest.approx(25.0)
    assert rates.rework(1, 0) is None
    assert rates.first_time(3, 4) == pytest.approx(75.0)
    assert rates.dispatch_accuracy(1, 10) == pytest.approx(90.0)
    assert rates.dispatch_accuracy(3, 2) == 0.0  # never below 0
    assert rates.dispatch_accuracy(0, 0) is None
    assert rates.public_report(2, 8) == pytest.approx(25.0)
    assert rates.satisfaction(6, 2, 2) == pytest.approx(80.0)  # 基本满意 counts as satisfied
    assert rates.satisfaction(0, 0, 0) is None


def test_the_guides_worked_example():
    """docs/guide/dashboards.md, "小例子": one community's week."""
    week = {"cases_due": 5, "cases_due_met": 3, "cases_carried": 1, "cases_closed": 8, "cases_open": 2,
            "cases_rectified": 4, "cases_returned": 1, "cases_first_time": 6, "cases_dispatched": 10,
            "cases_wrong_unit": 1, "cases_opened": 8, "cases_from_residents": 2,
            "ratings_satisfied": 6, "ratings_basic": 2, "ratings_unsatisfied": 2}
    assert {key: round(value, 1) for key, value in rates.rates_of(week).items()} == {
        "on_time_rate": 50.0, "closure_rate": 80.0, "rework_rate": 25.0, "first_time_rate": 75.0,
        "dispatch_accuracy": 90.0, "public_report_rate": 25.0, "satisfaction_rate": 80.0}


def test_every_rate_has_its_formula_in_words():
    assert list(rates.FORMULAS) == ["on_time_rate", "closure_rate", "rework_rate", "first_time_rate",
                                    "dispatch_accuracy", "public_report_rate", "satisfaction_rate"]
    assert all(str(f.name) and "÷" in str(f.words) for f in rates.FORMULAS.values())
    assert set(rates.rates_of({})) == set(rates.FORMULAS)
    assert all(value is None for value in rates.rates_of({}).values())


# --- the day ---------------------------------------------------------------------------------------


def _dispatched(cast: Any, unit: Unit, moment: dt.datetime, text: str) -> Case:
    with clock.pinned(moment):
        case = cases.report_case(by=SYSTEM, source="staff", category=Category.objects.get(code="XC01"),
                                 description=text, grid=cast.grid_a)
    with clock.pinned(moment + dt.timedelta(minutes=10)):
        cases.accept_case(case, by=cast.street_admin)
        cases.dispatch_case(case, by=cast.street_admin, unit=unit)
    return case


def _rectify(case: Case, moment: dt.datetime, color: str = "green") -> None:
    with clock.pinned(moment):
        cases.rectify_case(case, by=SYSTEM, photos=[after_photo(None, color)])


def _verify(case: Case, moment: dt.datetime) -> None:
    with clock.pinned(moment):
        cases.verify_case(case, by=SYSTEM)


def _rate(case: Case, moment: dt.datetime, rating: str) -> None:
    """A resident's rating as the `rate` action records it (the rating service lives elsewhere)."""
    CaseEvent.objects.create(case=case, action="rate", from_state=State.CLOSED, to_state=State.CLOSED, at=moment,
                             data={"rating": rating})


@pytest.fixture
def day(cast: Any, media: Any) -> dict[str, Case]:
    prop = f.UnitFactory(code="WY-A", name="甲物业", kind=Unit.Kind.PROPERTY, region=cast.community_a)
    squad = f.UnitFactory(code="CG", name="城管中队", kind=Unit.Kind.CITY_MANAGEMENT, region=cast.street)
    k = {}
    k["K6"] = _dispatched(cast, prop, at(LAST_FRIDAY, 9), "K6")
    for name, unit in [("K1", prop), ("K2", prop), ("K3", prop), ("K4", squad), ("K5", prop), ("K8", squad)]:
        k[name] = _dispatched(cast, unit, at(TUE, 9), name)
    _rectify(k["K2"], at(TUE, 15))
    _verify(k["K2"], at(TUE, 16))
    _rectify(k["K8"], at(TUE, 10))
    with clock.pinned(at(TUE, 11)):
        cases.return_for_rework(k["K8"], by=SYSTEM, note="没清干净")
    _rectify(k["K8"], at(TUE, 12), "blue")
    _verify(k["K8"], at(X, 9))
    _rectify(k["K1"], at(X, 10))
    _verify(k["K1"], at(X, 11))
    with clock.pinned(at(X, 9, 30)):
        cases.request_extension(k["K4"], by=SYSTEM, until=at(FRI, 17, 30), reason="需要协调")
    with clock.pinned(at(X, 10)):
        cases.decide_extension(k["K4"], by=SYSTEM, grant=True)
    _rate(k["K1"], at(X, 12), "satisfied")
    _rate(k["K2"], at(X, 12), "basic")
    _rate(k["K2"], at(X, 13), "unsatisfied")
    _rectify(k["K5"], at(THU, 10))
    with clock.pinned(at(X, 14)):
        k["R1"] = cases.report_case(by=SYSTEM, source="resident", category=Category.objects.get(code="SR01"),
                                    description="垃圾", grid=cast.grid_b)
        k["H1"] = cases.report_case(by=SYSTEM, source="hotline", category=Category.objects.get(code="SR01"),
                                    description="热线", grid=cast.grid_b)
    for case in k.values():
        case.refresh_from_db()
    return k


def test_the_day_counts_each_deadline_that_fell_on_it(cast, day):
    k4 = day["K4"]
    assert k4.deadline == at(FRI, 17, 30)  # the extension moved it
    with time_machine.travel(THU_NOON, tick=False):
        result = compute_day(X, cast.street)
    street = result.regions[cast.street.pk]
    assert (street["cases_due"], street["cases_due_met"]) == (5, 3)
    assert (street["cases_closed"], street["cases_first_time"]) == (2, 1)
    assert (street["ratings_satisfied"], street["ratings_basic"], street["ratings_unsatisfied"]) == (1, 1, 1)
    assert street["cases_overdue"] == 3  # K3, K5 (rectified only on Thursday) and K6
    prop, squad = Unit.objects.get(code="WY-A"), Unit.objects.get(code="CG")
    assert (result.units[prop.pk]["cases_due"], result.units[prop.pk]["cases_due_met"]) == (4, 2)
    assert (result.units[squad.pk]["cases_due"], result.units[squad.pk]["cases_due_met"]) == (1, 1)
    assert result.units[squad.pk]["cases_first_time"] == 0  # K8 was returned for rework
    assert result.units[prop.pk]["cases_first_time"] == 1  # K1


def test_a_deadline_extended_in_time_falls_only_at_its_new_moment(cast, day):
    with time_machine.travel(at(FRI + dt.timedelta(days=3), 12), tick=False):
        friday = compute_day(FRI, cast.street).regions[cast.street.pk]
        thursday = compute_day(THU, cast.street).regions[cast.street.pk]
    assert (friday["cases_due"], friday["cases_due_met"]) == (1, 0)  # K4, never rectified
    assert thursday["cases_due"] == 0


def test_the_bulletin_never_shows_100_percent_on_time_beside_overdue_cases(cast, day):
    with time_machine.travel(THU_NOON, tick=False):
        content = compose_bulletin(cast.street, X)
    s = content["summary"]
    assert s["cases_overdue"] == 3
    assert (s["cases_due"], s["cases_due_met"], s["cases_carried"]) == (5, 3, 1)
    assert s["on_time_rate"] == 50.0 < 100
    assert s["first_time_rate"] == 50.0
    assert s["rating_satisfaction_rate"] == pytest.approx(66.7)
    assert s["public_report_rate"] == 100.0  # R1 and H1 were the day's only new cases
    by_key = {row["key"]: row for row in content["rates"]}
    assert by_key["on_time_rate"]["value"] == 50.0
    assert by_key["on_time_rate"]["words"] == str(rates.FORMULAS["on_time_rate"].words)
    assert [p["count"] for p in by_key["on_time_rate"]["parts"]] == [3, 6, 3]


def _listed(user: Any, link: dict[str, Any], now: dt.datetime) -> set[str]:
    params = QueryDict(link["query"])
    flt = case_queries.CaseFilter.from_params(params)
    return set(case_queries.filter_cases(user, flt, now=now).values_list("description", flat=True))


def test_each_count_links_to_exactly_the_cases_it_counts(cast, day):
    with time_machine.travel(THU_NOON, tick=False):
        content = compose_bulletin(cast.street, X)
    admin = cast.street_admin
    parts = {row["key"]: row["parts"] for row in content["rates"]}
    met, due, missed = parts["on_time_rate"]
    assert _listed(admin, met["link"], THU_NOON) == {"K1", "K2", "K8"}
    assert _listed(admin, due["link"], THU_NOON) == {"K1", "K2", "K3", "K5", "K6", "K8"}
    assert _listed(admin, missed["link"], THU_NOON) == {"K3", "K5", "K6"}
    first, closed = parts["first_time_rate"]
    assert _listed(admin, first["link"], THU_NOON) == {"K1"}
    assert _listed(admin, closed["link"], THU_NOON) == {"K1", "K8"}
    positive, ratings = parts["satisfaction_rate"]
    assert _listed(admin, positive["link"], THU_NOON) == {"K1", "K2"}
    assert _listed(admin, ratings["link"], THU_NOON) == {"K1", "K2"}
    residents, _opened = parts["public_report_rate"]
    assert _listed(admin, residents["link"], THU_NOON) == {"垃圾", "热线"}
    assert content["links"]["cases_from_residents"] == residents["link"]
    assert "due=met" in met["link"]["query"] and parse_qs(met["link"]["query"])["since"] == [X.isoformat()]


def test_the_stored_days_give_the_same_rates_and_carry_overdue_cases_into_the_next(cast, day):
    with time_machine.travel(THU_NOON, tick=False):
        build_day(TUE)
        build_day(X)
        stored = figures.totals(cast.street, X, X)
        thursday = figures.totals(cast.street, THU, THU)
        units = {u.code: uf for u, uf in figures.units(cast.street, X, X)}
    assert (stored.cases_due, stored.cases_due_met, stored.cases_carried) == (5, 3, 1)
    assert stored.on_time_rate == pytest.approx(50.0)
    # Thursday (today, live) starts with the three cases overdue at the end of Wednesday.
    assert thursday.cases_carried == 3
    assert units["WY-A"].on_time_rate == pytest.approx(40.0)  # 2 ÷ (4 + K6 carried)
    assert units["CG"].on_time_rate == pytest.approx(100.0)
    assert units["CG"].first_time_rate == 0.0 and units["WY-A"].first_time_rate == 100.0


def test_the_case_list_reads_the_new_filters_and_ignores_unknown_values():
    flt = case_queries.CaseFilter.from_params(QueryDict("due=met&first_time=1&rating=positive&did=rated"))
    assert (flt.due, flt.first_time, flt.rating, flt.did) == ("met", True, "positive", "rated")
    bad = case_queries.CaseFilter.from_params(QueryDict("due=soon&rating=great"))
    assert (bad.due, bad.rating) == ("", "")


def test_the_bulletin_page_and_the_overview_show_each_rate_with_its_formula_and_lists(cast, day):
    from chuangcheng.reports.services.bulletins import draft_bulletin
    from chuangcheng.reports.services.rollups import build_missing_days
    from tests.conftest import client_for

    with time_machine.travel(THU_NOON, tick=False):
        draft_bulletin(cast.street, X)
        html = client_for(cast.street_admin).get(f"/reports/bulletins/{cast.street.code}/{X}/").content.decode()
    assert 'data-rate="on_time_rate"' in html and 'data-rate-value="on_time_rate">50.0%<' in html
    assert "按期整改的案件数 ÷（本期到期的案件数 + 期初已超期未处置的案件数）" in html
    assert f'href="/cases/?region={cast.street.code}&amp;since={X}&amp;until={X}&amp;due=met">3<' in html
    assert f'href="/cases/?region={cast.street.code}&amp;since={X}&amp;until={X}&amp;due=due">6<' in html
    with time_machine.travel(THU_NOON, tick=False):
        build_missing_days()  # the periodic job: the overview reads finished days as stored
        page = client_for(cast.street_admin).get("/reports/").content.decode()
    assert 'id="case-rates"' in page and "（满意 + 基本满意）÷ 评价数" in page
    # This week (Mon 1 – Thu 4 June): K1 K2 K3 K5 K8 fell due on Wednesday, K6 on Monday: 3 of 6.
    assert 'data-rate-value="on_time_rate">50.0%<' in page
