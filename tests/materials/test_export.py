"""The export: one zip, a folder per item in catalog order, the materials that count with safe
names, and an index workbook with each file's SHA-256; the export is in the change log."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from openpyxl import load_workbook

from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.materials import exports, queries, services
from tests.conftest import client_for
from tests.materials.conftest import GOOD

pytestmark = pytest.mark.django_db


def _zip(client, street) -> zipfile.ZipFile:
    response = client.get(f"/materials/{street.code}/export.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_the_counted_files_in_catalog_order_with_an_index(archive):
    today = clock.today()
    plan = archive.file(archive.items[1], kind="regulation", title="工作规划/方案:2026?", dated_on=dt.date(2026, 5, 1))
    photo_data = GOOD["现场.png"][0]()
    photo = archive.file(archive.items[0], kind="photo", title="现场", name="a.png", data=photo_data,
                         dated_on=today - dt.timedelta(days=3))
    same_name = archive.file(archive.items[0], kind="photo", title="现场", name="b.png", data=photo_data,
                             dated_on=today - dt.timedelta(days=3))
    archive.file(archive.items[0], kind="statement", dated_on=today - dt.timedelta(days=400))  # too old
    services.withdraw_material(archive.file(archive.items[2], title="传错"), by=archive.admin, reason="错")
    with _zip(client_for(archive.cast.leader), archive.street) as z:
        names = z.namelist()
        day = (today - dt.timedelta(days=3)).isoformat()
        assert names == [f"01_组织领导/实景图片_{day}_现场.png", f"01_组织领导/实景图片_{day}_现场_2.png",
                         "02_工作规划/规范文件_2026-05-01_工作规划_方案_2026_.pdf", "00_索引.xlsx"]
        assert z.read(names[0]) == photo_data
        with plan.file.open("rb") as stored:
            assert z.read(names[2]) == stored.read()
        book = load_workbook(io.BytesIO(z.read("00_索引.xlsx")))
    index = list(book.worksheets[0].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[5], r[8]) for r in index] == [
        ("DOC-ORG", names[0], photo.sha256), ("DOC-ORG", names[1], same_name.sha256),
        ("DOC-PLAN", names[2], plan.sha256)]
    assert index[0][2] == "实景图片"
    assert index[0][9] == archive.admin.display_name
    completeness = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in completeness] == ["DOC-ORG", "DOC-PLAN", "DOC-STAT"]
    event = AuditEvent.objects.filter(action="export").get()
    assert event.changes == {"materials": 3} and event.region_path == archive.street.path


def test_a_formula_in_a_title_stays_text_in_the_index(archive):
    archive.file(title="=HYPERLINK(\"http://x\")")
    status = queries.completeness(archive.street)
    handle, count = exports.archive_zip(status, by=archive.admin)
    with zipfile.ZipFile(handle) as z:
        book = load_workbook(io.BytesIO(z.read("00_索引.xlsx")))
    assert count == 1
    assert book.worksheets[0].cell(row=3, column=4).value.startswith("'=")


def test_safe_names_have_no_separators_or_dots_in_front():
    assert exports.safe_name("../../etc/passwd") == "_.._etc_passwd"
    assert exports.safe_name('a\\b:c*d?"e<f>g|h\x00') == "a_b_c_d_e_f_g_h_"
    assert exports.safe_name("   ") == "_"
    assert len(exports.safe_name("长" * 300)) == exports.NAME_MAX


def test_an_empty_archive_exports_the_index_only(archive):
    with _zip(client_for(archive.admin), archive.street) as z:
        assert z.namelist() == ["00_索引.xlsx"]
