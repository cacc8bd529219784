"""A case walks through every transition, each one an event row; wrong steps are refused."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.cases import services
from chuangcheng.cases.models import Case, CaseEvent, Resolution, State
from chuangcheng.core.workflow import Conflict, TransitionNotAllowed
from tests.cases.conftest import dispatched, photo, reported

# A Monday morning in office hours, far from holidays.
MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def test_a_case_gets_a_number_users_can_quote(scene, settings):
    settings.CASE_NUMBER_PREFIX = "GM"
    first, second = reported(scene), reported(scene)
    assert first.number == "GM-20261123-0001"
    assert second.number == "GM-20261123-0002"


def test_the_whole_loop_writes_one_event_per_step(scene):
    cast = scene.cast
    case = reported(scene)
    services.accept_case(case, by=cast.street_admin)
    services.dispatch_case(case, by=cast.street_admin, unit=scene.unit)
    assert case.deadline is not None and case.deadline > MONDAY
    services.start_rectification(case, by=scene.handler)
    services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler)])
    services.return_for_rework(case, by=scene.inspector, note="还有两张没撕干净")
    services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "blue")])
    services.verify_case(case, by=scene.inspector, photos=[photo(scene.inspector, "green")])
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.resolution == Resolution.FIXED
    assert case.rework_count == 1
    actions = list(case.events.values_list("action", "from_state", "to_state"))
    assert actions == [
        ("report", "", "reported"), ("accept", "reported", "accepted"), ("dispatch", "accepted", "dispatched"),
        ("start", "dispatched", "rectifying"), ("rectify", "rectifying", "rectified"),
        ("return_for_rework", "rectified", "rectifying"), ("rectify", "rectifying", "rectified"),
        ("verify", "rectified", "closed"),
    ]
    assert case.events.get(action="verify").photos.count() == 1


def test_a_rectification_without_an_after_photo_is_refused(scene):
    case = dispatched(scene)
    with pytest.raises(ValidationError) as exc:
        services.rectify_case(case, by=scene.handler, photos=[])
    assert "photos" in exc.value.message_dict
    assert Case.objects.get(pk=case.pk).state == State.DISPATCHED


def test_the_rectifier_may_not_verify_their_own_work(scene):
    case = dispatched(scene)
    services.rectify_case(case, by=scene.cast.street_admin, photos=[photo(scene.cast.street_admin)])
    with pytest.raises(PermissionDenied):
        services.verify_case(case, by=scene.cast.street_admin)
    services.verify_case(case, by=scene.inspector)


def test_an_action_out_of_order_is_refused_with_a_message(scene):
    case = reported(scene)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.verify_case(case, by=scene.inspector)
    assert str(exc.value)


def test_another_unit_may_not_rectify(scene):
    from chuangcheng.org.models import Role
    from tests import factories as f

    case = dispatched(scene)
    stranger = f.UserFactory(role=Role.UNIT_HANDLER, scope=scene.cast.street,
                             person=f.PersonFactory(region=scene.cast.street, unit=scene.other_unit))
    with pytest.raises(PermissionDenied):
        services.start_rectification(case, by=stranger)


def test_two_people_acting_at_once_one_wins_and_the_other_is_told(scene):
    case = reported(scene)
    stale = Case.objects.get(pk=case.pk)
    services.accept_case(case, by=scene.cast.street_admin)
    with pytest.raises((Conflict, TransitionNotAllowed)):
        services.reject_case(stale, by=scene.cast.street_admin, reason="重复")
    stale_same_state = Case.objects.get(pk=case.pk)
    services.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
    with pytest.raises(Conflict):
        services.dispatch_case(stale_same_state, by=scene.cast.street_admin, unit=scene.other_unit)
    case.refresh_from_db()
    assert case.unit == scene.unit
    assert case.events.filter(action="dispatch").count() == 1


def test_a_rejection_needs_a_reason(scene):
    case = reported(scene)
    with pytest.raises(ValidationError):
        services.reject_case(case, by=scene.cast.street_admin, reason=" ")
    services.reject_case(case, by=scene.cast.street_admin, reason="不属于本街道", resolution=Resolution.NOT_OURS)
    case.refresh_from_db()
    assert case.state == State.REJECTED and case.closed_at is not None


def test_a_wrong_unit_sends_it_back_and_it_is_counted(scene):
    case = dispatched(scene)
    services.send_back(case, by=scene.handler, reason="该电线杆属于城管管辖")
    assert case.state == State.ACCEPTED and case.unit is None and case.wrong_unit_count == 1
    services.dispatch_case(case, by=scene.cast.street_admin, unit=scene.other_unit)
    assert case.unit == scene.other_unit


def test_an_extension_is_asked_for_and_granted(scene):
    case = dispatched(scene)
    later = case.deadline + dt.timedelta(days=3)
    services.request_extension(case, by=scene.handler, until=later, reason="需要协调电力公司")
    with pytest.raises(TransitionNotAllowed):
        services.request_extension(case, by=scene.handler, until=later, reason="再次")
    services.decide_extension(case, by=scene.cast.street_admin, grant=True)
    case.refresh_from_db()
    assert case.deadline == later and case.extension_requested_until is None


def test_suspension_stops_the_clock(scene):
    case = dispatched(scene)
    deadline = case.deadline
    services.suspend_case(case, by=scene.cast.street_admin, reason="等待产权单位确认")
    assert not case.is_overdue(deadline + dt.timedelta(days=30))
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        services.resume_case(case, by=scene.cast.street_admin)
    case.refresh_from_db()
    assert case.state == State.DISPATCHED
    assert case.deadline > deadline


def test_a_closed_case_reopens_with_evidence_against_the_same_unit(scene):
    case = dispatched(scene)
    services.rectify_case(case, by=scene.handler, photos=[photo(scene.handler)])
    services.verify_case(case, by=scene.inspector)
    with pytest.raises(ValidationError):
        services.reopen_case(case, by=scene.inspector, note="又贴上了", photos=[])
    services.reopen_case(case, by=scene.inspector, note="又贴上了", photos=[photo(scene.inspector, "yellow")])
    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.unit == scene.unit and case.reopen_count == 1
    assert case.resolution == Resolution.NONE


def test_a_community_admin_may_not_triage_another_communitys_case(scene):
    case = reported(scene)
    with pytest.raises(PermissionDenied):
        services.accept_case(case, by=scene.cast.admin_b)


def test_events_are_append_only(scene):
    case = reported(scene)
    event = CaseEvent.objects.get(case=case)
    event.note = "改写"
    with pytest.raises(ValueError):
        event.save()


def test_a_report_outside_every_grid_asks_for_the_grid(scene):
    with pytest.raises(ValidationError) as exc:
        services.report_case(by=scene.cast.street_admin, source="staff", category=scene.category,
                             description="某处", lon=112.9, lat=41.9)
    assert "grid" in exc.value.message_dict


def test_flyposting_in_a_compound_goes_to_its_property_company(scene):
    case = reported(scene)
    assert services.suggest_unit(case) == scene.unit


def test_dispatch_puts_the_case_in_the_unit_handlers_inbox_once(scene):
    from chuangcheng.notify.models import InboxItem

    case = reported(scene)
    services.accept_case(case, by=scene.cast.street_admin)
    services.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
    from chuangcheng.notify.services import deliver_pending

    deliver_pending()
    deliver_pending()
    items = InboxItem.objects.filter(user=scene.handler)
    assert items.count() == 1
    assert case.number in items.get().message.title


def test_before_photos_stay_with_the_report(scene):
    before = photo(scene.cast.grid_worker_a, "purple")
    case = services.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                description="小广告", point=scene.point, photos=[before])
    assert list(case.events.get(action="report").photos.all()) == [before]
