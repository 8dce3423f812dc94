import re

import pytest

from portal import create_app
from portal.gelato.sandbox import create_sandbox, in_process_client


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
    fields.pop("q", None)
    return fields
