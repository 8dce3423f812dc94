"""Each situation's guided form, end to end through the portal against the sandbox."""

import email
import html
import io
import json
import re
from email import policy

import pytest
from markupsafe import escape

from portal.knowledge import GELATO_SUPPORT
from portal.requests.scenarios import (
    ADDRESS_PROBLEM,
    CORRECTED_FILE,
    DAMAGED_PRODUCT,
    REORDER_TO_CORRECTED,
    SCENARIOS,
)
from tests.conftest import form_token
from tests.orders.conftest import form_fields
from tests.requests.conftest import HEIC, JPEG, PNG, draft_id_of, new_draft, prefilled, save

SUPPORT = "support@shop.example"


@pytest.fixture
def environ(environ):
    return {**environ, "SUPPORT_EMAIL": SUPPORT}


def text_of(response) -> str:
    return response.get_data(as_text=True)


def photo(data=JPEG, name="IMG_0001.jpg"):
    return (io.BytesIO(data), name)


def store_of(app):
    return app.extensions["store"]


def field_block(page: str, key: str) -> str:
    """The markup of one requirement's field, up to the next one."""
    start = page.rindex("<div", 0, page.index(f'data-requirement="{key}"'))
    ends = [page.find(mark, start + 5) for mark in ('<div class="request-field', "request-buttons")]
    return page[start : min(end for end in ends if end > 0)]


def checklist_of(page: str) -> str:
    return page[page.index("data-checklist") :]


# Every scenario's form


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.slug)
def test_every_requirement_is_a_field_of_its_form_and_a_line_of_its_checklist(
    agent_client, scenario
):
    response = agent_client.get(scenario.portal_path)
    assert response.status_code == 200
    page = text_of(response)
    for requirement in scenario.requirements:
        block = field_block(page, requirement.key)
        assert escape(requirement.label) in block
        assert escape(requirement.help) in block
        assert re.search(rf'name="{requirement.key}[-"]', block), requirement.key
        line = re.search(rf'data-check="{requirement.key}">(.*?)</li>', checklist_of(page), re.S)
        assert escape(requirement.label) in line.group(1)
    assert 'enctype="multipart/form-data"' in page
    assert "requests.js" in page


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.slug)
def test_every_field_says_where_its_requirement_comes_from(agent_client, scenario):
    page = text_of(agent_client.get(scenario.portal_path))
    for requirement in scenario.requirements:
        block = field_block(page, requirement.key)
        source_line = re.search(r'<p class="request-source">(Sources?:.*?)</p>', block, re.S)
        assert source_line, requirement.key
        for source in requirement.sources:
            assert f'<a href="{escape(source.href)}">{escape(source.label)}</a>' in source_line[1]


def test_the_delivery_date_field_states_the_window_and_its_source(agent_client):
    page = text_of(agent_client.get("/portal/requests/new/damaged-product/"))
    block = field_block(page, "delivery_date")
    window = DAMAGED_PRODUCT.requirement("delivery_date").window
    assert "Time limit: Gelato takes damage reports for 30 days after delivery." in block
    for source in window.sources:
        assert escape(source.label) in block


def test_an_unknown_situation_has_no_form(agent_client):
    assert agent_client.get("/portal/requests/new/no-such-thing/").status_code == 404


def test_signing_in_comes_first(client):
    response = client.get("/portal/requests/new/damaged-product/")
    assert response.status_code == 302
    assert "/portal/sign-in" in response.headers["Location"]


# 1. Damaged or defective product


