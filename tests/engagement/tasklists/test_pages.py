"""The pages: list with filters, my tasks, detail with actions, by unit, meetings, assigning."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Meeting, Task, TaskState
from chuangcheng.evidence.models import Photo
from tests.core.unstorable import assert_cleaned, control_text, read_back
from tests.engagement.tasklists.conftest import WEDNESDAY, a_task, jpeg, photo


def test_the_list_filters_by_unit_community_state_and_overdue(scene, as_user, wednesday):
    c = scene.cast
    a_task(scene, title="甲任务", regions=[c.community_a])
    late = a_task(scene, title="乙任务", unit=scene.squad, regions=[c.community_b], due_on=dt.date(2026, 11, 25))
    wednesday.shift(dt.timedelta(days=1))
    client = as_user(c.street_admin)
    url = reverse("tasklists:list")
    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count('data-task="') == 2
    assert page.context["counts"]["overdue"] == 1
    assert [r["task"].title for r in client.get(url, {"region": c.community_b.code}).context["rows"]] == ["乙任务"]
    assert [r["task"].title for r in client.get(url, {"unit": "WY-A"}).context["rows"]] == ["甲任务"]
    assert [r["task"].number for r in client.get(url, {"overdue": "1"}).context["rows"]] == [late.number]
    assert client.get(url, {"state": "done"}).context["rows"] == []
    bad = client.get(url, {"since": "2026-11-26", "until": "bad"})
    assert bad.status_code == 400 and bad.context["period_form"].errors["until"]


def test_a_handler_posts_progress_with_a_photo_from_the_task_page(scene, as_user):
    task = a_task(scene)
    client = as_user(scene.handler_a)
    mine = client.get(reverse("tasklists:mine"))
    assert f'data-task="{task.number}"' in mine.content.decode()
    detail = client.get(reverse("tasklists:detail", args=[task.number]))
    assert reverse("tasklists:act", args=[task.number, "progress"]) in detail.content.decode()
    upload = SimpleUploadedFile("p.jpg", jpeg("green"), content_type="image/jpeg")
    response = client.post(reverse("tasklists:act", args=[task.number, "progress"]),
                           {"version": task.version, "percent": "40", "note": "已清理东侧", "photos": [upload]})
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.state, task.percent) == (TaskState.IN_PROGRESS, 40)
    sha = task.events.get(action="progress").photos.get().sha256
    assert client.get(reverse("tasklists:photo", args=[task.number, sha, "thumbnail"])).status_code == 200
    assert as_user(scene.squad_handler).get(reverse("tasklists:detail", args=[task.number])).status_code == 404


def test_a_refused_action_shows_the_reason_and_changes_nothing(scene, as_user):
    task = a_task(scene)
    client = as_user(scene.handler_a)
    response = client.post(reverse("tasklists:act", args=[task.number, "submit"]), {"version": task.version})
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.state == TaskState.OPEN
    response = client.post(reverse("tasklists:act", args=[task.number, "verify"]), {"version": task.version})
    assert response.status_code == 409  # not submitted: the state does not allow it
    response = client.post(reverse("tasklists:act", args=[task.number, "progress"]),
                           {"version": task.version + 5, "percent": "10", "note": "x"})
    assert response.status_code == 409
    assert not Photo.objects.exists()


def test_the_office_assigns_a_task_from_a_meetings_decision(scene, as_user):
    c = scene.cast
    meeting = services.record_meeting(by=c.street_admin, street=c.street, held_at=WEDNESDAY - dt.timedelta(hours=1),
                                      title="推进会", place="会议室", chair="主任", decisions=["清理楼道堆物"])
    client = as_user(c.street_admin)
    form = client.get(reverse("tasklists:new"), {"meeting": meeting.number, "decision": "1"})
    assert form.status_code == 200 and form.context["form"].initial["title"] == "清理楼道堆物"
    response = client.post(reverse("tasklists:new"), {
        "meeting": meeting.number, "decision": "1", "title": "清理楼道堆物", "unit": "WY-A",
        "regions": [c.community_a.code], "due_on": "2026-11-30", "priority": "high", "evidence_required": "on"})
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tasklists:detail", args=[task.number])
    assert task.decision.position == 1 and task.meeting == meeting
    bad = client.post(reverse("tasklists:new"), {"title": "过期", "unit": "WY-A", "due_on": "2026-11-01",
                                                 "priority": "normal"})
    assert bad.status_code == 400 and "due_on" in bad.context["form"].errors
    assert Task.objects.count() == 1
    assert as_user(c.admin_a).get(reverse("tasklists:new")).status_code == 403


def test_the_office_records_a_meeting_with_a_photo(scene, as_user):
    c = scene.cast
    client = as_user(c.street_admin)
    response = client.post(reverse("tasklists:meeting_new"), {
        "held_at": "2026-11-25T08:30", "title": "第12周推进会", "place": "三楼会议室", "chair": "王主任",
        "units": ["WY-A", "CG"], "decisions": "清理楼道堆物\n整治占道经营\n",
        "photos": [SimpleUploadedFile("m.jpg", jpeg("white"), content_type="image/jpeg")]})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert meeting.decisions.count() == 2 and meeting.units.count() == 2 and meeting.photos.count() == 1
    listing = as_user(c.admin_a).get(reverse("tasklists:meetings"))
    assert f'data-meeting="{meeting.number}"' in listing.content.decode()
    detail = as_user(c.admin_a).get(reverse("tasklists:meeting", args=[meeting.number]))
    assert detail.status_code == 200 and b'data-decision="2"' in detail.content
    assert as_user(c.admin_a).get(reverse("tasklists:meeting_new")).status_code == 403


def test_completion_by_unit_counts_and_links_each_figure(scene, as_user, wednesday):
    c = scene.cast
    done = a_task(scene, due_on=dt.date(2026, 11, 26))
    a_task(scene, due_on=dt.date(2026, 11, 25))
    a_task(scene, unit=scene.squad, regions=[], due_on=dt.date(2026, 12, 4))
    services.submit_task(done, by=scene.handler_a, photos=[photo(scene.handler_a)])
    services.verify_task(done, by=c.street_admin)
    wednesday.shift(dt.timedelta(days=1))
    client = as_user(c.street_admin)
    page = client.get(reverse("tasklists:by_unit"), {"sort": "total"})
    rows = {item["row"].unit.code: item for item in page.context["links"]}
    a = rows["WY-A"]["row"]
    assert (a.total, a.done, a.done_on_time, a.overdue, a.open, a.on_time_rate) == (2, 1, 1, 1, 1, 0.5)
    squad = rows["CG"]["row"]
    assert (squad.total, squad.open, squad.on_time_rate) == (1, 1, None)
    assert [item["row"].unit.code for item in page.context["links"]] == ["WY-A", "CG"]
    overdue_list = client.get(f"{reverse('tasklists:list')}?{rows['WY-A']['overdue']}")
    assert len(overdue_list.context["rows"]) == 1
    on_time_list = client.get(f"{reverse('tasklists:list')}?{rows['WY-A']['on_time']}")
    assert [r["task"].number for r in on_time_list.context["rows"]] == [done.number]
    assert as_user(c.admin_a).get(reverse("tasklists:by_unit")).status_code == 403


def test_the_ledger_has_meetings_tasks_and_progress_with_photo_links(scene, as_user):
    from openpyxl import load_workbook

    c = scene.cast
    services.record_meeting(by=c.street_admin, street=c.street, held_at=WEDNESDAY - dt.timedelta(hours=1),
                            title="推进会", place="会议室", chair="主任", decisions=["清理"])
    task = a_task(scene)
    a_task(scene, title="乙社区的", unit=scene.squad, regions=[c.community_b])
    services.post_progress(task, by=scene.handler_a, note="=开始", percent=20, photos=[photo(scene.handler_a)])
    client = as_user(c.admin_a)
    form = client.get(reverse("tasklists:export"))
    assert form.status_code == 200
    response = client.get(reverse("tasklists:export"), {"since": "2026-11-01", "until": "2026-11-30"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    meetings, tasks, progress = book.worksheets
    assert meetings.max_row == 3
    assert [row[0] for row in tasks.iter_rows(min_row=3, values_only=True)] == [task.number]  # community A only
    rows = list(progress.iter_rows(min_row=3, values_only=True))
    assert [r[5] for r in rows][-1] and rows[-1][7] == "'=开始"
    sha = task.events.get(action="progress").photos.get().sha256
    assert rows[-1][8].startswith("http://testserver/tasks/t/") and sha in rows[-1][8]
    bad = client.get(reverse("tasklists:export"), {"since": "2026-11-30", "until": "2026-11-01"})
    assert bad.status_code == 400
    assert as_user(scene.handler_a).get(reverse("tasklists:export")).status_code == 403


def test_a_progress_note_with_control_characters_is_exported_without_them(scene, as_user):
    task = a_task(scene, title=control_text("清理", "楼道"))
    services.post_progress(task, by=scene.handler_a, note=control_text(), percent=20)
    response = as_user(scene.cast.street_admin).get(reverse("tasklists:export"),
                                                    {"since": "2026-11-01", "until": "2026-11-30"})
    book = read_back(response)
    assert_cleaned(book)
    assert_cleaned(book, "清理", "楼道")


def test_more_tasks_than_an_export_holds_are_refused_beside_the_form(scene, as_user, settings):
    settings.EXPORT_MAX_ROWS = 1
    a_task(scene)
    a_task(scene, title="第二件")
    response = as_user(scene.cast.street_admin).get(reverse("tasklists:export"),
                                                    {"since": "2026-11-01", "until": "2026-11-30"})
    assert response.status_code == 400 and response.context["form"].non_field_errors()
