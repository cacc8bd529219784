"""A drawn round is the street's secret: its admins, inspectors and leaders see the drawn points; the
communities' staff see no drawn round, not in the list and not by guessing its address. Once the
round starts, the admins of the street's communities may read it; grid workers and another street
never."""

from __future__ import annotations

from chuangcheng.assessment import queries, services
from chuangcheng.org.models import Role
from tests import factories as f


def pages(round):
    base = f"/assessment/{round.street.code}/{round.number}"
    return [f"{base}/", f"{base}/points/1/", f"{base}/report/", f"{base}/report.json", f"{base}/report.docx"]


def test_street_staff_see_a_drawn_round_and_its_points(scene, as_user):
    round = scene.draw()
    for user in (scene.cast.street_admin, scene.inspector_1, scene.cast.leader):
        assert list(queries.rounds_visible_to(user)) == [round]
        response = as_user(user).get(f"/assessment/{round.street.code}/{round.number}/")
        assert response.status_code == 200
        for rp in round.points.all():
            assert rp.point.name in response.content.decode()


def test_community_staff_never_see_a_drawn_round_not_even_by_its_address(scene, as_user):
    round = scene.draw()
    for user in (scene.cast.admin_a, scene.cast.admin_b, scene.cast.grid_worker_a):
        assert list(queries.rounds_visible_to(user)) == []
        client = as_user(user)
        listing = client.get("/assessment/")
        assert listing.status_code in {200, 403}
        assert "MKT-" not in listing.content.decode() and "市场1" not in listing.content.decode()
        for url in pages(round):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/assessment/{round.street.code}/{round.number}/act/start/").status_code == 404
    round.refresh_from_db()
    assert round.state == "drawn"


def test_once_started_the_community_admins_read_it_and_grid_workers_still_do_not(scene, as_user):
    round = scene.draw()
    services.start_round(round, by=scene.cast.street_admin)
    assert list(queries.rounds_visible_to(scene.cast.admin_a)) == [round]
    assert as_user(scene.cast.admin_a).get(f"/assessment/{round.street.code}/{round.number}/").status_code == 200
    assert list(queries.rounds_visible_to(scene.cast.grid_worker_a)) == []
    assert as_user(scene.cast.grid_worker_a).get(
        f"/assessment/{round.street.code}/{round.number}/").status_code == 404
    # Reading is not running it.
    assert as_user(scene.cast.admin_a).post(
        f"/assessment/{round.street.code}/{round.number}/act/cancel/").status_code == 302
    round.refresh_from_db()
    assert round.state == "started"


def test_another_street_sees_nothing(scene, as_user):
    round = scene.draw()
    street2 = f.street(scene.cast.district, code="150103002", name="环河街街道")
    other = f.UserFactory(username="street2_admin", role=Role.STREET_ADMIN, scope=street2)
    assert list(queries.rounds_visible_to(other)) == []
    for url in pages(round):
        assert as_user(other).get(url).status_code == 404


def test_a_lost_points_photo_is_served_only_to_those_who_see_the_round(scene, as_user):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from tests.assessment.conftest import record

    round = scene.draw()
    services.start_round(round, by=scene.cast.street_admin)
    out = io.BytesIO()
    Image.new("RGB", (320, 240), "red").save(out, "JPEG")
    for rp in round.points.order_by("position"):
        fail = {"R1": {"photos": [SimpleUploadedFile("r.jpg", out.getvalue(), content_type="image/jpeg")]}} if (
            rp.point_type == scene.road) else None
        record(rp, scene, fail)
    services.finish_round(round, by=scene.cast.street_admin)
    round.refresh_from_db()
    sha = round.report["lost"][0]["photos"][0]
    url = f"/assessment/{round.street.code}/{round.number}/photos/{sha}/display/"
    assert as_user(scene.cast.leader).get(url).status_code == 200
    assert as_user(scene.cast.admin_b).get(url).status_code == 200  # a finished round: the street's communities
    assert as_user(scene.cast.grid_worker_a).get(url).status_code == 404
    street2 = f.street(scene.cast.district, code="150103002", name="环河街街道")
    other = f.UserFactory(username="street2_admin", role=Role.STREET_ADMIN, scope=street2)
    assert as_user(other).get(url).status_code == 404
    # A photo that is not one of the round's is not served through it.
    assert as_user(scene.cast.leader).get(
        f"/assessment/{round.street.code}/{round.number}/photos/{'0' * 64}/display/").status_code == 404
