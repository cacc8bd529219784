"""The pages: drawing a round with the proposed seed shown, editing who assesses what, recording a
drawn point with the inspection form on a phone, progress, finishing."""

from __future__ import annotations

import re

from chuangcheng.assessment.models import Round
from chuangcheng.standards.models import CheckItem


def test_the_new_round_form_proposes_a_seed_and_draws_with_the_one_given(scene, as_user):
    client = as_user(scene.cast.street_admin)
    page = client.get("/assessment/new/")
    assert page.status_code == 200
    assert re.search(r'name="seed" value="\d+"', page.content.decode())
    ticked = re.findall(r'<input type="checkbox" name="team" value="(\d+)"[^>]*checked', page.content.decode())
    assert sorted(map(int, ticked)) == sorted([scene.inspector_1.pk, scene.inspector_2.pk])
    response = client.post("/assessment/new/", {
        "street": scene.cast.street.pk, "title": "十二月模拟测评", "seed": "42", "team_kind": "street",
        "team": [scene.inspector_1.pk, scene.inspector_2.pk]})
    round = Round.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/{scene.cast.street.code}/1/"
    assert round.seed == 42 and round.points.count() == 3
    detail = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "42" in detail and "已记录 0 / 3 个点位" in detail


def test_a_refused_draw_shows_the_numbers_and_saves_nothing(scene, as_user):
    from chuangcheng.standards.models import TypeProfile

    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.market).update(sample_size=4)
    response = as_user(scene.cast.street_admin).post("/assessment/new/", {
        "street": scene.cast.street.pk, "seed": "1", "team_kind": "street", "team": [scene.inspector_1.pk]},
        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "农贸市场: 抽样 4 个，街道只有 3 个" in response.content.decode()
    assert Round.objects.count() == 0


def test_only_street_admins_draw(scene, as_user):
    for user in (scene.inspector_1, scene.cast.leader, scene.cast.admin_a, scene.cast.grid_worker_a):
        assert as_user(user).get("/assessment/new/").status_code == 403


def test_the_admin_changes_the_assessors_then_starts_and_the_assessor_records_on_the_phone(scene, as_user):
    round = scene.draw()
    admin = as_user(scene.cast.street_admin)
    base = f"/assessment/{round.street.code}/{round.number}"
    admin.post(f"{base}/assign/", {"version": round.version, "assessor_1": scene.inspector_2.pk,
                                   "assessor_2": scene.inspector_2.pk, "assessor_3": scene.inspector_2.pk})
    assert set(round.points.values_list("assessor__username", flat=True)) == {"inspector_2"}
    round.refresh_from_db()
    admin.post(f"{base}/act/start/", {"version": round.version})
    round.refresh_from_db()
    assert round.state == "started"
    phone = as_user(scene.inspector_2)
    rp = round.points.select_related("point").get(position=1)
    form = phone.get(f"{base}/points/1/")
    assert form.status_code == 200 and rp.point.name in form.content.decode()
    key = re.search(r'name="key" value="([^"]+)"', form.content.decode()).group(1)
    started = re.search(r'name="started_at" value="([^"]+)"', form.content.decode()).group(1)
    data = {"key": key, "started_at": started, "lon": str(rp.point.lon), "lat": str(rp.point.lat)}
    for item in CheckItem.objects.filter(version=scene.catalog, point_type=rp.point_type):
        data[f"result_{item.code}"] = "pass"
        if item.measure == CheckItem.Measure.OCCURRENCES:
            data[f"count_{item.code}"] = "0"
    response = phone.post(f"{base}/points/1/", data)
    assert response.status_code == 302 and response["Location"] == f"{base}/?recorded=1"
    rp.refresh_from_db()
    # The page it lands on tells the phone to forget the draft of that submission.
    assert f'data-submitted-key="{rp.inspection.key}"' in phone.get(response["Location"]).content.decode()
    assert rp.inspection is not None and rp.inspection.kind == "street" and rp.inspection.inspector == scene.inspector_2
    page = phone.get(f"{base}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已记录 1 / 3 个点位" in page
    # Another team member is not given the form of someone else's point.
    assert as_user(scene.inspector_1).get(f"{base}/points/2/").status_code == 403


def test_the_list_shows_progress_and_the_score_of_finished_rounds(scene, as_user):
    round = scene.draw()
    page = as_user(scene.inspector_1).get("/assessment/").content.decode()
    assert f'data-round="{round.number}"' in page and "0 / 3" in page


def test_the_round_page_reads_as_many_queries_whatever_the_size_of_the_sample(scene, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangcheng.assessment import services
    from chuangcheng.standards.models import TypeProfile

    def queries(round) -> int:
        services.start_round(round, by=scene.cast.street_admin)
        client = as_user(scene.inspector_1)
        url = f"/assessment/{round.street.code}/{round.number}/"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    small = queries(scene.draw())
    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.market).update(sample_size=3)
    TypeProfile.objects.filter(version=scene.catalog, point_type=scene.road).update(sample_size=2)
    assert queries(scene.draw(seed=3)) == small
