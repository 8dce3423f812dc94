"""The sandbox sends Gelato's webhook events when an order changes, with Gelato's retries, to a
receiver these tests start on 127.0.0.1."""

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from portal.gelato import errors
from portal.gelato.models import StatusChange
from portal.gelato.sandbox import Target, create_sandbox, demo, http_client, in_process_client

ROOT = Path(__file__).resolve().parents[2]
SECRET = "shared-webhook-secret"
FAST_RETRY = 0.05

#: Every event's documented fields (contract, section 8), beyond ``id`` and ``event``.
DOCUMENTED_FIELDS = {
    "order_status_updated": {
        "orderId",
        "storeId",
        "orderReferenceId",
        "fulfillmentStatus",
        "items",
        "comment",
    },
    "order_item_status_updated": {
        "orderId",
        "storeId",
        "orderReferenceId",
        "itemReferenceId",
        "status",
        "fulfillmentCountry",
        "fulfillmentStateProvince",
        "fulfillmentFacilityId",
        "comment",
        "created",
    },
    "order_item_tracking_code_updated": {
        "orderId",
        "storeId",
        "orderReferenceId",
        "itemReferenceId",
        "trackingCode",
        "trackingUrl",
        "shipmentMethodName",
        "shipmentMethodUid",
        "fulfillmentCountry",
        "fulfillmentStateProvince",
        "fulfillmentFacilityId",
        "created",
    },
    "order_delivery_estimate_updated": {
        "orderId",
        "storeId",
        "orderReferenceId",
        "minDeliveryDate",
        "maxDeliveryDate",
        "created",
    },
}
FULFILLMENT_FIELDS = {
    "trackingCode",
    "trackingUrl",
    "shipmentMethodName",
    "shipmentMethodUid",
    "fulfillmentCountry",
    "fulfillmentStateProvince",
    "fulfillmentFacilityId",
}


def point_at(world, receiver, *, secret=SECRET, retry_delay=FAST_RETRY):
    """Set the webhook target over the control API, as a script outside the sandbox would."""
    body = {"url": receiver.url, "retryDelay": retry_delay}
    if secret:
        body["secret"] = secret
    response = world.raw(api_key=None).put("/_sandbox/webhooks", json=body)
    assert response.status_code == 200, response.text


def control(world, order_id, action, **body):
    return world.raw(api_key=None).post(f"/_sandbox/orders/{order_id}/{action}", json=body)


def settled(world):
    assert world.sandbox.webhooks.wait_idle(), "webhook deliveries did not settle"
    return world.sandbox.webhooks.deliveries


def kinds(events):
    return [(e["event"], e.get("status") or e.get("fulfillmentStatus")) for e in events]


def assert_documented(event):
    assert set(event) == {"id", "event"} | DOCUMENTED_FIELDS[event["event"]], event
    if event["event"] == "order_status_updated":
        for item in event["items"]:
            assert set(item) == {"itemReferenceId", "fulfillmentStatus", "fulfillments"}
            for fulfillment in item["fulfillments"]:
                assert set(fulfillment) == FULFILLMENT_FIELDS


# What arrives ----------------------------------------------------------------------------------


@pytest.mark.assumption("A22", "A23")
def test_a_cancel_sends_the_item_and_order_events_with_the_secret(
    world, gelato, demo_id, webhook_receiver
):
    point_at(world, webhook_receiver)
    order_id = demo_id("NW-1002")
    gelato.cancel_order(order_id)
    events = webhook_receiver.wait_for(2)
    assert kinds(events) == [
        ("order_item_status_updated", "canceled"),
        ("order_status_updated", "canceled"),
    ]
    item_event, order_event = events
    assert item_event["orderId"] == order_event["orderId"] == order_id
    assert item_event["orderReferenceId"] == "NW-1002"
    assert item_event["itemReferenceId"] == "NW-1002-1"
    assert order_event["items"] == [
        {"itemReferenceId": "NW-1002-1", "fulfillmentStatus": "canceled", "fulfillments": []}
    ]
    for event in events:
        assert_documented(event)
    assert len({event["id"] for event in events}) == 2
    for headers, _, _ in webhook_receiver.requests:
        assert headers["signature"] == SECRET
        assert headers["content-type"] == "application/json"
    # The moment the item event reports is the one the order keeps for the item (A21).
    (item,) = gelato.get_order(order_id).items
    assert item.status_change == StatusChange.from_json(item_event)


