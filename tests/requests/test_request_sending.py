"""Sending from the help center, over SMTP, to a real server the test starts on 127.0.0.1."""

import email
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy

import pytest

from portal.knowledge import GELATO_SUPPORT
from portal.requests.sending import STALE_SENDING
from tests.conftest import form_token
from tests.requests.conftest import HEIC, JPEG, PNG, draft_id_of, new_draft

SENDER = "support@shop.example"


@pytest.fixture
def environ(environ, smtp_server):
    return {
        **environ,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_server.port}?starttls=off",
        "MAIL_FROM": SENDER,
    }


def prepared_claim(client):
    response = new_draft(
        client,
        "damaged-product",
        {"damage_description": "The frame's glass is shattered; the box is dented."},
        files={
            "photos_item": [(io.BytesIO(JPEG), "glass.jpg")],
            "photos_packaging_outside": [(io.BytesIO(PNG), "box.png")],
            "photos_packaging_inside": [(io.BytesIO(HEIC), "inside.HEIC")],
        },
        order="NW-1009",
        step="check",
    )
    assert response.headers["Location"].endswith("/preview")
    return draft_id_of(response), client.get(response.headers["Location"]).get_data(as_text=True)


def test_send_now_delivers_the_request_with_its_photos(app, agent_client, smtp_server):
    draft_id, preview = prepared_claim(agent_client)
    assert "Send now" in preview
    assert "No Reply-To address" in preview  # SUPPORT_EMAIL is not set here
    response = agent_client.post(
        f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(preview)}
    )
    assert response.status_code == 302
    [received] = smtp_server.messages
    assert received.sender == SENDER
    assert received.recipients == [GELATO_SUPPORT.email]
    message = email.message_from_bytes(received.data, policy=policy.default)
    assert message["From"] == SENDER
    assert message["Reply-To"] is None
    assert message["X-Unsent"] is None
    assert message["Subject"] == "Damaged or defective product: order NW-1009"
    assert "The frame's glass is shattered" in message.get_body(("plain",)).get_content()
    assert {p.get_filename(): p.get_content() for p in message.iter_attachments()} == {
        "photo-item-1.jpg": JPEG,
        "photo-packaging-outside-1.png": PNG,
        "photo-packaging-inside-1.heic": HEIC,
    }

    page = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Sent to {GELATO_SUPPORT.email}." in page
    assert "from this help center" in page
    [entry] = app.extensions["store"].audit.list(action="request_sent")
    assert (entry.outcome, entry.order_reference) == ("succeeded", "NW-1009")

    # A second click, or a second agent, sends nothing more.
    again = agent_client.post(
        f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(preview)}
    )
    assert again.status_code == 302
    assert len(smtp_server.messages) == 1
    assert "already sent" in agent_client.get(again.headers["Location"]).get_data(as_text=True)


def test_a_refused_send_is_explained_and_the_request_kept(app, agent_client, smtp_server):
    smtp_server.behaviour.refuse_recipients.add(GELATO_SUPPORT.email)
    draft_id, preview = prepared_claim(agent_client)
    response = agent_client.post(
        f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(preview)}
    )
    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "Not sent" in page
    assert f"The mail server refused the recipient: {GELATO_SUPPORT.email} (550" in page
    assert app.extensions["store"].drafts.get(draft_id).status == "prepared"
    [entry] = app.extensions["store"].audit.list(action="request_sent")
    assert entry.outcome == "failed"
    # Fixed on the server's side: the same request goes now.
    smtp_server.behaviour.refuse_recipients.clear()
    agent_client.post(f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(page)})
    assert len(smtp_server.messages) == 1


def test_the_list_shows_each_request_with_its_status(agent_client, smtp_server):
    draft_id, preview = prepared_claim(agent_client)
    agent_client.post(f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(preview)})
    new_draft(agent_client, "something-else", {"subject": "Half done"})
    listing = agent_client.get("/portal/requests/").get_data(as_text=True)
    rows = re.findall(r"<tr>(.*?)</tr>", listing, re.S)[1:]
    assert len(rows) == 2
    assert "Something else" in rows[0]
    assert "Draft: something missing" in rows[0]
    assert "Damaged or defective product" in rows[1]
    assert ">Sent<" in rows[1]
    assert "NW-1009" in rows[1]
    assert f"/portal/requests/{draft_id}/preview" in rows[1]


