"""What the archive accepts as a document: PDF, Word (.docx), Excel (.xlsx), JPEG and PNG, told
apart by their bytes (the extension and the browser's content type are not believed).

Refused, each with its own message: an empty file, a file over the size limit
(`CHUANGCHENG_MATERIALS_MAX_MB`), executables, archives, Office files with macros (a vbaProject.bin
part, a macro-enabled content type, or a .docm/.xlsm-style name), an Office file that would unpack
to an absurd size or has absurdly many parts (a zip bomb), a PDF with active content (JavaScript,
launch actions, embedded files), a damaged picture, and anything else. Nothing here writes."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MB = 1024 * 1024

# An Office document's parts unpack to at most this many times the upload limit, and number at most
# this many: a real report or ledger is far below both.
UNPACKED_FACTOR = 10
MAX_PARTS = 5000

# Extensions of macro-enabled (or template) Office files, refused whatever their bytes are.
MACRO_EXTENSIONS = {".docm", ".dotm", ".xlsm", ".xltm", ".xlam", ".pptm", ".potm", ".ppam", ".ppsm", ".sldm"}

# Magic numbers of what is refused as an executable or an archive (to say which, not just "no").
EXECUTABLES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe",
               b"\xca\xfe\xba\xbe", b"#!")
ARCHIVES = (b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"MSCF",
            b"\x28\xb5\x2f\xfd")
# The old binary Office formats (.doc/.xls) can carry macros that nothing here could see.
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Names in a PDF that run something or carry other files.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")
PDF_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class Format:
    label: str
    extension: str
    content_type: str


PDF = Format("PDF", ".pdf", "application/pdf")
DOCX = Format("Word", ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Format("Excel", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
JPEG = Format("JPEG", ".jpg", "image/jpeg")
PNG = Format("PNG", ".png", "image/png")
FORMATS = (PDF, DOCX, XLSX, JPEG, PNG)
ACCEPT = ",".join([".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png", *(f.content_type for f in FORMATS)])


def max_bytes() -> int:
    return int(settings.CHUANGCHENG_MATERIALS_MAX_MB) * MB


def _refuse(message: str) -> ValidationError:
    return ValidationError({"file": message})


def read_upload(upload: object) -> bytes:
    """The upload's bytes, at most one byte over the limit (enough to know it is too large)."""
    data = upload.read(max_bytes() + 1)  # type: ignore[attr-defined]
    return bytes(data)


def check_document(data: bytes, name: str) -> Format:
    """The format of an acceptable document, or a ValidationError on "file" saying why not."""
    limit = max_bytes()
    if not data:
        raise _refuse(_("The file %(name)s is empty.") % {"name": name})
    if len(data) > limit:
        raise _refuse(_("The file %(name)s is larger than %(max)d MB: send at most %(max)d MB.")
                      % {"name": name, "max": limit // MB})
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if extension in MACRO_EXTENSIONS:
        raise _refuse(_("The file %(name)s is an Office file with macros (%(ext)s): save it as .docx or .xlsx "
                        "without macros.") % {"name": name, "ext": extension})
    if data.startswith(b"%PDF-"):
        return _pdf(data, name)
    if data.startswith(b"\xff\xd8\xff"):
        return _picture(data, name, JPEG)
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _picture(data, name, PNG)
    if data.startswith(b"PK\x03\x04"):
        return _office(data, name, limit)
    if data.startswith(EXECUTABLES):
        raise _refuse(_("The file %(name)s is a program: programs are never accepted.") % {"name": name})
    if data.startswith(ARCHIVES):
        raise _refuse(_("The file %(name)s is a compressed archive: send the documents one by one.")
                      % {"name": name})
    if data.startswith(OLE):
        raise _refuse(_("The file %(name)s is an old Office format (.doc or .xls): save it as .docx or .xlsx.")
                      % {"name": name})
    raise _refuse(_("The file %(name)s is not a PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file.")
                  % {"name": name})


def _pdf(data: bytes, name: str) -> Format:
    # A name may be written with #xx escapes (/J#61vaScript): look at the unescaped text too.
    unescaped = PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data) if b"#" in data else data
    if PDF_ACTIVE.search(data) or PDF_ACTIVE.search(unescaped):
        raise _refuse(_("The PDF %(name)s contains scripts, actions or embedded files: print it to a plain PDF "
                        "and send that.") % {"name": name})
    if b"%%EOF" not in data[-8192:]:
        raise _refuse(_("The PDF %(name)s is incomplete or damaged.") % {"name": name})
    return PDF


def _picture(data: bytes, name: str, fmt: Format) -> Format:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as picture:
                if picture.format != ("JPEG" if fmt is JPEG else "PNG"):
                    raise ValueError(picture.format)
                if picture.width * picture.height > int(settings.PHOTO_MAX_PIXELS):
                    raise Image.DecompressionBombError(str(picture.size))
                picture.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(_("The picture %(name)s has too many pixels.") % {"name": name}) from None
    except Exception:  # noqa: BLE001 - whatever Pillow raises, the picture cannot be read
        raise _refuse(_("The picture %(name)s is damaged or not really a %(format)s picture.")
                      % {"name": name, "format": fmt.label}) from None
    return fmt


def _office(data: bytes, name: str, limit: int) -> Format:
    damaged = _("The file %(name)s is damaged: open it in Word, Excel or WPS and save it again.") % {"name": name}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        raise _refuse(damaged) from None
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > UNPACKED_FACTOR * limit:
        raise _refuse(_("The file %(name)s would unpack to more than %(max)d MB: it is refused as unsafe.")
                      % {"name": name, "max": UNPACKED_FACTOR * limit // MB})
    if content_types is None:
        raise _refuse(_("The file %(name)s is a compressed archive: send the documents one by one.")
                      % {"name": name})
    lowered = {n.lower() for n in names}
    if any(n.endswith("vbaproject.bin") for n in lowered) or b"macroenabled" in content_types.lower():
        raise _refuse(_("The file %(name)s contains macros: save it as .docx or .xlsx without macros.")
                      % {"name": name})
    if "word/document.xml" in lowered:
        return DOCX
    if "xl/workbook.xml" in lowered:
        return XLSX
    raise _refuse(_("The file %(name)s is not a PDF, Word (.docx), Excel (.xlsx), JPEG or PNG file.")
                  % {"name": name})
