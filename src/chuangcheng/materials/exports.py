"""The archive as one zip for the assessors: a folder per item in catalog order
(`01_组织领导/规范文件_2026-05-01_标题.pdf`), holding the materials that count (not withdrawn, dated
inside the rolling year), and an index workbook listing each file with its SHA-256.

The zip is written to a temporary file on disk, file by file in chunks, so a large archive never
sits in memory; the response streams that file and it disappears when closed."""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from typing import IO, Any

from django.utils.translation import gettext as _

from chuangcheng.core import clock, sheets
from chuangcheng.materials.models import Kind, Material
from chuangcheng.materials.queries import Completeness

# What a file name in the zip may not hold (Windows' forbidden characters, control characters).
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
NAME_MAX = 80
CHUNK = 1024 * 1024


def safe_name(text: str, *, limit: int = NAME_MAX) -> str:
    """`text` as one part of a path: no separators or forbidden characters, no leading dots, short."""
    cleaned = UNSAFE.sub("_", text).strip().strip(".").strip()
    cleaned = re.sub(r"\s+", " ", cleaned)
    return cleaned[:limit].strip() or "_"


def kind_name(kind: str) -> str:
    """The kind's short name for a file name: the Chinese term inside the label's brackets."""
    label = str(Kind(kind).label)
    inner = re.search(r"[（(]([^)）]+)[)）]", label)
    return inner.group(1) if inner else label


def _extension(material: Material) -> str:
    name = material.file.name or ""
    return ("." + name.rsplit(".", 1)[-1].lower()) if "." in name.rsplit("/", 1)[-1] else ""


def archive_zip(status: Completeness, *, by: Any) -> tuple[IO[bytes], int]:
    """The zip of the street's materials that count, in a temporary file at its start, and how
    many files it holds; the export is written to the change log."""
    entries: list[tuple[str, Any, Material]] = []
    for row in status.items:
        folder = f"{row.position:02d}_{safe_name(row.item.name, limit=40)}"
        taken: set[str] = set()
        for material in row.counted:
            stem = safe_name(f"{kind_name(material.kind)}_{material.dated_on.isoformat()}_{material.title}")
            name, n = f"{stem}{_extension(material)}", 2
            while name.lower() in taken:
                name, n = f"{stem}_{n}{_extension(material)}", n + 1
            taken.add(name.lower())
            entries.append((f"{folder}/{name}", row.item, material))
    sheets.check_rows(len(entries))
    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, _item, material in entries:
            with material.file.open("rb") as source, archive.open(path, "w") as target:
                shutil.copyfileobj(source, target, CHUNK)
        archive.writestr(_("00_index.xlsx"), index_workbook(status, entries))
    out.seek(0)
    sheets.log_export(by, status.street, what="materials", count=len(entries),
                      note=_("Assessment materials, year %(start)s – %(end)s")
                      % {"start": status.start.isoformat(), "end": status.on.isoformat()})
    return out, len(entries)


def index_workbook(status: Completeness, entries: list[tuple[str, Any, Material]]) -> bytes:
    """The index: one row per file in the zip, then a sheet of each item's completeness."""
    heading = [_("Assessment materials of %(street)s, %(start)s – %(end)s")
               % {"street": status.street.name, "start": status.start.isoformat(), "end": status.on.isoformat()}]
    header = [_("Item code"), _("Item of the assessment"), _("Kind"), _("Title"), _("Dated"), _("File in the zip"),
              _("Original file name"), _("Size (bytes)"), _("SHA-256"), _("Uploaded by"), _("Uploaded at")]
    rows = [[item.code, item.name, str(Kind(m.kind).label), m.title, m.dated_on, path, m.original_name, m.size,
             m.sha256, m.uploaded_by.display_name if m.uploaded_by else "",
             clock.local(m.uploaded_at).strftime("%Y-%m-%d %H:%M")]
            for path, item, m in entries]
    book, _sheet = sheets.table_sheet(_("Index"), heading, header, rows)
    sheets.add_sheet(book, _("Completeness"), [
        _("No."), _("Item code"), _("Item of the assessment"), _("Points"), _("Needed"), _("Missing"), _("Complete")],
        [[row.position, row.item.code, row.item.name, row.item.points, "、".join(row.needed_labels),
          "、".join(row.missing_labels), _("yes") if row.complete else _("no")] for row in status.items])
    return sheets.to_bytes(book)