def with_smtp(app, **changes):
    """The app's mail settings changed (a short timeout, a user name) for one test."""
    config = app.config["HELP_CENTER"]
    app.config["HELP_CENTER"] = replace(config, smtp=replace(config.smtp, **changes))


def send(client, draft_id, page, **fields):
    return client.post(
        f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(page), **fields}
    )


def test_a_refused_password_says_nothing_was_sent_and_the_request_stays_sendable(
    app, agent_client, smtp_server
):
    smtp_server.behaviour.credentials = ("team", "right")
    smtp_server.behaviour.refuse_auth = True
    with_smtp(app, username="team", password="right")
    draft_id, preview = prepared_claim(agent_client)
    response = send(agent_client, draft_id, preview)
    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "Not sent" in page
    assert "refused the user name or password (535). Nothing was sent" in page
    assert "may have been sent" not in page
    assert app.extensions["store"].drafts.get(draft_id).status == "prepared"
    assert smtp_server.received == []
    # Once an admin corrects the password, the same request goes at once.
    smtp_server.behaviour.refuse_auth = False
    assert send(agent_client, draft_id, page).status_code == 302
    assert len(smtp_server.messages) == 1


def test_no_answer_after_the_message_marks_it_perhaps_sent_until_the_agent_checks(
    app, agent_client, smtp_server
):
    smtp_server.behaviour.hang_after_data = True
    with_smtp(app, timeout=0.5)
    draft_id, preview = prepared_claim(agent_client)
    response = send(agent_client, draft_id, preview)
    assert response.status_code == 502
    page = response.get_data(as_text=True)
    assert "Perhaps sent: check before sending again" in page
    assert "It may have been sent: check the team&#39;s sent mail" in page
    assert "Not sent" not in page
    store = app.extensions["store"]
    assert store.drafts.get(draft_id).status == "unconfirmed"
    [entry] = store.audit.list(action="request_sent")
    assert entry.outcome == "failed"
    assert "may have been sent" in entry.gelato_answer

    # The list says so; the request can no longer be changed, nor sent again unchecked.
    listing = agent_client.get("/portal/requests/").get_data(as_text=True)
    assert "Perhaps sent: check before sending again" in listing
    edit = agent_client.get(f"/portal/requests/{draft_id}/")
    assert edit.headers["Location"].endswith(f"/portal/requests/{draft_id}/preview")
    smtp_server.behaviour.hang_after_data = False
    again = send(agent_client, draft_id, page)
    assert again.status_code == 302
    assert "may already have been sent" in agent_client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    assert len(smtp_server.received) == 1

    # Checked: not in the sent mail. Only now does it go again.
    page = agent_client.get(f"/portal/requests/{draft_id}/preview").get_data(as_text=True)
    assert "Was it sent? The mail server did not say" in page
    assert send(agent_client, draft_id, page, checked_not_sent="yes").status_code == 302
    assert len(smtp_server.messages) == 1
    assert store.drafts.get(draft_id).status == "sent"


def test_a_perhaps_sent_request_found_in_the_sent_mail_is_marked_as_sent(
    app, agent_client, smtp_server
):
    smtp_server.behaviour.drop_after_data = True
    draft_id, preview = prepared_claim(agent_client)
    page = send(agent_client, draft_id, preview).get_data(as_text=True)
    assert "the server closed the connection" in page
    response = agent_client.post(
        f"/portal/requests/{draft_id}/mark-sent", data={"csrf_token": form_token(page)}
    )
    page = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "from this help center" in page
    draft = app.extensions["store"].drafts.get(draft_id)
    assert draft.status == "sent"
    assert json.loads(draft.fields)["sent"]["checked"] is True
    assert len(smtp_server.received) == 1


def test_a_send_left_by_a_process_that_died_is_perhaps_sent(app, agent_client, smtp_server):
    draft_id, _preview = prepared_claim(agent_client)
    store = app.extensions["store"]
    long_ago = datetime.now(UTC) - STALE_SENDING - timedelta(minutes=1)
    store.drafts.update(draft_id, status="sending", updated_at=long_ago)
    page = agent_client.get(f"/portal/requests/{draft_id}/preview").get_data(as_text=True)
    assert "Was it sent? The mail server did not say" in page
    send(agent_client, draft_id, page)
    assert smtp_server.messages == []
    send(agent_client, draft_id, page, checked_not_sent="yes")
    assert len(smtp_server.messages) == 1
    # A second agent confirming at the same moment sends nothing more.
    send(agent_client, draft_id, page, checked_not_sent="yes")
    assert len(smtp_server.messages) == 1
