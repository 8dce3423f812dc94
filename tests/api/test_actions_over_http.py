"""The actions over real HTTP, as a helpdesk calls them: against the app served on 127.0.0.1 and
the sandbox running as its own process. A call sent again with its Idempotency-Key gets the first
answer and places nothing again; the same key with other inputs is refused; a read token acts on
nothing."""

import threading

import httpx
import pytest
from sqlalchemy import update

from portal import agents, audit
from portal.api import tokens
from portal.store import utcnow
from portal.store.tables import api_tokens
from tests.orders.conftest import add_fault

KEY = "Idempotency-Key"


@pytest.fixture
def desk(app_server):
    """A helpdesk's HTTP client with Ana's act token, and a way to make other tokens."""
    store = app_server.app.extensions["store"]
    agents.create_agent(store, "ana", "ana-password-0123", "agent", actor="tests")

    def token(scope=tokens.ACT):
        return tokens.create_token(
            store,
            app_server.app.config["SECRET_KEY"],
            store.accounts.by_name("ana"),
            name=f"Helpdesk ({scope})",
            scope=scope,
            expires_at=None,
            actor="ana",
        ).secret

    with httpx.Client(
        base_url=app_server.url,
        headers={"Authorization": f"Bearer {token()}"},
        timeout=60.0,
    ) as client:
        client.make_token = token
        yield client


def order_of(app_server, reference):
    [order] = app_server.app.extensions["gelato"].find_orders_by_reference(reference)
    return order.id


def changes(gelato_server):
    """The calls that change something at Gelato (a search or a quote changes nothing)."""
    return [
        c
        for c in gelato_server.calls()
        if c["method"] == "POST" and not c["path"].endswith((":search", ":quote"))
    ]


def creates(gelato_server):
    return [c for c in gelato_server.calls() if (c["method"], c["path"]) == ("POST", "/v4/orders")]


def test_a_reorder_sent_again_with_its_key_gets_the_first_answer(app_server, gelato_server, desk):
    path = f"/api/v1/orders/{order_of(app_server, 'NW-1009')}/reorder"
    body = {"understood_charge": True}
    first = desk.post(path, json=body, headers={KEY: "reorder-1"})
    assert first.status_code == 200, first.text
    assert "Idempotent-Replayed" not in first.headers

    again = desk.post(path, json=body, headers={KEY: "reorder-1"})
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(creates(gelato_server)) == 1

    calls = app_server.app.extensions["store"].audit.list(action=audit.API_CALL, limit=2)
    assert ['"replayed": true' in e.request for e in calls] == [True, False]
    assert len(app_server.app.extensions["store"].audit.list(action="reorder")) == 1


def test_the_same_key_with_another_call_is_refused(app_server, gelato_server, desk):
    path = f"/api/v1/orders/{order_of(app_server, 'NW-1009')}/reorder"
    assert desk.post(path, json={"understood_charge": True}, headers={KEY: "k"}).status_code == 200
    other = desk.post(
        path,
        json={"understood_charge": True, "shipping_address": {"city": "Leipzig"}},
        headers={KEY: "k"},
    )
    assert other.status_code == 422
    assert other.headers["Content-Type"] == "application/problem+json"
    assert [(e["location"], e["field"]) for e in other.json()["errors"]] == [("header", KEY)]
    cancel = f"/api/v1/orders/{order_of(app_server, 'NW-1002')}/cancel"
    elsewhere = desk.post(cancel, headers={KEY: "k"})
    assert elsewhere.status_code == 422
    assert len(creates(gelato_server)) == 1


def test_a_call_that_moves_money_without_a_key_is_refused_before_anything(
    app_server, gelato_server, desk
):
    oid = order_of(app_server, "NW-1002")
    for path, body in [
        (f"/api/v1/orders/{oid}/reorder", {"understood_charge": True}),
        (f"/api/v1/orders/{oid}/cancel", None),
    ]:
        answer = desk.post(path, json=body)
        assert answer.status_code == 422
        [error] = answer.json()["errors"]
        assert (error["location"], error["field"]) == ("header", KEY)
        assert "never acts twice" in error["message"]
    assert changes(gelato_server) == []


