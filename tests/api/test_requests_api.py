"""Support requests through the API: started, saved and completed as in the portal's form, with
the same completeness report, the same words beside the same fields, the same email, and sent
once, in the same audit entries."""

import email
import io
import json
from email import policy

import pytest
from markupsafe import escape

from portal.api.request_models import EmailOut, RequestOut
from portal.knowledge import GELATO_SUPPORT
from portal.requests.scenarios import scenario
from tests.conftest import form_token
from tests.requests.conftest import HEIC, JPEG, PNG, draft_id_of, new_draft
from tests.requests.smtp_server import SmtpServer

PHOTOS = {
    "photos_item": (JPEG, "glass.jpg"),
    "photos_packaging_outside": (PNG, "box.png"),
    "photos_packaging_inside": (HEIC, "inside.HEIC"),
}


@pytest.fixture
def desk(client, make_token, bearer):
    """Ana's act token, and the calls a helpdesk makes with it."""
    headers = bearer(make_token("ana", scope="act"))

    class Desk:
        def get(self, path):
            return client.get(f"/api/v1{path}", headers=headers)

        def post(self, path, json=None, **options):
            return client.post(f"/api/v1{path}", json=json, headers=headers, **options)

        def patch(self, path, json):
            return client.patch(f"/api/v1{path}", json=json, headers=headers)

        def upload(self, draft_id, requirement, *files):
            return client.post(
                f"/api/v1/requests/{draft_id}/files",
                data={"requirement": requirement, "file": [(io.BytesIO(d), n) for d, n in files]},
                headers=headers,
            )

        def delete(self, path):
            return client.delete(f"/api/v1{path}", headers=headers)

    return Desk()


def start_claim(desk, **answers):
    made = desk.post(
        "/requests",
        json={"scenario": "damaged-product", "answers": {"order_number": "NW-1009", **answers}},
    )
    assert made.status_code == 201, made.json
    return RequestOut.model_validate(made.json)


def complete_claim(desk):
    draft = start_claim(desk, damage_description="The glass is shattered; the box is dented.")
    for requirement, file in PHOTOS.items():
        assert desk.upload(draft.id, requirement, file).status_code == 200
    return RequestOut.model_validate(desk.get(f"/requests/{draft.id}").json)


def test_a_request_is_started_with_every_item_gelato_asks_for(desk):
    draft = start_claim(desk)
    assert draft.status == "draft"
    wanted = scenario("damaged-product").requirements
    assert [(i.key, i.label, i.mandatory) for i in draft.completeness.items] == [
        (r.key, r.label, r.mandatory) for r in wanted
    ]
    states = {item.key: item.state for item in draft.completeness.items}
    assert states["order_number"] == "done"
    assert states["damage_description"] == "missing"
    # What Gelato knows of the order filled what was empty, as in the form.
    assert draft.orders["order_number"].outcome == "found"
    assert draft.answers["delivery_date"]
    assert draft.portal_url.endswith(f"/portal/requests/{draft.id}/")


def test_only_the_answers_sent_change_and_null_clears_one(desk):
    draft = start_claim(desk, damage_description="Torn corner.")
    saved = desk.patch(f"/requests/{draft.id}", {"answers": {"reorder_number": "NW-1010"}})
    assert saved.status_code == 200
    assert saved.json["answers"]["damage_description"] == "Torn corner."
    cleared = desk.patch(f"/requests/{draft.id}", {"answers": {"damage_description": None}})
    assert cleared.json["answers"]["damage_description"] == ""


def test_answers_of_another_shape_are_refused_by_name(desk):
    draft = start_claim(desk)
    refused = desk.patch(
        f"/requests/{draft.id}", {"answers": {"colour": "red", "order_number": True}}
    )
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json["errors"]} == {
        "answers.colour",
        "answers.order_number",
    }
    unknown = desk.post("/requests", json={"scenario": "lost-in-space"})
    assert unknown.status_code == 422
    assert [e["field"] for e in unknown.json["errors"]] == ["scenario"]


