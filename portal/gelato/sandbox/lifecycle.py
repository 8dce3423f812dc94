"""How a sandbox order changes status, and the webhook events each change makes Gelato send.

Each function here changes one order (a dict of Gelato's JSON) in place and returns the events of
the change, oldest first: the items' status changes, any new tracking codes, then the order's own
status. Every check comes before the first change, so a refused move (an ``ApiError``) changes
nothing. The order book calls them under its lock and sends the events once it is released.

Gelato's own calls are ``cancel`` and ``convert_draft``; ``advance``, ``hold``, ``fail`` and
``delay`` are what Gelato does on its own, played by the sandbox's control API (assumption A24).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from portal.gelato.assumptions import (
    CANCELED_FINANCIAL_STATUS,
    CANCELLABLE_STATUSES,
    FAILED_FINANCIAL_STATUS,
    RELEASED_STATUS,
)
from portal.gelato.sandbox import catalog, events
from portal.gelato.sandbox.validation import ApiError, invalid
from portal.gelato.statuses import TYPICAL_PATH, WAITING_STATUSES, progress

#: How far along ``passed`` is: an item beyond it is in production or later (assumption A4).
PASSED = progress("passed")

#: Statuses an order cannot leave: nothing more happens to it.
FINAL_STATUSES = frozenset({"canceled", "failed", "delivered", "returned", "draft"})

#: From where a parcel can come back to its sender (contract, section 2: after a failed delivery).
RETURNABLE_FROM = frozenset({"shipped", "in_transit"})

#: Longest reason a control accepts, so a demo's note stays a note.
MAX_REASON = 500


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def status_entry(status: str, at: datetime, comment: str | None = None) -> dict:
    """One entry of an item's ``eventLog``: the fields of the ``order_item_status_updated``
    event that reported the change (assumption A21)."""
    return {"status": status, "comment": comment, "created": timestamp(at)}


def set_item_status(item: dict, status: str, at: datetime, comment: str | None = None) -> bool:
    """Move an item into ``status`` and log when; False, logging nothing, if it was there."""
    if item["fulfillmentStatus"] == status:
        return False
    item["fulfillmentStatus"] = status
    item.setdefault("eventLog", []).append(status_entry(status, at, comment))
    return True


def order_status_of(items: Iterable[dict]) -> str:
    """An order is as far along as its least advanced item (assumption A24): an order with one
    item on hold is on hold."""
    return min((item["fulfillmentStatus"] for item in items), key=progress)


# Gelato's calls -----------------------------------------------------------------------------------


def created(order: dict) -> list[dict]:
    """The events of a new order: each item's first status, then the order's."""
    item_events = [events.order_item_status_updated(order, item) for item in order["items"]]
    return [*item_events, events.order_status_updated(order)]


def cancel(order: dict, now: datetime) -> list[dict]:
    """Cancel while Gelato still allows it (assumption A4)."""
    status = order["fulfillmentStatus"]
    if any(item["fulfillmentStatus"] == "printed" for item in order["items"]):
        raise ApiError(409, "The order cannot be canceled: an item is already printed.")
    if any(progress(item["fulfillmentStatus"]) > PASSED for item in order["items"]):
        raise ApiError(409, "The order cannot be canceled: an item is in production.")
    if status not in CANCELLABLE_STATUSES:
        raise ApiError(409, f"An order in status {status} cannot be canceled.")
    order["financialStatus"] = CANCELED_FINANCIAL_STATUS
    return _move(order, order["items"], "canceled", now)


def convert_draft(order: dict, items: list[dict], status: str, now: datetime) -> list[dict]:
    """A draft becomes an order keeping ``items``; its events are a new order's."""
    order["items"] = items
    for item in items:
        set_item_status(item, status, now)
    order.update(orderType="order", fulfillmentStatus=status, updatedAt=timestamp(now))
    order["orderedAt"] = timestamp(now)
    return created(order)


# What Gelato does on its own (the sandbox's controls, assumption A24) -----------------------------


def advance(
    order: dict, now: datetime, *, to: str | None = None, item_references: list[str] | None = None
) -> list[dict]:
    """Move the order's items (or the named ones) along the typical path: one step, or to
    ``to`` through every step between, each with its own events; ``returned`` after shipping.
    A waiting order is released to ``passed`` first."""
    items = _items(order, item_references)
    statuses = {item["fulfillmentStatus"] for item in items}
    stuck = statuses - set(TYPICAL_PATH) - WAITING_STATUSES
    if stuck or order["fulfillmentStatus"] in FINAL_STATUSES - {"delivered"}:
        raise ApiError(409, f"An order in status {order['fulfillmentStatus']} does not move on.")
    least = min(statuses, key=progress)
    if to is None:
        if least == "delivered":
            raise ApiError(409, "The order is delivered: nothing follows.")
        to = RELEASED_STATUS if least in WAITING_STATUSES else TYPICAL_PATH[progress(least)]
    if to == "returned":
        if not statuses <= RETURNABLE_FROM:
            raise ApiError(409, "Only a shipped or in-transit parcel can come back.")
        return _move(order, items, "returned", now)
    if to not in TYPICAL_PATH:
        raise invalid("to", f"to must be a status of the typical path or returned, not {to!r}.")
    if progress(to) <= progress(least) and least not in WAITING_STATUSES:
        raise ApiError(409, f"The items are at {least} already; {to} is not further along.")
    if progress(to) < PASSED and statuses & WAITING_STATUSES:
        raise invalid("to", f"A waiting order is released to {RELEASED_STATUS} or beyond.")
    changes = []
    for step in TYPICAL_PATH[: progress(to)]:
        moving = [
            item
            for item in items
            if progress(item["fulfillmentStatus"]) < progress(step)
            and (progress(step) >= PASSED or item["fulfillmentStatus"] not in WAITING_STATUSES)
        ]
        tracking = _ship(order, moving, now) if step == "shipped" and moving else []
        changes += _move(order, moving, step, now, then=tracking)
        if step == "in_production":
            for item in moving:
                item["processedFileUrl"] = (
                    f"https://files.northwind-prints.example/production/{item['id']}.pdf"
                )
    return changes


