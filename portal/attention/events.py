"""Receiving Gelato's webhook events: each stored once, and what it changes for its order.

Gelato retries an event it got no 2xx for (3 tries, 5 s apart), resending the same ``id``, so an
event whose id is stored already changes nothing. Retries also deliver events out of order: the
order's status and delivery estimate follow the newest event by the time the change happened,
not by when the call arrived (assumption A25), and an event that is older than what the order
already shows is kept for its timeline but changes nothing else. An event for an order the portal
has never shown is stored like any other: the order's page shows it once an agent looks it up.

The portal's own lookups count too: an order's page records the status and estimate Gelato
answered with, so that the queue knows the latest delivery date of orders no estimate event named.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from portal.attention import queue
from portal.gelato.models import Order
from portal.gelato.statuses import progress
from portal.gelato.webhooks import (
    ORDER_DELIVERY_ESTIMATE_UPDATED,
    ORDER_ITEM_STATUS_UPDATED,
    ORDER_STATUS_UPDATED,
    WebhookEvent,
)
from portal.store import OrderState, Store

#: How an event's moment is known (assumption A25).
DATED_BY_CREATED = "created"
DATED_BY_ITEMS = "items"
DATED_BY_ARRIVAL = "arrival"


def newer(at: datetime, status: str | None, than_at: datetime | None, than: str | None) -> bool:
    """Whether a status reached at ``at`` is newer than one reached at ``than_at`` (A25): the
    later moment; at the same moment, the one further along the typical path when both are on
    it, else the one that arrived later (this one)."""
    if than_at is None:
        return True
    if at != than_at:
        return at > than_at
    ranks = progress(status), progress(than)
    return ranks[0] >= ranks[1] if all(ranks) else True


def receive(store: Store, event: WebhookEvent, payload: str, now: datetime) -> bool:
    """Store ``event`` (received ``now``, ``payload`` its body) and apply it to its order's state
    and the queue, all at once; False, changing nothing, if it was stored before."""
    if not event.is_about_an_order:
        raise ValueError(f"{event.event} is not about an order")
    if store.events.count(event_id=event.id):
        return False  # a retry of a stored event: answered without waiting for the write lock
    with store.events.transaction() as transaction:
        state = transaction.state(event.order_id, event.order_reference_id, now, by_event=True)
        at, dated_by = _moment(transaction, event, now)
        stored = transaction.add_event(
            event_id=event.id,
            event=event.event,
            order_id=event.order_id,
            order_reference=event.order_reference_id,
            item_reference=event.item_reference_id,
            status=event.status,
            occurred_at=at,
            dated_by=dated_by,
            received_at=now,
            payload=payload,
        )
        if not stored:
            return False
        changes, triggers = consequences(event, at, state)
        if changes:
            transaction.update_state(event.order_id, updated_at=now, **changes)
        for trigger in triggers:
            queue.open_or_add(transaction, trigger, now)
    return True


def consequences(
    event: WebhookEvent, at: datetime, state: OrderState
) -> tuple[dict[str, Any], list[queue.Trigger]]:
    """What an event that happened ``at`` changes in the order's ``state``, and the queue
    entries it asks for: only what is newer than the state counts."""
    changes: dict[str, Any] = {}
    triggers: list[queue.Trigger] = []
    kind = queue.STATUS_KINDS.get(event.status or "")

    def trigger(kind: queue.Kind, reason: str, **fields) -> None:
        triggers.append(
            queue.Trigger(kind, event.order_id, event.order_reference_id, reason, at, **fields)
        )

    if event.event == ORDER_STATUS_UPDATED:
        if newer(at, event.status, state.status_at, state.status):
            changes.update(status=event.status, status_at=at, status_comment=event.comment)
            if kind:
                trigger(kind, event.comment or "")
    elif event.event == ORDER_ITEM_STATUS_UPDATED:
        overtaken = state.status not in (None, event.status) and not newer(
            at, event.status, state.status_at, state.status
        )
        if kind and not overtaken:
            trigger(kind, event.comment or "")
    elif event.event == ORDER_DELIVERY_ESTIMATE_UPDATED and (
        state.estimate_at is None or at >= state.estimate_at
    ):
        latest, before = event.max_delivery_date, state.max_delivery_date
        changes.update(
            min_delivery_date=event.min_delivery_date, max_delivery_date=latest, estimate_at=at
        )
        if before is None or latest > before:
            trigger(queue.ESTIMATE_LATER, queue.estimate_reason(latest, before), due_date=latest)
    return changes, triggers


def note_lookup(store: Store, order: Order, now: datetime) -> OrderState:
    """Record what a lookup of ``order`` showed at ``now``: its first lookup, its status and
    its delivery estimate, where they are newer than what the events said. Writes only when
    something changed, so showing an order page twice costs one read; the order's state as it
    now stands is returned, for the page to show without reading it again."""
    known = store.events.state(order.id)
    if known is not None and not lookup_changes(known, order, now):
        return known
    with store.events.transaction() as transaction:
        state = transaction.state(order.id, order.order_reference_id, now, by_event=False)
        changes = lookup_changes(state, order, now)
        if changes:
            transaction.update_state(order.id, updated_at=now, **changes)
    return replace(state, updated_at=now, **changes) if changes else state


def lookup_changes(state: OrderState, order: Order, now: datetime) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if state.looked_up_at is None:
        changes["looked_up_at"] = now
    if state.order_reference is None and order.order_reference_id:
        changes["order_reference"] = order.order_reference_id  # the upsert of state() fills it
    status = order.fulfillment_status
    if status and status != state.status and newer(now, status, state.status_at, state.status):
        changes.update(status=status, status_at=now, status_comment=None)
    shipment = order.shipment
    if shipment and shipment.max_delivery_date:
        dates = (shipment.min_delivery_date, shipment.max_delivery_date)
        fresher = state.estimate_at is None or now >= state.estimate_at
        if dates != (state.min_delivery_date, state.max_delivery_date) and fresher:
            changes.update(min_delivery_date=dates[0], max_delivery_date=dates[1], estimate_at=now)
    return changes


def _moment(transaction, event: WebhookEvent, now: datetime) -> tuple[datetime, str]:
    """When the change happened, and how that is known (assumption A25)."""
    if event.created is not None:
        return event.created, DATED_BY_CREATED
    if event.event == ORDER_STATUS_UPDATED:
        at = transaction.item_status_time(event.order_id, event.status)
        if at is not None:
            return at, DATED_BY_ITEMS
    return now, DATED_BY_ARRIVAL
