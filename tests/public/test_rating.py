"""Residents rate a closed case (满意 / 基本满意 / 不满意) from their tracking page and from the
text message's signed link; 不满意 with a reason takes the case back to the street office, counted
as reopened. Driven through the live pages with CSRF checks on, the way a browser posts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import CaseEvent, Rating, Resolution, State
from chuangcheng.core import clock
from chuangcheng.notify.models import Channel, Message
from chuangcheng.public import services
from chuangcheng.public.views import DEVICE_COOKIE
from tests.public.conftest import Scene, report
from tests.public.test_track import handled

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser(device: str = "device-1") -> Client:
    """A phone's browser: its device cookie, and CSRF checked as in production."""
    client = Client(enforce_csrf_checks=True)
    if device:
        client.cookies[DEVICE_COOKIE] = device
    return client


def submit(client: Client, page: str, action: str, data: dict[str, Any]) -> Any:
    """Open `page`, then post its form to `action` with the CSRF token the page carried."""
    body = client.get(page).content.decode()
    found = CSRF.search(body)
    assert found is not None, "the page carries no CSRF token"
    return client.post(action, {**data, "csrfmiddlewaretoken": found.group(1)})


def closed_report(scene: Scene, **kw: Any) -> Any:
    r = report(scene, **kw)
    handled(scene, r)
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED
    return r


def rate_events(r: Any) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=r.case, action="rate").order_by("at", "id"))


@pytest.mark.parametrize("rating", [Rating.SATISFIED, Rating.BASIC])
def test_the_reporter_rates_from_the_tracking_page_and_the_case_stays_closed(scene: Scene, rating: str) -> None:
    r = closed_report(scene)
    client = browser()
    page = client.get(f"/r/t/{r.code}/").content.decode()
    assert 'id="rate"' in page
    for value in Rating.values:  # three radio buttons, each with its label
        assert f'type="radio" name="rating" value="{value}"' in page
    assert "满意" in page and "基本满意" in page and "不满意" in page
    assert '<label for="id_rate_reason' in page
    response = submit(client, f"/r/t/{r.code}/", f"/r/t/{r.code}/rate/", {"rating": rating})
    assert response.status_code == 302
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED and r.case.resolution == Resolution.FIXED
    assert r.case.rating == rating and r.case.rated_at is not None and r.case.reopen_count == 0
    [event] = rate_events(r)
    assert event.data["rating"] == rating and event.actor is None
    page = client.get(response["Location"]).content.decode()
    assert f'data-rating="{rating}"' in page and 'id="rate"' not in page
    assert r.case.rated_at.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") in page


def test_not_satisfied_with_a_reason_goes_back_to_the_street_office_counted_as_reopened(scene: Scene) -> None:
    r = closed_report(scene)
    response = submit(browser(), f"/r/t/{r.code}/", f"/r/t/{r.code}/rate/",
                      {"rating": "unsatisfied", "reason": "小广告又贴回来了，只撕了一半"})
    assert response.status_code == 302
    r.case.refresh_from_db()
    assert r.case.state == State.ACCEPTED and r.case.reopen_count == 1
    assert r.case.closed_at is None and r.case.deadline is None and not r.case.is_overdue()
    assert r.case.rating == Rating.UNSATISFIED and r.case.rating_reason == "小广告又贴回来了，只撕了一半"
    [event] = rate_events(r)
    assert event.data == {"rating": "unsatisfied", "reopened": True}
    assert event.from_state == State.CLOSED and event.to_state == State.ACCEPTED
    assert "小广告又贴回来了" in event.note
    # The street office hears of it, sees it on the case page and can dispatch it again.
    admin = scene.cast.street_admin
    assert Message.objects.filter(channel=Channel.INBOX, target=str(admin.pk), key__contains=":rate:").exists()
    staff = Client()
    staff.force_login(admin)
    page = staff.get(f"/cases/{r.case.number}/").content.decode()
    assert 'id="case-rating" data-rating="unsatisfied"' in page
    assert "居民不满意" in page and "小广告又贴回来了" in page
    cases.dispatch_case(r.case, by=admin, unit=scene.unit)
    r.case.refresh_from_db()
    assert r.case.state == State.DISPATCHED
    # The resident's page says so.
    page = browser().get(f"/r/t/{r.code}/").content.decode()
    assert 'data-rating="unsatisfied"' in page and 'id="rate"' not in page