def test_damage_claim_from_order_page_to_eml(app, agent_client, gelato, order_id):
    original = gelato.get_order(order_id("NW-1009"))
    page = text_of(agent_client.get(f"/portal/requests/new/damaged-product/?order={original.id}"))
    fields = prefilled(page)
    assert fields["order_number"] == "NW-1009"
    assert fields["delivery_date"] == original.delivered_at.date().isoformat()

    # One real photo, one web page calling itself a photo: the first is kept, the second named.
    response = new_draft(
        agent_client,
        "damaged-product",
        {"damage_description": "Handle broken <b>off</b>; box crushed."},
        files={"photos_item": [photo(), photo(b"<html>x</html>", "fake.jpg")]},
        order=original.id,
    )
    assert response.status_code == 302
    draft_id = draft_id_of(response)
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    item = field_block(page, "photos_item")
    assert "IMG_0001.jpg" in item
    assert "fake.jpg is not a photo" in item
    assert "Handle broken &lt;b&gt;off&lt;/b&gt;; box crushed." in page  # kept, escaped

    # Checking now names what is missing, beside each field.
    response = save(agent_client, draft_id, step="check")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/portal/requests/{draft_id}/?check=1#checklist")
    page = text_of(agent_client.get(response.headers["Location"]))
    for key in ("photos_packaging_outside", "photos_packaging_inside"):
        assert "Add at least one photo" in field_block(page, key)
    assert "Photos of the packaging, outside" in page.split("Not complete yet")[1][:400]

    response = save(
        agent_client,
        draft_id,
        files={
            "photos_packaging_outside": [photo(PNG, "outside.png")],
            "photos_packaging_inside": [photo(HEIC, "IMG_0002.HEIC")],
        },
        step="check",
    )
    assert response.headers["Location"].endswith(f"/portal/requests/{draft_id}/preview")
    preview = text_of(agent_client.get(response.headers["Location"]))
    assert f"<dd>{GELATO_SUPPORT.email}</dd>" in preview
    assert f"<dd>{SUPPORT}</dd>" in preview
    assert "Damaged or defective product: order NW-1009" in preview
    assert "Handle broken &lt;b&gt;off&lt;/b&gt;" in preview
    assert "within the 30-day window" in preview

    response = agent_client.post(
        f"/portal/requests/{draft_id}/eml", data={"csrf_token": form_token(preview)}
    )
    assert response.status_code == 200
    assert response.mimetype == "message/rfc822"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="damaged-')
    message = email.message_from_bytes(response.data, policy=policy.default)
    assert message["X-Unsent"] == "1"
    assert message["Reply-To"] == SUPPORT
    files = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert files == {
        "photo-item-1.jpg": JPEG,
        "photo-packaging-outside-1.png": PNG,
        "photo-packaging-inside-1.heic": HEIC,
    }
    [entry] = store_of(app).audit.list(action="request_downloaded")
    assert (entry.actor, entry.order_id, entry.outcome) == (
        "ana",
        original.id,
        "succeeded",
    )
    assert "photo-item-1.jpg" in entry.request
    listing = text_of(agent_client.get("/portal/requests/"))
    assert "Downloaded as .eml" in listing


def test_a_part_of_a_split_order_is_named_by_its_gelato_id(agent_client, sandbox):
    """Its reference names every part, so only the id says which one the request is about."""
    part = sandbox.orders_with_reference("NW-1019")[0]["id"]
    page = text_of(agent_client.get(f"/portal/requests/new/damaged-product/?order={part}"))
    assert prefilled(page)["order_number"] == part


def test_place_the_reorder_now_fills_the_new_number_in(agent_client, gelato, order_id):
    original_id = order_id("NW-1009")
    response = new_draft(agent_client, "damaged-product", order="NW-1009", step="reorder")
    draft_path = "/portal/requests/1/"
    assert response.headers["Location"].endswith(
        f"/portal/orders/{original_id}/reorder?return_to={draft_path}"
    )
    reorder_path = response.headers["Location"]
    # The reorder form, its charge warning, and the confirmation, as in the orders tests.
    page = text_of(agent_client.get(reorder_path))
    review = agent_client.post(reorder_path, data={**form_fields(page), "step": "review"})
    assert "charged like any order" in text_of(review)
    fields = {**form_fields(text_of(review)), "step": "confirm", "understood_charge": "y"}
    done = text_of(agent_client.post(reorder_path, data=fields))
    assert "Back to your request" in done
    new_id = re.search(r'name="order_id" value="([^"]+)"', done).group(1)
    back = re.search(r'action="(/portal/requests/1/reorder-placed)"', done).group(1)
    response = agent_client.post(back, data={"csrf_token": form_token(done), "order_id": new_id})
    assert response.headers["Location"].endswith("/portal/requests/1/#reorder_number-field")
    page = text_of(agent_client.get("/portal/requests/1/"))
    reference = gelato.get_order(new_id).order_reference_id
    assert prefilled(page)["reorder_number"] == reference
    assert f"Reorder {reference} is filled in." in page
    assert "to correct" not in field_block(page, "reorder_number")


