"""What an evidence file may be (images, PDF, office documents, within a size limit); no file outlives its row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from apps.core.storage import storage_delete_leftovers

# Extension -> (content type, the signatures the file's first bytes must start with).
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED_EVIDENCE_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    ".webp": ("image/webp", (b"RIFF",)),  # and "WEBP" at offset 8, checked below
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
}


class EvidenceFileError(ValueError):
    """An upload that is not acceptable as evidence; the message names the file and the problem."""


def evidence_content_type(upload: UploadedFile) -> str:
    """Check one upload and return its content type, or raise EvidenceFileError saying why not."""
    name = upload.name or ""
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EVIDENCE_TYPES:
        raise EvidenceFileError(
            _("“%(name)s”: this file type is not accepted. Allowed: %(types)s.")
            % {"name": name, "types": ", ".join(sorted({e.lstrip(".") for e in ALLOWED_EVIDENCE_TYPES}))}
        )
    if upload.size == 0:
        raise EvidenceFileError(_("“%(name)s” is empty.") % {"name": name})
    if upload.size > settings.EVIDENCE_MAX_BYTES:
        raise EvidenceFileError(
            _("“%(name)s” is %(size)s; the largest file accepted is %(limit)s.")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }
        )
    content_type, signatures = ALLOWED_EVIDENCE_TYPES[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    genuine = any(head.startswith(signature) for signature in signatures)
    if extension == ".webp":
        genuine = genuine and head[8:12] == b"WEBP"  # RIFF also wraps WAV and AVI
    if not genuine:
        raise EvidenceFileError(
            _("“%(name)s” does not look like a real %(type)s file.") % {"name": name, "type": extension.lstrip(".")}
        )
    return content_type


class WrittenEvidenceFiles:
    """The files a block has saved to storage, so they can be deleted if the block's transaction rolls back."""

    def __init__(self) -> None:
        self.files: list[tuple[Storage, str]] = []

    def add(self, file: FieldFile) -> None:
        self.files.append((file.storage, file.name))

    def delete_all(self) -> None:
        for storage, name in self.files:
            storage_delete_leftovers(storage, [name])
        self.files.clear()


@contextmanager
def evidence_files_removed_on_failure() -> Iterator[WrittenEvidenceFiles]:
    """Delete the evidence files written inside the block when it raises.

    Storage is not transactional: a FileField writes its file when the row is inserted, and a rollback takes
    the row back but leaves the file. Wrap the atomic block (`with evidence_files_removed_on_failure() as
    written, transaction.atomic():`) and `add` each file saved, so a failed write leaves no file behind.
    """
    written = WrittenEvidenceFiles()
    try:
        yield written
    except BaseException:
        written.delete_all()
        raise
