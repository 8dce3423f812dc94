"""A create is never sent twice blindly: after an ambiguous failure the client checks by reference.

Each case proves from inside the sandbox how many orders carry the reference afterwards.
"""

import httpx
import pytest

from portal.gelato import GelatoClient, errors
from portal.gelato.models import Address, File, Item
from portal.gelato.sandbox import (
    DEMO_API_KEY,
    IN_PROCESS_URL,
    SandboxTransport,
    base_urls,
    create_sandbox,
)
from portal.gelato.sandbox.catalog import MUG

ADDRESS = Address(
    first_name="Elin",
    last_name="Lindqvist",
    address_line1="Sveavägen 44",
    city="Stockholm",
    post_code="111 34",
    country="SE",
    email="elin@example.se",
)
ITEMS = [Item("mug-1", MUG, 1, files=(File("https://files.example/mug.png"),))]


def create(gelato, reference):
    return gelato.create_order(
        reference,
        customer_reference_id="CUST-9",
        currency="SEK",
        items=ITEMS,
        shipping_address=ADDRESS,
    )


def inject(sandbox, fault, *, after_processing, path="/v4/orders"):
    options = {"method": "POST", "path": path, "after_processing": after_processing}
    if fault == "drop":
        sandbox.drop_connection(**options)
    elif fault == "hang":
        sandbox.hang(5.0, **options)
    else:
        sandbox.fail_with(int(fault), **options)


@pytest.mark.parametrize("fault", ["drop", "hang", "500", "502", "503"])
def test_create_that_landed_is_returned_not_duplicated(world, attempts, fault):
    gelato = world.connect(timeout=0.3)
    inject(world.sandbox, fault, after_processing=True)
    order = create(gelato, "AMB-LANDED")
    stored = world.sandbox.orders_with_reference("AMB-LANDED")
    assert [o["id"] for o in stored] == [order.id]
    (line,) = attempts("POST", "/v4/orders")
    assert line.endswith(", checking by reference)")


@pytest.mark.parametrize("fault", ["drop", "hang", "500", "503"])
def test_create_that_did_not_land_is_never_sent_again(world, attempts, fault):
    gelato = world.connect(timeout=0.3)
    inject(world.sandbox, fault, after_processing=False)
    with pytest.raises(errors.GelatoUnavailable) as caught:
        create(gelato, "AMB-LOST")
    assert "'AMB-LOST'" in caught.value.message
    assert "before trying once more" in caught.value.message
    assert world.sandbox.orders_with_reference("AMB-LOST") == []
    assert len(attempts("POST", "/v4/orders")) == 1
    assert world.sandbox.calls_to("POST", "/v4/orders:search") == 1


def test_create_refused_with_429_is_checked_then_sent_again(gelato, sandbox):
    sandbox.fail_with(429, retry_after=0, method="POST", path="/v4/orders")
    order = create(gelato, "AMB-429")
    assert [o["id"] for o in sandbox.orders_with_reference("AMB-429")] == [order.id]
    assert [(c.method, c.path, c.outcome) for c in sandbox.calls] == [
        ("POST", "/v4/orders", 429),
        ("POST", "/v4/orders:search", 200),
        ("POST", "/v4/orders", 200),
    ]


def test_create_answered_429_after_it_landed_is_not_duplicated(gelato, sandbox):
    sandbox.fail_with(429, retry_after=0, method="POST", path="/v4/orders", after_processing=True)
    order = create(gelato, "AMB-429-LANDED")
    assert [o["id"] for o in sandbox.orders_with_reference("AMB-429-LANDED")] == [order.id]
    assert sandbox.calls_to("POST", "/v4/orders") == 1


def test_create_whose_check_fails_too_is_unavailable_and_not_repeated(world):
    gelato = world.connect(max_attempts=2)
    inject(world.sandbox, "drop", after_processing=True)
    world.sandbox.fail_with(503, times=None, path="/v4/orders:search")
    with pytest.raises(errors.GelatoUnavailable) as caught:
        create(gelato, "AMB-UNCHECKED")
    assert "checking whether it exists failed" in caught.value.message
    assert len(world.sandbox.orders_with_reference("AMB-UNCHECKED")) == 1
    assert world.sandbox.calls_to("POST", "/v4/orders") == 1


class RefuseFirstConnections(httpx.BaseTransport):
    """Fails the first ``count`` requests as a refused connection would, then passes them on."""

    def __init__(self, transport: httpx.BaseTransport, count: int):
        self.transport = transport
        self.count = count

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.count:
            self.count -= 1
            raise httpx.ConnectError("Connection refused", request=request)
        return self.transport.handle_request(request)


def test_create_that_never_left_is_sent_again(attempts):
    sandbox = create_sandbox()
    transport = RefuseFirstConnections(SandboxTransport(sandbox), count=2)
    with GelatoClient(
        DEMO_API_KEY, base_urls=base_urls(IN_PROCESS_URL), transport=transport, backoff=0.01
    ) as gelato:
        order = create(gelato, "AMB-UNSENT")
    assert [o["id"] for o in sandbox.orders_with_reference("AMB-UNSENT")] == [order.id]
    lines = attempts("POST", "/v4/orders")
    assert ["ConnectError" in line for line in lines] == [True, True, False]
    assert sandbox.calls_to("POST", "/v4/orders:search") == 0