def test_not_satisfied_needs_a_reason_and_nothing_changes_without_one(scene: Scene) -> None:
    r = closed_report(scene)
    response = submit(browser(), f"/r/t/{r.code}/", f"/r/t/{r.code}/rate/", {"rating": "unsatisfied", "reason": "  "})
    assert response.status_code == 400
    assert "不满意" in response.content.decode() and 'id="id_rate_reason_errors"' in response.content.decode()
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED and r.case.rating == "" and r.case.reopen_count == 0
    assert rate_events(r) == []


def test_a_rating_is_given_once_per_closing(scene: Scene) -> None:
    r = closed_report(scene)
    client = browser()
    assert submit(client, f"/r/t/{r.code}/", f"/r/t/{r.code}/rate/", {"rating": "satisfied"}).status_code == 302
    # A second try (an old tab) is refused with a message, and the first rating stands.
    token = CSRF.search(client.get("/r/").content.decode())
    assert token is not None
    again = client.post(f"/r/t/{r.code}/rate/", {"rating": "unsatisfied", "reason": "改主意了",
                                                "csrfmiddlewaretoken": token.group(1)})
    assert again.status_code == 409
    assert "已经评价" in again.content.decode()
    r.case.refresh_from_db()
    assert r.case.rating == Rating.SATISFIED and r.case.state == State.CLOSED
    assert len(rate_events(r)) == 1


def test_after_being_closed_again_the_reporter_may_rate_again(scene: Scene) -> None:
    from tests.cases.conftest import photo

    r = closed_report(scene)
    services.rate_report(r, rating="unsatisfied", reason="还有残留", device="device-1")
    admin = scene.cast.street_admin
    case = r.case
    case.refresh_from_db()
    cases.dispatch_case(case, by=admin, unit=scene.unit)
    cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler, "white")])
    cases.verify_case(case, by=scene.inspector)
    assert 'id="rate"' in browser().get(f"/r/t/{r.code}/").content.decode()
    services.rate_report(r, rating="basic", device="device-1")
    case.refresh_from_db()
    assert case.rating == Rating.BASIC and case.state == State.CLOSED and case.reopen_count == 1
    assert [e.data["rating"] for e in rate_events(r)] == ["unsatisfied", "basic"]


def test_someone_else_with_the_code_cannot_rate(scene: Scene) -> None:
    r = closed_report(scene)
    other = browser("someone-else")
    page = other.get(f"/r/t/{r.code}/").content.decode()
    assert 'id="rate"' not in page
    response = submit(other, f"/r/t/{r.code}/", f"/r/t/{r.code}/rate/", {"rating": "unsatisfied", "reason": "捣乱"})
    assert response.status_code == 403
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED and r.case.rating == "" and rate_events(r) == []


def test_a_follower_cannot_rate_the_case_they_follow(scene: Scene) -> None:
    r = closed_report(scene)
    r.case.state = State.DISPATCHED  # follow while open
    follower = services.follow_case(r.case, device="follower-device")
    r.case.refresh_from_db()
    client = browser("follower-device")
    assert 'id="rate"' not in client.get(f"/r/t/{follower.code}/").content.decode()
    response = submit(client, f"/r/t/{follower.code}/", f"/r/t/{follower.code}/rate/", {"rating": "satisfied"})
    assert response.status_code == 404
    assert rate_events(r) == []


def test_a_case_closed_as_impossible_to_fix_has_nothing_to_rate(scene: Scene) -> None:
    r = report(scene)
    handled(scene, r, close=False)
    cases.verify_case(r.case, by=scene.inspector, resolution=Resolution.NOT_FIXABLE)
    assert 'id="rate"' not in browser().get(f"/r/t/{r.code}/").content.decode()
    response = submit(browser(), f"/r/t/{r.code}/", f"/r/t/{r.code}/rate/", {"rating": "satisfied"})
    assert response.status_code == 409
    assert rate_events(r) == []


# --- the text message's link -----------------------------------------------------------------


def sms_link(r: Any) -> str:
    message = Message.objects.get(channel=Channel.SMS, target=r.phone, key=f"public:{r.code}:"
                                  f"{r.case.events.filter(action='verify').latest('at').pk}")
    found = re.search(r"(/r/v/[^/\s]+/)", message.body)
    assert found is not None, message.body
    return found.group(1)