@pytest.mark.assumption("A23")
def test_a_new_order_sends_its_first_statuses(world, gelato, webhook_receiver):
    point_at(world, webhook_receiver)
    order = gelato.create_order(
        "HOOK-NEW",
        customer_reference_id="C",
        currency="EUR",
        items=gelato.get_order(gelato.find_orders_by_reference("NW-1009")[0].id).items,
        shipping_address=gelato.get_order(
            gelato.find_orders_by_reference("NW-1009")[0].id
        ).shipping_address,
    )
    events = webhook_receiver.wait_for(3)
    assert kinds(events) == [
        ("order_item_status_updated", "created"),
        ("order_item_status_updated", "created"),
        ("order_status_updated", "created"),
    ]
    assert {event["orderId"] for event in events} == {order.id}
    assert events[0]["fulfillmentCountry"] == order.shipment.fulfillment_country


@pytest.mark.assumption("A21", "A23", "A24")
def test_advancing_to_shipped_sends_every_step_and_the_tracking_code(
    world, gelato, demo_id, webhook_receiver
):
    point_at(world, webhook_receiver)
    order_id = demo_id("NW-1004")  # passed, tracked Royal Mail
    response = control(world, order_id, "advance", to="shipped")
    assert response.status_code == 200
    assert response.json()["fulfillmentStatus"] == "shipped"
    events = webhook_receiver.wait_for(7)
    assert kinds(events) == [
        ("order_item_status_updated", "in_production"),
        ("order_status_updated", "in_production"),
        ("order_item_status_updated", "printed"),
        ("order_status_updated", "printed"),
        ("order_item_status_updated", "shipped"),
        ("order_item_tracking_code_updated", None),
        ("order_status_updated", "shipped"),
    ]
    for event in events:
        assert_documented(event)
    order = gelato.get_order(order_id)
    (package,) = order.packages
    tracking = events[5]
    assert (tracking["trackingCode"], tracking["trackingUrl"]) == (
        package.tracking_code,
        package.tracking_url,
    )
    assert tracking["shipmentMethodUid"] == "royal_mail_tracked_48"
    (fulfillment,) = events[6]["items"][0]["fulfillments"]
    assert fulfillment["trackingCode"] == package.tracking_code
    (item,) = order.items
    assert [c.status for c in item.status_history][-3:] == ["in_production", "printed", "shipped"]


@pytest.mark.assumption("A23", "A24")
def test_a_hold_says_why_in_the_events_and_on_the_item(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver)
    order_id = demo_id("NW-1003")
    reason = "The print file is below 150 dpi."
    assert control(world, order_id, "hold", reason=reason).status_code == 200
    item_event, order_event = webhook_receiver.wait_for(2)
    assert (item_event["status"], item_event["comment"]) == ("on_hold", reason)
    assert (order_event["fulfillmentStatus"], order_event["comment"]) == ("on_hold", reason)
    order = gelato.get_order(order_id)
    assert order.fulfillment_status == "on_hold"
    assert order.items[0].status_comment == reason


@pytest.mark.assumption("A9", "A24")
def test_a_failure_carries_its_reason_and_code(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver)
    order_id = demo_id("NW-1002")
    response = control(
        world, order_id, "fail", reason="The address does not exist.", code="address_invalid"
    )
    assert response.status_code == 200
    events = webhook_receiver.wait_for(2)
    assert kinds(events) == [
        ("order_item_status_updated", "failed"),
        ("order_status_updated", "failed"),
    ]
    assert events[1]["comment"] == "The address does not exist."
    order = gelato.get_order(order_id)
    assert (order.refusal_reason, order.refusal_reason_code) == (
        "The address does not exist.",
        "address_invalid",
    )
    assert order.financial_status == "canceled"


