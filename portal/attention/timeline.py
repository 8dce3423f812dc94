"""An order's story in one list: what Gelato reported and what the team did, oldest first.

Gelato reports a change once per item and once for the order (assumption A23), so the item events
of one status at one moment and the order's own event for it become one line naming the items;
each line keeps Gelato's reason when it gave one (why an order is on hold, why it failed). The
team's actions come from the audit log: the self-service actions, requests, and the queue's
"taken" and "handled" with their notes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from portal.attention.events import DATED_BY_ARRIVAL
from portal.gelato.models import Order
from portal.gelato.webhooks import (
    ORDER_DELIVERY_ESTIMATE_UPDATED,
    ORDER_ITEM_STATUS_UPDATED,
    ORDER_ITEM_TRACKING_CODE_UPDATED,
    ORDER_STATUS_UPDATED,
    MalformedEvent,
    WebhookEvent,
    read_event,
)
from portal.orders import rules
from portal.store import AuditEntry, Store, StoredEvent

GELATO = "Gelato"
OUTCOME_WORDS = {"succeeded": "done", "refused": "refused", "failed": "failed"}
#: The most audit entries one timeline shows, newest kept.
MAX_ACTIONS = 200


@dataclass
class Moment:
    """One line of the timeline."""

    at: datetime
    #: ``GELATO``, or the agent who acted.
    who: str
    title: str
    #: Gelato's reasons, a tracking code, the new estimate, or what came of the agent's action.
    details: list[str] = field(default_factory=list)
    #: The item references a Gelato line is about; empty when it is about the whole order.
    items: list[str] = field(default_factory=list)
    #: For a status line: the status, with its meaning and glossary entry.
    status: rules.Status | None = None
    #: A carrier's tracking page.
    link: str | None = None
    #: Dated by its arrival, not by Gelato (assumption A25).
    approximate: bool = False

    @property
    def by_team(self) -> bool:
        return self.who != GELATO


def of_order(store: Store, order: Order, action_labels: Mapping[str, str]) -> list[Moment]:
    """The timeline of one Gelato order, from the events stored and the audit log."""
    actions = store.audit.for_order(order.id, order.order_reference_id, limit=MAX_ACTIONS)
    return order_timeline(store.events.for_order(order.id), actions, action_labels)


def order_timeline(
    events: Sequence[StoredEvent],
    audit_entries: Sequence[AuditEntry],
    action_labels: Mapping[str, str],
) -> list[Moment]:
    """Every event of the order (in arrival order) and its audit entries, oldest first."""
    moments: list[Moment] = []
    grouped: dict[tuple, Moment] = {}
    previous_latest: date | None = None
    for stored in events:
        event = _read(stored)
        if event is None:
            continue
        approximate = stored.dated_by == DATED_BY_ARRIVAL
        if stored.event in (ORDER_STATUS_UPDATED, ORDER_ITEM_STATUS_UPDATED):
            key = ("status", event.status, stored.occurred_at)
            moment = grouped.get(key)
            if moment is None:
                status = rules.status(event.status)
                moment = Moment(stored.occurred_at, GELATO, status.label, status=status)
                grouped[key] = moment
                moments.append(moment)
            moment.approximate = moment.approximate or approximate
            if event.item_reference_id and event.item_reference_id not in moment.items:
                moment.items.append(event.item_reference_id)
            if event.comment and event.comment not in moment.details:
                moment.details.append(event.comment)
        elif stored.event == ORDER_ITEM_TRACKING_CODE_UPDATED:
            key = ("tracking", event.tracking_code, event.tracking_url, stored.occurred_at)
            moment = grouped.get(key)
            if moment is None:
                method = f" ({event.shipment_method_name})" if event.shipment_method_name else ""
                code = event.tracking_code or "a tracking link"
                moment = Moment(
                    stored.occurred_at,
                    GELATO,
                    "Tracking code",
                    [f"{code}{method}"],
                    link=event.tracking_url,
                    approximate=approximate,
                )
                grouped[key] = moment
                moments.append(moment)
            if event.item_reference_id not in moment.items:
                moment.items.append(event.item_reference_id)
        elif stored.event == ORDER_DELIVERY_ESTIMATE_UPDATED:
            latest = event.max_delivery_date
            text = f"Expected {_window(event.min_delivery_date, latest)}"
            if previous_latest and latest > previous_latest:
                text += f", later than before ({previous_latest:%d %b %Y})"
            previous_latest = latest
            moments.append(
                Moment(
                    stored.occurred_at,
                    GELATO,
                    "Delivery estimate",
                    [text + "."],
                    approximate=approximate,
                )
            )
    for entry in sorted(audit_entries, key=lambda e: e.id):
        moments.append(
            Moment(
                entry.at,
                entry.actor,
                action_labels.get(entry.action, entry.action.replace("_", " ").capitalize()),
                _what_came_of(entry),
            )
        )
    # A stable sort: of two lines of one moment, Gelato's come first, in the order received.
    return sorted(moments, key=lambda moment: moment.at)


def _read(stored: StoredEvent) -> WebhookEvent | None:
    try:
        return read_event(json.loads(stored.payload))
    except (ValueError, MalformedEvent):  # stored before a stricter reading: show the rest
        return None


def _window(earliest: date | None, latest: date) -> str:
    if earliest and earliest != latest:
        return f"between {earliest:%d %b} and {latest:%d %b %Y}"
    return f"by {latest:%d %b %Y}"


def _what_came_of(entry: AuditEntry) -> list[str]:
    details = [OUTCOME_WORDS.get(entry.outcome, entry.outcome).capitalize()]
    try:
        asked = json.loads(entry.request or "{}")
    except ValueError:
        asked = {}
    if not isinstance(asked, dict):
        return details
    # The subject of a support request, the note of a handled entry.
    for said in (asked.get("subject"), asked.get("note")):
        if isinstance(said, str) and said:
            details.append(said)
    return details
