"""What a request accepts as a file: photos that are really photos, files within the limits.

A file's name and the type the browser claims say nothing about its content, so photos are
recognised by their first bytes. Gelato's team opens these files; a "photo" that is a script or a
web page must never reach them, nor be served back by the portal as something a browser runs.
The limits keep one request's email deliverable: mail services refuse messages of more than about
25 MB once attachments are encoded (a third larger than the files).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

MB = 1024 * 1024

#: The photo formats accepted, as named to the agent.
PHOTO_FORMATS = "JPEG, PNG, WebP, HEIC/HEIF (iPhone) and GIF"
# Brands of the ISO media file ("ftyp" box) that iPhones and other cameras write for HEIC/HEIF.
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx"}
_HEIF_BRANDS = {b"mif1", b"msf1"}
#: Types browsers display inline (HEIC they do not): only these are shown as thumbnails.
DISPLAYABLE = {"image/jpeg", "image/png", "image/gif", "image/webp"}
#: The largest log file taken, and the longest pasted log; beyond that it is not a log of one call.
LOGS_MAX_BYTES = 1 * MB


@dataclass(frozen=True)
class Limits:
    file_bytes: int
    total_bytes: int
    files: int

    @classmethod
    def from_config(cls, config) -> Limits:
        # A file larger than one request body may be could never arrive: say the smaller figure.
        per_file = min(config.request_file_max_mb, config.max_upload_mb)
        return cls(per_file * MB, config.request_files_total_mb * MB, config.request_max_files)

    def describe(self) -> str:
        return (
            f"Up to {self.files} files, each at most {_mb(self.file_bytes)} MB, together at most "
            f"{_mb(self.total_bytes)} MB."
        )


@dataclass(frozen=True)
class Upload:
    """A file as received: the name the agent's computer gave it, and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class AcceptedFile:
    filename: str
    content_type: str
    data: bytes
    #: The name the agent's computer gave it, as sent.
    original_filename: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def photo_type(data: bytes) -> str | None:
    """The image type of ``data`` by its signature, or None if it is not a photo we accept."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _HEIC_BRANDS:
            return "image/heic"
        if brand in _HEIF_BRANDS:
            return "image/heif"
    return None


def file_type(data: bytes) -> str:
    """A content type for any attachment: a photo's own, PDF, or plain bytes. Never HTML or SVG,
    so that nothing uploaded is ever run by a browser that opens it from the portal."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    return photo_type(data) or "application/octet-stream"


def log_text(data: bytes) -> str | None:
    """A log file's text, or None when it is not text (an image or an archive by mistake)."""
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/heic": ".heic",
    "image/heif": ".heif",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
}


def safe_filename(name: str, content_type: str | None = None, limit: int = 100) -> str:
    """A name fit for a header and any file system: the last path part, plain characters only,
    and an extension that matches the content (a photo named ``x.html`` becomes ``x.jpg``)."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip(".-") or "file"
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension).lower()[:10]
    wanted = _EXTENSIONS.get(content_type or "")
    if wanted and f".{extension}" not in (wanted, ".jpeg"):
        extension = wanted[1:]
    suffix = f".{extension}" if extension else ""
    return stem[: limit - len(suffix)] + suffix


def accept_files(
    uploads: Iterable[Upload],
    *,
    photos_only: bool,
    limits: Limits,
    stored_count: int,
    stored_bytes: int,
) -> tuple[list[AcceptedFile], list[str]]:
    """Which of ``uploads`` can be added to a request already holding ``stored_count`` files of
    ``stored_bytes``; and, for each one refused, a sentence saying why and what to do."""
    accepted: list[AcceptedFile] = []
    refused: list[str] = []
    count, total = stored_count, stored_bytes
    for upload in uploads:
        name = safe_filename(upload.filename)
        size = len(upload.data)
        if size == 0:
            refused.append(f"{name} is empty: choose the file again.")
            continue
        content_type = photo_type(upload.data) if photos_only else file_type(upload.data)
        if content_type is None:
            refused.append(
                f"{name} is not a photo. Only {PHOTO_FORMATS} images are accepted; the file's "
                "content is checked, not its name."
            )
            continue
        if size > limits.file_bytes:
            refused.append(
                f"{name} is {_mb(size)} MB: each file may be at most {_mb(limits.file_bytes)} MB. "
                "A photo taken at a lower resolution shows the damage just as well."
            )
            continue
        if count + 1 > limits.files:
            refused.append(
                f"{name} was not added: a request holds at most {limits.files} files. Remove one "
                "to make room."
            )
            continue
        if total + size > limits.total_bytes:
            refused.append(
                f"{name} ({_mb(size)} MB) was not added: a request's files may add up to "
                f"{_mb(limits.total_bytes)} MB, and {_mb(total)} MB are already attached."
            )
            continue
        accepted.append(
            AcceptedFile(
                safe_filename(name, content_type), content_type, upload.data, upload.filename
            )
        )
        count += 1
        total += size
    return accepted, refused


def size_text(size: int) -> str:
    """A file's size as people read it: "850 KB", "2.4 MB"."""
    if size < MB:
        return f"{max(1, round(size / 1024))} KB"
    return f"{_mb(size)} MB"


def _mb(size: int) -> str:
    """Megabytes as people say them: "10", "2.5"."""
    value = size / MB
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
