"""The /api/tasks endpoints: scoped reads, creating a task, the actions, the error format, OpenAPI."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from chuangcheng.engagement.tasklists import services
from chuangcheng.engagement.tasklists.models import Task, TaskState
from chuangcheng.evidence.models import Photo
from tests.engagement.tasklists.conftest import WEDNESDAY, a_task, jpeg


def test_the_office_creates_a_task_and_the_unit_sees_it(scene, as_user):
    c = scene.cast
    response = as_user(c.street_admin).post("/api/tasks", {
        "title": "清理楼道", "unit": "WY-A", "working_days": 2, "regions": [c.community_a.code],
        "points": ["A-COMPOUND"], "priority": "urgent"}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_on"] == "2026-11-27" and body["state"] == "open" and body["points"] == ["A-COMPOUND"]
    listed = as_user(scene.handler_a).get("/api/tasks").json()
    assert [t["number"] for t in listed["items"]] == [body["number"]]
    assert as_user(scene.squad_handler).get(f"/api/tasks/{body['number']}").status_code == 404


def test_bad_input_is_answered_with_the_field_named_and_nothing_stored(scene, as_user):
    client = as_user(scene.cast.street_admin)
    response = client.post("/api/tasks", {"title": "过期", "unit": "WY-A", "due_on": "2026-11-01"},
                           content_type="application/json")
    assert response.status_code == 400
    assert "due_on" in response.json()["error"]["fields"]
    response = client.post("/api/tasks", {"title": "x", "unit": "NOPE", "due_on": "2026-11-30"},
                           content_type="application/json")
    assert response.status_code == 400 and "unit" in response.json()["error"]["fields"]
    assert as_user(scene.cast.admin_a).post("/api/tasks", {"title": "x", "unit": "WY-A", "due_on": "2026-11-30"},
                                            content_type="application/json").status_code == 403
    assert not Task.objects.exists()


def test_the_unit_reports_submits_and_the_office_verifies_through_the_api(scene, as_user, wednesday):
    task = a_task(scene)
    handler = as_user(scene.handler_a)
    response = handler.post(f"/api/tasks/{task.number}/progress", {
        "note": "已清理一半", "percent": 50, "version": 1,
        "photos": [SimpleUploadedFile("a.jpg", jpeg("green"), content_type="image/jpeg")]})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_progress" and response.json()["events"][-1]["photos"]
    refused = handler.post(f"/api/tasks/{task.number}/submit", {"note": "完成"})
    assert refused.status_code == 400 and "photos" in refused.json()["error"]["fields"]
    done = handler.post(f"/api/tasks/{task.number}/submit", {
        "photos": [SimpleUploadedFile("b.jpg", jpeg("blue"), content_type="image/jpeg")]})
    assert done.status_code == 200 and done.json()["state"] == "submitted"
    assert handler.post(f"/api/tasks/{task.number}/verify", {}).status_code == 403
    office = as_user(scene.cast.street_admin)
    verified = office.post(f"/api/tasks/{task.number}/verify", {"note": "现场核实"})
    assert verified.status_code == 200 and verified.json()["on_time"] is True
    again = handler.post(f"/api/tasks/{task.number}/progress", {"note": "x", "percent": 1})
    assert again.status_code == 409
    assert Photo.objects.count() == 2
    task.refresh_from_db()
    assert task.state == TaskState.DONE


def test_send_back_and_cancel_need_a_reason(scene, as_user):
    task = a_task(scene, evidence_required=False)
    services.submit_task(task, by=scene.handler_a)
    office = as_user(scene.cast.street_admin)
    assert office.post(f"/api/tasks/{task.number}/send-back", {"reason": ""}).status_code == 400
    back = office.post(f"/api/tasks/{task.number}/send-back", {"reason": "还有堆物"})
    assert back.status_code == 200 and back.json()["state"] == "in_progress"
    stale = office.post(f"/api/tasks/{task.number}/cancel", {"reason": "重复", "version": 1},
                        content_type="application/json")
    assert stale.status_code == 409
    cancelled = office.post(f"/api/tasks/{task.number}/cancel", {"reason": "重复"}, content_type="application/json")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"


def test_meetings_are_read_through_the_api(scene, as_user):
    c = scene.cast
    meeting = services.record_meeting(by=c.street_admin, street=c.street, held_at=WEDNESDAY - dt.timedelta(hours=1),
                                      title="推进会", place="会议室", chair="主任", units=[scene.property_a],
                                      decisions=["清理楼道"])
    a_task(scene, decision=meeting.decisions.get())
    assert [m["number"] for m in as_user(c.admin_b).get("/api/tasks/meetings").json()["items"]] == [meeting.number]
    detail = as_user(scene.handler_a).get(f"/api/tasks/meetings/{meeting.number}").json()
    assert detail["decisions"][0]["tasks"] and detail["units"] == ["WY-A"]
    assert as_user(scene.squad_handler).get(f"/api/tasks/meetings/{meeting.number}").status_code == 404


def test_the_task_list_takes_a_fixed_number_of_queries(scene, as_user, django_assert_max_num_queries):
    for i in range(12):
        a_task(scene, title=f"任务{i}", points=[scene.point_a])
    client = as_user(scene.cast.street_admin)
    with django_assert_max_num_queries(12):
        assert len(client.get("/api/tasks").json()["items"]) == 12
    with django_assert_max_num_queries(20):
        assert client.get("/tasks/").status_code == 200


def test_the_endpoints_are_in_the_openapi_document(cast, as_user):
    paths = as_user(cast.street_admin).get("/api/openapi.json").json()["paths"]
    for path in ("/api/tasks", "/api/tasks/{number}", "/api/tasks/meetings", "/api/tasks/meetings/{number}",
                 "/api/tasks/{number}/progress", "/api/tasks/{number}/submit", "/api/tasks/{number}/verify",
                 "/api/tasks/{number}/send-back", "/api/tasks/{number}/cancel"):
        assert path in paths
    assert paths["/api/tasks"]["post"]["operationId"] == "createTask"


def test_a_bad_period_is_answered_400_with_the_field_named(scene, as_user):
    client = as_user(scene.cast.street_admin)
    bad = client.get("/api/tasks", {"since": "2026-11-31"})
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["since"]
    backwards = client.get("/api/tasks", {"since": "2026-11-30", "until": "2026-11-01"})
    assert backwards.status_code == 400 and list(backwards.json()["error"]["fields"]) == ["until"]
