"""Filing a document: the accepted formats are stored byte for byte with their hash; everything
else is refused with a message that says why (in Chinese, as the user reads it), and leaves no row
and no file behind."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangcheng.core import clock
from chuangcheng.core.models import AuditEvent
from chuangcheng.demo.materials import docx_bytes, pdf_bytes, xlsx_bytes
from chuangcheng.materials import services
from chuangcheng.materials.models import Material
from tests.materials.conftest import GOOD, office_with, upload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", list(GOOD))
def test_each_accepted_format_is_stored_exactly_as_sent_with_its_hash(archive, name):
    make, content_type = GOOD[name]
    data = make()
    material = archive.file(name=name, data=data, kind="photo" if name.endswith(("jpg", "png")) else "statement")
    material.refresh_from_db()
    with material.file.open("rb") as stored:
        assert stored.read() == data
    assert material.sha256 == hashlib.sha256(data).hexdigest()
    assert (material.size, material.content_type, material.original_name) == (len(data), content_type, name)
    assert material.file.name.startswith(f"materials/{archive.street.code}/DOC-ORG/")
    assert material.uploaded_by == archive.admin and material.item_code == "DOC-ORG"
    assert AuditEvent.objects.filter(object_type="materials.material", object_key=material.number).exists()


def test_the_content_type_comes_from_the_bytes_not_from_the_name(archive):
    material = archive.file(name="scan.pdf", data=GOOD["现场.png"][0]())
    assert material.content_type == "image/png"
    assert material.file.name.endswith(".png")


def _macro_docx() -> bytes:
    return office_with({"word/document.xml": b"<w:document/>", "word/vbaProject.bin": b"\x00" * 64})


def _macro_content_type() -> bytes:
    return office_with({"xl/workbook.xml": b"<workbook/>"},
                       content_types=b'<Types><Override ContentType="application/'
                                     b'vnd.ms-excel.sheet.macroEnabled.main+xml"/></Types>')


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/huge.bin", b"\x00" * (205 * 1024 * 1024))
    return out.getvalue()


def _plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("photos/a.jpg", b"x")
    return out.getvalue()


def _js_pdf() -> bytes:
    return pdf_bytes("x").replace(b"/Producer (Chuangcheng)", b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>")


NOT_ALLOWED = "不是 PDF、Word（.docx）、Excel（.xlsx）、JPEG 或 PNG 文件"
BAD = {
    "empty": ("plan.pdf", lambda: b"", "是空文件"),
    "program": ("setup.pdf", lambda: b"MZ\x90\x00" + b"\x00" * 200, "是可执行程序"),
    "linux program": ("run.docx", lambda: b"\x7fELF" + b"\x00" * 200, "是可执行程序"),
    "rar archive": ("docs.pdf", lambda: b"Rar!\x1a\x07\x00" + b"\x00" * 50, "是压缩包"),
    "zip archive": ("docs.docx", _plain_zip, "是压缩包"),
    "macro docx": ("plan.docx", _macro_docx, "含有宏"),
    "macro content type": ("sheet.xlsx", _macro_content_type, "含有宏"),
    "macro extension": ("plan.docm", lambda: docx_bytes("t", ["x"]), "带宏的 Office 文件（.docm）"),
    "xlsm extension": ("sheet.xlsm", lambda: xlsx_bytes("t", ["a"], []), "带宏的 Office 文件（.xlsm）"),
    "zip bomb": ("big.docx", _bomb, "解压后超过 200 MB"),
    "old word": ("old.doc", lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "旧版 Office 格式"),
    "text": ("notes.pdf", lambda: "会议记录".encode() * 10, NOT_ALLOWED),
    "html": ("page.pdf", lambda: b"<html><script>alert(1)</script></html>", NOT_ALLOWED),
    "truncated png": ("shot.png", lambda: GOOD["现场.png"][0]()[:60], "已损坏"),
    "damaged docx": ("plan.docx", lambda: docx_bytes("t", ["x"])[:300], "已损坏"),
    "pdf with javascript": ("plan.pdf", _js_pdf, "含有脚本、动作或嵌入文件"),
    "cut pdf": ("plan.pdf", lambda: pdf_bytes("x")[:200], "不完整或已损坏"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_stored(archive, case):
    name, make, message = BAD[case]
    with pytest.raises(ValidationError) as refused:
        archive.file(name=name, data=make() or b"")
    assert any(message in m for m in refused.value.message_dict["file"]), refused.value.message_dict
    assert name in refused.value.message_dict["file"][0]
    assert Material.objects.count() == 0
    assert archive.stored() == []


def test_an_empty_file_is_refused(archive):
    with pytest.raises(ValidationError, match="是空文件"):
        services.file_material(archive.street, by=archive.admin, item=archive.items[0], kind="regulation",
                               title="方案", dated_on=clock.today(), upload=upload("plan.pdf", b""))
    assert archive.stored() == []


def test_a_file_over_the_limit_is_refused_with_the_numbers(archive, settings):
    settings.CHUANGCHENG_MATERIALS_MAX_MB = 1
    data = pdf_bytes("x")
    data = data[:-6] + b" " * (1024 * 1024) + data[-6:]
    with pytest.raises(ValidationError) as refused:
        archive.file(data=data)
    assert "超过 1 MB：请上传不超过 1 MB 的文件" in refused.value.message_dict["file"][0]
    assert Material.objects.count() == 0 and archive.stored() == []


def test_a_document_dated_in_the_future_is_refused(archive):
    with pytest.raises(ValidationError) as refused:
        archive.file(dated_on=clock.today() + dt.timedelta(days=1))
    assert "晚于今天" in refused.value.message_dict["dated_on"][0]
    assert Material.objects.count() == 0 and archive.stored() == []


def test_a_document_dated_today_is_filed(archive):
    assert archive.file(dated_on=clock.today()).dated_on == clock.today()


def test_an_item_assessed_in_the_field_takes_no_documents(archive):
    from tests import factories as f

    observed = f.MaterialsItemFactory(code="OBS-1", method="observe")
    with pytest.raises(ValidationError) as refused:
        archive.file(item=observed)
    assert "不采用材料审核" in refused.value.message_dict["item"][0]
    assert archive.stored() == []


def test_a_failed_write_leaves_no_file(archive, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr("chuangcheng.core.audit.record", fail)
    with pytest.raises(RuntimeError):
        archive.file()
    assert Material.objects.count() == 0 and archive.stored() == []


@pytest.mark.parametrize("who", ["leader", "admin_a", "grid_worker_a"])
def test_only_the_street_admins_file_documents(archive, who):
    with pytest.raises(PermissionDenied):
        archive.file(by=getattr(archive.cast, who))
    assert Material.objects.count() == 0 and archive.stored() == []