@pytest.mark.assumption("A23", "A24")
def test_a_later_estimate_is_announced(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver)
    order_id = demo_id("NW-1008")
    before = gelato.get_order(order_id).shipment
    assert control(world, order_id, "delay", days=3).status_code == 200
    (event,) = webhook_receiver.wait_for(1)
    assert_documented(event)
    assert event["event"] == "order_delivery_estimate_updated"
    assert date.fromisoformat(event["maxDeliveryDate"]) == before.max_delivery_date + timedelta(
        days=3
    )
    after = gelato.get_order(order_id).shipment
    assert after.min_delivery_date == before.min_delivery_date + timedelta(days=3)


def test_changes_send_nothing_without_a_target(world, gelato, demo_id, webhook_receiver):
    gelato.cancel_order(demo_id("NW-1002"))
    assert settled(world) == []
    assert webhook_receiver.requests == []


@pytest.mark.assumption("A22")
def test_without_a_secret_no_signature_is_sent(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver, secret=None)
    gelato.cancel_order(demo_id("NW-1002"))
    webhook_receiver.wait_for(2)
    assert all("signature" not in headers for headers, _, _ in webhook_receiver.requests)


# Gelato's retries ------------------------------------------------------------------------------


@pytest.mark.assumption("A23")
def test_an_event_answered_500_is_sent_again_with_the_same_id(
    world, gelato, demo_id, webhook_receiver
):
    point_at(world, webhook_receiver, retry_delay=0.2)
    webhook_receiver.answers.extend([500])
    gelato.cancel_order(demo_id("NW-1002"))
    webhook_receiver.wait_for(3)
    deliveries = settled(world)
    assert [(d.event["event"], d.tries, d.outcome) for d in deliveries] == [
        ("order_item_status_updated", [500, 204], "delivered"),
        ("order_status_updated", [204], "delivered"),
    ]
    retried = [r for r in webhook_receiver.requests if r[1]["id"] == deliveries[0].event["id"]]
    assert len(retried) == 2
    assert retried[0][1] == retried[1][1]  # the very same event
    assert retried[1][2] - retried[0][2] >= 0.2 * 0.9  # waited the delay between the tries


@pytest.mark.assumption("A23")
def test_three_tries_then_gelato_gives_up(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver)
    webhook_receiver.answers.extend([503, 500, 502])
    order_id = demo_id("NW-1003")
    assert control(world, order_id, "delay", days=1).status_code == 200
    deliveries = settled(world)
    assert [(d.tries, d.outcome) for d in deliveries] == [([503, 500, 502], "failed")]
    assert len(webhook_receiver.requests) == 3
    shown = world.raw(api_key=None).get("/_sandbox/webhooks").json()["deliveries"]
    assert shown[0]["tries"] == [503, 500, 502]
    assert shown[0]["outcome"] == "failed"


@pytest.mark.parametrize(("answers", "tries"), [([202], [202]), ([302], [302, 204])])
def test_any_2xx_counts_as_received_and_nothing_else(
    world, gelato, demo_id, webhook_receiver, answers, tries
):
    point_at(world, webhook_receiver)
    webhook_receiver.answers.extend(answers)
    assert control(world, demo_id("NW-1008"), "delay", days=1).status_code == 200
    (delivery,) = settled(world)
    assert delivery.tries == tries


def test_an_unreachable_receiver_is_tried_three_times(world, gelato, demo_id, webhook_receiver):
    url = webhook_receiver.url
    webhook_receiver.close()
    world.raw(api_key=None).put("/_sandbox/webhooks", json={"url": url, "retryDelay": 0.01})
    assert control(world, demo_id("NW-1008"), "delay", days=1).status_code == 200
    (delivery,) = settled(world)
    assert delivery.outcome == "failed"
    assert delivery.tries == ["ConnectError"] * 3


def test_the_api_call_does_not_wait_for_the_receiver(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver)
    webhook_receiver.gate.clear()  # the receiver holds every request until told
    order_id = demo_id("NW-1002")
    gelato.cancel_order(order_id)  # returns while the receiver still holds the first event
    assert gelato.get_order(order_id).fulfillment_status == "canceled"
    assert webhook_receiver.requests == []
    webhook_receiver.gate.set()
    assert len(webhook_receiver.wait_for(2)) == 2


