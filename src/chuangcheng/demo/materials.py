"""The demo's materials archive (申报材料), partly filled: for the catalog's items assessed from
documents, the street admin has filed some items completely, left kinds missing on others, filed
one regulation too old to count (dated 13 months ago) and withdrawn one mistaken upload. The files
are small but real: a PDF written by hand, a Word document (python-docx), an Excel workbook
(openpyxl) and PNG pictures (Pillow), filed through the same service as the upload page.

The file makers are used by the tests too."""

from __future__ import annotations

import datetime as dt
import io
import random
import zlib

from django.core.files.base import ContentFile

from chuangcheng.core import clock
from chuangcheng.demo.plan import STREET_CODE
from chuangcheng.materials import queries, services
from chuangcheng.materials.models import Kind, Material
from chuangcheng.org.models import Region, Role, User
from chuangcheng.standards.models import AssessmentItem


def pdf_bytes(title: str, lines: list[str] | None = None) -> bytes:
    """A one-page PDF: the lines in Helvetica (ASCII), the title (any script) in its information."""
    text = lines or ["Chuangcheng demo document"]
    content = "BT /F1 14 Tf 72 770 Td 18 TL " + " ".join(
        "(" + line.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        + ") '" for line in text) + " ET"
    stream = zlib.compress(content.encode())
    title_hex = "FEFF" + title.encode("utf-16-be").hex().upper()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title <{title_hex}> /Producer (Chuangcheng) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, len(objects), xref)
    return bytes(out)


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(title: str, header: list[str], rows: list[list[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "统计"
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def png_bytes(seed: int, size: tuple[int, int] = (320, 240)) -> bytes:
    """A small picture of a street scene in flat colours (sky, buildings, road)."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    picture = Image.new("RGB", size, (176, 206, 232))
    draw = ImageDraw.Draw(picture)
    width, height = size
    x = 0
    while x < width:
        w, h = rng.randint(30, 70), rng.randint(60, 150)
        draw.rectangle([x, height - 60 - h, x + w, height - 60], fill=(rng.randint(150, 220),) * 3)
        x += w + rng.randint(2, 10)
    draw.rectangle([0, height - 60, width, height], fill=(90, 90, 96))
    draw.line([0, height - 30, width, height - 30], fill=(240, 240, 240), width=3)
    out = io.BytesIO()
    picture.save(out, "PNG")
    return out.getvalue()


def _topic(item: AssessmentItem) -> str:
    name = str(item.name).strip()
    return name[:-2] if name.endswith("工作") and len(name) > 2 else name


def _document(kind: str, item: AssessmentItem, seed: int) -> tuple[str, str, bytes]:
    """(title, file name, bytes) of a plausible document of this kind for the item."""
    topic = _topic(item)
    if kind == Kind.REGULATION:
        title = f"关于加强{topic}工作的实施方案"
        return title, f"{item.code}-实施方案.pdf", pdf_bytes(title, [f"Implementation plan {item.code}"])
    if kind == Kind.STATEMENT:
        title = f"{topic}工作情况说明"
        paragraphs = [f"本年度街道围绕{topic}开展了以下工作：", "一、明确责任分工，建立工作台账。",
                      "二、定期督查，发现问题及时整改。"]
        return title, f"{item.code}-情况说明.docx", docx_bytes(title, paragraphs)
    if kind == Kind.TABLE:
        title = f"{topic}工作统计表"
        rows: list[list[object]] = [[f"{month}月", 2 + (seed + month) % 5] for month in range(1, 13)]
        return title, f"{item.code}-统计表.xlsx", xlsx_bytes(title, ["月份", "开展次数"], rows)
    title = f"{topic}工作实景图片"
    return title, f"{item.code}-实景.png", png_bytes(seed)


# What each item gets, in turn: every kind; the three needed; no photos; a regulation too old.
PATTERNS: list[tuple[str, ...]] = [
    (Kind.REGULATION, Kind.STATEMENT, Kind.PHOTO, Kind.TABLE),
    (Kind.REGULATION, Kind.STATEMENT, Kind.PHOTO),
    (Kind.REGULATION, Kind.STATEMENT),
    (Kind.STATEMENT, Kind.PHOTO),
]


def add_materials(*, seed: int = 1) -> int:
    """File the demo street's materials; how many files were filed. Nothing without items."""
    street = Region.objects.filter(code=STREET_CODE).first()
    admin = User.objects.filter(role=Role.STREET_ADMIN, scope=street).order_by("username").first()
    items = queries.materials_items()
    if street is None or admin is None or not items:
        return 0
    rng = random.Random(f"materials-{seed}")
    today = clock.today()
    filed = 0

    def file(item: AssessmentItem, kind: str, dated_on: dt.date, n: int, note: str = "") -> Material:
        nonlocal filed
        title, name, data = _document(kind, item, seed * 1000 + n)
        filed += 1
        return services.file_material(street, by=admin, item=item, kind=kind, title=title, dated_on=dated_on,
                                      upload=ContentFile(data, name=name), note=note)

    for index, item in enumerate(items):
        pattern = PATTERNS[index % len(PATTERNS)]
        for n, kind in enumerate(pattern):
            file(item, kind, today - dt.timedelta(days=rng.randint(20, 330)), index * 10 + n)
        if index % len(PATTERNS) == 3:
            # Last year's plan: filed, but too old to count for this year's assessment.
            file(item, Kind.REGULATION, today - dt.timedelta(days=396), index * 10 + 8,
                 note="上一年度方案，今年尚未修订")
    first = items[0]
    mistaken = file(first, Kind.PHOTO, today - dt.timedelta(days=15), 9)
    services.withdraw_material(mistaken, by=admin, reason="误传了其他项目的照片")
    return filed