def test_a_reorder_link_back_only_goes_to_a_request(agent_client, order_id):
    path = f"/portal/orders/{order_id('NW-1009')}/reorder?return_to=https://evil.example/"
    page = text_of(agent_client.get(path))
    review = agent_client.post(path, data={**form_fields(page), "step": "review"})
    fields = {**form_fields(text_of(review)), "step": "confirm", "understood_charge": "y"}
    done = text_of(agent_client.post(path, data=fields))
    assert "Gelato accepted the reorder" in done
    assert "Back to your request" not in done
    assert "evil.example" not in done


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("order_number", "NW-0000", "Gelato has no order &#39;NW-0000&#39;"),
        ("reorder_number", "NW-1010", "before the original order NW-1009"),
        ("reorder_number", "NW-1009", "This is the original order itself"),
    ],
)
def test_wrong_order_numbers_are_named_beside_their_field(agent_client, field, typed, message):
    response = new_draft(agent_client, "damaged-product", {field: typed}, order="NW-1009")
    page = text_of(agent_client.get(response.headers["Location"]))
    assert message in field_block(page, field)
    assert "portal-field--error" in field_block(page, field)


def test_outside_the_window_is_said_and_the_request_still_prepared(agent_client):
    response = new_draft(
        agent_client,
        "damaged-product",
        {"damage_description": "Cracked."},
        files={
            "photos_item": [photo()],
            "photos_packaging_outside": [photo(PNG, "o.png")],
            "photos_packaging_inside": [photo(PNG[:-1] + b"\x83", "i.png")],
        },
        order="NW-1010",
        step="check",
    )
    assert response.headers["Location"].endswith("/preview")
    preview = text_of(agent_client.get(response.headers["Location"]))
    assert "outside Gelato&#39;s 30-day window for damage reports" in preview
    assert "We know this is outside the 30-day window" in preview


# 2. Order cannot be submitted through the API

KEY = (
    "3f9c2a71-8d4e-4b6a-9c1f-2e7d5a0b8c34-6a1e9f02-77b3-4d5c-a8e2-0f4b6c9d1e23"
    ":a0c41f3e-95d2-4c7b-b8e6-1d2f3a4b5c6d"
)
LOGS = f"""POST https://order.gelatoapis.com/v4/orders
Content-Type: application/json
X-API-KEY: {KEY}

{{"orderReferenceId": "SHOP-10482", "currency": "EUR"}}

HTTP/1.1 400 Bad Request
{{"code": "INVALID_ADDRESS", "message": "postCode is invalid"}}"""


def test_api_failure_logs_lose_their_secrets_before_anything_is_kept(app, agent_client):
    log_file = f"2025-03-14 request headers: {{'X-API-KEY': '{KEY}'}}\nresponse: 400\n"
    response = new_draft(
        agent_client,
        "api-submission-failure",
        {
            "order_number": "SHOP-10482",
            "error_description": "Every order to Germany is refused since this morning.",
            "api_logs": LOGS,
        },
        files={"api_logs_file": [(io.BytesIO(log_file.encode()), "sync.log")]},
        step="check",
    )
    draft_id = draft_id_of(response)
    assert response.headers["Location"].endswith("/preview")  # complete, reorder asked by default
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    assert KEY not in page
    assert "X-API-KEY: [removed]" in page
    assert "Secrets taken out before anything was saved" in page
    assert "X-API-KEY header (line 3)" in page
    assert "sync.log: &#34;X-API-KEY&#34; value (line 1)" in page
    assert 'name="correct_and_reorder" type="checkbox" value="y" checked' in page or (
        "checked" in field_block(page, "correct_and_reorder")
    )

    preview = text_of(agent_client.get(f"/portal/requests/{draft_id}/preview"))
    assert "Request to correct the issue and reorder: Yes" in preview
    eml = agent_client.post(
        f"/portal/requests/{draft_id}/eml", data={"csrf_token": form_token(preview)}
    ).data
    assert KEY.encode() not in eml
    message = email.message_from_bytes(eml, policy=policy.default)
    [attachment] = message.iter_attachments()
    assert attachment.get_filename() == "api-logs-sync.txt"
    assert b"'X-API-KEY': '[removed]'" in attachment.get_content().encode()
    # Nowhere in the database either.
    store = store_of(app)
    assert KEY not in store.drafts.get(draft_id).fields
    assert all(
        KEY.encode() not in row.data
        for row in store.drafts.list_attachments(draft_id, with_data=True)
    )