# The control API ---------------------------------------------------------------------------------


def test_the_target_is_shown_without_its_secret_and_can_be_removed(
    world, gelato, demo_id, webhook_receiver
):
    point_at(world, webhook_receiver)
    shown = world.raw(api_key=None).get("/_sandbox/webhooks")
    assert shown.json()["target"] == {
        "url": webhook_receiver.url,
        "secretSet": True,
        "retryDelay": FAST_RETRY,
        "tries": 3,
    }
    assert SECRET not in shown.text
    assert SECRET not in world.raw(api_key=None).get("/_sandbox").text
    assert world.raw(api_key=None).delete("/_sandbox/webhooks").json()["target"] is None
    gelato.cancel_order(demo_id("NW-1002"))
    settled(world)
    assert webhook_receiver.requests == []


def test_reset_forgets_the_target(world, gelato, demo_id, webhook_receiver):
    point_at(world, webhook_receiver)
    world.raw(api_key=None).post("/_sandbox/reset")
    assert world.raw(api_key=None).get("/_sandbox/webhooks").json() == {
        "target": None,
        "deliveries": [],
    }


@pytest.mark.parametrize(
    "body",
    [
        {"secret": "s"},
        {"url": "ftp://example.com"},
        {"url": "http://127.0.0.1:1/x", "retryDelay": 600},
        {"url": "http://127.0.0.1:1/x", "colour": "red"},
    ],
)
def test_a_bad_target_is_refused(world, body):
    response = world.raw(api_key=None).put("/_sandbox/webhooks", json=body)
    assert response.status_code == 400
    assert world.raw(api_key=None).get("/_sandbox/webhooks").json()["target"] is None


@pytest.mark.assumption("A24")
@pytest.mark.parametrize(
    ("reference", "action", "body", "status"),
    [
        ("NW-1002", "hold", {}, 400),
        ("NW-1002", "hold", {"reason": "  "}, 400),
        ("NW-1002", "fail", {"code": "x"}, 400),
        ("NW-1002", "advance", {"to": "teleported"}, 400),
        ("NW-1002", "advance", {"colour": "red"}, 400),
        ("NW-1002", "advance", {"itemReferenceIds": ["nope"]}, 400),
        ("NW-1002", "delay", {"days": 0}, 400),
        ("NW-1005", "hold", {"reason": "Too late"}, 409),  # in production
        ("NW-1006", "fail", {"reason": "Too late"}, 409),  # printed
        ("NW-1009", "advance", {}, 409),  # delivered: nothing follows
        ("NW-1011", "advance", {}, 409),  # canceled
        ("NW-1001", "advance", {}, 409),  # a draft is placed by PATCH, not moved
        ("NW-1009", "delay", {"days": 2}, 409),
        ("NW-1004", "advance", {"to": "created"}, 409),  # not further along
        ("NW-1004", "advance", {"to": "returned"}, 409),  # not shipped
    ],
)
def test_a_control_gelato_would_not_do_changes_nothing(
    world, gelato, demo_id, webhook_receiver, reference, action, body, status
):
    point_at(world, webhook_receiver)
    order_id = demo_id(reference)
    before = gelato.get_order(order_id)
    response = control(world, order_id, action, **body)
    assert response.status_code == status, response.text
    assert set(response.json()) >= {"code", "message"}
    assert gelato.get_order(order_id) == before
    assert settled(world) == []


def test_a_control_on_an_unknown_order_is_404(world):
    assert control(world, "no-such-order", "advance").status_code == 404


@pytest.mark.assumption("A24")
def test_a_held_order_is_released_to_passed_and_a_parcel_can_come_back(world, gelato, demo_id):
    held = demo_id("NW-1013")
    assert control(world, held, "advance").json()["fulfillmentStatus"] == "passed"
    shipped = demo_id("NW-1007")
    assert control(world, shipped, "advance", to="returned").json()["fulfillmentStatus"] == (
        "returned"
    )


# Item-level truth ------------------------------------------------------------------------------


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


