"""Internal cases (a staff member's or a leader's report, an inspection) stay internal on every
public route alike: following, nearby duplicates, tracking, photos and Open311 all read the one
rule in public.queries, until the street office marks a case public."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from chuangcheng.cases import services as cases
from chuangcheng.cases.models import Case
from chuangcheng.core.models import AuditEvent
from chuangcheng.evidence.services import accept_photo
from chuangcheng.public import queries, services
from chuangcheng.public.models import Follower
from tests.public.conftest import LAT, LON, Scene, jpeg, report, upload
from tests.public.open311 import call


def internal_case(scene: Scene, by: Any = None) -> Case:
    by = by or scene.cast.leader
    return cases.report_case(by=by, source="inspection", category=scene.category,
                             description="领导暗访：甲小区门口垃圾成堆，物业经理电话 13912345678",
                             grid=scene.cast.grid_a, lon=LON, lat=LAT,
                             photos=[accept_photo(jpeg("blue"), filename="blue.jpg", by=by)])


def public_answers(client: Client, case: Case) -> dict[str, Any]:
    nearby = client.get("/r/nearby/", {"category": case.category.code, "lon": LON, "lat": LAT}).json()
    photo = case.events.get(action="report").photos.get()
    return {
        "follow": client.post(f"/r/follow/{case.number}/").status_code,
        "nearby": case.number in [c["number"] for c in nearby["cases"]],
        "photo": client.get(f"/r/p/{photo.sha256}.jpg").status_code,
        "open311": call(client, "GET", f"requests/{case.number}", "json").status,
        "open311 list": case.number in [r["service_request_id"] for r in call(
            client, "GET", "requests", "json", {"service_request_id": case.number}).body],
    }


REFUSED = {"follow": 404, "nearby": False, "photo": 404, "open311": 404, "open311 list": False}
SHOWN = {"follow": 302, "nearby": True, "photo": 200, "open311": 200, "open311 list": True}


def test_an_internal_case_is_refused_on_every_public_route_the_same_way(client: Client, scene: Scene) -> None:
    for by in (scene.cast.leader, scene.cast.street_admin, scene.cast.grid_worker_a):
        case = internal_case(scene, by)
        assert public_answers(client, case) == REFUSED
        assert not Follower.objects.filter(case=case).exists()
        assert client.get(f"/r/t/{case.number}/").status_code == 404


def test_a_residents_report_is_shown_on_every_public_route(client: Client, scene: Scene) -> None:
    case = report(scene, photos=[upload("green")]).case
    assert case.public
    assert public_answers(Client(), case) == SHOWN


def test_the_street_office_marks_a_case_public_and_that_is_audited(client: Client, scene: Scene) -> None:
    case = internal_case(scene)
    with pytest.raises(PermissionDenied):
        services.publish_case(case, by=scene.cast.admin_a)
    admin = Client()
    admin.force_login(scene.cast.street_admin)
    admin.post("/r/public-cases/", {"number": case.number, "public": "1"})
    case.refresh_from_db()
    assert case.public and queries.is_public(case)
    assert [e.changes for e in AuditEvent.objects.filter(object_type="cases.case", changes__has_key="public")] == [
        {"public": [False, True]}]
    assert public_answers(client, case) == SHOWN


def test_a_follower_made_before_the_fix_no_longer_opens_an_internal_case(client: Client, scene: Scene) -> None:
    case = internal_case(scene)
    follower = Follower.objects.create(case=case, code="LEAK2345")
    assert queries.tracking_for(follower.code) is None
    assert client.get(f"/r/t/{follower.code}/").status_code == 404


def test_merging_a_residents_report_into_an_internal_case_shows_that_case(scene: Scene) -> None:
    case = internal_case(scene)
    mine = report(scene)
    services.merge_report(mine, by=scene.cast.street_admin, into=case)
    case.refresh_from_db()
    assert case.public
    assert queries.tracking_for(mine.code).case == case


def test_the_follow_service_itself_refuses_an_internal_case(scene: Scene) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.follow_case(internal_case(scene), device="device-9")
