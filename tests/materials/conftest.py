"""The archive's cast: the street of tests.conftest's cast, three items assessed from documents in
the catalog in force, and small real files of each accepted format. (This module is loaded before
the suite's clock is pinned: no dates at import.)"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chuangcheng.core import clock
from chuangcheng.demo.materials import docx_bytes, pdf_bytes, png_bytes, xlsx_bytes
from chuangcheng.materials import services
from chuangcheng.materials.models import Material
from tests import factories as f


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(out, "JPEG")
    return out.getvalue()


GOOD = {
    "plan.pdf": (lambda: pdf_bytes("实施方案"), "application/pdf"),
    "说明.docx": (lambda: docx_bytes("情况说明", ["内容"]),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "台账.xlsx": (lambda: xlsx_bytes("统计表", ["月份", "次数"], [["1月", 3]]),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "现场.jpg": (jpeg_bytes, "image/jpeg"),
    "现场.png": (lambda: png_bytes(1), "image/png"),
}


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def office_with(parts: dict[str, bytes], *, content_types: bytes = b"<Types/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


@dataclass
class Archive:
    cast: Any
    items: list[Any]
    media: Path

    @property
    def street(self) -> Any:
        return self.cast.street

    @property
    def admin(self) -> Any:
        return self.cast.street_admin

    def file(self, item: Any = None, *, kind: str = "regulation", title: str = "实施方案",
             dated_on: dt.date | None = None, name: str = "plan.pdf", data: bytes | None = None,
             by: Any = None) -> Material:
        return services.file_material(
            self.street, by=by or self.admin, item=item or self.items[0], kind=kind, title=title,
            dated_on=dated_on or clock.today() - dt.timedelta(days=30),
            upload=upload(name, pdf_bytes(title) if data is None else data))

    def stored(self) -> list[Path]:
        return sorted(p for p in self.media.rglob("*") if p.is_file()) if self.media.exists() else []


@pytest.fixture(autouse=True)
def only_these_materials_items(db: None) -> None:
    """The default catalog ships its own items assessed from documents (DOC.ORG …); these tests
    build their own three, so the shipped ones are taken out of the version in force first."""
    from chuangcheng.standards.models import AssessmentItem

    AssessmentItem.objects.filter(version__status="published", method="materials").delete()


@pytest.fixture
def archive(cast: Any, media: Path) -> Archive:
    items = [f.MaterialsItemFactory(code="DOC-ORG", name="组织领导", points="3", sort_order=1),
             f.MaterialsItemFactory(code="DOC-PLAN", name="工作规划", points="2", sort_order=2),
             f.MaterialsItemFactory(code="DOC-STAT", name="统计台账", points="1.5", sort_order=3)]
    return Archive(cast, items, media)
