"""What a task attachment may be: the accepted file kinds (by extension AND content), safe display names, and
the plain records of attachments, comments and transfers.

Accepted kinds — what a county office scans, receives or drafts:

=========  =====================================  ================================================================
extension  kind                                   content check
=========  =====================================  ================================================================
.pdf       PDF                                    starts with ``%PDF-``
.jpg/.jpeg JPEG                                   starts with ``FF D8 FF``
.png       PNG                                    starts with the 8-byte PNG signature
.ofd       OFD (GB/T 33190, 国家版式文档)          a ZIP archive holding ``OFD.xml``
.docx      Word (Office Open XML)                 a ZIP archive holding ``[Content_Types].xml`` and
                                                  ``word/document.xml``
.xlsx      Excel (Office Open XML)                a ZIP archive holding ``[Content_Types].xml`` and
                                                  ``xl/workbook.xml``
=========  =====================================  ================================================================

Both must agree: a ``.pdf`` holding a PNG, an ``.exe`` renamed ``.pdf`` or a ZIP renamed ``.docx`` is refused.
ZIP-based kinds are checked by reading the archive's central directory only (nothing is extracted). Legacy
``.doc``/``.xls`` (OLE2) are not accepted: they can carry macros and cannot be told apart from other OLE files
cheaply. The content type served on download comes from this table, never from the uploading client.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

MAX_FILENAME = 200


@dataclass(frozen=True)
class FileKind:
    label: str
    content_type: str
    matches: Callable[[BinaryIO], bool]


def _starts_with(signature: bytes) -> Callable[[BinaryIO], bool]:
    def check(file: BinaryIO) -> bool:
        file.seek(0)
        return file.read(len(signature)) == signature

    return check


def _zip_holding(*names: str) -> Callable[[BinaryIO], bool]:
    def check(file: BinaryIO) -> bool:
        file.seek(0)
        if file.read(4) != b"PK\x03\x04":
            return False
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                present = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return False
        return all(name in present for name in names)

    return check


_PDF = FileKind("PDF", "application/pdf", _starts_with(b"%PDF-"))
_JPEG = FileKind("JPEG", "image/jpeg", _starts_with(b"\xff\xd8\xff"))
KINDS: dict[str, FileKind] = {
    ".pdf": _PDF,
    ".jpg": _JPEG,
    ".jpeg": _JPEG,
    ".png": FileKind("PNG", "image/png", _starts_with(b"\x89PNG\r\n\x1a\n")),
    ".ofd": FileKind("OFD", "application/ofd", _zip_holding("OFD.xml")),
    ".docx": FileKind(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _zip_holding("[Content_Types].xml", "word/document.xml"),
    ),
    ".xlsx": FileKind(
        "XLSX",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _zip_holding("[Content_Types].xml", "xl/workbook.xml"),
    ),
}
ACCEPTED_LABELS = "PDF、JPEG、PNG、OFD、DOCX、XLSX"

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_filename(raw: str) -> str:
    """The name to show and offer on download: the last path segment, NFC-normalised, without control
    characters, quotes or leading dots, at most MAX_FILENAME characters (the extension kept). '' if nothing is
    left. It is only ever displayed: files are stored under their content hash."""
    name = unicodedata.normalize("NFC", raw or "")
    name = re.split(r"[\\/]", name)[-1]
    name = _CONTROL.sub("", name).replace('"', "").strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = (stem if keep else name)[: MAX_FILENAME - len(keep) - 1].rstrip() + (f".{keep}" if keep else "")
    return name


def kind_of(filename: str) -> FileKind | None:
    """The accepted kind a name's extension claims, or None."""
    _, dot, extension = filename.rpartition(".")
    return KINDS.get(f".{extension.lower()}") if dot else None


@dataclass(frozen=True)
class Attachment:
    id: int
    instance_id: int
    task_id: str
    case_no: str | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class TaskComment:
    id: int
    instance_id: int
    task_id: str | None
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class TaskTransfer:
    id: int
    instance_id: int
    task_id: str
    from_department: str | None
    to_department: str
    reason: str
    transferred_by: str
    transferred_at: datetime
