"""Fixtures for the request builder: a real SMTP server, sample files, and forms sent as a browser
sends them. The app and its sandbox are the fixtures of ``tests/conftest.py``."""

import html
import re

import pytest

from tests.conftest import form_token
from tests.requests.smtp_server import SmtpServer

#: Smallest files each format's signature check accepts: what a phone or a camera writes first.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(range(64))
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    yield server
    server.close()


def new_draft(client, slug, data=None, files=None, order=None, step="save"):
    """Open the scenario's form, as from an article or an order page, and submit it once."""
    query = f"?order={order}" if order else ""
    page = client.get(f"/portal/requests/new/{slug}/{query}").get_data(as_text=True)
    fields = {**prefilled(page), **(data or {}), "step": step}
    payload = {**fields, "csrf_token": form_token(page), **(files or {})}
    return client.post(
        f"/portal/requests/new/{slug}/", data=payload, content_type="multipart/form-data"
    )


def draft_id_of(response) -> int:
    return int(re.search(r"/portal/requests/(\d+)/", response.headers["Location"]).group(1))


def prefilled(page: str) -> dict:
    """The values a browser would send back unchanged: text inputs, ticked boxes, textareas."""
    values = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name.group(1) in ("csrf_token", "order", "step"):
            continue
        if kind and kind.group(1) in ("file", "submit"):
            continue
        if kind and kind.group(1) in ("checkbox", "radio"):
            if "checked" in tag:
                values[name.group(1)] = value.group(1) if value else "y"
            continue
        values[name.group(1)] = _unescape(value.group(1)) if value else ""
    for name, text in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        values[name] = _unescape(text.removeprefix("\n").removeprefix("\r\n"))
    return values


def _unescape(text: str) -> str:
    return html.unescape(text)


def save(client, draft_id, data=None, files=None, step="save"):
    """Submit the draft's form as the browser shows it, with ``data`` changed."""
    page = client.get(f"/portal/requests/{draft_id}/").get_data(as_text=True)
    payload = {**prefilled(page), **(data or {}), "step": step, "csrf_token": form_token(page)}
    return client.post(
        f"/portal/requests/{draft_id}/",
        data={**payload, **(files or {})},
        content_type="multipart/form-data",
    )
