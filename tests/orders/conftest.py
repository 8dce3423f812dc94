import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from portal import create_app
from portal.gelato.sandbox import create_sandbox, in_process_client
from portal.orders import service


@pytest.fixture
def sandbox():
    return create_sandbox()


@pytest.fixture
def gelato(sandbox):
    """A client of the sandbox that gives up fast, so fault tests stay quick."""
    client = in_process_client(sandbox, retry_budget=0.3, backoff=0.01, timeout=1.0)
    yield client
    client.close()


@pytest.fixture
def app(environ, gelato):
    app = create_app(environ, gelato=gelato)
    app.config["TESTING"] = True
    yield app
    app.extensions["store"].close()


@pytest.fixture
def order_id(sandbox):
    """The Gelato id of a demo order, by its reference."""

    def order_id(reference):
        [order] = sandbox.orders_with_reference(reference)
        return order["id"]

    return order_id


def form_fields(html):
    """Every input of the page's action form with its value, as a browser would send them."""
    inputs = re.findall(r"<input[^>]*>", html)
    fields = {}
    for tag in inputs:
        if ('type="checkbox"' in tag or 'type="radio"' in tag) and "checked" not in tag:
            continue
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    fields.pop("order", None)  # the order search box above the form
    return fields


def orders_by_status(gelato):
    """The Gelato id of one demo order in each fulfillment status."""
    found = {}
    for order in gelato.search_orders(limit=100):
        found.setdefault(order.fulfillment_status, order.id)
    return found


def reorder_at_once(gelato, store, original, *, key, times=20):
    """Send one reorder form ``times`` times at once, as double clicks and several agents do.

    Each submission's new order id, or None where it found the form already being processed.
    """

    def submit(_):
        try:
            placed = service.place_once(
                gelato,
                store,
                key=key,
                action=service.REORDER,
                original=original,
                address=original.shipping_address,
                shipment_method_uid=None,
                actor="t",
            )
        except service.ActionInProgress:
            return None
        return placed.order.id

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(submit, range(times)))
