"""Retries and timeouts against injected faults, in-process and over real HTTP.

Attempts are counted twice where both can see them: by the sandbox (calls received) and by the
client's log (one line per attempt). Times are only bounded from above, generously.
"""

import time

import pytest

from portal.gelato import GelatoClient, errors
from portal.gelato.sandbox import base_urls
from tests.conftest import free_port


def get(gelato, path):
    return gelato.get_order(path.rsplit("/", 1)[1])


# Reads -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_read_is_retried_after_a_transient_status(gelato, sandbox, order_path, attempts, status):
    sandbox.fail_with(status, times=2, method="GET", path=order_path)
    assert get(gelato, order_path).order_reference_id == "NW-1004"
    assert [c.outcome for c in sandbox.calls if c.path == order_path] == [status, status, 200]
    assert len(attempts("GET", order_path)) == 3


def test_read_is_not_retried_after_500(gelato, sandbox, order_path):
    sandbox.fail_with(500, times=1, path=order_path)
    with pytest.raises(errors.GelatoUnavailable) as caught:
        get(gelato, order_path)
    assert caught.value.status_code == 500
    assert caught.value.code == "internal_server_error"
    assert sandbox.calls_to("GET", order_path) == 1


def test_attempts_are_capped(world, order_path):
    gelato = world.connect(max_attempts=3)
    world.sandbox.fail_with(503, times=None, path=order_path)
    with pytest.raises(errors.GelatoUnavailable):
        get(gelato, order_path)
    assert world.sandbox.calls_to("GET", order_path) == 3


def test_retry_budget_bounds_the_total_time(world, order_path):
    gelato = world.connect(max_attempts=1000, retry_budget=0.3, backoff=0.05, max_backoff=0.05)
    world.sandbox.fail_with(503, times=None, path=order_path)
    started = time.monotonic()
    with pytest.raises(errors.GelatoUnavailable):
        get(gelato, order_path)
    assert time.monotonic() - started < 2.0
    assert 2 <= world.sandbox.calls_to("GET", order_path) <= 15


def test_retry_after_is_honoured(gelato, sandbox, order_path, attempts):
    sandbox.fail_with(429, times=1, retry_after=0.25, path=order_path)
    started = time.monotonic()
    get(gelato, order_path)
    first, second = attempts("GET", order_path)
    assert "-> 429 in " in first
    assert "(attempt 1, retry in 0.25 s)" in first  # not the 0.01 s backoff
    assert "-> 200 " in second
    assert time.monotonic() - started < 2.0


def test_retry_after_beyond_the_budget_gives_up_at_once(world, order_path):
    gelato = world.connect(retry_budget=1.0)
    world.sandbox.fail_with(429, times=None, retry_after=30, path=order_path)
    started = time.monotonic()
    with pytest.raises(errors.RateLimited) as caught:
        get(gelato, order_path)
    assert time.monotonic() - started < 1.5
    assert caught.value.retry_after == 30
    assert "30 seconds" in caught.value.message
    assert world.sandbox.calls_to("GET", order_path) == 1


def test_persistent_429_ends_rate_limited(world, order_path):
    gelato = world.connect(max_attempts=3)
    world.sandbox.fail_with(429, times=None, retry_after=0, path=order_path)
    with pytest.raises(errors.RateLimited):
        get(gelato, order_path)
    assert world.sandbox.calls_to("GET", order_path) == 3


def test_a_share_of_failing_calls_is_absorbed_by_retries(world, demo_id):
    gelato = world.connect(max_attempts=10)
    order_id = demo_id("NW-1004")
    world.sandbox.fail_with(503, times=None, share=0.3, method="GET")
    for _ in range(20):
        assert gelato.get_order(order_id).id == order_id
    outcomes = [c.outcome for c in world.sandbox.calls if c.path == f"/v4/orders/{order_id}"]
    assert outcomes.count(200) == 20
    assert outcomes.count(503) > 0


def test_a_hung_read_times_out_and_is_retried(world, order_path, attempts):
    gelato = world.connect(timeout=0.2)
    world.sandbox.hang(5.0, times=1, path=order_path)
    started = time.monotonic()
    assert get(gelato, order_path).order_reference_id == "NW-1004"
    first, second = attempts("GET", order_path)
    assert "-> ReadTimeout in " in first
    assert "-> 200 in " in second
    assert time.monotonic() - started < 3.0


def test_reads_that_keep_hanging_end_unavailable(world, order_path, attempts):
    gelato = world.connect(timeout=0.2, max_attempts=2)
    world.sandbox.hang(5.0, times=None, path=order_path)
    started = time.monotonic()
    with pytest.raises(errors.GelatoUnavailable) as caught:
        get(gelato, order_path)
    assert "did not answer in time" in caught.value.message
    assert len(attempts("GET", order_path)) == 2
    assert time.monotonic() - started < 3.0


