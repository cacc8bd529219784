"""The archive's pages: who reads them, who files and withdraws, and that a street or a file out of
reach answers as if it did not exist."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chuangcheng.core import clock
from chuangcheng.demo.materials import pdf_bytes
from chuangcheng.materials.models import Material
from chuangcheng.org.models import Role
from tests import factories as f
from tests.conftest import client_for
from tests.materials.conftest import GOOD, upload

pytestmark = pytest.mark.django_db


def _form(**extra):
    dated_on = (clock.today() - dt.timedelta(days=10)).isoformat()
    return {"kind": "regulation", "title": "组织领导实施方案", "dated_on": dated_on, "note": "", **extra}


def test_the_archive_page_lists_each_item_with_its_points_and_what_is_missing(archive):
    archive.file(archive.items[0], kind="statement")
    page = client_for(archive.admin).get(f"/materials/{archive.street.code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("组织领导") < html.index("工作规划") < html.index("统计台账")
    assert 'data-item="DOC-ORG" data-complete="no"' in html
    assert "规范文件、实景图片" in html  # what DOC-ORG misses
    assert "0 / 3" in html and "1 / 9" in html
    assert 'href="/materials/150103001/export.zip"' in html


def test_the_archive_page_takes_a_fixed_number_of_queries(archive):
    for item in archive.items:
        for kind in ("regulation", "statement"):
            archive.file(item, kind=kind)
    client = client_for(archive.admin)
    client.get(f"/materials/{archive.street.code}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"/materials/{archive.street.code}/")
    for item in archive.items:
        archive.file(item, kind="photo")
    with CaptureQueriesContext(connection) as more:
        client.get(f"/materials/{archive.street.code}/")
    assert len(more) == len(few)


def test_the_admin_files_a_document_from_the_item_page(archive):
    client = client_for(archive.admin)
    url = f"/materials/{archive.street.code}/items/DOC-ORG/"
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html and 'type="date"' in html and "不超过 20 MB" in html
    data = pdf_bytes("方案")
    response = client.post(url, {**_form(), "file": upload("方案.pdf", data, "application/pdf")})
    assert response.status_code == 302 and response["Location"] == url
    material = Material.objects.get()
    assert material.sha256 == hashlib.sha256(data).hexdigest()
    download = client.get(f"/materials/{archive.street.code}/files/{material.number}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_a_refused_upload_shows_its_reason_on_the_form_and_keeps_nothing(archive):
    response = client_for(archive.admin).post(f"/materials/{archive.street.code}/items/DOC-ORG/", {
        **_form(), "file": upload("setup.pdf", b"MZ" + b"\x00" * 100, "application/pdf")})
    assert response.status_code == 400
    assert "文件 setup.pdf 是可执行程序" in response.content.decode()
    assert Material.objects.count() == 0 and archive.stored() == []


def test_a_future_date_is_refused_on_the_form(archive):
    tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
    response = client_for(archive.admin).post(f"/materials/{archive.street.code}/items/DOC-ORG/", {
        **_form(dated_on=tomorrow), "file": upload("a.pdf", pdf_bytes("x"))})
    assert response.status_code == 400 and "晚于今天" in response.content.decode()
    assert Material.objects.count() == 0 and archive.stored() == []


def test_the_admin_withdraws_a_document_with_a_reason(archive):
    material = archive.file(archive.items[0], kind="photo", name="a.png", data=GOOD["现场.png"][0]())
    client = client_for(archive.admin)
    url = f"/materials/{archive.street.code}/files/{material.number}/withdraw/"
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "传错了项目"})
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.withdrawn and material.withdrawal_reason == "传错了项目"
    html = client.get(f"/materials/{archive.street.code}/items/DOC-ORG/").content.decode()
    assert 'id="withdrawn"' in html and "传错了项目" in html
    # Still downloadable by those who read the archive: it is evidence that it was sent.
    assert client.get(f"/materials/{archive.street.code}/files/{material.number}/").status_code == 200


def test_the_leader_reads_and_exports_but_does_not_file_or_withdraw(archive):
    material = archive.file()
    client = client_for(archive.cast.leader)
    base = f"/materials/{archive.street.code}"
    assert client.get(f"{base}/").status_code == 200
    page = client.get(f"{base}/items/DOC-ORG/").content.decode()
    assert 'id="upload-form"' not in page and "withdraw/" not in page
    assert client.get(f"{base}/files/{material.number}/").status_code == 200
    assert client.get(f"{base}/export.zip").status_code == 200
    assert client.post(f"{base}/items/DOC-ORG/", {**_form(), "file": upload("a.pdf", pdf_bytes("x"))}
                       ).status_code == 403
    assert client.post(f"{base}/files/{material.number}/withdraw/", {"reason": "x"}).status_code == 403
    assert client.post(f"{base}/date/", {"assessment_on": "2026-11-01"}).status_code == 403
    assert Material.objects.count() == 1 and not Material.objects.get().withdrawn


@pytest.mark.parametrize("who", ["admin_a", "grid_worker_a"])
def test_community_staff_do_not_see_the_archive(archive, who):
    material = archive.file()
    client = client_for(getattr(archive.cast, who))
    base = f"/materials/{archive.street.code}"
    for url in ("/materials/", f"{base}/", f"{base}/items/DOC-ORG/", f"{base}/files/{material.number}/",
                f"{base}/export.zip"):
        assert client.get(url).status_code == 403, url


def test_another_streets_admin_gets_not_found(archive):
    material = archive.file()
    street2 = f.street(archive.cast.district, code="150103002", name="环河街街道")
    other = f.UserFactory(username="street2_admin", role=Role.STREET_ADMIN, scope=street2)
    client = client_for(other)
    base = f"/materials/{archive.street.code}"
    for url in (f"{base}/", f"{base}/items/DOC-ORG/", f"{base}/files/{material.number}/", f"{base}/export.zip",
                f"{base}/files/{material.number}/withdraw/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}/date/", {"assessment_on": "2026-11-01"}).status_code == 404
    # Their own street: the number of a file of another street is not found there either.
    assert client.get(f"/materials/{street2.code}/files/{material.number}/").status_code == 404
    assert client.get("/materials/").status_code == 302


def test_a_district_login_chooses_among_its_streets(archive):
    f.street(archive.cast.district, code="150103002", name="环河街街道")
    district_leader = f.UserFactory(username="district", role=Role.LEADER, scope=archive.cast.district)
    page = client_for(district_leader).get("/materials/")
    assert page.status_code == 200 and "光明路街道" in page.content.decode() and "环河街街道" in page.content.decode()


def test_the_admin_sets_the_assessment_date(archive):
    client = client_for(archive.admin)
    response = client.post(f"/materials/{archive.street.code}/date/", {"assessment_on": "2026-11-20"})
    assert response.status_code == 302
    html = client.get(f"/materials/{archive.street.code}/").content.decode()
    assert "2025-11-21" in html and "2026-11-20" in html


def test_an_unknown_item_is_not_found(archive):
    assert client_for(archive.admin).get(f"/materials/{archive.street.code}/items/NOPE/").status_code == 404
