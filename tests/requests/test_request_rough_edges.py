"""What agents meet day to day: the address filled in from the order, a list that tells requests
apart and can be cleared, one name per file, a sign-off with the agent's own name, and the last
words saved as they leave."""

import email
import io
import json
import re
from email import policy

import pytest

from portal import agents
from tests.conftest import form_token
from tests.requests.conftest import JPEG, draft_id_of, new_draft, prefilled, save


def text_of(response) -> str:
    return response.get_data(as_text=True)


def rows_of(listing: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", listing, re.S)[1:]


# The address-problem form starts from the order's address


def test_the_corrected_address_starts_as_the_order_has_it(agent_client, gelato, order_id):
    order = gelato.get_order(order_id("NW-1014"))
    page = text_of(agent_client.get("/portal/requests/new/address-problem/?order=NW-1014"))
    fields = prefilled(page)
    address = order.shipping_address
    assert fields["corrected_address-first_name"] == address.first_name
    assert fields["corrected_address-address_line1"] == address.address_line1
    assert fields["corrected_address-post_code"] == address.post_code
    assert fields["corrected_address-country"] == address.country
    # Unchanged, it is still to be corrected: named once asked, never a mistake on arrival.
    assert "This is still the address the order already has" not in page
    response = new_draft(
        agent_client, "address-problem", {"error_description": "No number."}, order="NW-1014"
    )
    draft_id = draft_id_of(response)
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/?check=1"))
    assert "This is still the address the order already has" in page
    save(agent_client, draft_id, {"corrected_address-address_line1": "12 Rue de la Paix"})
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/?check=1"))
    assert "This is still the address the order already has" not in page
    assert prefilled(page)["corrected_address-address_line1"] == "12 Rue de la Paix"


def test_an_order_number_typed_later_fills_the_address_through_the_autosave(agent_client):
    page = text_of(agent_client.get("/portal/requests/new/address-problem/"))
    result = agent_client.post(
        "/portal/requests/new/address-problem/",
        data={"csrf_token": form_token(page), "order_number": "NW-1014", "step": "autosave"},
        headers={"X-Autosave": "1"},
    ).get_json()
    assert result["filled"]["corrected_address-country"] == "FR"
    assert result["filled"]["corrected_address-first_name"]


# The list


def test_the_list_tells_two_requests_of_one_situation_apart(agent_client):
    new_draft(
        agent_client, "something-else", {"subject": "Invoice copy", "order_number": "NW-1009"}
    )
    new_draft(
        agent_client,
        "something-else",
        {"subject": "", "description": "The customer asks whether   we ship to Iceland " * 3},
    )
    rows = rows_of(text_of(agent_client.get("/portal/requests/")))
    assert "Something else · The customer asks whether we ship to Iceland The customer…<" in rows[0]
    assert "Something else: NW-1009 · Invoice copy" in rows[1]


def test_old_drafts_can_be_archived_and_brought_back(app, agent_client):
    old = draft_id_of(new_draft(agent_client, "something-else", {"subject": "Old one"}))
    kept = draft_id_of(new_draft(agent_client, "something-else", {"subject": "Current"}))
    listing = text_of(agent_client.get("/portal/requests/"))
    response = agent_client.post(
        f"/portal/requests/{old}/archive", data={"csrf_token": form_token(listing)}
    )
    assert response.headers["Location"].endswith("/portal/requests/")
    listing = text_of(agent_client.get("/portal/requests/"))
    assert f"Request #{old} is archived" in listing
    assert "Old one" not in listing
    assert "Current" in listing
    assert "Archived (1)" in listing

    archived = text_of(agent_client.get("/portal/requests/?archived=1"))
    assert "Old one" in archived
    assert "Current" not in archived
    # Still there, and said so, when opened.
    assert "Archived " in text_of(agent_client.get(f"/portal/requests/{old}/"))
    response = agent_client.post(
        f"/portal/requests/{old}/unarchive",
        data={"csrf_token": form_token(archived), "from_archived": "1"},
    )
    assert response.headers["Location"].endswith("/portal/requests/?archived=1")
    listing = text_of(agent_client.get("/portal/requests/"))
    assert "Old one" in listing
    assert "Archived (" not in listing
    assert app.extensions["store"].drafts.get(kept).archived_at is None


# One name per file


def test_a_file_has_one_name_in_the_form_the_preview_and_the_email(app, agent_client):
    response = new_draft(
        agent_client,
        "something-else",
        {"subject": "Broken page", "description": "See the screenshots."},
        files={"attachments": [(io.BytesIO(JPEG), "Screen Shot 2025-03-14.jpg")]},
        step="check",
    )
    draft_id = draft_id_of(response)
    form = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    preview = text_of(agent_client.get(f"/portal/requests/{draft_id}/preview"))
    [stored] = app.extensions["store"].drafts.list_attachments(draft_id)
    name = stored.filename
    assert name == "Screen-Shot-2025-03-14.jpg"
    assert stored.original_filename == "Screen Shot 2025-03-14.jpg"
    assert f">{name}</a>" in form
    assert f">{name}</a>" in preview
    assert f"Attachments: attached: {name}" in preview
    eml = agent_client.post(
        f"/portal/requests/{draft_id}/eml", data={"csrf_token": form_token(preview)}
    ).data
    message = email.message_from_bytes(eml, policy=policy.default)
    assert [part.get_filename() for part in message.iter_attachments()] == [name]


def test_a_removed_photo_leaves_no_gap_to_be_filled_twice(app, agent_client):
    draft_id = draft_id_of(
        new_draft(
            agent_client,
            "damaged-product",
            files={
                "photos_item": [(io.BytesIO(JPEG), "a.jpg"), (io.BytesIO(JPEG + b"2"), "b.jpg")]
            },
        )
    )
    store = app.extensions["store"]
    first = store.drafts.list_attachments(draft_id)[0]
    save(agent_client, draft_id, step=f"remove-{first.id}")
    save(agent_client, draft_id, files={"photos_item": [(io.BytesIO(JPEG + b"3"), "c.jpg")]})
    names = [row.filename for row in store.drafts.list_attachments(draft_id)]
    assert names == ["photo-item-2.jpg", "photo-item-3.jpg"]


# Display names


def test_the_email_is_signed_with_the_agents_display_name(app, agent_client, admin_client):
    agents_page = text_of(admin_client.get("/portal/admin/agents"))
    response = admin_client.post(
        "/portal/admin/agents/ana/display-name",
        data={"csrf_token": form_token(agents_page), "display_name": "  Ana   Müller "},
    )
    assert "Set the display name of ana." in text_of(admin_client.get(response.headers["Location"]))
    assert "<td>Ana Müller</td>" in text_of(admin_client.get("/portal/admin/agents"))

    response = new_draft(
        agent_client, "something-else", {"subject": "Hi", "description": "x"}, step="check"
    )
    preview = text_of(agent_client.get(response.headers["Location"]))
    body = re.search(r'<pre class="request-body" id="request-body">(.*?)</pre>', preview, re.S)
    assert "Kind regards,\r\nAna Müller\r\n" in body.group(1)
    assert "\r\nana\r\n" not in body.group(1)
    [entry] = app.extensions["store"].audit.list(action="display_name_set")
    assert json.loads(entry.request) == {"display_name": "Ana Müller", "name": "ana"}


@pytest.mark.parametrize(
    ("display_name", "message"),
    [("x" * 101, "at most 100 characters"), ("Ana\x00", "letters, digits and punctuation only")],
)
def test_a_bad_display_name_is_refused_with_its_reason(app, display_name, message):
    store = app.extensions["store"]
    with pytest.raises(agents.AccountError, match=message):
        agents.create_agent(
            store, "bea", "bea-password-0123", "agent", actor="t", display_name=display_name
        )
    assert store.accounts.by_name("bea") is None


def test_the_command_line_creates_an_agent_with_a_display_name(app):
    result = app.test_cli_runner().invoke(
        args=["agents", "create", "bea", "--display-name", "Bea Lopez", "--password-stdin"],
        input="bea-password-0123\n",
    )
    assert result.exit_code == 0, result.output
    assert app.extensions["store"].accounts.by_name("bea").display_name == "Bea Lopez"
    result = app.test_cli_runner().invoke(args=["agents", "set-display-name", "bea", ""])
    assert "bea signs requests as bea." in result.output
    assert app.extensions["store"].accounts.by_name("bea").display_name is None
    listed = app.test_cli_runner().invoke(args=["agents", "list"]).output
    assert "bea\tagent\tactive" in listed


# Saving as the agent leaves


def test_a_beacon_on_leaving_saves_without_a_header_or_a_message(agent_client):
    draft_id = draft_id_of(new_draft(agent_client, "something-else", {"subject": "Half"}))
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    # What navigator.sendBeacon sends: the form's fields, its token, no header of its own.
    response = agent_client.post(
        f"/portal/requests/{draft_id}/",
        data={
            **prefilled(page),
            "csrf_token": form_token(page),
            "step": "autosave",
            "description": "The last words typed",
        },
    )
    assert response.status_code == 200
    assert response.get_json()["version"] != re.search(r'data-version="([^"]+)"', page).group(1)
    page = text_of(agent_client.get(f"/portal/requests/{draft_id}/"))
    assert prefilled(page)["description"] == "The last words typed"
    assert "Draft saved." not in page  # no message waits for a page nobody sees


def test_a_beacon_for_a_request_sent_meanwhile_changes_nothing(app, agent_client):
    response = new_draft(
        agent_client, "something-else", {"subject": "Done", "description": "x"}, step="check"
    )
    draft_id = draft_id_of(response)
    preview = text_of(agent_client.get(response.headers["Location"]))
    agent_client.post(
        f"/portal/requests/{draft_id}/mark-sent", data={"csrf_token": form_token(preview)}
    )
    answer = agent_client.post(
        f"/portal/requests/{draft_id}/",
        data={"csrf_token": form_token(preview), "step": "autosave", "description": "late"},
    )
    assert answer.status_code == 409
    assert "can no longer be changed" in answer.get_json()["error"]
    assert (
        json.loads(app.extensions["store"].drafts.get(draft_id).fields)["answers"]["description"]
        == "x"
    )