def hold(order: dict, now: datetime, reason: Any) -> list[dict]:
    """Stop the order before production until the merchant acts; ``reason`` is Gelato's note."""
    reason = _reason(reason)
    status = order["fulfillmentStatus"]
    if status == "on_hold":
        raise ApiError(409, "The order is on hold already.")
    _before_production(order, "put on hold")
    return _move(order, order["items"], "on_hold", now, reason)


def fail(order: dict, now: datetime, reason: Any, code: Any = None) -> list[dict]:
    """Gelato gives up on the order before production, saying why."""
    reason = _reason(reason)
    if code is not None and (not isinstance(code, str) or not code.strip()):
        raise invalid("code", "code must be a short text, e.g. address_validation_failed.")
    _before_production(order, "failed")
    order["refusalReason"] = reason
    order["refusalReasonCode"] = code
    order["financialStatus"] = FAILED_FINANCIAL_STATUS
    return _move(order, order["items"], "failed", now, reason)


def delay(order: dict, now: datetime, days: Any) -> list[dict]:
    """Move the delivery estimate ``days`` later, as Gelato announces it."""
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise invalid("days", "days must be a whole number from 1 to 60.")
    if order["fulfillmentStatus"] in FINAL_STATUSES:
        raise ApiError(409, f"An order in status {order['fulfillmentStatus']} has no estimate.")
    shipment = order["shipment"]
    for key in ("minDeliveryDate", "maxDeliveryDate"):
        shipment[key] = (date.fromisoformat(shipment[key]) + timedelta(days=days)).isoformat()
    order["updatedAt"] = timestamp(now)
    return [events.order_delivery_estimate_updated(order, timestamp(now))]


# The steps they share -----------------------------------------------------------------------------


def _move(
    order: dict,
    items: Iterable[dict],
    status: str,
    now: datetime,
    comment: str | None = None,
    *,
    then: Iterable[dict] = (),
) -> list[dict]:
    """Items into ``status``, then the order into whatever its items now say; ``then`` are
    events that come between the items' and the order's (new tracking codes)."""
    changes = [
        events.order_item_status_updated(order, item)
        for item in items
        if set_item_status(item, status, now, comment)
    ]
    if not changes:
        return []
    changes += then
    order["updatedAt"] = timestamp(now)
    new_status = order_status_of(order["items"])
    if new_status != order["fulfillmentStatus"]:
        order["fulfillmentStatus"] = new_status
        changes.append(events.order_status_updated(order, comment))
    return changes


def _ship(order: dict, items: list[dict], now: datetime) -> list[dict]:
    """One parcel for the items handed to the carrier now, with its tracking code if the
    service has one; the tracking events."""
    shipment = order["shipment"]
    carrier = catalog.CARRIERS[shipment["shipmentMethodUid"]]
    package_id = str(uuid.uuid5(uuid.UUID(order["id"]), f"package/{len(shipment['packages'])}"))
    code, url = carrier.tracking(uuid.UUID(package_id).int)
    package = {
        "id": package_id,
        "orderItemIds": [item["id"] for item in items],
        "trackingCode": code,
        "trackingUrl": url,
    }
    shipment["packages"].append(package)
    if code is None:
        return []
    at = timestamp(now)
    return [events.order_item_tracking_code_updated(order, item, package, at) for item in items]


def _items(order: dict, references: list[str] | None) -> list[dict]:
    if references is None:
        return order["items"]
    if not isinstance(references, list) or not references:
        raise invalid("itemReferenceIds", "itemReferenceIds must list at least one item.")
    by_reference = {item["itemReferenceId"]: item for item in order["items"]}
    unknown = [r for r in references if r not in by_reference]
    if unknown:
        raise invalid("itemReferenceIds", f"No item {unknown[0]!r} in this order.")
    return [by_reference[r] for r in references]


def _reason(reason: Any) -> str:
    if not isinstance(reason, str) or not reason.strip():
        raise invalid("reason", "reason is required: Gelato's note on what happened.")
    if len(reason) > MAX_REASON:
        raise invalid("reason", f"reason must be at most {MAX_REASON} characters long.")
    return reason.strip()


def _before_production(order: dict, what: str) -> None:
    status = order["fulfillmentStatus"]
    early = {"created", "uploading", "passed"} | WAITING_STATUSES
    if status not in early or any(
        progress(item["fulfillmentStatus"]) > PASSED for item in order["items"]
    ):
        raise ApiError(409, f"An order in status {status} cannot be {what}: it is past passed.")
