"""The actions that change an order, through the API and through the portal's forms: the same
Gelato calls, the same audit entries, the same refusals and the same words for the same mistakes.

Each comparison runs the form in one help center and the API call in a twin (its own database
and its own sandbox, with the same demo orders), from the same starting point.
"""

import json

import pytest

from portal import agents, create_app
from portal.api import tokens
from portal.api.models import ActionDone, OrderDetail
from portal.gelato.sandbox import create_sandbox, in_process_client
from portal.orders import rules, service
from tests.conftest import form_token
from tests.orders.conftest import form_fields

ACTION_NAMES = {a.audit_name for a in rules.ACTIONS if a.audit_name}
NEW_LINE = "7 Corrected Lane"


@pytest.fixture
def twin(environ, tmp_path):
    """A second help center on a sandbox of its own, and an act token of Ana's there."""
    sandbox = create_sandbox()
    client = in_process_client(sandbox, retry_budget=0.3, backoff=0.01, timeout=1.0)
    settings = {**environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'twin.sqlite3'}"}
    app = create_app(settings, gelato=client)
    app.config["TESTING"] = True
    store = app.extensions["store"]
    agents.create_agent(store, "ana", "ana-password-0123", "agent", actor="tests")
    token = tokens.create_token(
        store,
        app.config["SECRET_KEY"],
        store.accounts.by_name("ana"),
        name="Helpdesk",
        scope=tokens.ACT,
        expires_at=None,
        actor="ana",
    ).secret
    yield app, sandbox, {"Authorization": f"Bearer {token}"}
    store.close()
    client.close()


def gelato_calls(sandbox, since):
    return [(call.method, call.path, call.outcome) for call in sandbox.calls[since:]]


def action_entries(app):
    """The audit entries of the actions, as they would read for any key and any new order."""
    found = []
    for entry in reversed(app.extensions["store"].audit.list(limit=500)):
        if entry.action not in ACTION_NAMES:
            continue
        asked = json.loads(entry.request)
        asked.pop("idempotencyKey", None)
        try:
            answer = json.loads(entry.gelato_answer)
            answer.pop("newOrderId", None)
        except ValueError:
            answer = entry.gelato_answer
        found.append((entry.actor, entry.action, entry.outcome, entry.order_id, asked, answer))
    return found


def confirm_in_form(agent_client, path, **changes):
    """Open the form, change fields and review, then confirm: the Gelato calls the confirm
    made start at the mark returned."""
    page = agent_client.get(path).get_data(as_text=True)
    review = agent_client.post(path, data={**form_fields(page), **changes, "step": "review"})
    fields = form_fields(review.get_data(as_text=True))
    return lambda: agent_client.post(
        path, data={**fields, "step": "confirm", "understood_charge": "y"}
    )


def other_method(gelato, order):
    current = order.shipment.shipment_method_uid
    offered = service.shipping_options(gelato, order, order.shipping_address)
    return next(m.shipment_method_uid for m in offered if m.shipment_method_uid != current)


CASES = {
    "cancel": ("NW-1002", "cancel", None),
    "change-address": ("NW-1004", "address", {"address_line1": NEW_LINE}),
    "change-shipping-method": ("NW-1004", "shipping-method", "other method"),
    "reorder": ("NW-1009", "reorder", {}),
}


@pytest.mark.parametrize("case", CASES)
def test_the_form_and_the_api_make_the_same_gelato_calls_and_audit_entries(
    case, app, agent_client, sandbox, gelato, order_id, twin
):
    reference, path_end, changes = CASES[case]
    oid = order_id(reference)
    twin_app, twin_sandbox, headers = twin
    form_path = f"/portal/orders/{oid}/{path_end}"
    body = {"understood_charge": True}
    if changes == "other method":
        uid = other_method(gelato, gelato.get_order(oid))
        changes, body["shipment_method_uid"] = {"shipment_method": uid}, uid
    elif changes:
        body["shipping_address"] = changes

    if changes is None:  # the cancel: one button
        page = agent_client.get(form_path).get_data(as_text=True)
        mark = len(sandbox.calls)
        done = agent_client.post(form_path, data={"csrf_token": form_token(page)})
        body = None
    else:
        press_confirm = confirm_in_form(agent_client, form_path, **changes)
        mark = len(sandbox.calls)
        done = press_confirm()
    assert done.status_code == 200, done.get_data(as_text=True)
    form_calls = gelato_calls(sandbox, mark)

    twin_mark = len(twin_sandbox.calls)
    answer = twin_app.test_client().post(
        f"/api/v1/orders/{oid}/{path_end}",
        json=body,
        headers={**headers, "Idempotency-Key": f"parity-{case}"},
    )
    assert answer.status_code == 200, answer.json
    ActionDone.model_validate(answer.json)

    assert gelato_calls(twin_sandbox, twin_mark) == form_calls
    assert any(method == "POST" for method, _path, _outcome in form_calls)
    assert action_entries(twin_app) == action_entries(app)
    assert action_entries(app)


