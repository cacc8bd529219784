"""The street office triages residents' reports: likely duplicates with distance and photo
similarity, accept, reject with a reason, merge into an open case (the reporter then follows it)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from chuangcheng.cases.models import Resolution, State
from chuangcheng.public import queries, services
from chuangcheng.public.models import Follower
from tests.conftest import client_for
from tests.public.conftest import LAT, LON, Scene, report, upload


def test_the_triage_page_lists_reports_with_likely_duplicates(scene: Scene) -> None:
    first = report(scene, photos=[upload("red")])
    second = report(scene, photos=[upload("red", size=(330, 240))], lon=LON + 0.0002, lat=LAT, device="d2",
                    phone="13800138000")
    response = client_for(scene.cast.street_admin).get("/r/triage/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="report-{first.code}"' in body and f'id="report-{second.code}"' in body
    rows = {row.report.code: row for row in queries.triage_rows(scene.cast.street_admin)}
    [dup] = rows[second.code].duplicates
    assert dup.case == first.case and dup.distance_m == 17
    assert dup.similarity is not None and dup.similarity >= 90  # two plain red pictures


def gradient(by: Any, rising: bool) -> Any:
    """A picture growing brighter (or darker) from left to right: every dHash bit 0 (or 1)."""
    from PIL import Image

    from chuangcheng.evidence.services import accept_photo

    image = Image.linear_gradient("L").rotate(90 if rising else -90).resize((320, 240)).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG")
    return accept_photo(out.getvalue(), filename="g.jpg", by=by)


def test_photo_similarity_tells_different_pictures_apart(scene: Scene) -> None:
    by = scene.cast.street_admin
    rising, falling = gradient(by, True), gradient(by, False)
    assert queries.photo_similarity([rising], [rising]) == 100
    similarity = queries.photo_similarity([rising], [falling])
    assert similarity is not None and similarity < 20
    assert queries.photo_similarity([], [falling]) is None


def test_a_community_admin_of_another_community_does_not_see_the_report(scene: Scene) -> None:
    r = report(scene)
    body = client_for(scene.cast.admin_b).get("/r/triage/").content.decode()
    assert r.code not in body
    assert client_for(scene.cast.grid_worker_a).get("/r/triage/").status_code == 403


def test_the_phone_is_masked_for_roles_that_do_not_call_people(scene: Scene) -> None:
    from chuangcheng.org.models import Role
    from tests import factories as f

    r = report(scene, phone="13800138000")
    assert "13800138000" in client_for(scene.cast.street_admin).get("/r/triage/").content.decode()
    superuser = f.UserFactory(username="boss", role=Role.LEADER, scope=scene.cast.street, is_superuser=True)
    # a leader-superuser may triage but the masking rule is the role's
    from chuangcheng.public.permissions import can_see_reporter_phone

    assert can_see_reporter_phone(superuser) is True
    assert can_see_reporter_phone(scene.cast.leader) is False
    assert r.phone == "13800138000"


def test_accept_through_the_page(scene: Scene) -> None:
    r = report(scene)
    response = client_for(scene.cast.street_admin).post(f"/r/triage/{r.code}/accept/")
    assert response.status_code == 302
    r.case.refresh_from_db()
    assert r.case.state == State.ACCEPTED


def test_reject_needs_a_reason_and_the_resident_sees_it(scene: Scene) -> None:
    r = report(scene)
    admin = client_for(scene.cast.street_admin)
    admin.post(f"/r/triage/{r.code}/reject/", {"reason": "", "resolution": Resolution.NOT_OURS})
    r.case.refresh_from_db()
    assert r.case.state == State.REPORTED
    admin.post(f"/r/triage/{r.code}/reject/", {"reason": "不在本街道", "resolution": Resolution.NOT_OURS})
    r.case.refresh_from_db()
    assert r.case.state == State.REJECTED and r.case.resolution == Resolution.NOT_OURS


def test_merge_closes_the_report_as_a_duplicate_and_the_reporter_follows_the_target(scene: Scene) -> None:
    target = report(scene, device="d1")
    services.accept_report(target, by=scene.cast.street_admin)
    dup = report(scene, device="d2", phone="13800138000", phone_verified=True, notify_sms=True)
    response = client_for(scene.cast.street_admin).post(f"/r/triage/{dup.code}/merge/",
                                                        {"into": target.case.number})
    assert response.status_code == 302
    dup.case.refresh_from_db()
    assert dup.case.state == State.REJECTED and dup.case.resolution == Resolution.DUPLICATE
    event = dup.case.events.get(action="merge")
    assert event.data == {"into": target.case.number}
    follower = Follower.objects.get(report=dup)
    assert follower.case == target.case and follower.notify_sms
    found = queries.tracking_for(dup.code)
    assert found is not None and found.case == target.case and found.merged
    page = client_for(scene.cast.street_admin).get(f"/r/t/{dup.code}/").content.decode()
    assert 'id="merged-note"' in page and 'data-state="accepted"' in page


def test_merge_refuses_a_closed_target_or_itself(scene: Scene) -> None:
    from django.core.exceptions import ValidationError

    r = report(scene)
    with pytest.raises(ValidationError):
        services.merge_report(r, by=scene.cast.street_admin, into=r.case)
    other = report(scene, device="d2")
    services.reject_report(other, by=scene.cast.street_admin, reason="无效")
    other.case.refresh_from_db()
    with pytest.raises(ValidationError):
        services.merge_report(r, by=scene.cast.street_admin, into=other.case)


def test_someone_out_of_scope_cannot_triage(scene: Scene) -> None:
    r = report(scene)
    with pytest.raises(PermissionDenied):
        services.accept_report(r, by=scene.cast.admin_b)
    r.case.refresh_from_db()
    assert r.case.state == State.REPORTED


def test_triage_page_query_count_does_not_grow_per_report(scene: Scene, django_assert_max_num_queries: Any) -> None:
    for i in range(3):
        report(scene, device=f"d{i}", lon=LON + (i - 1) * 0.0015)
    client = client_for(scene.cast.street_admin)
    client.get("/r/triage/")
    with django_assert_max_num_queries(60):
        assert client.get("/r/triage/").status_code == 200


def test_the_back_office_lists_reports_with_masked_phones(scene: Scene) -> None:
    report(scene, phone="13800138000")
    body = client_for(scene.cast.street_admin).get("/admin/public/report/").content.decode()
    assert "138****8000" in body and "13800138000" not in body