def test_the_same_mistakes_get_the_same_words_beside_the_same_fields(agent_client, desk):
    """A request saved through the form and one saved through the API, with the same mistakes:
    the API names each beside the field with the words the form page shows there."""
    made = new_draft(
        agent_client,
        "damaged-product",
        {"delivery_date": "14/03/2025", "damage_description": "Dented."},
        files={"photos_item": [(io.BytesIO(b"<html>not a photo</html>"), "fake.jpg")]},
        order="NW-1009",
    )
    by_form = draft_id_of(made)
    page = agent_client.get(f"/portal/requests/{by_form}/").get_data(as_text=True)

    by_api = start_claim(desk, delivery_date="14/03/2025", damage_description="Dented.")
    uploaded = desk.upload(by_api.id, "photos_item", (b"<html>not a photo</html>", "fake.jpg"))

    def errors(answer):
        return sorted((e["field"], e["message"]) for e in answer.json["errors"])

    from_form = errors(desk.get(f"/requests/{by_form}"))
    assert {field for field, _ in from_form} == {"delivery_date", "photos_item"}
    assert errors(uploaded) == from_form
    for _field, message in from_form:
        assert escape(message) in page


def test_files_are_checked_as_the_form_checks_them(desk):
    draft = start_claim(desk)
    wrong = desk.upload(draft.id, "damage_description", (JPEG, "a.jpg"))
    assert wrong.status_code == 422
    assert "photos_item" in wrong.json["errors"][0]["message"]
    kept = desk.upload(draft.id, "photos_item", (JPEG, "glass.jpg"), (b"no photo", "b.jpg"))
    assert kept.status_code == 200
    [stored] = kept.json["files"]  # the JPEG kept, the other refused beside the field
    assert (stored["filename"], stored["original_filename"]) == ("photo-item-1.jpg", "glass.jpg")
    assert [e["field"] for e in kept.json["errors"]] == ["photos_item"]
    removed = desk.delete(f"/requests/{draft.id}/files/{stored['id']}")
    assert removed.json["files"] == []
    assert desk.delete(f"/requests/{draft.id}/files/{stored['id']}").status_code == 404


def test_the_email_waits_for_a_complete_request_and_says_what_is_missing(desk):
    draft = start_claim(desk)
    refused = desk.get(f"/requests/{draft.id}/email")
    assert refused.status_code == 409
    assert refused.json["detail"].startswith("Not complete yet.")
    missing = {e["field"] for e in refused.json["errors"]}
    assert missing == {"damage_description", *PHOTOS}
    assert desk.post(f"/requests/{draft.id}/eml").status_code == 409


def test_the_email_is_the_one_the_portal_prepares(agent_client, desk):
    draft = complete_claim(desk)
    assert draft.completeness.complete
    assert draft.sendable
    mail = EmailOut.model_validate(desk.get(f"/requests/{draft.id}/email").json)
    assert mail.to == GELATO_SUPPORT.email
    assert mail.mailto.url.startswith(f"mailto:{GELATO_SUPPORT.email}?subject=")
    assert [a.filename for a in mail.attachments] == [
        "photo-item-1.jpg",
        "photo-packaging-outside-1.png",
        "photo-packaging-inside-1.heic",
    ]

    from_api = email.message_from_bytes(
        desk.post(f"/requests/{draft.id}/eml").data, policy=policy.default
    )
    page = agent_client.get(f"/portal/requests/{draft.id}/preview").get_data(as_text=True)
    from_portal = email.message_from_bytes(
        agent_client.post(
            f"/portal/requests/{draft.id}/eml", data={"csrf_token": form_token(page)}
        ).data,
        policy=policy.default,
    )
    assert from_api["Subject"] == from_portal["Subject"] == mail.subject
    body = from_api.get_body(("plain",)).get_content()
    assert body == from_portal.get_body(("plain",)).get_content()
    assert body.replace("\r\n", "\n") == mail.body.replace("\r\n", "\n") + "\n"


