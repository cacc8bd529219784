"""A work order's steps and the order they must come in, and what each does to the case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case, CaseEvent, Resolution, Source, State
from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.core.workflow import TransitionNotAllowed
from chuangcheng.hotline import services
from chuangcheng.hotline.models import Callback, ExtensionState, OrderState, WorkOrder
from tests.hotline.conftest import incoming, receive

pytestmark = pytest.mark.django_db


def test_a_received_order_opens_a_hotline_case_in_the_street_offices_queue(scene):
    order = receive(scene, lon=111.700, lat=40.820)
    case = order.case
    assert case.source == Source.HOTLINE
    assert case.state == State.REPORTED  # the office's triage queue
    assert case.grid == scene.cast.grid_b
    assert "GD202612030001" in case.description
    assert "13812345678" not in case.description  # the caller stays on the order only
    assert order.state == OrderState.RECEIVED
    assert order.sign_due == order.received_at + dt.timedelta(hours=24)
    comments = CaseEvent.objects.filter(case=case, action="comment")
    assert [c.data["step"] for c in comments] == ["receive"]


def test_an_address_of_a_known_point_places_the_case_at_the_point(scene):
    order = receive(scene, address="乙街18号")
    assert order.case.point == scene.point
    assert order.case.grid == scene.cast.grid_b


def test_an_order_that_cannot_be_placed_goes_to_the_streets_first_grid(scene):
    order = receive(scene, address="不知道在哪里")
    assert order.case.point is None
    assert order.case.grid == scene.cast.grid_a


def test_the_same_number_twice_is_one_order_and_only_changes_are_written(scene):
    first = receive(scene)
    again, outcome = services.receive_order(incoming(received_at=first.received_at), street=scene.cast.street,
                                            source="excel")
    assert (again.pk, outcome) == (first.pk, "unchanged")
    changed, outcome = services.receive_order(incoming(request="垃圾堆放多日，气味很大", received_at=first.received_at),
                                              street=scene.cast.street,
                                              source="excel")
    assert outcome == "updated"
    assert changed.request == "垃圾堆放多日，气味很大"
    assert WorkOrder.objects.count() == 1
    assert first.case.__class__.objects.count() == 1


def test_it_refuses_an_order_without_a_number_or_request(scene):
    with pytest.raises(ValidationError) as caught:
        services.receive_order(incoming(number=" ", request=""), street=scene.cast.street, source="excel")
    assert set(caught.value.message_dict) == {"number", "request"}
    assert WorkOrder.objects.count() == 0


def test_it_refuses_to_answer_before_signing_for_the_order(scene):
    order = receive(scene)
    with pytest.raises(TransitionNotAllowed):
        services.answer_order(order, by=scene.cast.street_admin, answer="已清理")


def test_it_refuses_to_finish_before_the_answer_is_written(scene):
    order = receive(scene)
    services.sign_order(order, by=scene.cast.street_admin)
    with pytest.raises(TransitionNotAllowed, match="答复"):
        services.finish_order(order, by=scene.cast.street_admin)
    services.answer_order(order, by=scene.cast.street_admin, answer="已安排环卫清理完毕")
    services.finish_order(order, by=scene.cast.street_admin)
    order.refresh_from_db()
    assert order.state == OrderState.FINISHED
    assert order.finished_at is not None


def test_each_step_shows_on_the_cases_timeline_and_in_the_audit_log(scene):
    order = receive(scene)
    services.sign_order(order, by=scene.cast.street_admin)
    services.answer_order(order, by=scene.cast.street_admin, answer="已清理")
    steps = list(CaseEvent.objects.filter(case=order.case, action="comment").values_list("data__step", flat=True))
    assert steps == ["receive", "sign", "answer"]
    assert AuditEvent.objects.filter(object_key=order.number).count() == 3


def test_signing_late_is_recorded_as_late(scene, time_machine):
    order = receive(scene, received_at=clock.now() - dt.timedelta(hours=30))
    event = services.sign_order(order, by=scene.cast.street_admin)
    assert event.data == {"on_time": False}


def test_a_returned_order_needs_a_reason_and_rejects_the_untouched_case(scene):
    order = receive(scene)
    with pytest.raises(ValidationError):
        services.return_order(order, by=scene.cast.street_admin, reason=" ")
    services.return_order(order, by=scene.cast.street_admin, reason="属燃气公司管辖，非本街道职责")
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED
    assert order.return_reason == "属燃气公司管辖，非本街道职责"
    assert order.case.state == State.REJECTED
    with pytest.raises(TransitionNotAllowed):
        services.sign_order(order, by=scene.cast.street_admin)


def test_an_extension_granted_moves_the_finishing_date_and_a_refused_one_does_not(scene):
    order = receive(scene)
    services.sign_order(order, by=scene.cast.street_admin)
    until = order.finish_due + dt.timedelta(days=3)
    services.request_extension(order, by=scene.cast.street_admin, until=until, reason="需协调产权单位")
    with pytest.raises(TransitionNotAllowed):
        services.request_extension(order, by=scene.cast.street_admin, until=until, reason="再次")
    services.decide_extension(order, by=scene.cast.street_admin, grant=True)
    order.refresh_from_db()
    assert (order.extension, order.finish_due) == (ExtensionState.GRANTED, until)
    services.request_extension(order, by=scene.cast.street_admin, until=until + dt.timedelta(days=5),
                               reason="材料未到")
    with pytest.raises(ValidationError):
        services.decide_extension(order, by=scene.cast.street_admin, grant=False, note="")
    services.decide_extension(order, by=scene.cast.street_admin, grant=False, note="时限内办结")
    order.refresh_from_db()
    assert (order.extension, order.finish_due) == (ExtensionState.REFUSED, until)


def test_an_extension_must_ask_for_a_later_date(scene):
    order = receive(scene)
    services.sign_order(order, by=scene.cast.street_admin)
    with pytest.raises(ValidationError):
        services.request_extension(order, by=scene.cast.street_admin, until=order.finish_due, reason="x")


def _finished(scene, number="GD202612030001"):
    order = receive(scene, number)
    admin = scene.cast.street_admin
    services.sign_order(order, by=admin)
    services.answer_order(order, by=admin, answer="已清理")
    services.finish_order(order, by=admin)
    return order


def test_a_satisfied_callback_keeps_the_order_finished(scene):
    order = _finished(scene)
    services.record_callback(order, by=scene.cast.street_admin, rating=Callback.BASIC)
    order.refresh_from_db()
    assert (order.state, order.callback, order.redo_count) == (OrderState.FINISHED, Callback.BASIC, 0)


def test_an_unsatisfied_callback_sends_the_order_and_its_fixed_case_back_to_be_handled(scene):
    order = _finished(scene)
    admin = scene.cast.street_admin
    # The case was fixed and verified meanwhile (its own workflow is tested in tests/cases).
    Case.objects.filter(pk=order.case.pk).update(state=State.CLOSED, resolution=Resolution.FIXED,
                                                 closed_at=clock.now())
    services.record_callback(order, by=admin, rating=Callback.UNSATISFIED, note="垃圾又堆起来了")
    order.refresh_from_db()
    order.case.refresh_from_db()
    assert (order.state, order.redo_count, order.answer) == (OrderState.SIGNED, 1, "")
    assert order.case.state == State.ACCEPTED
    with pytest.raises(TransitionNotAllowed):
        services.finish_order(order, by=admin)  # a new answer first
    services.answer_order(order, by=admin, answer="已再次清理并加装监控")
    services.finish_order(order, by=admin)
    services.record_callback(order, by=admin, rating=Callback.SATISFIED)
    order.refresh_from_db()
    assert (order.state, order.redo_count, order.callback) == (OrderState.FINISHED, 1, Callback.SATISFIED)


def test_the_callback_is_recorded_only_once_the_order_is_finished(scene):
    order = receive(scene)
    with pytest.raises(TransitionNotAllowed):
        services.record_callback(order, by=scene.cast.street_admin, rating=Callback.SATISFIED)


def test_a_handler_of_another_unit_may_not_sign_but_the_cases_unit_may(scene):
    order = receive(scene)
    admin = scene.cast.street_admin
    cases.accept_case(order.case, by=admin)
    cases.dispatch_case(order.case, by=admin, unit=scene.unit)
    order.case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.sign_order(order, by=scene.other_handler)
    services.sign_order(order, by=scene.handler)
    with pytest.raises(PermissionDenied):
        services.decide_extension(order, by=scene.handler, grant=True)  # the office decides
