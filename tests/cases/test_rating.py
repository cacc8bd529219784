"""The `rate` transition of the case workflow (群众满意率) and the street office's answer to a
resident's 不满意: who may rate (nobody signed in: the system on the reporter's behalf), from which
state, once per closing, and what 不满意 changes; `close_again` when the fix stands."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from chuangcheng.cases import permissions, services
from chuangcheng.cases.models import Case, Rating, Resolution, State
from chuangcheng.cases.workflow import CASES
from chuangcheng.core.workflow import SYSTEM, TransitionNotAllowed
from tests.cases.conftest import Scene, dispatched, photo


def closed(scene: Scene) -> Case:
    case = dispatched(scene)
    services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "green")])
    services.verify_case(case, by=scene.inspector)
    case.refresh_from_db()
    return case


def test_rate_is_no_button_and_nobody_signed_in_may_rate(scene: Scene) -> None:
    case = closed(scene)
    assert not CASES["rate"].offered
    for user in (scene.cast.street_admin, scene.cast.admin_a, scene.inspector, scene.handler):
        assert "rate" not in permissions.allowed_actions(user, case)
        with pytest.raises(PermissionDenied):
            services.rate_case(case, by=user, rating=Rating.SATISFIED)
    with pytest.raises(TypeError):
        services.rate_case(case, by=None, rating=Rating.SATISFIED)  # type: ignore[arg-type]
    case.refresh_from_db()
    assert case.rating == "" and not case.events.filter(action="rate").exists()


def test_only_a_case_closed_as_fixed_is_rated(scene: Scene) -> None:
    open_case = dispatched(scene)
    with pytest.raises(TransitionNotAllowed):
        services.rate_case(open_case, by=SYSTEM, rating=Rating.SATISFIED)
    impossible = dispatched(scene)
    services.rectify_case(impossible, by=scene.handler, photos=[photo(scene.handler)])
    services.verify_case(impossible, by=scene.inspector, resolution=Resolution.NOT_FIXABLE)
    with pytest.raises(TransitionNotAllowed):
        services.rate_case(impossible, by=SYSTEM, rating=Rating.SATISFIED)
    rejected = services.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                    description="x", point=scene.point)
    services.reject_case(rejected, by=scene.cast.street_admin, reason="不归我们管")
    with pytest.raises(TransitionNotAllowed):
        services.rate_case(rejected, by=SYSTEM, rating=Rating.SATISFIED)


def test_bad_ratings_are_refused_with_nothing_written(scene: Scene) -> None:
    case = closed(scene)
    version = case.version
    with pytest.raises(ValidationError) as exc:
        services.rate_case(case, by=SYSTEM, rating="great")
    assert "rating" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason="")
    assert "reason" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason="太" * 501)
    assert "reason" in exc.value.message_dict
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "" and case.version == version


def test_satisfied_keeps_the_case_closed_and_records_the_rating_once(scene: Scene) -> None:
    case = closed(scene)
    event = services.rate_case(case, by=SYSTEM, rating=Rating.BASIC, reason="还行")
    assert event.action == "rate" and event.data["rating"] == "basic" and event.actor is None
    assert event.from_state == event.to_state == State.CLOSED
    case.refresh_from_db()
    assert case.rating == Rating.BASIC and case.rating_reason == "还行" and case.rated_at is not None
    with pytest.raises(TransitionNotAllowed, match="已经评价"):
        services.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason="改主意了")


def test_not_satisfied_goes_back_to_the_office_counted_as_reopened_and_can_be_dispatched(scene: Scene) -> None:
    case = closed(scene)
    event = services.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason="只撕了一半")
    assert event.note == "居民不满意：只撕了一半" and event.data == {"rating": "unsatisfied", "reopened": True}
    assert event.deadline is None
    case.refresh_from_db()
    assert case.state == State.ACCEPTED and case.reopen_count == 1 and case.resolution == Resolution.NONE
    assert case.unit == scene.unit  # who fixed it stays visible (and the reopening counts against it)
    assert case.deadline is None and not case.is_overdue() and case.closed_at is None
    admin = scene.cast.street_admin
    assert {"dispatch", "close_again"} <= set(permissions.allowed_actions(admin, case))
    services.dispatch_case(case, by=admin, unit=scene.other_unit)
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.unit == scene.other_unit and case.deadline is not None
    assert "close_again" not in permissions.allowed_actions(admin, case)


def test_the_office_closes_again_from_the_case_page_when_the_fix_stands(scene: Scene) -> None:
    case = closed(scene)
    services.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason="地上还有胶")
    staff = Client()
    staff.force_login(scene.cast.street_admin)
    case.refresh_from_db()
    page = staff.get(f"/cases/{case.number}/").content.decode()
    assert 'data-action="close_again"' in page and "居民不满意" in page
    response = staff.post(f"/cases/{case.number}/act/close_again/", {"version": case.version, "note": ""})
    assert response.status_code == 400
    response = staff.post(f"/cases/{case.number}/act/close_again/",
                          {"version": case.version, "note": "胶痕属正常磨损，已复核，维持结案"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.resolution == Resolution.FIXED and case.closed_at is not None
    assert case.reopen_count == 1
    # A new closing: the resident may rate it again.
    services.rate_case(case, by=SYSTEM, rating=Rating.BASIC)
    case.refresh_from_db()
    assert case.rating == Rating.BASIC and case.state == State.CLOSED


def test_close_again_is_only_for_a_case_sent_back_by_a_rating(scene: Scene) -> None:
    admin = scene.cast.street_admin
    case = services.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                description="x", point=scene.point)
    services.accept_case(case, by=admin)
    assert "close_again" not in permissions.allowed_actions(admin, case)
    with pytest.raises(TransitionNotAllowed):
        services.close_again(case, by=admin, note="想直接结案")
    rated = closed(scene)
    services.rate_case(rated, by=SYSTEM, rating=Rating.UNSATISFIED, reason="没修好")
    rated.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.close_again(rated, by=scene.cast.admin_b, note="别的社区")  # outside their scope
    with pytest.raises(PermissionDenied):
        services.close_again(rated, by=scene.handler, note="我们修好了")


def test_the_timeline_names_the_rating(scene: Scene, as_user: Any) -> None:
    case = closed(scene)
    services.rate_case(case, by=SYSTEM, rating=Rating.SATISFIED)
    page = as_user(scene.cast.street_admin).get(f"/cases/{case.number}/").content.decode()
    assert "反映人评价了整改结果" in page and "居民评价：满意" in page
    assert 'id="case-rating" data-rating="satisfied"' in page


def test_the_api_shows_the_rating_and_its_event(scene: Scene, as_user: Any) -> None:
    case = closed(scene)
    services.rate_case(case, by=SYSTEM, rating=Rating.UNSATISFIED, reason="没修好")
    detail = as_user(scene.cast.street_admin).get(f"/api/cases/{case.number}").json()
    assert detail["rating"] == "unsatisfied" and detail["rating_reason"] == "没修好" and detail["rated_at"]
    assert detail["state"] == "accepted" and detail["reopen_count"] == 1
    assert "close-again" in detail["allowed_actions"] and "rate" not in detail["allowed_actions"]
    [event] = [e for e in detail["events"] if e["action"] == "rate"]
    assert event["data"]["rating"] == "unsatisfied" and event["actor"] == "system"


def test_the_daily_figures_count_a_rating_and_the_reopening_it_causes(scene: Scene) -> None:
    """不满意 reopens the case: the day's figures count the rating, the reopening (the ranking's
    rework part reads it), and the case list's "reopened" filter finds it; closing it again counts
    as a closing, not as a first-time one."""
    from chuangcheng.cases.queries import CaseFilter, filter_cases
    from chuangcheng.core import clock
    from chuangcheng.reports.services.rollups import compute_day

    happy, unhappy = closed(scene), closed(scene)
    services.rate_case(happy, by=SYSTEM, rating=Rating.SATISFIED)
    services.rate_case(unhappy, by=SYSTEM, rating=Rating.UNSATISFIED, reason="垃圾又堆回来了")
    street = scene.cast.street
    today = clock.today()
    row = compute_day(today, street, now=clock.now()).regions[street.pk]
    assert (row["ratings_satisfied"], row["ratings_unsatisfied"]) == (1, 1)
    assert row["cases_reopened"] == 1
    assert row["cases_first_time"] == 2  # both were closed at the first attempt today
    assert row["cases_overdue"] == 0  # back with the street office: no running deadline

    flt = CaseFilter(did="reopened", since=today.isoformat(), until=today.isoformat())
    assert [c.pk for c in filter_cases(scene.cast.street_admin, flt)] == [unhappy.pk]

    unhappy.refresh_from_db()
    services.close_again(unhappy, by=scene.cast.street_admin, note="复查：已清理，维持结案")
    again = compute_day(today, street, now=clock.now()).regions[street.pk]
    assert again["cases_closed"] == row["cases_closed"] + 1
    assert again["cases_first_time"] == 2