def test_marked_sent_it_can_no_longer_change_and_the_audit_reads_as_the_forms(
    app, agent_client, desk
):
    by_api = complete_claim(desk)
    made = new_draft(
        agent_client,
        "damaged-product",
        {"damage_description": "The glass is shattered; the box is dented."},
        files={k: [(io.BytesIO(d), n)] for k, (d, n) in PHOTOS.items()},
        order="NW-1009",
    )
    by_form = draft_id_of(made)
    page = agent_client.get(f"/portal/requests/{by_form}/preview").get_data(as_text=True)
    agent_client.post(
        f"/portal/requests/{by_form}/mark-sent", data={"csrf_token": form_token(page)}
    )

    marked = desk.post(f"/requests/{by_api.id}/mark-sent")
    assert marked.status_code == 200
    assert marked.json["status"] == "sent"
    assert marked.json["sent"]["by"] == "ana"
    assert desk.post(f"/requests/{by_api.id}/mark-sent").status_code == 409
    changed = desk.patch(f"/requests/{by_api.id}", {"answers": {"damage_description": "x"}})
    assert changed.status_code == 409
    assert desk.upload(by_api.id, "photos_item", (JPEG, "more.jpg")).status_code == 409

    entries = app.extensions["store"].audit.list(action="request_sent")
    shapes = []
    for entry in entries:
        asked = json.loads(entry.request)
        asked.pop("draft")
        shapes.append((entry.actor, entry.outcome, entry.order_id, asked))
    assert len(shapes) == 2
    assert shapes[0] == shapes[1]


def test_without_a_mail_server_send_says_how_else(desk):
    draft = complete_claim(desk)
    refused = desk.post(f"/requests/{draft.id}/send", json={})
    assert refused.status_code == 409
    assert "SMTP_URL is not set" in refused.json["detail"]


def test_a_token_pasted_into_a_request_never_reaches_gelato(desk, make_token):
    pasted = make_token("bea", name="Bea's script")
    draft = start_claim(desk, damage_description=f"Our script sent {pasted} and failed.")
    assert pasted not in json.dumps(desk.get(f"/requests/{draft.id}").json)
    assert "[removed]" in draft.answers["damage_description"]
    assert draft.removed_secrets["damage_description"] == ["an API token of this help center"]


class TestSendingOverSmtp:
    @pytest.fixture
    def smtp_server(self):
        server = SmtpServer()
        yield server
        server.close()

    @pytest.fixture
    def environ(self, environ, smtp_server):
        return {
            **environ,
            "SMTP_URL": f"smtp://127.0.0.1:{smtp_server.port}?starttls=off",
            "MAIL_FROM": "support@shop.example",
        }

    def test_it_is_sent_once(self, app, desk, smtp_server):
        draft = complete_claim(desk)
        assert draft.smtp_available
        sent = desk.post(f"/requests/{draft.id}/send", json={})
        assert sent.status_code == 200, sent.json
        assert sent.json["status"] == "sent"
        [received] = smtp_server.messages
        assert received.recipients == [GELATO_SUPPORT.email]
        again = desk.post(f"/requests/{draft.id}/send", json={})
        assert again.status_code == 409
        assert len(smtp_server.messages) == 1
        [entry] = app.extensions["store"].audit.list(action="request_sent")
        assert (entry.actor, entry.outcome, json.loads(entry.request)["via"]) == (
            "ana",
            "succeeded",
            "smtp",
        )

    def test_a_refused_send_is_a_502_and_the_request_can_go_again(self, desk, smtp_server):
        draft = complete_claim(desk)
        smtp_server.behaviour.refuse_recipients.add(GELATO_SUPPORT.email)
        failed = desk.post(f"/requests/{draft.id}/send", json={})
        assert failed.status_code == 502
        assert "Nothing was sent" in failed.json["detail"]
        smtp_server.behaviour.refuse_recipients.clear()
        assert desk.post(f"/requests/{draft.id}/send", json={}).status_code == 200
        assert len(smtp_server.messages) == 1

    def test_one_that_may_have_left_goes_again_only_once_checked(self, desk, smtp_server):
        draft = complete_claim(desk)
        smtp_server.behaviour.drop_after_data = True
        unknown = desk.post(f"/requests/{draft.id}/send", json={})
        assert unknown.status_code == 502
        assert "It may have been sent" in unknown.json["detail"]
        smtp_server.behaviour.drop_after_data = False
        unchecked = desk.post(f"/requests/{draft.id}/send", json={})
        assert unchecked.status_code == 422
        assert [e["field"] for e in unchecked.json["errors"]] == ["checked_not_sent"]
        checked = desk.post(f"/requests/{draft.id}/send", json={"checked_not_sent": True})
        assert checked.status_code == 200
