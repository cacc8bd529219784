"""The demo's filler on the suite's cast (whose street has the demo's code): it files through the
service, leaves some items complete and some not, and withdraws one upload; its files are valid."""

from __future__ import annotations

import io
import re
import zlib

import pytest
from openpyxl import load_workbook
from PIL import Image

from chuangcheng.demo.materials import add_materials, docx_bytes, pdf_bytes, png_bytes, xlsx_bytes
from chuangcheng.materials import queries
from chuangcheng.materials.models import Material
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_filler_leaves_the_archive_partly_complete(archive):
    f.MaterialsItemFactory(code="DOC-4", name="宣传工作", sort_order=4)
    filed = add_materials(seed=1)
    assert filed == Material.objects.count() > 0
    status = queries.completeness(archive.street)
    assert [row.complete for row in status.items] == [True, True, False, False]
    assert status.items[2].missing == ["photo"] and status.items[3].missing == ["regulation"]
    assert Material.objects.filter(withdrawn_at__isnull=False).count() == 1
    assert all(m.uploaded_by == archive.admin for m in Material.objects.all())
    assert not Material.objects.filter(title__contains="工作工作").exists()


def test_the_filler_does_nothing_without_items(cast):
    assert add_materials(seed=1) == 0


def test_the_hand_written_pdf_has_a_correct_cross_reference_table():
    data = pdf_bytes("实施方案", ["Line one", "Line (two)"])
    start = int(re.search(rb"startxref\n(\d+)", data).group(1))
    assert data[start:].startswith(b"xref\n0 7\n")
    offsets = [int(line[:10]) for line in data[start:].split(b"\n")[3:9]]
    for number, offset in enumerate(offsets, start=1):
        assert data[offset:].startswith(b"%d 0 obj" % number)
    stream = data[data.index(b"stream\n") + 7:data.index(b"\nendstream")]
    assert b"(Line \\(two\\)) '" in zlib.decompress(stream)
    assert data.rstrip().endswith(b"%%EOF")


def test_the_other_files_open_in_their_libraries():
    from docx import Document

    assert Document(io.BytesIO(docx_bytes("说明", ["第一段"]))).paragraphs[1].text == "第一段"
    assert load_workbook(io.BytesIO(xlsx_bytes("表", ["月份"], [["1月"]]))).active["A3"].value == "1月"
    assert Image.open(io.BytesIO(png_bytes(3))).size == (320, 240)