def test_oversized_logs_are_refused_and_the_rest_kept(agent_client):
    response = new_draft(
        agent_client,
        "api-submission-failure",
        {"order_number": "SHOP-1", "error_description": "Timeouts.", "api_logs": "x" * 1_100_000},
        files={"api_logs_file": [(io.BytesIO(PNG), "screenshot.png")]},
    )
    page = text_of(agent_client.get(response.headers["Location"]))
    block = field_block(page, "api_logs")
    assert "These logs are 1,074 KB; at most 1,024 KB is taken." in block
    assert "screenshot.png is not a text file" in block
    assert prefilled(page)["error_description"] == "Timeouts."


# 3. File or quality concern


def test_file_concern_answer_with_a_corrected_file(agent_client):
    answers = {
        "concern_kind": "Spelling error",
        "concern": "The name on the mug reads 'Jonh'.",
        "direction": CORRECTED_FILE,
    }
    response = new_draft(agent_client, "file-concern", answers, order="NW-1004", step="check")
    draft_id = draft_id_of(response)
    page = text_of(agent_client.get(response.headers["Location"]))
    assert "Attach the file, or give a link to it." in field_block(page, "corrected_file")

    pdf = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
    response = save(
        agent_client,
        draft_id,
        files={"corrected_file": [(io.BytesIO(pdf), "mug john.pdf")]},
        step="check",
    )
    assert response.headers["Location"].endswith("/preview")
    preview = text_of(agent_client.get(response.headers["Location"]))
    assert "This answers your message about: file or quality concern raised by Gelato." in preview
    assert "Your direction: Use the corrected file and reorder" in preview
    assert "The corrected file: attached: corrected-file-mug-john.pdf" in preview
    assert "Kind of concern: Spelling error" in preview


def test_a_link_can_stand_for_the_corrected_file(agent_client):
    answers = {
        "concern_kind": "Image problem",
        "concern": "The photo is too small to print sharp.",
        "direction": CORRECTED_FILE,
        "corrected_file_url": "https://files.shop.example/mug-large.png",
    }
    response = new_draft(agent_client, "file-concern", answers, order="NW-1004", step="check")
    assert response.headers["Location"].endswith("/preview")
    preview = text_of(agent_client.get(response.headers["Location"]))
    assert "The corrected file: link: https://files.shop.example/mug-large.png" in preview


# 4. Address problem


def test_address_problem_offers_self_service_first_and_checks_the_address(agent_client, order_id):
    page = text_of(agent_client.get("/portal/requests/new/address-problem/?order=NW-1014"))
    assert "Fix it yourself first" in page
    assert f"/portal/orders/{order_id('NW-1014')}/reorder" in page
    # Still cancelable: the portal can correct the address itself.
    page = text_of(agent_client.get("/portal/requests/new/address-problem/?order=NW-1004"))
    assert f"/portal/orders/{order_id('NW-1004')}/address" in page

    address = {
        "corrected_address-first_name": "Camille",
        "corrected_address-last_name": "Durand",
        "corrected_address-address_line1": "12 rue de la République",
        "corrected_address-city": "Lyon",
        "corrected_address-post_code": "6900",
        "corrected_address-country": "DE",
        "corrected_address-email": "camille@example.com",
    }
    answers = {
        "error_description": "Address incomplete: house number missing.",
        "reorder": REORDER_TO_CORRECTED,
        **address,
    }
    response = new_draft(agent_client, "address-problem", answers, order="NW-1014", step="check")
    draft_id = draft_id_of(response)
    page = text_of(agent_client.get(response.headers["Location"]))
    block = field_block(page, "corrected_address")
    assert "The country cannot change (FR)" in block
    assert "Check the address" in block

    response = save(
        agent_client,
        draft_id,
        {"corrected_address-country": "fr", "corrected_address-post_code": "69003"},
        step="check",
    )
    assert response.headers["Location"].endswith("/preview")
    preview = text_of(agent_client.get(response.headers["Location"]))
    body = html.unescape(preview).replace("\r\n", "\n")
    assert "    Camille Durand\n    12 rue de la République\n    69003 Lyon\n    FR\n" in body
    assert f"Whether to reorder: {REORDER_TO_CORRECTED}" in preview
    assert ADDRESS_PROBLEM.title in preview


# 5. Something else