def test_latency_beyond_the_read_timeout_is_a_timeout(world, order_path):
    world.sandbox.add_latency(1.0, path=order_path)
    with pytest.raises(errors.GelatoUnavailable):
        get(world.connect(timeout=0.2, max_attempts=1), order_path)
    world.sandbox.clear_faults()
    world.sandbox.add_latency(0.05, path=order_path)
    assert get(world.connect(timeout=2.0, max_attempts=1), order_path).id


def test_a_dropped_connection_is_retried(gelato, sandbox, order_path, attempts):
    sandbox.drop_connection(times=1, path=order_path)
    assert get(gelato, order_path).order_reference_id == "NW-1004"
    first, second = attempts("GET", order_path)
    assert "-> RemoteProtocolError in " in first
    assert "-> 200 in " in second


def test_connection_refused_is_retried_then_unavailable(attempts):
    url = f"http://127.0.0.1:{free_port()}"
    with GelatoClient("key", base_urls=base_urls(url), max_attempts=3, backoff=0.01) as gelato:
        with pytest.raises(errors.GelatoUnavailable) as caught:
            gelato.get_order("some-order")
        with pytest.raises(errors.GelatoUnavailable):
            gelato.update_draft("some-order")  # a write that never left is safe to repeat
    assert "could not connect" in caught.value.message
    assert len(attempts("GET", "/v4/orders/some-order")) == 3
    assert len(attempts("PATCH", "/v4/orders/some-order")) == 3


# Draft changes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["503", "drop"])
def test_draft_changes_are_not_repeated_after_an_ambiguous_failure(gelato, sandbox, demo_id, fault):
    draft_id = demo_id("NW-1001")
    path = f"/v4/orders/{draft_id}"
    if fault == "503":
        sandbox.fail_with(503, times=1, method="PATCH", path=path)
    else:
        sandbox.drop_connection(times=1, method="PATCH", path=path)
    with pytest.raises(errors.GelatoUnavailable):
        gelato.update_draft(draft_id)
    assert sandbox.calls_to("PATCH", path) == 1
    assert gelato.get_order(draft_id).order_type == "draft"


# Cancel ------------------------------------------------------------------------------------------


def test_cancel_whose_reply_was_lost_is_confirmed_not_repeated(gelato, sandbox, demo_id):
    order_id = demo_id("NW-1004")
    cancel = f"/v4/orders/{order_id}:cancel"
    sandbox.drop_connection(times=1, path=cancel, after_processing=True)
    assert gelato.cancel_order(order_id) is None
    assert sandbox.calls_to("POST", cancel) == 1
    assert gelato.get_order(order_id).fulfillment_status == "canceled"


def test_cancel_refused_by_a_503_is_repeated(gelato, sandbox, demo_id):
    order_id = demo_id("NW-1004")
    cancel = f"/v4/orders/{order_id}:cancel"
    sandbox.fail_with(503, times=1, path=cancel)
    gelato.cancel_order(order_id)
    assert [c.outcome for c in sandbox.calls if c.path == cancel] == [503, 200]
    assert gelato.get_order(order_id).fulfillment_status == "canceled"


def test_cancel_repeated_after_a_lost_reply_accepts_already_canceled(gelato, sandbox, demo_id):
    order_id = demo_id("NW-1004")
    cancel = f"/v4/orders/{order_id}:cancel"
    sandbox.drop_connection(times=1, path=cancel, after_processing=True)
    sandbox.fail_with(503, times=1, method="GET", path=f"/v4/orders/{order_id}")  # the check
    assert gelato.cancel_order(order_id) is None
    assert [c.outcome for c in sandbox.calls if c.path == cancel] == ["dropped", 409]
    assert gelato.get_order(order_id).fulfillment_status == "canceled"


def test_cancel_too_late_stays_not_cancellable_through_retries(gelato, sandbox, demo_id):
    order_id = demo_id("NW-1005")  # in production
    cancel = f"/v4/orders/{order_id}:cancel"
    sandbox.drop_connection(times=1, path=cancel)
    with pytest.raises(errors.NotCancellable):
        gelato.cancel_order(order_id)
    assert [c.outcome for c in sandbox.calls if c.path == cancel] == ["dropped", 409]


def test_cancel_that_never_gets_through_is_unavailable(world, demo_id):
    gelato = world.connect(max_attempts=3)
    order_id = demo_id("NW-1004")
    world.sandbox.fail_with(503, times=None, path=f"/v4/orders/{order_id}:cancel")
    with pytest.raises(errors.GelatoUnavailable):
        gelato.cancel_order(order_id)
    assert world.sandbox.calls_to("POST", f"/v4/orders/{order_id}:cancel") == 3
    assert gelato.get_order(order_id).fulfillment_status == "passed"
