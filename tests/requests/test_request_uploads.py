"""Photos are recognised by their content, and the limits are said in numbers."""

import pytest

from portal.requests.uploads import (
    MB,
    Limits,
    Upload,
    accept_files,
    file_type,
    log_text,
    photo_type,
    safe_filename,
)
from tests.requests.conftest import HEIC, JPEG, PNG

LIMITS = Limits(file_bytes=2 * MB, total_bytes=3 * MB, files=3)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image/gif"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00", "image/webp"),
        (HEIC, "image/heic"),
        (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heic", "image/heif"),
        (b"<html><script>alert(1)</script></html>", None),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', None),
        (b"%PDF-1.7\n", None),
        (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41", None),  # a video
        (b"", None),
    ],
)
def test_photos_are_recognised_by_their_first_bytes(data, expected):
    assert photo_type(data) == expected


def test_other_files_are_never_served_as_something_a_browser_runs():
    assert file_type(b"<html>hi</html>") == "application/octet-stream"
    assert file_type(b"%PDF-1.4 ...") == "application/pdf"
    assert file_type(PNG) == "image/png"


def test_a_web_page_named_like_a_photo_is_refused_and_the_rest_kept():
    accepted, refused = accept_files(
        [Upload("damage.jpg", b"<html>not a photo</html>"), Upload("box.png", PNG)],
        photos_only=True,
        limits=LIMITS,
        stored_count=0,
        stored_bytes=0,
    )
    assert [(a.filename, a.content_type) for a in accepted] == [("box.png", "image/png")]
    assert refused == [
        "damage.jpg is not a photo. Only JPEG, PNG, WebP, HEIC/HEIF (iPhone) and GIF images are "
        "accepted; the file's content is checked, not its name."
    ]


def test_each_limit_is_said_with_its_number():
    big = Upload("big.jpg", JPEG + b"\x00" * (2 * MB))
    _, refused = accept_files(
        [big], photos_only=True, limits=LIMITS, stored_count=0, stored_bytes=0
    )
    assert refused[0].startswith("big.jpg is 2.0 MB: each file may be at most 2 MB.")

    one_mb = Upload("a.jpg", JPEG + b"\x00" * (MB - len(JPEG)))
    accepted, refused = accept_files(
        [one_mb, one_mb], photos_only=True, limits=LIMITS, stored_count=2, stored_bytes=MB
    )
    assert len(accepted) == 1
    assert refused == [
        "a.jpg was not added: a request holds at most 3 files. Remove one to make room."
    ]

    accepted, refused = accept_files(
        [one_mb], photos_only=True, limits=LIMITS, stored_count=1, stored_bytes=int(2.5 * MB)
    )
    assert accepted == []
    assert refused == [
        "a.jpg (1 MB) was not added: a request's files may add up to 3 MB, and 2.5 MB are "
        "already attached."
    ]
    _, refused = accept_files(
        [Upload("empty.png", b"")], photos_only=True, limits=LIMITS, stored_count=0, stored_bytes=0
    )
    assert refused == ["empty.png is empty: choose the file again."]


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("IMG_2231.HEIC", "image/heic", "IMG_2231.heic"),
        ("photo.html", "image/jpeg", "photo.jpg"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("C:\\Users\\ana\\Desktop\\box inside.png", "image/png", "box-inside.png"),
        ("../../etc/passwd", None, "passwd"),
        ('a"; filename="evil.exe\r\nX: y', None, "a-filename-evil.exexy"),
        ("Übersicht (1).pdf", "application/pdf", "Ubersicht-1.pdf"),
        ("", "image/png", "file.png"),
    ],
)
def test_file_names_are_made_safe_for_headers_and_disks(name, content_type, expected):
    assert safe_filename(name, content_type) == expected


def test_log_files_must_be_text():
    assert log_text(b"\xef\xbb\xbfPOST /v4/orders") == "POST /v4/orders"
    assert log_text("café".encode("latin-1")) == "café"
    assert log_text(PNG) is None