def test_something_else_keeps_hostile_input_harmless(app, agent_client):
    answers = {
        "subject": "Refund\r\nBcc: everyone@example.com",
        "description": '<script>alert("x")</script> and <img src=x onerror=alert(1)>',
    }
    response = new_draft(
        agent_client,
        "something-else",
        answers,
        files={"attachments": [(io.BytesIO(b"<html><script>alert(1)</script>"), "page.html")]},
        step="check",
    )
    draft_id = draft_id_of(response)
    preview = text_of(agent_client.get(response.headers["Location"]))
    assert "<script>alert" not in preview
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in preview
    assert "Refund Bcc: everyone@example.com" in preview
    [stored] = store_of(app).drafts.list_attachments(draft_id)
    served = agent_client.get(f"/portal/requests/{draft_id}/files/{stored.id}")
    assert served.mimetype == "application/octet-stream"
    assert served.headers["Content-Disposition"] == 'attachment; filename="page.html"'
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    eml = agent_client.post(
        f"/portal/requests/{draft_id}/eml", data={"csrf_token": form_token(preview)}
    ).data
    message = email.message_from_bytes(eml, policy=policy.default)
    assert message["Subject"] == "Refund Bcc: everyone@example.com"
    assert message["Bcc"] is None


def test_delivery_problem_takes_the_estimate_from_the_order(agent_client, gelato, order_id):
    order = gelato.get_order(order_id("NW-1008"))
    page = text_of(agent_client.get(f"/portal/requests/new/delivery-problem/?order={order.id}"))
    assert (
        prefilled(page)["estimated_delivery_date"] == order.shipment.max_delivery_date.isoformat()
    )


# Drafts


def test_nothing_is_lost_to_an_incomplete_check_or_a_reload(agent_client):
    response = new_draft(
        agent_client,
        "damaged-product",
        {"damage_description": "Torn box."},
        files={"photos_item": [photo()]},
        order="NW-1009",
        step="check",
    )
    draft_id = draft_id_of(response)
    for _ in range(2):  # a reload of the form, then of the same page again
        page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
        assert prefilled(page)["damage_description"] == "Torn box."
        assert "IMG_0001.jpg" in field_block(page, "photos_item")
    # The same form sent twice (a reload after posting) does not store the photo twice.
    save(agent_client, draft_id, files={"photos_item": [photo()]})
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    assert field_block(page, "photos_item").count("photo-item-1.jpg</a>") == 1
    assert "photo-item-2" not in page


def test_too_many_photos_keep_the_rest_of_the_form(app, agent_client):
    app.config["HELP_CENTER"] = type(app.config["HELP_CENTER"])(
        **{**app.config["HELP_CENTER"].__dict__, "request_max_files": 2}
    )
    photos = [photo(JPEG + bytes([n]), f"p{n}.jpg") for n in range(3)]
    response = new_draft(
        agent_client, "damaged-product", {"damage_description": "Dent."}, {"photos_item": photos}
    )
    page = text_of(agent_client.get(response.headers["Location"]))
    block = field_block(page, "photos_item")
    assert "photo-item-1.jpg</a>" in block
    assert "from p0.jpg" in block
    assert "photo-item-2.jpg</a>" in block
    assert "from p1.jpg" in block
    assert "p2.jpg was not added: a request holds at most 2 files." in block
    assert "Up to 2 files, each at most 10 MB, together at most 18 MB." in page
    assert prefilled(page)["damage_description"] == "Dent."


def test_a_photo_can_be_removed(agent_client, app):
    response = new_draft(agent_client, "damaged-product", files={"photos_item": [photo()]})
    draft_id = draft_id_of(response)
    [stored] = store_of(app).drafts.list_attachments(draft_id)
    response = save(agent_client, draft_id, {"damage_description": "x"}, step=f"remove-{stored.id}")
    assert response.headers["Location"].endswith("#photos_item-field")
    assert store_of(app).drafts.list_attachments(draft_id) == []
    assert (
        prefilled(text_of(agent_client.get(f"/portal/requests/{draft_id}/")))["damage_description"]
        == "x"
    )


def test_photos_are_shown_back_as_what_they_are(agent_client, app):
    draft_id = draft_id_of(
        new_draft(agent_client, "damaged-product", files={"photos_item": [photo(PNG, "a.png")]})
    )
    [stored] = store_of(app).drafts.list_attachments(draft_id)
    served = agent_client.get(f"/portal/requests/{draft_id}/files/{stored.id}")
    assert (served.mimetype, served.data) == ("image/png", PNG)
    assert served.headers["Content-Disposition"] == 'inline; filename="photo-item-1.png"'
    assert agent_client.get(f"/portal/requests/{draft_id}/files/999").status_code == 404
    assert agent_client.get(f"/portal/requests/{draft_id + 1}/files/{stored.id}").status_code == 404


