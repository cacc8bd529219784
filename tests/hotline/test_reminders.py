"""签收 reminders: the office hears about an order nobody has signed for before its limit, once at
the warning share of the window and once when it is past; SMS waits for the end of quiet hours;
nothing is sent twice, and a signed order is left alone."""

from __future__ import annotations

from chuangcheng.core import clock
from chuangcheng.hotline import reminders, services
from chuangcheng.hotline.tasks import exchange_with_hotline
from chuangcheng.notify.models import Channel, Message
from chuangcheng.org.models import Role
from tests import factories as f
from tests.hotline.conftest import at, receive


def _messages(channel: str) -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(channel=channel).values_list("target", "title"))


def _office_with_phone(scene):
    admin = scene.cast.street_admin
    admin.person = f.PersonFactory(code="SA1", name="街道创城办主任", phone="13900001111", region=scene.cast.street)
    admin.save()
    return admin


def test_the_office_is_reminded_before_the_limit_and_again_after_it(scene):
    admin = _office_with_phone(scene)
    f.UserFactory(username="district", role=Role.STREET_ADMIN, scope=scene.cast.district)
    with clock.pinned(at(3, 9)):
        order = receive(scene, "GD-1")  # 签收 within 24 hours: by 4 December 09:00
    assert clock.local(order.sign_due) == at(4, 9)

    with clock.pinned(at(3, 20)):  # not yet 80 % of the window
        assert reminders.remind_to_sign() == 0
    assert not Message.objects.exists()

    with clock.pinned(at(4, 5)):  # past 80 %, but in the quiet hours: the inbox only
        assert reminders.remind_to_sign() == 1
    [(target, title)] = _messages(Channel.INBOX)
    assert target == str(admin.pk)  # the office of the street, not the district above it
    assert "GD-1" in title and "12-04 09:00" in title
    assert _messages(Channel.SMS) == []

    with clock.pinned(at(4, 8, 30)):  # quiet hours over: the same reminder by SMS, the inbox not again
        reminders.remind_to_sign()
    assert len(_messages(Channel.INBOX)) == 1
    assert [target for target, _title in _messages(Channel.SMS)] == ["13900001111"]

    with clock.pinned(at(4, 9, 30)):  # past the limit: one more, then nothing on later sweeps
        reminders.remind_to_sign()
        reminders.remind_to_sign()
    inbox = _messages(Channel.INBOX)
    assert len(inbox) == 2 and len(_messages(Channel.SMS)) == 2
    assert any("GD-1" in title and title != inbox[0][1] for _target, title in inbox)


def test_an_order_signed_for_in_time_brings_no_reminder(scene):
    _office_with_phone(scene)
    with clock.pinned(at(3, 9)):
        order = receive(scene, "GD-2")
    with clock.pinned(at(3, 10)):
        services.sign_order(order, by=scene.cast.street_admin)
    with clock.pinned(at(4, 12)):
        assert reminders.remind_to_sign() == 0
    assert not Message.objects.exists()


def test_the_units_handler_is_reminded_when_the_case_already_has_a_unit(scene):
    with clock.pinned(at(3, 9)):
        order = receive(scene, "GD-3")
    order.case.unit = scene.unit
    order.case.save(update_fields=["unit"])
    with clock.pinned(at(4, 10)):
        reminders.remind_to_sign()
    targets = {target for target, _title in _messages(Channel.INBOX)}
    assert targets == {str(scene.cast.street_admin.pk), str(scene.handler.pk)}
    assert str(scene.other_handler.pk) not in targets


def test_the_periodic_job_sends_the_reminders(scene):
    with clock.pinned(at(3, 9)):
        receive(scene, "GD-4")
    with clock.pinned(at(4, 10)):
        assert exchange_with_hotline()["reminded"] == 1
    assert len(_messages(Channel.INBOX)) == 1
