"""What the webhook tests share: Gelato's events as Gelato sends them, and posting them to the
receiver, through Flask's test client or over real HTTP to ``app_server``. The app, its sandbox and
the servers are the fixtures of ``tests/conftest.py``; here the app gets its own webhook secret."""

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from portal.store import Store

SECRET = "the-team-webhook-secret-0123"
RECEIVER = "/api/webhooks/gelato"
#: A moment the tests count from: every event they make happened a few minutes after it.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def environ(environ):
    """The app's settings, with the secret Gelato's webhook form would have generated."""
    return {**environ, "GELATO_WEBHOOK_SECRET": SECRET}


def empty_database(url: str) -> None:
    """Drop every table of the PostgreSQL database at ``url``: each test starts from nothing."""
    store = Store.from_url(url)
    with store.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    store.close()


def at(minutes: float) -> str:
    """A ``created`` timestamp ``minutes`` after T0, as Gelato writes them."""
    return (T0 + timedelta(minutes=minutes)).isoformat()


def _event(name, order_id, reference="NW-TEST", **fields):
    return {
        "id": str(uuid.uuid4()),
        "event": name,
        "orderId": order_id,
        "storeId": None,
        "orderReferenceId": reference,
        **fields,
    }


def order_status(order_id, status, comment=None, **fields):
    """``order_status_updated``: it has no ``created`` (none is documented)."""
    items = [{"itemReferenceId": "I-1", "fulfillmentStatus": status, "fulfillments": []}]
    return _event(
        "order_status_updated",
        order_id,
        fulfillmentStatus=status,
        comment=comment,
        items=items,
        **fields,
    )


def item_status(order_id, status, minutes, comment=None, item="I-1", **fields):
    return _event(
        "order_item_status_updated",
        order_id,
        itemReferenceId=item,
        status=status,
        fulfillmentCountry="DE",
        fulfillmentStateProvince=None,
        fulfillmentFacilityId=None,
        comment=comment,
        created=at(minutes),
        **fields,
    )


def tracking(order_id, code, minutes, item="I-1", **fields):
    return _event(
        "order_item_tracking_code_updated",
        order_id,
        itemReferenceId=item,
        trackingCode=code,
        trackingUrl=f"https://track.example/{code}",
        shipmentMethodName="DHL Parcel",
        shipmentMethodUid="dhl_parcel",
        created=at(minutes),
        **fields,
    )


def estimate(order_id, earliest, latest, minutes, **fields):
    return _event(
        "order_delivery_estimate_updated",
        order_id,
        minDeliveryDate=earliest,
        maxDeliveryDate=latest,
        created=at(minutes),
        **fields,
    )


def post(client, event, secret=SECRET, **options):
    """Post one event to the receiver with Flask's test client, as Gelato would."""
    headers = {"signature": secret} if secret is not None else {}
    return client.post(RECEIVER, json=event, headers=headers, **options)


def post_http(base_url, event, secret=SECRET, **options):
    """The same over real HTTP, to a server on 127.0.0.1."""
    headers = {"signature": secret} if secret is not None else {}
    return httpx.post(base_url + RECEIVER, json=event, headers=headers, timeout=10, **options)


def wait_until(check, timeout=10.0):
    """Poll ``check`` until it is true; what it last returned."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)
