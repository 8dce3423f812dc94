"""An agent prepares a request for Gelato Support, with photos, and sends it as an email draft."""

from __future__ import annotations

import email
import re
import struct
import zlib
from datetime import UTC, datetime, timedelta
from email import policy

from playwright.sync_api import expect

from portal.knowledge import GELATO_SUPPORT


def png(red: int, green: int, blue: int) -> bytes:
    """A one-pixel PNG of one colour: a real photo as far as the portal can tell."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1 by 1, 8-bit RGB
    pixels = zlib.compress(bytes([0, red, green, blue]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PHOTOS = {
    "photos_item": ("mug-crack.png", png(200, 30, 30)),
    "photos_packaging_outside": ("box-outside.png", png(30, 200, 30)),
    "photos_packaging_inside": ("box-inside.png", png(30, 30, 200)),
}


def test_damage_report_with_photos_becomes_an_eml_for_gelato_support(agent, help_center, tmp_path):
    agent.goto(help_center("/portal/requests/"))
    agent.get_by_role("link", name="Damaged or defective product").click()
    agent.get_by_label("Original order number").fill("NW-1009")
    delivered = datetime.now(UTC).date() - timedelta(days=6)
    agent.get_by_label("Delivery date").fill(delivered.isoformat())
    agent.get_by_label("Description of the damage, including the packaging").fill(
        "The mug arrived cracked along the handle; the box was dented on one corner."
    )
    for role, (name, data) in PHOTOS.items():
        field = agent.locator(f"#{role}-field")
        # Choosing a file stores it at once, with everything typed so far (the page reloads).
        field.locator("input[type=file]").set_input_files(
            {"name": name, "mimeType": "image/png", "buffer": data}
        )
        expect(agent.locator(f"#{role}-field .request-files li")).to_have_count(1)
    expect(agent.get_by_label("Description of the damage, including the packaging")).to_have_value(
        "The mug arrived cracked along the handle; the box was dented on one corner."
    )
    expect(agent.get_by_text("Complete: Gelato can act on it at once.")).to_be_visible()

    agent.get_by_role("button", name="Check and preview").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text(
        "Preview: Damaged or defective product"
    )
    listed = agent.locator(".request-attachments li").all_inner_texts()

    with agent.expect_download() as download:
        agent.get_by_role("button", name="Download the .eml").click()
    assert download.value.suggested_filename.endswith(".eml")
    saved = tmp_path / "request.eml"
    download.value.save_as(saved)
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)

    assert message["To"] == GELATO_SUPPORT.email
    assert "NW-1009" in message["Subject"]
    assert "cracked along the handle" in message.get_body(preferencelist=("plain",)).get_content()
    attachments = list(message.iter_attachments())
    assert sorted(part.get_content() for part in attachments) == sorted(
        data for _, data in PHOTOS.values()
    )
    assert {part.get_content_type() for part in attachments} == {"image/png"}
    for part in attachments:  # the names the preview showed
        assert any(line.startswith(part.get_filename()) for line in listed), (part, listed)


def test_a_draft_survives_a_reload(agent, help_center):
    agent.goto(help_center("/portal/requests/new/something-else/"))
    agent.get_by_label("Subject").fill("Invoice copy for October")
    expect(agent.get_by_text("saved at")).to_be_visible()  # saved while typing
    expect(agent).to_have_url(re.compile(re.escape(help_center("/portal/requests/")) + r"\d+/$"))
    agent.reload()
    expect(agent.get_by_label("Subject")).to_have_value("Invoice copy for October")
    agent.goto(help_center("/portal/requests/"))
    expect(agent.get_by_role("row", name="Something else")).not_to_have_count(0)
