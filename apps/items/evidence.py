"""What an evidence file may be (images, PDF, office documents, within a size limit), how it is served, and that
no file outlives its row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, TYPE_CHECKING

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from apps.core.storage import storage_delete_leftovers

if TYPE_CHECKING:
    from apps.items.models import Evidence

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

# The images a browser is shown inline, by the format Pillow finds (never by the file's name or first bytes).
INLINE_IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}
# Decoding takes memory in proportion to the pixels: 50 million is a 48-megapixel phone photo (8000 × 6000).
EVIDENCE_MAX_IMAGE_PIXELS = 50_000_000
DOWNLOAD_CONTENT_TYPE = "application/octet-stream"


class EvidenceFileError(ValueError):
    """An upload that is not acceptable as evidence; the message names the file and the problem."""


def evidence_files_checked(files: Sequence[UploadedFile]) -> list[tuple[UploadedFile, str]]:
    """Check a set of uploads (how many, then each) and give each with its content type; EvidenceFileError if not."""
    if len(files) > settings.EVIDENCE_MAX_FILES:
        raise EvidenceFileError(
            _("At most %(count)s files can be attached at once.") % {"count": settings.EVIDENCE_MAX_FILES}
        )
    return [(upload, evidence_content_type(upload)) for upload in files]


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
    if content_type.startswith("image/"):
        # The first bytes say little: a JPEG header can front a page of HTML. Only a picture that decodes is one.
        width, height = _image_size(upload)
        if width * height > EVIDENCE_MAX_IMAGE_PIXELS:
            raise EvidenceFileError(
                _(
                    "“%(name)s” is %(width)s × %(height)s pixels, "
                    "more than the %(limit)s million pixels an image may have."
                )
                % {"name": name, "width": width, "height": height, "limit": f"{EVIDENCE_MAX_IMAGE_PIXELS / 1e6:g}"}
            )
        if evidence_image_type(upload) != content_type:
            raise EvidenceFileError(
                _("“%(name)s” cannot be opened as a %(type)s image: it is damaged, or another kind of file renamed.")
                % {"name": name, "type": extension.lstrip(".")}
            )
    return content_type


def _image_size(source: IO[bytes]) -> tuple[int, int]:
    """The width and height the image says it has (only its header is read); (0, 0) when it is no image at all."""
    try:
        with Image.open(source, formats=list(INLINE_IMAGE_TYPES)) as image:
            return image.size
    except Exception:  # Pillow raises many kinds for a file that is not an image
        return 0, 0
    finally:
        source.seek(0)


def evidence_image_type(source: IO[bytes]) -> str | None:
    """The content type of a JPEG, PNG, GIF or WebP image that Pillow decodes whole; None for anything else."""
    try:
        # Only these four decoders are tried: no other of Pillow's (nor Ghostscript, for EPS) sees the file.
        with Image.open(source, formats=list(INLINE_IMAGE_TYPES)) as image:
            if image.width * image.height > EVIDENCE_MAX_IMAGE_PIXELS:
                return None
            if image.format == "JPEG":
                # Every byte is still decoded, into an eighth of the width and height: a photo costs kilobytes.
                image.draft(image.mode, (max(image.width // 8, 1), max(image.height // 8, 1)))
            image.load()
            return INLINE_IMAGE_TYPES.get(image.format or "")
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError …) for a bad file
        return None
    finally:
        source.seek(0)


def evidence_response(evidence: Evidence) -> FileResponse:
    """The evidence file as the browser gets it: shown inline only when it is an image that decodes, else a download.

    Checked as it is served, not trusted from the upload: files kept before images were decoded are served safely
    too. Nothing served here runs in the portal's origin: the sandbox gives any document a unique origin with no
    script, and nosniff stops a browser reading an image or download as HTML.
    """
    file = evidence.file.open("rb")
    image_type = evidence_image_type(file)
    if image_type:
        response = FileResponse(file, filename=evidence.original_name, content_type=image_type)
    else:
        extension = PurePath(evidence.original_name).suffix.lower()
        content_type = ALLOWED_EVIDENCE_TYPES.get(extension, (DOWNLOAD_CONTENT_TYPE,))[0]
        if content_type.startswith("image/"):
            content_type = DOWNLOAD_CONTENT_TYPE  # named as an image, yet it does not decode as one
        response = FileResponse(file, as_attachment=True, filename=evidence.original_name, content_type=content_type)
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