def test_closing_queues_a_text_message_with_the_rating_link(scene: Scene) -> None:
    r = closed_report(scene, phone="13800138000")  # a number left, no progress texts asked
    assert services.notify_reporters() == 1
    message = Message.objects.get(channel=Channel.SMS, target="13800138000")
    assert r.code in message.title and "评价" in message.title
    assert "/r/v/" in message.body and "15" in message.body
    # The link stands alone (a space after it), so a phone's messaging app opens exactly it.
    link = re.match(r"(/r/v/\S+/)\s", message.body)
    assert link is not None, message.body
    assert browser("").get(link.group(1)).status_code == 200
    assert services.notify_reporters() == 1 and Message.objects.filter(channel=Channel.SMS).count() == 1


def test_a_reporter_who_asked_for_texts_gets_one_message_on_closing_and_it_carries_the_link(scene: Scene) -> None:
    r = closed_report(scene, phone="13800138000", phone_verified=True, notify_sms=True)
    services.notify_reporters()
    verify = r.case.events.get(action="verify")
    [closing] = Message.objects.filter(channel=Channel.SMS, key=f"public:{r.code}:{verify.pk}")
    assert "/r/v/" in closing.body


def test_no_link_once_rated_or_for_a_report_without_a_number(scene: Scene) -> None:
    rated = closed_report(scene, phone="13800138000", device="d-rated")
    services.rate_report(rated, rating="satisfied", device="d-rated")
    closed_report(scene, device="d-none")
    services.notify_reporters()
    assert not Message.objects.filter(channel=Channel.SMS, body__contains="/r/v/").exists()


def test_the_link_opens_a_rating_page_without_signing_in(scene: Scene) -> None:
    r = closed_report(scene, phone="13800138000")
    services.notify_reporters()
    link = sms_link(r)
    client = browser(device="")  # another phone: no device cookie, no session
    page = client.get(link)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="rate"' in body and 'id="photos-after"' in body and "/r/p/" in body
    response = submit(client, link, link, {"rating": "unsatisfied", "reason": "地面还有胶痕"})
    assert response.status_code == 302
    r.case.refresh_from_db()
    assert r.case.state == State.ACCEPTED and r.case.rating == Rating.UNSATISFIED and r.case.reopen_count == 1
    body = client.get(link).content.decode()
    assert 'data-rating="unsatisfied"' in body and 'id="rate"' not in body
    # Once is enough: the same link cannot rate again.
    token = CSRF.search(client.get("/r/").content.decode())
    assert token is not None
    again = client.post(link, {"rating": "satisfied", "csrfmiddlewaretoken": token.group(1)})
    assert again.status_code == 409 and len(rate_events(r)) == 1


def test_the_link_needs_the_reason_for_not_satisfied(scene: Scene) -> None:
    r = closed_report(scene, phone="13800138000")
    services.notify_reporters()
    link = sms_link(r)
    response = submit(browser(""), link, link, {"rating": "unsatisfied"})
    assert response.status_code == 400 and 'id="id_rate_reason_errors"' in response.content.decode()
    r.case.refresh_from_db()
    assert r.case.state == State.CLOSED and rate_events(r) == []


def test_an_expired_link_gets_a_clear_page_and_shows_no_case(scene: Scene, time_machine: Any) -> None:
    r = closed_report(scene, phone="13800138000")
    services.notify_reporters()
    link = sms_link(r)
    time_machine.move_to(clock.now() + dt.timedelta(days=16), tick=True)
    response = browser("").get(link)
    assert response.status_code == 410
    body = response.content.decode()
    assert "过期" in body and 'data-expired="1"' in body
    assert r.case.description not in body and 'id="rate"' not in body
    # A form opened before the link expired and sent after: refused the same way.
    response = submit(browser(""), "/r/", link, {"rating": "satisfied"})
    assert response.status_code == 410 and "过期" in response.content.decode()
    assert rate_events(r) == []


def test_a_forged_or_altered_link_gets_a_clear_page_and_never_another_case(scene: Scene) -> None:
    mine = closed_report(scene, phone="13800138000", device="d-mine")
    theirs = closed_report(scene, phone="13900139000", device="d-theirs", description="别人的问题：垃圾桶满溢")
    services.notify_reporters()
    link = sms_link(mine)
    token = link.split("/")[3]
    forged = [
        f"/r/v/{theirs.code}{token[len(mine.code):]}/",  # my signature on their code
        f"/r/v/{theirs.code}:1abcde:{'x' * 43}/",
        "/r/v/nonsense/",
        link[:-3] + ("A/" if link[-3] != "A" else "B/"),
    ]
    for url in forged:
        response = browser("").get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert "无效" in body and 'id="link-error"' in body
        assert "别人的问题" not in body and theirs.case.number not in body and "垃圾桶" not in body
        assert 'id="rate"' not in body and "data-state" not in body
    assert CaseEvent.objects.filter(action="rate").count() == 0


