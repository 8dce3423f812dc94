"""The email a request becomes, read back the way mail programs read it."""

import email
from dataclasses import replace
from datetime import date
from email import policy
from urllib.parse import unquote, urlsplit

import pytest

from portal.knowledge import GELATO_SUPPORT
from portal.requests import compose
from portal.requests.compose import StoredFile, mailto_link, prepare_request
from portal.requests.kinds import LOGS_INLINE_MAX
from portal.requests.lookup import FOUND, OrderFacts
from portal.requests.scenarios import API_SUBMISSION_FAILURE, DAMAGED_PRODUCT, SOMETHING_ELSE
from tests.requests.conftest import HEIC, JPEG, PNG

TODAY = date(2025, 3, 20)
ORIGINAL = OrderFacts(
    query="NW-1009", outcome=FOUND, id="a6885746-5f4e", reference="NW-1009", status="delivered"
)
REORDER = OrderFacts(query="NW-1009-R1", outcome=FOUND, id="b1", reference="NW-1009-R1")
#: As the store keeps them: each under the name given when it was stored, in the order uploaded.
PHOTOS = [
    StoredFile("photos_packaging_inside", "photo-packaging-inside-1.heic", "image/heic", HEIC),
    StoredFile("photos_item", "photo-item-1.jpg", "image/jpeg", JPEG),
    StoredFile("photos_packaging_outside", "photo-packaging-outside-1.png", "image/png", PNG),
    StoredFile("photos_item", "photo-item-2.jpg", "image/jpeg", JPEG[::-1]),
]


def damage_claim(**changes):
    answers = {
        "order_number": "NW-1009",
        "delivery_date": "2025-03-14",
        "damage_description": "Handle broken off.\nThe box was crushed on one corner.",
        "reorder_number": "NW-1009-R1",
        **changes,
    }
    return prepare_request(
        DAMAGED_PRODUCT,
        answers,
        orders={"order_number": ORIGINAL, "reorder_number": REORDER},
        files=PHOTOS,
        agent="ana",
        today=TODAY,
        reply_to="support@shop.example",
        sender="support@shop.example",
    )


def plain_request(scenario, answers):
    """A request without order facts or files."""
    return prepare_request(scenario, answers, orders={}, files=[], agent="ana", today=TODAY)


def test_the_subject_names_the_situation_and_both_orders():
    assert damage_claim().subject == (
        "Damaged or defective product: order NW-1009, reorder NW-1009-R1"
    )


def test_the_body_follows_the_checklist_and_ends_with_the_response_time():
    request = damage_claim()
    body = request.body
    assert request.to == GELATO_SUPPORT.email
    assert body.startswith("Hello Gelato Support,\r\n\r\nWe need your help with: damaged")
    positions = [body.index(r.label) for r in DAMAGED_PRODUCT.requirements]
    assert positions == sorted(positions)
    assert "Original order number: NW-1009 (Gelato order id a6885746-5f4e)" in body
    assert "Delivery date: 2025-03-14 (6 days ago, within the 30-day window" in body
    assert "    Handle broken off.\r\n    The box was crushed on one corner." in body
    assert (
        "Photos of the item (attached): photo-item-1.jpg, photo-item-2.jpg\r\n\r\n"
        "Photos of the packaging, outside (attached): photo-packaging-outside-1.png\r\n\r\n"
        "Photos of the packaging, inside (attached): photo-packaging-inside-1.heic"
    ) in body
    assert "Please reply to support@shop.example." in body
    last = body.splitlines()[-1]
    assert GELATO_SUPPORT.hours in last
    assert GELATO_SUPPORT.email_response in last


def test_the_opening_names_the_situation_keeping_its_proper_nouns():
    body = plain_request(API_SUBMISSION_FAILURE, {"order_number": "SHOP-1"}).body
    assert "We need your help with: order cannot be submitted through the API." in body


def test_a_late_claim_says_so_in_the_email():
    body = damage_claim(delivery_date="2025-02-03").body
    assert "2025-02-03 (45 days ago. We know this is outside the 30-day window" in body


def test_the_email_counts_the_window_from_gelatos_record_of_the_delivery():
    recorded = replace(ORIGINAL, delivered_on="2025-02-03")
    request = prepare_request(
        DAMAGED_PRODUCT,
        {"order_number": "NW-1009", "delivery_date": "2025-03-14", "damage_description": "x"},
        orders={"order_number": recorded},
        files=[],
        agent="ana",
        today=TODAY,
    )
    assert (
        "Delivery date: 2025-03-14 (Gelato records the delivery on 2025-02-03: 45 days ago. We "
        "know this is outside the 30-day window"
    ) in request.body


