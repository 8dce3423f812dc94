"""What the client logs, what it sends, and that the API key never leaks."""

import re

import httpx
import pytest

from portal.gelato import GelatoClient, errors
from portal.gelato.client import DEFAULT_TIMEOUT, USER_AGENT
from portal.gelato.sandbox import DEMO_API_KEY

LINE = re.compile(
    r"^gelato (GET|POST|PATCH|DELETE) /\S+ -> (\d{3}|[A-Za-z]+) in \d+\.\d ms "
    r"\(attempt \d+(, [^)]+)?\)$"
)


def test_api_key_never_appears_in_logs_or_errors(world, gelato_log, demo_id):
    gelato = world.connect(timeout=0.2)
    sandbox = world.sandbox
    order_id = demo_id("NW-1002")
    shown = []

    sandbox.fail_with(503, times=1, method="GET")
    gelato.get_order(order_id)
    sandbox.drop_connection(times=1, path="/v4/orders:search")
    gelato.find_orders_by_reference("NW-1019")
    sandbox.hang(5.0, times=1, path=f"/v4/orders/{order_id}:cancel")
    gelato.cancel_order(order_id)
    sandbox.fail_with(500, times=None, path="/v4/orders/*")
    try:
        gelato.get_order(order_id)
    except errors.GelatoError as error:
        shown += [str(error), repr(error), error.message]
    sandbox.clear_faults()
    stranger = world.connect(api_key="wrong-key-7f3a9c")
    with pytest.raises(errors.Unauthorized) as caught:
        stranger.get_order(order_id)
    shown += [str(caught.value), repr(caught.value), repr(gelato), repr(stranger)]

    logged = "\n".join(
        [gelato_log.text]
        + [record.getMessage() for record in gelato_log.records]
        + [repr(record.args) for record in gelato_log.records]
    )
    assert "portal.gelato" in {record.name for record in gelato_log.records}
    assert DEMO_API_KEY not in logged
    assert "wrong-key-7f3a9c" not in logged
    assert not any(DEMO_API_KEY in text or "wrong-key-7f3a9c" in text for text in shown)


def test_one_line_per_attempt_with_method_path_status_duration_attempt(world, gelato_log, demo_id):
    gelato = world.connect(timeout=0.2)
    order_id = demo_id("NW-1002")
    world.sandbox.fail_with(503, times=1, method="GET")
    gelato.get_order(order_id)
    gelato.list_shipment_methods("GB")
    lines = [r.getMessage() for r in gelato_log.records if r.name == "portal.gelato"]
    assert all(LINE.match(line) for line in lines), lines
    assert f"gelato GET /v4/orders/{order_id} -> 503 " in lines[-3]
    assert "(attempt 1, retry in " in lines[-3]
    assert f"gelato GET /v4/orders/{order_id} -> 200 " in lines[-2]
    assert lines[-2].endswith("(attempt 2)")
    assert lines[-1].startswith("gelato GET /v1/shipment-methods?country=GB -> 200 ")


def test_failures_are_warnings_successes_info(gelato, sandbox, gelato_log):
    gelato.list_shipment_methods()
    with pytest.raises(errors.OrderNotFound):
        gelato.get_order("unknown")
    records = [r for r in gelato_log.records if r.name == "portal.gelato"]
    assert [r.levelname for r in records] == ["INFO", "WARNING"]


class Recorder(httpx.BaseTransport):
    def __init__(self):
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"shipmentMethods": []})


def test_every_request_carries_key_user_agent_and_explicit_timeouts():
    recorder = Recorder()
    with GelatoClient("secret-key", transport=recorder) as gelato:
        gelato.list_shipment_methods("DE")
    with GelatoClient("secret-key", transport=recorder, timeout=1.5) as gelato:
        gelato.list_shipment_methods()
    first, second = recorder.requests
    assert first.headers["X-API-KEY"] == "secret-key"
    assert first.headers["User-Agent"] == USER_AGENT
    assert re.fullmatch(r"gelato-help-center/\d+\.\d+\.\d+\S*", USER_AGENT)
    assert str(first.url) == "https://shipment.gelatoapis.com/v1/shipment-methods?country=DE"
    assert first.extensions["timeout"] == DEFAULT_TIMEOUT.as_dict()
    assert second.extensions["timeout"] == dict.fromkeys(("connect", "read", "write", "pool"), 1.5)


def test_a_client_needs_a_key():
    with pytest.raises(ValueError, match="GELATO_API_KEY"):
        GelatoClient("")


@pytest.mark.parametrize("url", ["order.gelatoapis.com", "ftp://order.gelatoapis.com", "https://"])
def test_a_base_url_must_be_http(url):
    with pytest.raises(ValueError, match="base URL"):
        GelatoClient("key", base_urls={"order": url})