def test_an_erased_report_cannot_be_rated_by_its_old_link(scene: Scene) -> None:
    r = closed_report(scene, phone="13800138000")
    services.notify_reporters()
    link = sms_link(r)
    services.erase_report(r, device="device-1")
    response = browser("").get(link)
    assert response.status_code == 410 and 'id="rate"' not in response.content.decode()


def test_when_the_office_closes_again_the_resident_reads_why_and_may_rate_again(scene: Scene) -> None:
    r = closed_report(scene, phone="13800138000")
    services.rate_report(r, rating="unsatisfied", reason="地上还有胶", device="device-1")
    r.case.refresh_from_db()
    cases.close_again(r.case, by=scene.cast.street_admin, note="胶痕属正常磨损，已复核")
    page = browser().get(f"/r/t/{r.code}/").content.decode()
    assert "胶痕属正常磨损，已复核" in page and "维持整改结果" in page and 'id="rate"' in page
    services.notify_reporters()
    again = r.case.events.get(action="close_again")
    message = Message.objects.get(key=f"public:{r.code}:{again.pk}")
    link = re.search(r"(/r/v/[^/\s]+/)", message.body)
    assert link is not None
    assert submit(browser(""), link.group(1), link.group(1), {"rating": "basic"}).status_code == 302
    r.case.refresh_from_db()
    assert r.case.rating == Rating.BASIC and r.case.state == State.CLOSED


def test_a_report_merged_into_another_case_has_nothing_to_rate(scene: Scene) -> None:
    first = closed_report(scene, device="d-first")
    first.case.refresh_from_db()
    second = report(scene, device="d-second", phone="13700137000")
    # Merged while the first case was still open, then the first one closed (as in closed_report).
    from chuangcheng.cases.models import Case

    Case.objects.filter(pk=first.case.pk).update(state=State.DISPATCHED)
    first.case.refresh_from_db()
    services.merge_report(second, by=scene.cast.street_admin, into=first.case)
    Case.objects.filter(pk=first.case.pk).update(state=State.CLOSED)
    client = browser("d-second")
    assert 'id="rate"' not in client.get(f"/r/t/{second.code}/").content.decode()
    response = submit(client, f"/r/t/{second.code}/", f"/r/t/{second.code}/rate/", {"rating": "satisfied"})
    assert response.status_code == 404
    services.notify_reporters()
    assert not Message.objects.filter(target="13700137000", body__contains="/r/v/").exists()
    assert CaseEvent.objects.filter(action="rate").count() == 0


def test_closings_of_staff_cases_are_not_read_for_rating_texts(scene: Scene) -> None:
    """Only residents' reports with a number are looked at, so a busy day's other closings never
    crowd out the rating texts."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cases.conftest import photo

    for _i in range(3):
        case = cases.report_case(by=scene.cast.grid_worker_a, source="inspection", category=scene.category,
                                 description="巡查发现", grid=scene.cast.grid_a)
        cases.accept_case(case, by=scene.cast.street_admin)
        cases.dispatch_case(case, by=scene.cast.street_admin, unit=scene.unit)
        cases.rectify_case(case, by=scene.handler, photos=[photo(scene.handler)])
        cases.verify_case(case, by=scene.inspector)
    closed_report(scene, phone="13800138000")
    with CaptureQueriesContext(connection) as queries:
        assert services.notify_reporters() == 1
    assert len(queries) <= 12  # the same with 3 or 300 such closings


def test_open311_clients_see_a_rating_without_its_reason(scene: Scene) -> None:
    from tests.public.open311 import call

    r = closed_report(scene)
    services.rate_report(r, rating="unsatisfied", reason="隔壁老王又贴了", device="device-1")
    feed = call(Client(), "GET", "servicerequestupdates", "json").body
    [rated] = [u for u in feed if u["external_status_code"] == "accepted" and u["service_request_id"] == r.case.number
               and "评价" in u["description"]]
    assert rated["status"] == "REOPEN" and "隔壁老王" not in str(feed)
