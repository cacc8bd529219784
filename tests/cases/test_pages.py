"""The case pages: a case walked through every transition from the pages, with the timeline,
errors shown in place (400/403/409, never 500), lists with filters and saved views."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from chuangcheng.cases.models import Case, CaseEvent, SavedView, State
from chuangcheng.evidence.models import Photo
from tests.cases.conftest import dispatched, jpeg, reported

MONDAY = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(MONDAY, tick=False):
        yield


def upload(color: str = "red", name: str | None = None) -> io.BytesIO:
    f = io.BytesIO(jpeg(color))
    f.name = name or f"{color}.jpg"
    return f


def act(client, case, action, **data):
    case.refresh_from_db()
    data.setdefault("version", case.version)
    return client.post(reverse("cases:act", args=[case.number, action]), data)


def test_a_case_walks_every_transition_from_the_pages(scene, as_user):
    cast = scene.cast
    worker, admin, handler, inspector = (as_user(cast.grid_worker_a), as_user(cast.street_admin),
                                         as_user(scene.handler), as_user(scene.inspector))
    response = worker.post(reverse("cases:new"), {
        "category": scene.category.pk, "severity": "normal", "source": "inspection", "point": scene.point.code,
        "description": "小区门口电线杆上有小广告", "photos": [upload("red")],
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.number])

    page = admin.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "立案" in page and case.number in page
    assert act(admin, case, "accept").status_code == 302
    page = admin.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert f'value="{scene.unit.code}" selected' in page  # the suggested unit is preselected
    assert act(admin, case, "dispatch", unit=scene.unit.code).status_code == 302
    assert act(handler, case, "start", note="马上处理").status_code == 302
    assert act(handler, case, "request_extension", until="2026-11-30T17:00", reason="需要联系物业").status_code == 302
    assert act(admin, case, "decide_extension", grant="yes").status_code == 302
    assert act(admin, case, "suspend", reason="等待产权单位答复").status_code == 302
    assert act(admin, case, "resume").status_code == 302
    assert act(handler, case, "rectify", note="已清理").status_code == 400  # no after-photo
    assert act(handler, case, "rectify", note="已清理", photos=[upload("white")]).status_code == 302
    assert act(inspector, case, "return_for_rework", note="还有残留").status_code == 302
    assert act(handler, case, "rectify", photos=[upload("green")]).status_code == 302
    assert act(inspector, case, "verify", photos=[upload("blue")]).status_code == 302
    assert act(inspector, case, "reopen", note="又贴上了", photos=[upload("yellow")]).status_code == 302
    assert act(admin, case, "redispatch", unit=scene.other_unit.code, note="应由城管处理").status_code == 302

    case.refresh_from_db()
    assert case.state == State.DISPATCHED and case.unit == scene.other_unit
    assert (case.rework_count, case.reopen_count) == (1, 1)
    actions = list(case.events.values_list("action", flat=True))
    assert actions == ["report", "accept", "dispatch", "start", "request_extension", "grant_extension", "suspend",
                       "resume", "rectify", "return_for_rework", "rectify", "verify", "reopen", "redispatch"]
    page = admin.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "返工" in page and "又贴上了" in page
    # Before and after side by side: the report's photo and the last rectification's.
    before, after = (Photo.objects.get(sha256=CaseEvent.objects.get(case=case, action=a).photos.get().sha256)
                     for a in ("report", "verify"))
    assert before.sha256 in page and after.sha256 in page


def test_the_reject_and_send_back_paths(scene, as_user):
    admin, handler = as_user(scene.cast.street_admin), as_user(scene.handler)
    case = reported(scene)
    assert act(admin, case, "reject", resolution="duplicate").status_code == 400  # a reason is required
    assert act(admin, case, "reject", resolution="duplicate", reason="与上一条重复").status_code == 302
    case.refresh_from_db()
    assert case.state == State.REJECTED and case.resolution == "duplicate"

    other = dispatched(scene)
    assert act(handler, other, "send_back", reason="不是我单位的").status_code == 302
    other.refresh_from_db()
    assert other.state == State.ACCEPTED and other.wrong_unit_count == 1 and other.unit is None


def test_refusals_are_shown_on_the_page_with_their_status(scene, as_user, cast):
    case = dispatched(scene)
    handler = as_user(scene.handler)
    # A stale page: someone acted since it was shown.
    stale = case.version
    act(handler, case, "start")
    response = handler.post(reverse("cases:act", args=[case.number, "request_extension"]),
                            {"version": stale, "until": "2026-11-30T17:00", "reason": "x"})
    assert response.status_code == 409
    assert "刷新" in response.content.decode() or "重新" in response.content.decode()
    # Not allowed in this state.
    response = act(as_user(scene.inspector), case, "verify", photos=[upload()])
    assert response.status_code == 409
    # Not this person's role: a grid worker cannot dispatch; a handler of another unit cannot see it.
    assert act(as_user(cast.grid_worker_a), case, "suspend", reason="x").status_code == 403
    assert act(as_user(cast.admin_b), case, "suspend", reason="x").status_code == 404
    # A non-image renamed .jpg: refused, nothing stored, the case untouched.
    before = Photo.objects.count()
    case.refresh_from_db()
    response = act(handler, case, "rectify", photos=[io.BytesIO(b"%PDF-1.4 not a photo")])
    assert response.status_code == 400
    assert Photo.objects.count() == before
    case.refresh_from_db()
    assert case.state == State.RECTIFYING
    # An unknown action is a 404, a GET is refused.
    assert handler.post(reverse("cases:act", args=[case.number, "explode"])).status_code == 404
    assert handler.get(reverse("cases:act", args=[case.number, "start"])).status_code == 405


def test_a_bad_report_keeps_what_was_typed_and_stores_nothing(scene, as_user):
    worker = as_user(scene.cast.grid_worker_a)
    bad = io.BytesIO(b"\xff\xd8\xff\xe0 truncated")
    bad.name = "broken.jpg"
    response = worker.post(reverse("cases:new"), {
        "category": scene.category.pk, "severity": "normal", "source": "inspection", "point": scene.point.code,
        "description": "路边乱停车", "photos": [bad],
    })
    assert response.status_code == 400
    page = response.content.decode()
    assert "broken.jpg" in page and "路边乱停车" in page
    assert not Case.objects.exists() and not Photo.objects.exists()


def test_the_list_filters_and_saved_views(scene, as_user, cast):
    overdue = dispatched(scene)
    waiting = reported(scene)
    with time_machine.travel(MONDAY + dt.timedelta(days=3), tick=False):
        admin = as_user(cast.street_admin)
        page = admin.get(reverse("cases:list"), {"overdue": "1"}).content.decode()
        assert overdue.number in page and waiting.number not in page
        page = admin.get(reverse("cases:list"), {"state": "reported"}).content.decode()
        assert waiting.number in page and overdue.number not in page
        page = admin.get(reverse("cases:list"), {"unit": scene.other_unit.code}).content.decode()
        assert overdue.number not in page and 'class="empty"' in page
        # A view saved with its filters comes back in the menu of views.
        response = admin.post(reverse("cases:save_view"), {"name": "超期的", "query": "overdue=1&page=3"})
        assert response.status_code == 302 and response["Location"].endswith("?overdue=1")
        assert SavedView.objects.get(user=cast.street_admin).query == "overdue=1"
        assert "超期的" in admin.get(reverse("cases:list")).content.decode()
        # Nonsense in the query string is not an error.
        assert admin.get(reverse("cases:list"), {"state": "nope", "region": "x", "page": "zz"}).status_code == 200


def test_a_unit_handler_starts_from_the_units_open_cases_and_rectifies_on_a_phone_page(scene, as_user):
    case = dispatched(scene)
    handler = as_user(scene.handler)
    response = handler.get(reverse("cases:list"))
    assert response.status_code == 302 and response["Location"].endswith("?mine=1")
    assert case.number in handler.get(response["Location"]).content.decode()
    page = handler.get(reverse("cases:rectify", args=[case.number])).content.decode()
    assert 'capture' not in page or 'accept="image' in page
    assert 'name="photos"' in page and 'multiple' in page
    response = handler.post(reverse("cases:act", args=[case.number, "rectify"]),
                            {"version": case.version, "next": "mine", "photos": [upload("white")]})
    assert response.status_code == 302 and response["Location"].endswith("?mine=1")
    case.refresh_from_db()
    assert case.state == State.RECTIFIED
    # The page after the rectification removes the rectify page's draft (its photos) from the phone.
    assert f'data-draft-done="rectify|{case.number}"' in handler.get(response["Location"]).content.decode()
    assert 'data-draft-store="rectify|' in page
    # Photos are served only through the case, to people who may see it.
    sha = case.events.get(action="rectify").photos.get().sha256
    url = reverse("cases:photo", args=[case.number, sha, "thumbnail"])
    assert handler.get(url).status_code == 200
    assert as_user(scene.cast.admin_b).get(url).status_code == 404
    assert handler.get(reverse("cases:photo", args=[case.number, "0" * 64, "display"])).status_code == 404


def test_the_grids_own_worker_verifies_on_site_but_not_their_own_rectification(scene, as_user, cast):
    case = dispatched(scene)
    act(as_user(scene.handler), case, "rectify", photos=[upload("white")])
    worker = as_user(cast.grid_worker_a)
    page = worker.get(reverse("cases:detail", args=[case.number])).content.decode()
    assert "核查结案" in page
    assert act(worker, case, "verify", photos=[upload("blue")]).status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.events.last().actor == cast.grid_worker_a


def test_whoever_rectified_may_not_verify_it(scene, as_user, cast):
    case = dispatched(scene)
    admin = as_user(cast.street_admin)
    act(admin, case, "rectify", photos=[upload("white")])  # the office recorded it for the unit
    assert act(admin, case, "verify").status_code == 403
    assert act(as_user(cast.admin_a), case, "verify").status_code == 302