def test_a_refused_cancel_is_refused_alike_with_the_reason_and_the_article(
    app, agent_client, sandbox, order_id, twin
):
    oid = order_id("NW-1005")  # in production
    twin_app, twin_sandbox, headers = twin
    refusal = rules.why_not(rules.CANCEL_ORDER, "in_production")

    page = agent_client.get(f"/portal/orders/{oid}/cancel").get_data(as_text=True)
    assert refusal.reason in page
    mark = len(twin_sandbox.calls)
    answer = twin_app.test_client().post(
        f"/api/v1/orders/{oid}/cancel", headers={**headers, "Idempotency-Key": "refused"}
    )
    assert answer.status_code == 409
    assert answer.mimetype == "application/problem+json"
    assert refusal.reason in answer.json["detail"]
    assert refusal.next_step in answer.json["detail"]
    assert answer.json["article"]["url"] == (refusal.see or rules.CANCEL_ORDER.article).url
    assert [c[:2] for c in gelato_calls(twin_sandbox, mark)] == [
        ("GET", f"/v4/orders/{oid}")
    ]  # read, never sent
    assert action_entries(twin_app) == action_entries(app) == []


def test_a_wrong_address_gets_the_forms_words_beside_the_same_field(agent_client, order_id, twin):
    oid = order_id("NW-1004")
    twin_app, _sandbox, headers = twin
    page = agent_client.get(f"/portal/orders/{oid}/address").get_data(as_text=True)
    review = agent_client.post(
        f"/portal/orders/{oid}/address",
        data={**form_fields(page), "post_code": "12", "email": "nobody", "step": "review"},
    ).get_data(as_text=True)

    answer = twin_app.test_client().post(
        f"/api/v1/orders/{oid}/address",
        json={
            "shipping_address": {"post_code": "12", "email": "nobody"},
            "understood_charge": True,
        },
        headers={**headers, "Idempotency-Key": "typo"},
    )
    assert answer.status_code == 422
    errors = {e["field"]: e["message"] for e in answer.json["errors"]}
    assert set(errors) == {"shipping_address.post_code", "shipping_address.email"}
    for message in errors.values():
        assert message.replace("'", "&#39;") in review
    assert "Nothing was placed" in answer.json["detail"]


def test_the_confirmations_are_fields_until_true(app, client, make_token, bearer, order_id):
    oid = order_id("NW-1009")
    headers = bearer(make_token("ana", scope="act"))

    def reorder(key, **body):
        return client.post(
            f"/api/v1/orders/{oid}/reorder", json=body, headers={**headers, "Idempotency-Key": key}
        )

    unconfirmed = reorder("first")
    assert unconfirmed.status_code == 422
    assert [e["field"] for e in unconfirmed.json["errors"]] == ["understood_charge"]
    first = reorder("first", understood_charge=True)  # the key is free again after a 422
    assert first.status_code == 200
    placed = first.json["order"]["reference"]

    second = reorder("second", understood_charge=True)
    assert second.status_code == 422
    [error] = second.json["errors"]
    assert error["field"] == "place_another"
    assert placed in error["message"]
    assert "placed by ana" in error["message"]
    another = reorder("second", understood_charge=True, place_another=True)
    assert another.status_code == 200
    assert another.json["order"]["reference"] != placed


def test_a_method_not_offered_is_refused_not_replaced(client, make_token, bearer, order_id):
    oid = order_id("NW-1004")
    answer = client.post(
        f"/api/v1/orders/{oid}/shipping-method",
        json={"shipment_method_uid": "no_such_method", "understood_charge": True},
        headers={**bearer(make_token("ana", scope="act")), "Idempotency-Key": "method"},
    )
    assert answer.status_code == 422
    [error] = answer.json["errors"]
    assert error["field"] == "shipment_method_uid"
    assert error["message"].startswith("Choose one of the shipping methods listed.")


def test_the_order_says_which_actions_the_api_can_run_now(client, make_token, bearer, order_id):
    oid = order_id("NW-1002")  # created: canceled or changed by cancel and re-place
    answer = client.get(f"/api/v1/orders/{oid}", headers=bearer(make_token()))
    actions = {a.slug: a for a in OrderDetail.model_validate(answer.json).actions}
    change = actions["change-address"]
    assert not change.allowed  # not by Gelato's Dashboard yet...
    assert change.available  # ...but the help center cancels and re-places
    assert change.api_url == f"http://localhost/api/v1/orders/{oid}/address"
    assert actions["cancel-order"].api_url == f"http://localhost/api/v1/orders/{oid}/cancel"
    assert not actions["reorder"].available
    assert actions["reorder"].api_url is None