def test_a_read_token_acts_on_nothing(app_server, gelato_server, desk):
    read = {"Authorization": f"Bearer {desk.make_token(tokens.READ)}"}
    oid = order_of(app_server, "NW-1004")
    calls = [
        ("POST", f"/api/v1/orders/{oid}/cancel", None),
        ("POST", f"/api/v1/orders/{oid}/address", {"shipping_address": {"city": "Leeds"}}),
        ("POST", f"/api/v1/orders/{oid}/shipping-method", {"shipment_method_uid": "x"}),
        ("POST", f"/api/v1/orders/{oid}/reorder", {"understood_charge": True}),
        ("POST", "/api/v1/requests", {"scenario": "something-else"}),
        ("PATCH", "/api/v1/requests/1", {"answers": {}}),
        ("POST", "/api/v1/requests/1/send", {}),
        ("POST", "/api/v1/requests/1/mark-sent", None),
    ]
    for method, path, body in calls:
        answer = desk.request(method, path, json=body, headers={**read, KEY: "read-1"})
        assert answer.status_code == 403, (method, path)
        assert "read scope" in answer.json()["detail"]
    assert desk.get(f"/api/v1/orders/{oid}", headers=read).status_code == 200
    assert changes(gelato_server) == []
    assert app_server.app.extensions["store"].drafts.list() == []


def test_a_revoked_or_expired_token_acts_on_nothing(app_server, gelato_server, desk):
    store = app_server.app.extensions["store"]
    revoked, expired = desk.make_token(), desk.make_token()
    newest, older = store.tokens.list()[:2]  # expired, then revoked
    tokens.revoke_token(store, older.id, actor="ana")
    with store.engine.begin() as connection:
        connection.execute(
            update(api_tokens).where(api_tokens.c.id == newest.id).values(expires_at=utcnow())
        )
    path = f"/api/v1/orders/{order_of(app_server, 'NW-1002')}/cancel"
    for token, word in [(revoked, "revoked"), (expired, "expired")]:
        answer = desk.post(path, headers={"Authorization": f"Bearer {token}", KEY: word})
        assert answer.status_code == 401
        assert word in answer.json()["detail"]
    assert changes(gelato_server) == []


def test_the_same_call_sent_many_times_at_once_places_one_order(app_server, gelato_server, desk):
    path = f"/api/v1/orders/{order_of(app_server, 'NW-1010')}/reorder"
    start = threading.Barrier(6)
    answers = []

    def send():
        start.wait()
        answers.append(desk.post(path, json={"understood_charge": True}, headers={KEY: "burst"}))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {a.status_code for a in answers} <= {200, 409}
    placed = {a.json()["order"]["id"] for a in answers if a.status_code == 200}
    assert len(placed) == 1
    assert len(creates(gelato_server)) == 1
    late = desk.post(path, json={"understood_charge": True}, headers={KEY: "burst"})
    assert late.json()["order"]["id"] in placed


def test_gelato_down_after_the_cancel_the_same_call_places_the_replacement_once(
    app_server, gelato_server, desk
):
    oid = order_of(app_server, "NW-1004")
    path = f"/api/v1/orders/{oid}/address"
    body = {"shipping_address": {"address_line1": "7 Corrected Lane"}, "understood_charge": True}
    add_fault(
        gelato_server, kind="status", status=503, method="POST", path="/v4/orders", times=None
    )
    failed = desk.post(path, json=body, headers={KEY: "move"})
    assert failed.status_code == 503
    assert "Retry-After" in failed.headers
    assert "canceled order NW-1004" in failed.json()["detail"]
    assert "same Idempotency-Key" in failed.json()["detail"]
    # The key stands for this call only, even while it is owed.
    other = {**body, "shipping_address": {"address_line1": "8 Other Lane"}}
    assert desk.post(path, json=other, headers={KEY: "move"}).status_code == 422

    gelato_server.clear_faults()
    placed = desk.post(path, json=body, headers={KEY: "move"})
    assert placed.status_code == 200, placed.text
    assert placed.json()["original_canceled"] is True
    assert "Idempotent-Replayed" not in placed.headers
    again = desk.post(path, json=body, headers={KEY: "move"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == placed.json()
    accepted = [c for c in creates(gelato_server) if c["outcome"] == 200]
    assert len(accepted) == 1
    gelato = app_server.app.extensions["gelato"]
    assert gelato.get_order(placed.json()["order"]["id"]).shipping_address.address_line1 == (
        "7 Corrected Lane"
    )