@pytest.mark.assumption("A4", "A24")
def test_one_item_in_production_is_enough_to_refuse_a_cancel():
    sandbox = create_sandbox()
    with in_process_client(sandbox) as gelato:
        order_id = gelato.find_orders_by_reference("NW-1013")[0].id  # on hold: mug and cards
        sandbox.advance(order_id, to="in_production", item_references=["NW-1013-2"])
        order = gelato.get_order(order_id)
        assert order.fulfillment_status == "on_hold"  # its least advanced item's
        assert order.most_advanced_item_status == "in_production"
        with pytest.raises(errors.NotCancellable):
            gelato.cancel_order(order_id)
    sandbox.close()


@pytest.mark.assumption("A21", "A24")
def test_an_items_delivery_time_stays_when_the_order_changes_later():
    sandbox = create_sandbox()
    clock = sandbox.clock = Clock(datetime(2031, 3, 1, 9, tzinfo=UTC))
    with in_process_client(sandbox) as gelato:
        order_id = gelato.find_orders_by_reference("NW-1007")[0].id  # shipped: mug and poster
        sandbox.advance(order_id, to="delivered", item_references=["NW-1007-1"])
        clock.now += timedelta(days=2)
        sandbox.advance(order_id, to="delivered", item_references=["NW-1007-2"])
        order = gelato.get_order(order_id)
    mug, poster = order.items
    # The order changed two days after the mug arrived: the mug's delivery stays its own.
    assert order.updated_at == datetime(2031, 3, 3, 9, tzinfo=UTC)
    assert mug.delivered_at == datetime(2031, 3, 1, 9, tzinfo=UTC)
    assert poster.delivered_at == datetime(2031, 3, 3, 9, tzinfo=UTC)
    assert order.fulfillment_status == "delivered"
    assert order.delivered_at == poster.delivered_at
    sandbox.close()


# The demo ----------------------------------------------------------------------------------------


@pytest.mark.assumption("A23", "A24")
def test_the_demo_moves_orders_along_and_holds_one(webhook_receiver):
    sandbox = create_sandbox(webhooks=Target(webhook_receiver.url, SECRET, FAST_RETRY))
    said = []
    assert demo.run(sandbox, interval=0, say=said.append) == len(demo.STEPS)
    assert sandbox.webhooks.wait_idle()
    events = webhook_receiver.events
    held = [
        e
        for e in events
        if e["event"] == "order_status_updated" and e["fulfillmentStatus"] == "on_hold"
    ]
    assert [e["orderReferenceId"] for e in held] == ["NW-1003"]
    assert "150 dpi" in held[0]["comment"]
    assert any(e["event"] == "order_delivery_estimate_updated" for e in events)
    assert any(e["event"] == "order_item_tracking_code_updated" for e in events)
    assert "demo: NW-1003 hold -> on_hold" in said
    sandbox.close()


def test_python_m_sandbox_demo_sends_webhooks(webhook_receiver):
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portal.gelato.sandbox",
            "--port",
            "0",
            "--quiet",
            "--demo",
            "--demo-interval",
            "0.05",
            "--webhook-url",
            webhook_receiver.url,
            "--webhook-secret",
            SECRET,
            "--webhook-retry-delay",
            "0.1",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout.readline().startswith("Gelato sandbox on http://127.0.0.1:")
        events = webhook_receiver.wait_for(4)
        assert events[0]["orderReferenceId"] == "NW-1002"
        assert {headers["signature"] for headers, _, _ in webhook_receiver.requests} == {SECRET}
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


def test_the_sandbox_process_sends_webhooks_set_over_its_control_api(
    gelato_server, webhook_receiver
):
    gelato_server.steer("PUT", "/webhooks", url=webhook_receiver.url, secret=SECRET)
    with http_client(gelato_server.url) as gelato:
        order_id = gelato.find_orders_by_reference("NW-1004")[0].id
        gelato.cancel_order(order_id)
    events = webhook_receiver.wait_for(2)
    assert [e["event"] for e in events] == ["order_item_status_updated", "order_status_updated"]
    assert all(e["orderId"] == order_id for e in events)