def test_header_injection_in_a_subject_becomes_one_harmless_line():
    answers = {"subject": "Refund\r\nBcc: everyone@example.com\n\nHi", "description": "x"}
    request = plain_request(SOMETHING_ELSE, answers)
    assert request.subject == "Refund Bcc: everyone@example.com Hi"
    message = email.message_from_bytes(compose.eml_bytes(request), policy=policy.default)
    assert message["Bcc"] is None
    assert message["Subject"] == request.subject


def test_the_email_package_refuses_a_raw_line_break_in_a_header_too():
    request = plain_request(SOMETHING_ELSE, {"subject": "x", "description": "y"})
    broken = compose.PreparedRequest(**{**request.__dict__, "subject": "Hi\r\nBcc: x@example.com"})
    with pytest.raises(ValueError, match="linefeed or carriage return"):
        compose.email_message(broken, unsent=True)


def test_the_eml_parses_back_with_every_header_and_file_byte_for_byte():
    request = damage_claim()
    raw = compose.eml_bytes(request)
    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")  # RFC 5322: CRLF only
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == GELATO_SUPPORT.email
    assert message["From"] == "support@shop.example"
    assert message["Reply-To"] == "support@shop.example"
    assert message["Subject"] == request.subject
    assert message["X-Unsent"] == "1"
    assert message["Message-ID"].endswith("@shop.example>")
    assert message["Date"]
    text = message.get_body(("plain",)).get_content()
    assert text.replace("\r\n", "\n") == request.body.replace("\r\n", "\n") + "\n"
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert list(files) == [
        "photo-item-1.jpg",
        "photo-item-2.jpg",
        "photo-packaging-outside-1.png",
        "photo-packaging-inside-1.heic",
    ]
    assert files["photo-item-1.jpg"].get_content() == JPEG
    assert files["photo-item-2.jpg"].get_content() == JPEG[::-1]
    assert files["photo-packaging-inside-1.heic"].get_content_type() == "image/heic"
    assert files["photo-packaging-inside-1.heic"].get_content() == HEIC


def test_without_a_team_address_there_is_no_reply_to():
    request = plain_request(SOMETHING_ELSE, {"subject": "x", "description": "y"})
    message = compose.email_message(request, unsent=False)
    assert message["Reply-To"] is None
    assert message["X-Unsent"] is None
    assert "Please reply to" not in request.body


def decode_mailto(url):
    """As RFC 6068 says a mail program reads it: percent-decoding, nothing else ('+' is '+')."""
    parts = urlsplit(url)
    assert parts.scheme == "mailto"
    fields = dict(pair.split("=", 1) for pair in parts.query.split("&"))
    return unquote(parts.path), {name: unquote(value) for name, value in fields.items()}


def test_the_mailto_link_decodes_back_to_the_same_email():
    answers = {
        "subject": "Tea & cake? 100% = +1 #2",
        "description": "Line one\nLine two: a&b=c?d#e%f+g ünï 🙂",
    }
    request = plain_request(SOMETHING_ELSE, answers)
    link = mailto_link(request)
    assert link.complete
    assert " " not in link.url
    assert "\n" not in link.url
    to, fields = decode_mailto(link.url)
    assert to == GELATO_SUPPORT.email
    assert fields["subject"] == "Tea & cake? 100% = +1 #2"
    assert fields["body"] == request.body
    assert "%0D%0A" in link.url  # line breaks as RFC 6068 wants them


def test_a_long_request_gets_a_short_body_in_its_link():
    request = damage_claim(damage_description="The box was crushed. " * 200)
    link = mailto_link(request)
    assert not link.complete
    assert link.full_length > compose.MAILTO_MAX_LENGTH
    assert len(link.url) <= compose.MAILTO_MAX_LENGTH
    _, fields = decode_mailto(link.url)
    assert fields["subject"] == request.subject
    assert "too long for an email link" in fields["body"]
    assert "Order: NW-1009 (Gelato order id a6885746-5f4e)" in fields["body"]


def test_long_logs_go_as_an_attached_file():
    logs = "POST https://order.gelatoapis.com/v4/orders\n" + "x" * LOGS_INLINE_MAX
    answers = {"order_number": "SHOP-1", "error_description": "400", "api_logs": logs}
    request = plain_request(API_SUBMISSION_FAILURE, answers)
    assert "x" * 100 not in request.body
    assert "Logs of the API call and its response (attached): api-logs.txt" in request.body
    [attachment] = request.attachments
    assert attachment.data == logs.encode()

    short = {**answers, "api_logs": "POST /v4/orders\n400 Bad Request"}
    body = plain_request(API_SUBMISSION_FAILURE, short).body
    assert "    POST /v4/orders\r\n    400 Bad Request" in body
    assert "Request to correct the issue and reorder: No" in body
