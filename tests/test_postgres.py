"""The same app on PostgreSQL, as several processes or hosts run it in production.

The server is a throwaway cluster started by the test on 127.0.0.1. Where PostgreSQL is not
installed these tests are skipped; CI installs it (.ci/run), so there they always run.
"""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.audit import record
from portal.gelato.sandbox import create_sandbox, in_process_client
from portal.orders import placing, rules
from portal.store import Store
from tests.conftest import SECRET_KEY, upgrade_in_workers_at_once
from tests.orders.conftest import reorder_at_once


@pytest.fixture
def store(postgres_url):
    store = Store.from_url(postgres_url)
    with store.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    yield store
    store.close()


def test_the_app_starts_and_reports_healthy_on_postgresql(postgres_url, store):
    app = create_app({"DATABASE_URL": postgres_url, "SECRET_KEY": SECRET_KEY})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == {"reachable": True, "writable": True}
    assert {"agents", "audit_log", "order_actions"} <= set(inspect(store.engine).get_table_names())
    app.extensions["store"].close()


def test_workers_starting_together_migrate_once(postgres_url, store):
    upgrade_in_workers_at_once(postgres_url)


def test_twenty_simultaneous_reorders_with_one_key_place_one_order(store):
    store.upgrade()
    sandbox = create_sandbox()
    sandbox.add_latency(0.05, method="POST", path="/v4/orders")
    with in_process_client(sandbox) as gelato:
        [row] = sandbox.orders_with_reference("NW-1009")
        original = gelato.get_order(row["id"])

        placed = {i for i in reorder_at_once(gelato, store, original, key="a" * 32) if i}
    assert len(placed) == 1
    assert sandbox.calls_to("POST", "/v4/orders") == 1


def test_two_different_reorder_forms_for_one_order_sent_at_once_place_one_order(store):
    store.upgrade()
    sandbox = create_sandbox()
    sandbox.add_latency(0.05, method="POST", path="/v4/orders")
    with in_process_client(sandbox) as gelato:
        [row] = sandbox.orders_with_reference("NW-1010")
        original = gelato.get_order(row["id"])
        with ThreadPoolExecutor(8) as pool:
            tabs = [pool.submit(_reorder, gelato, store, original, key * 32) for key in "abcdefgh"]
            outcomes = [tab.result() for tab in tabs]
    assert len([o for o in outcomes if o == "placed"]) == 1
    assert sandbox.calls_to("POST", "/v4/orders") == 1


def _reorder(gelato, store, original, key):
    try:
        placing.place_once(
            gelato,
            store,
            key=key,
            action=rules.REORDER,
            original=original,
            address=original.shipping_address,
            shipment_method_uid=None,
            actor="t",
        )
    except placing.AlreadyReordered:
        return "shown the earlier reorder"
    return "placed"


def test_the_audit_log_refuses_changes_in_the_database_itself(store):
    store.upgrade()
    record(store, actor="ana", action="cancel", outcome="succeeded", order_id="o-1")
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET outcome = 'refused'"))
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))


def test_the_audit_log_pages_and_lists_its_actors_on_postgresql(store):
    store.upgrade()
    for number, actor in enumerate(["bo", "ana", "bo"]):
        record(store, actor=actor, action="cancel", outcome="succeeded", order_id=f"o-{number}")
    first = store.audit.list(limit=2)
    assert [entry.order_id for entry in first] == ["o-2", "o-1"]
    rest = store.audit.list(before_id=first[-1].id, limit=2)
    assert [entry.order_id for entry in rest] == ["o-0"]
    assert store.audit.actors() == ["ana", "bo"]
    assert [e.order_id for e in store.audit.list(actor="bo", outcome="succeeded")] == ["o-2", "o-0"]
