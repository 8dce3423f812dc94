"""Gelato's webhook events, read into typed values, and refused when they cannot be read.

Gelato POSTs one JSON event per call (contract, section 8). Every event has ``id`` and ``event``;
the four order events below also name the order and say what changed. Reading is strict where a
receiver must rely on a field (an order event without ``orderId`` cannot be filed anywhere, a
``created`` that is not a timestamp cannot be ordered) and tolerant elsewhere, as the models are:
Gelato adds fields without notice, and an unknown one is ignored. Events about the catalog or a
store's products are read too, so they can be answered, but carry no order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

ORDER_STATUS_UPDATED = "order_status_updated"
ORDER_ITEM_STATUS_UPDATED = "order_item_status_updated"
ORDER_ITEM_TRACKING_CODE_UPDATED = "order_item_tracking_code_updated"
ORDER_DELIVERY_ESTIMATE_UPDATED = "order_delivery_estimate_updated"

#: The events that are about one order, each with its ``orderId``.
ORDER_EVENTS = frozenset(
    {
        ORDER_STATUS_UPDATED,
        ORDER_ITEM_STATUS_UPDATED,
        ORDER_ITEM_TRACKING_CODE_UPDATED,
        ORDER_DELIVERY_ESTIMATE_UPDATED,
    }
)

#: Longest value kept of each kind of field; Gelato's ids are UUIDs, references free text.
MAX_ID = 200
MAX_TEXT = 2000
MAX_URL = 2000


class MalformedEvent(ValueError):
    """The body is not an event this help center can read; ``problems`` names each field (a JSON
    pointer such as ``/orderId``, or ``""`` for the body itself) with what is wrong with it."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__(
            "; ".join(f"{field or 'body'}: {text}" for field, text in problems.items())
        )


@dataclass(frozen=True)
class WebhookEvent:
    """One event as Gelato sent it. Fields an event kind does not carry are None."""

    id: str
    event: str
    #: None for events that are not about an order (catalog, store products).
    order_id: str | None = None
    order_reference_id: str | None = None
    store_id: str | None = None
    #: When the change happened, as Gelato says; ``order_status_updated`` documents none.
    created: datetime | None = None
    #: The order's new ``fulfillmentStatus``, or the item's new ``status``.
    status: str | None = None
    item_reference_id: str | None = None
    #: Gelato's reason for a status (why an order is on hold, why it failed).
    comment: str | None = None
    tracking_code: str | None = None
    tracking_url: str | None = None
    shipment_method_name: str | None = None
    min_delivery_date: date | None = None
    max_delivery_date: date | None = None

    @property
    def is_about_an_order(self) -> bool:
        return self.order_id is not None


def read_event(data: Any) -> WebhookEvent:
    """The event in ``data`` (the parsed JSON body); MalformedEvent lists every problem."""
    if not isinstance(data, dict):
        raise MalformedEvent({"": "The body must be a JSON object: one Gelato webhook event."})
    reader = _Reader(data)
    event_id = reader.text("id", required=True, limit=MAX_ID)
    name = reader.text("event", required=True, limit=MAX_ID)
    if name not in ORDER_EVENTS:
        reader.done()
        return WebhookEvent(id=event_id, event=name)

    fields: dict[str, Any] = {
        "order_id": reader.text("orderId", required=True, limit=MAX_ID),
        "order_reference_id": reader.text("orderReferenceId", limit=MAX_ID),
        "store_id": reader.text("storeId", limit=MAX_ID),
        "created": reader.timestamp("created"),
    }
    if name == ORDER_STATUS_UPDATED:
        fields["status"] = reader.text("fulfillmentStatus", required=True, limit=MAX_ID)
        fields["comment"] = reader.text("comment", limit=MAX_TEXT)
        reader.list("items")
    elif name == ORDER_ITEM_STATUS_UPDATED:
        fields["item_reference_id"] = reader.text("itemReferenceId", required=True, limit=MAX_ID)
        fields["status"] = reader.text("status", required=True, limit=MAX_ID)
        fields["comment"] = reader.text("comment", limit=MAX_TEXT)
    elif name == ORDER_ITEM_TRACKING_CODE_UPDATED:
        fields["item_reference_id"] = reader.text("itemReferenceId", required=True, limit=MAX_ID)
        fields["tracking_code"] = reader.text("trackingCode", limit=MAX_ID)
        fields["tracking_url"] = reader.url("trackingUrl")
        fields["shipment_method_name"] = reader.text("shipmentMethodName", limit=MAX_ID)
        if not fields["tracking_code"] and not fields["tracking_url"] and not reader.problems:
            reader.problems["/trackingCode"] = "A tracking event needs trackingCode or trackingUrl."
    else:  # ORDER_DELIVERY_ESTIMATE_UPDATED
        fields["min_delivery_date"] = reader.day("minDeliveryDate")
        fields["max_delivery_date"] = reader.day("maxDeliveryDate", required=True)
    reader.done()
    return WebhookEvent(id=event_id, event=name, **fields)


class _Reader:
    """Reads fields of one event, collecting every problem instead of stopping at the first."""

    def __init__(self, data: dict):
        self.data = data
        self.problems: dict[str, str] = {}

    def done(self) -> None:
        if self.problems:
            raise MalformedEvent(self.problems)

    def text(self, key: str, *, required: bool = False, limit: int) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                self.problems[f"/{key}"] = f"{key} is required."
            return None
        if not isinstance(value, str):
            self.problems[f"/{key}"] = f"{key} must be a string."
            return None
        if len(value) > limit:
            self.problems[f"/{key}"] = f"{key} must be at most {limit} characters long."
            return None
        return value

    def url(self, key: str) -> str | None:
        value = self.text(key, limit=MAX_URL)
        if value and not value.startswith(("https://", "http://")):
            self.problems[f"/{key}"] = f"{key} must be an http(s) address."
            return None
        return value

    def timestamp(self, key: str) -> datetime | None:
        value = self.text(key, limit=MAX_ID)
        if value is None:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.problems[f"/{key}"] = f"{key} must be an ISO 8601 timestamp."
            return None
        # The contract's timestamps carry an offset; one without is read as UTC (A25).
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def day(self, key: str, *, required: bool = False) -> date | None:
        value = self.text(key, required=required, limit=MAX_ID)
        if value is None:
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.problems[f"/{key}"] = f"{key} must be a date (YYYY-MM-DD)."
            return None

    def list(self, key: str) -> None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, list):
            self.problems[f"/{key}"] = f"{key} must be a list."
