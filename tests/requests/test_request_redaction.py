"""The deployment's own secrets, pasted into any field of a request, never reach the preview,
the .eml, the SMTP message, the audit log or the database; the agent is told what was taken out
of which field."""

import email
import io
import json
from email import policy
from urllib.parse import quote

import pytest

from tests.conftest import form_token
from tests.requests.conftest import JPEG, PNG, draft_id_of, new_draft, save
from tests.requests.smtp_server import SmtpBehaviour, SmtpServer

GELATO_API_KEY = "live-key-7f3e9a1c-44b2-4d0e-9a8f-1b2c3d4e5f60"
SMTP_PASSWORD = "mail-p@ss:w0rd"
SECRET_KEY = "deployment-secret-key-that-is-long-enough-987654"
SECRETS = (GELATO_API_KEY, SMTP_PASSWORD, SECRET_KEY)


@pytest.fixture
def smtp_server():
    server = SmtpServer(SmtpBehaviour(credentials=("team", SMTP_PASSWORD)))
    yield server
    server.close()


@pytest.fixture
def environ(environ, smtp_server):
    """A live deployment (its Gelato client is the tests' sandbox) with every kind of secret."""
    return {
        **environ,
        "GELATO_API_KEY": GELATO_API_KEY,
        "SECRET_KEY": SECRET_KEY,
        "SESSION_COOKIE_SECURE": "off",
        "SMTP_URL": f"smtp://team:{quote(SMTP_PASSWORD, safe='')}@127.0.0.1:{smtp_server.port}"
        "?starttls=off",
        "MAIL_FROM": "support@shop.example",
    }


def holds_a_secret(data: str | bytes) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    shapes = [shape for secret in SECRETS for shape in (secret, quote(secret, safe=""))]
    return [shape for shape in shapes if shape in text]


def test_secrets_in_every_field_are_taken_out_and_named_beside_it(app, agent_client, smtp_server):
    response = new_draft(
        agent_client,
        "something-else",
        {
            "order_number": "NW-1009",
            "subject": f"Key {SECRET_KEY} leaked?",
            "description": f"Our key is {GELATO_API_KEY}\nand the mail password {SMTP_PASSWORD}.",
            "already_tried": "Reset it with "
            f"smtp://team:{quote(SMTP_PASSWORD, safe='')}@mail.shop.example",
            "attachments_url": f"https://files.shop.example/x?token={GELATO_API_KEY}",
        },
        step="check",
    )
    draft_id = draft_id_of(response)
    assert response.headers["Location"].endswith("/preview")

    page = agent_client.get(f"/portal/requests/{draft_id}/").get_data(as_text=True)
    assert holds_a_secret(page) == []
    assert "Key [removed] leaked?" in page
    assert "Secrets taken out before anything was saved" in page
    assert "the help center&#39;s secret key (SECRET_KEY)" in page
    assert "the help center&#39;s Gelato API key (line 1)" in page
    assert "the help center&#39;s SMTP password (line 2)" in page

    preview = agent_client.get(f"/portal/requests/{draft_id}/preview").get_data(as_text=True)
    assert holds_a_secret(preview) == []
    assert "Our key is [removed]" in preview
    assert "Subject: the help center&#39;s secret key (SECRET_KEY)" in preview
    assert "What you need: the help center&#39;s Gelato API key (line 1)" in preview

    eml = agent_client.post(
        f"/portal/requests/{draft_id}/eml", data={"csrf_token": form_token(preview)}
    ).data
    assert holds_a_secret(eml) == []
    assert email.message_from_bytes(eml, policy=policy.default)["Subject"].startswith(
        "Key [removed] leaked?"
    )

    agent_client.post(f"/portal/requests/{draft_id}/send", data={"csrf_token": form_token(preview)})
    [received] = smtp_server.messages
    assert holds_a_secret(received.data) == []
    assert b"Our key is [removed]" in received.data

    store = app.extensions["store"]
    assert holds_a_secret(store.drafts.get(draft_id).fields) == []
    for entry in store.audit.list():
        assert holds_a_secret(entry.request + entry.gelato_answer) == []


def test_a_secret_in_an_address_is_named_by_its_field(agent_client):
    answers = {
        "error_description": "House number missing.",
        "corrected_address-first_name": "Camille",
        "corrected_address-address_line2": f"c/o {GELATO_API_KEY}",
    }
    response = new_draft(agent_client, "address-problem", answers, order="NW-1014")
    page = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert holds_a_secret(page) == []
    assert "Address line 2: the help center&#39;s Gelato API key" in page


def test_a_file_that_holds_a_secret_is_refused_and_says_which(app, agent_client):
    pdf = b"%PDF-1.7\n(" + GELATO_API_KEY.encode() + b")\n%%EOF"
    response = new_draft(
        agent_client,
        "something-else",
        {"subject": "Invoice", "description": "See the files."},
        files={
            "attachments": [
                (io.BytesIO(pdf), "settings.pdf"),
                (io.BytesIO(PNG), "screen.png"),
            ]
        },
    )
    draft_id = draft_id_of(response)
    page = agent_client.get(f"/portal/requests/{draft_id}/").get_data(as_text=True)
    assert (
        "settings.pdf was not added: it holds the help center&#39;s Gelato API key, which must "
        "never reach Gelato or an email."
    ) in page
    stored = app.extensions["store"].drafts.list_attachments(draft_id, with_data=True)
    assert [row.filename for row in stored] == ["screen.png"]
    assert all(holds_a_secret(row.data) == [] for row in stored)


def test_a_photo_named_after_a_secret_loses_the_name(app, agent_client):
    response = new_draft(
        agent_client,
        "damaged-product",
        files={"photos_item": [(io.BytesIO(JPEG), f"{GELATO_API_KEY}.jpg")]},
    )
    draft_id = draft_id_of(response)
    [stored] = app.extensions["store"].drafts.list_attachments(draft_id)
    assert holds_a_secret(stored.filename) == []
    page = agent_client.get(f"/portal/requests/{draft_id}/").get_data(as_text=True)
    assert "a file&#39;s name: the help center&#39;s Gelato API key" in page


def test_a_link_from_an_order_page_cannot_carry_a_secret_in(agent_client):
    page = agent_client.get(
        f"/portal/requests/new/damaged-product/?order={GELATO_API_KEY}"
    ).get_data(as_text=True)
    assert holds_a_secret(page) == []


def test_the_finding_goes_once_the_secret_is_gone(agent_client):
    response = new_draft(
        agent_client, "something-else", {"subject": "Hi", "description": GELATO_API_KEY}
    )
    draft_id = draft_id_of(response)
    save(agent_client, draft_id, {"description": "Nothing private here."})
    page = agent_client.get(f"/portal/requests/{draft_id}/").get_data(as_text=True)
    assert "Secrets taken out" not in page
    assert (
        json.loads(agent_client.application.extensions["store"].drafts.get(draft_id).fields)[
            "findings"
        ]
        == {}
    )