def test_autosave_keeps_what_is_typed_and_ticks_the_checklist(agent_client):
    page = text_of(agent_client.get("/portal/requests/new/something-else/"))
    response = agent_client.post(
        "/portal/requests/new/something-else/",
        data={"csrf_token": form_token(page), "subject": "Invoice copy", "step": "autosave"},
        headers={"X-Autosave": "1"},
    )
    result = response.get_json()
    assert result["url"] == f"/portal/requests/{result['id']}/"
    states = {item["key"]: item["state"] for item in result["items"]}
    assert states["subject"] == "done"
    assert states["description"] == "missing"
    assert result["complete"] is False
    page = text_of(agent_client.get(result["url"]))
    assert prefilled(page)["subject"] == "Invoice copy"


def test_the_whole_team_sees_every_request(app, agent_client, admin_client, sign_in):
    draft_id = draft_id_of(new_draft(agent_client, "something-else", {"subject": "Ana's"}))
    for client in (agent_client, admin_client):
        listing = text_of(client.get("/portal/requests/"))
        assert f"/portal/requests/{draft_id}/" in listing
        assert "<td>ana</td>" in listing
    assert client.get(f"/portal/requests/{draft_id}/").status_code == 200
    mine = text_of(admin_client.get("/portal/requests/?mine=1"))
    assert f"/portal/requests/{draft_id}/" not in mine


def test_a_draft_can_be_discarded(agent_client, app):
    draft_id = draft_id_of(new_draft(agent_client, "something-else", {"subject": "Oops"}))
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    response = agent_client.post(
        f"/portal/requests/{draft_id}/discard", data={"csrf_token": form_token(page)}
    )
    assert response.headers["Location"].endswith("/portal/requests/")
    assert agent_client.get(f"/portal/requests/{draft_id}/").status_code == 404


def test_an_incomplete_request_cannot_be_previewed_or_downloaded(agent_client):
    draft_id = draft_id_of(new_draft(agent_client, "something-else", {"subject": "Half"}))
    response = agent_client.get(f"/portal/requests/{draft_id}/preview")
    assert response.headers["Location"].endswith(f"/portal/requests/{draft_id}/?check=1#checklist")
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    response = agent_client.post(
        f"/portal/requests/{draft_id}/eml", data={"csrf_token": form_token(page)}
    )
    assert response.status_code == 302


def test_gelato_out_of_reach_keeps_the_draft_and_checks_again_later(agent_client, sandbox):
    sandbox.fail_with(503, times=None)
    response = new_draft(
        agent_client, "file-concern", {"order_number": "NW-1004", "concern": "Blurry."}
    )
    draft_id = draft_id_of(response)
    page = text_of(agent_client.get(response.headers["Location"]))
    assert "Gelato could not be reached to check the order numbers" in page
    assert prefilled(page)["concern"] == "Blurry."
    sandbox.clear_faults()
    save(agent_client, draft_id)
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    assert "could not be reached" not in page


def test_marking_as_sent_locks_the_request(app, agent_client):
    response = new_draft(
        agent_client,
        "something-else",
        {"subject": "Copy of invoice", "description": "Please."},
        step="check",
    )
    draft_id = draft_id_of(response)
    preview = text_of(agent_client.get(response.headers["Location"]))
    mailto = html.unescape(re.search(r'href="(mailto:[^"]+)"', preview).group(1))
    assert mailto.startswith(f"mailto:{GELATO_SUPPORT.email}?subject=Copy%20of%20invoice")
    response = agent_client.post(
        f"/portal/requests/{draft_id}/mark-sent", data={"csrf_token": form_token(preview)}
    )
    page = text_of(agent_client.get(response.headers["Location"]))
    assert "from their mail program" in page
    [entry] = store_of(app).audit.list(action="request_sent")
    assert '"via": "mail program"' in entry.request
    response = agent_client.post(
        f"/portal/requests/{draft_id}/",
        data={"csrf_token": form_token(preview), "subject": "Changed", "step": "save"},
    )
    assert response.headers["Location"].endswith(f"/portal/requests/{draft_id}/preview")
    assert "can no longer be changed" in text_of(agent_client.get(response.headers["Location"]))
    assert store_of(app).drafts.get(draft_id).status == "sent"
    assert (
        "Copy of invoice"
        in json.loads(store_of(app).drafts.get(draft_id).fields)["answers"]["subject"]
    )
