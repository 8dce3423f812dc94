"""The "needs attention" queue: which orders an agent should look at before the customer asks.

Five reasons put an order in the queue (``KINDS``), each with what to do next: the self-service
action, the article, or the support request with the order filled in. Three come with Gelato's
events (the order went on hold, failed, or came back to the sender), one with the delivery
estimate event (the latest date moved later), and one with the calendar (the latest date passed
and the order is not delivered). An order has at most one entry per reason until an agent marks it
handled; further events for the same reason add to it instead of repeating it.

What opens an entry is only an event that is the newest the order has (assumption A25): a hold
reported after the order already moved on, because Gelato's retry delivered it late, opens
nothing. Pure rules and plain functions on the store; the web layer records the agents' actions
in the audit log under ``AUDIT_ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from portal.gelato.models import Order
from portal.knowledge import ON_HOLD_OR_FAILED, WHERE_IS_MY_ORDER, Article
from portal.orders import rules
from portal.redact import redact_secrets
from portal.requests.scenarios import ADDRESS_PROBLEM, DELIVERY_PROBLEM, SOMETHING_ELSE, Scenario
from portal.sources import (
    A4_CANCEL,
    API_STATUSES,
    API_WEBHOOKS,
    HC_LATE_ORDER,
    HC_ON_HOLD,
    HC_REORDER,
    OUR_PRACTICE,
    Sources,
)
from portal.store import AttentionEntry, OrderState, Store
from portal.store.attention import HANDLED, TAKEN
from portal.store.attention import LATE as LATE_CODE

#: What the audit log calls an agent's work on the queue, with the label the admin pages show.
ENTRY_TAKEN = "attention_taken"
ENTRY_HANDLED = "attention_handled"
AUDIT_ACTIONS = {
    ENTRY_TAKEN: "Needs attention: taken",
    ENTRY_HANDLED: "Needs attention: handled",
}

#: The longest note an agent can leave when handling an entry.
MAX_NOTE = 2000

#: How a team points Gelato's webhooks at this help center; without them the queue fills only
#: with late orders the portal has looked up.
SETUP_ARTICLE = Article("reference/webhooks.md", "Set up Gelato's webhooks")


@dataclass(frozen=True)
class NextStep:
    """One thing to do about an entry, with where to do it: a self-service action on the order,
    an article, or a support request prefilled with the order."""

    text: str
    action: rules.Action | None = None
    article: Article | None = None
    scenario: Scenario | None = None
    sources: Sources = ()


@dataclass(frozen=True)
class Kind:
    """A reason for an order to need attention."""

    code: str
    title: str
    #: What the entry says when Gelato gave no reason of its own.
    default_reason: str
    next_steps: tuple[NextStep, ...]
    #: Why this counts as needing attention.
    sources: Sources


ON_HOLD = Kind(
    "on_hold",
    "Went on hold",
    "Gelato stopped the order until you act and gave no reason in its event; its email "
    "\u201con hold - action required\u201d names it.",
    (
        NextStep(
            "Fix what Gelato names (a file, the address, an item out of stock), then follow "
            "the steps for an order on hold.",
            article=ON_HOLD_OR_FAILED,
            sources=(HC_ON_HOLD,),
        ),
        NextStep(
            "If the customer no longer wants it, cancel it: an order on hold can still be "
            "canceled.",
            action=rules.CANCEL_ORDER,
            sources=(A4_CANCEL,),
        ),
        NextStep(
            "If the reason is unclear, ask Gelato Support.",
            scenario=SOMETHING_ELSE,
            sources=(OUR_PRACTICE,),
        ),
    ),
    (API_STATUSES, HC_ON_HOLD, API_WEBHOOKS),
)
FAILED = Kind(
    "failed",
    "Failed",
    "Gelato rejected the order and gave no reason in its event; open the order to see what "
    "Gelato says.",
    (
        NextStep(
            "Fix the cause Gelato names; an order that could not be processed is not charged.",
            article=ON_HOLD_OR_FAILED,
            sources=(HC_ON_HOLD,),
        ),
        NextStep(
            "Place a reorder with the cause fixed.",
            action=rules.REORDER,
            sources=(HC_REORDER,),
        ),
        NextStep(
            "If the reason is unclear, ask Gelato Support.",
            scenario=SOMETHING_ELSE,
            sources=(OUR_PRACTICE,),
        ),
    ),
    (API_STATUSES, API_WEBHOOKS),
)
RETURNED = Kind(
    "returned",
    "Returned to sender",
    "Delivery failed and the parcel went back to the sender.",
    (
        NextStep(
            "Confirm the full delivery address with the customer.",
            article=ADDRESS_PROBLEM.article,
            sources=(OUR_PRACTICE,),
        ),
        NextStep(
            "Place a reorder to the confirmed address.",
            action=rules.REORDER,
            sources=(HC_REORDER,),
        ),
        NextStep(
            "If the address was right, ask Gelato Support why it came back.",
            scenario=ADDRESS_PROBLEM,
            sources=(OUR_PRACTICE,),
        ),
    ),
    (API_STATUSES, API_WEBHOOKS),
)
ESTIMATE_LATER = Kind(
    "estimate_later",
    "Delivery estimate moved later",
    "Gelato moved the order's delivery estimate later.",
    (
        NextStep(
            "Tell the customer the new delivery window before they ask; the order's page has "
            "a ready reply.",
            article=WHERE_IS_MY_ORDER,
            sources=(OUR_PRACTICE,),
        ),
    ),
    (API_WEBHOOKS,),
)
LATE = Kind(
    LATE_CODE,
    "Past its latest delivery date",
    "The latest estimated delivery date has passed and the order is not delivered.",
    (
        NextStep(
            "Open the tracking link: if it moved recently, ask the customer to wait a few more "
            "days.",
            action=rules.CHECK_TRACKING,
            article=WHERE_IS_MY_ORDER,
            sources=(HC_LATE_ORDER,),
        ),
        NextStep(
            "If the order has not left the print partner, or its tracking has not moved for "
            "several days, ask Gelato Support.",
            scenario=DELIVERY_PROBLEM,
            sources=(HC_LATE_ORDER,),
        ),
    ),
    (HC_LATE_ORDER, OUR_PRACTICE),
)

#: Every reason, in the order the queue explains them.
KINDS = {kind.code: kind for kind in (ON_HOLD, FAILED, RETURNED, ESTIMATE_LATER, LATE)}

#: The statuses an event reports that put an order in the queue.
STATUS_KINDS = {"on_hold": ON_HOLD, "failed": FAILED, "returned": RETURNED}

#: Statuses in which a passed delivery date no longer matters: the order arrived, came back or
#: will never ship.
DONE_STATUSES = ("delivered", "returned", "canceled", "failed", "draft")


@dataclass(frozen=True)
class Trigger:
    """What one event asks of the queue: an entry for ``kind``, since ``since``."""

    kind: Kind
    order_id: str
    order_reference: str | None
    #: Gelato's reason, or our sentence for an estimate; empty when none was given.
    reason: str
    since: datetime
    due_date: date | None = None


def open_or_add(transaction, trigger: Trigger, now: datetime) -> None:
    """Open an entry for ``trigger``, or add to the one open for the same order and reason; open
    nothing when an entry for it was handled already (another item's event of the same hold)."""
    entries = transaction.entries(trigger.order_id, trigger.kind.code)
    waiting = next((entry for entry in entries if entry.state != HANDLED), None)
    if waiting is not None:
        changes = {}
        if trigger.kind is ESTIMATE_LATER:
            changes = {"reason": trigger.reason, "due_date": trigger.due_date}
        elif trigger.reason and not waiting.reason:
            changes = {"reason": trigger.reason}
        if changes:
            transaction.update_entry(waiting.id, **changes)
        return
    if any(entry.since >= trigger.since for entry in entries):
        return
    transaction.open_entry(
        order_id=trigger.order_id,
        order_reference=trigger.order_reference,
        kind=trigger.kind.code,
        reason=trigger.reason,
        since=trigger.since,
        due_date=trigger.due_date,
        created_at=now,
    )


def estimate_reason(new_latest: date, old_latest: date | None) -> str:
    text = f"Gelato moved the latest delivery date to {new_latest:%d %b %Y}"
    if old_latest and old_latest != new_latest:
        return f"{text} (it was {old_latest:%d %b %Y})."
    return f"{text}."


def late_reason(latest: date, today: date) -> str:
    days = (today - latest).days
    return f"The latest delivery date, {latest:%d %b %Y}, passed {days} day{'s' * (days != 1)} ago."


# The queue as agents see it -----------------------------------------------------------------------


@dataclass(frozen=True)
class QueueEntry:
    """An entry with its reason's rules and what the portal knows of its order now."""

    entry: AttentionEntry
    kind: Kind
    state: OrderState | None
    today: date

    @property
    def reason(self) -> str:
        if self.kind is LATE and self.entry.due_date:
            return late_reason(self.entry.due_date, self.today)
        return self.entry.reason or self.kind.default_reason

    @property
    def order_label(self) -> str:
        return self.entry.order_reference or self.entry.order_id

    @property
    def status(self) -> rules.Status | None:
        """The order's status now, as far as the portal knows."""
        code = self.state.status if self.state else None
        return rules.status(code) if code else None

    @property
    def moved_on(self) -> bool:
        """Whether the order has left the status that put it here (released from hold...)."""
        status = self.state.status if self.state else None
        trouble = [code for code, kind in STATUS_KINDS.items() if kind is self.kind]
        return bool(trouble) and status is not None and status not in trouble


@dataclass(frozen=True)
class Queue:
    waiting: list[QueueEntry]
    handled: list[QueueEntry]


def refresh(store: Store, today: date, now: datetime, order_id: str | None = None) -> int:
    """Open an entry for every order (or the one ``order_id``) whose latest delivery date passed
    with no entry for it yet; how many were opened.

    A date passes without an event, so this runs where agents look: the portal home, the queue
    and the order's page. The header's ``count`` only reads what these opened.
    """
    rows = store.attention.late_without_entry(today, DONE_STATUSES, order_id)
    entries = [
        {
            "order_id": row["order_id"],
            "order_reference": row["order_reference"],
            "reason": "",  # said from its date when shown: "passed N days ago" grows
            # Late from the first day after the latest date.
            "since": datetime.combine(row["max_delivery_date"] + timedelta(days=1), time(), UTC),
            "due_date": row["max_delivery_date"],
        }
        for row in rows
    ]
    return store.attention.open_late(entries, now) if entries else 0


def is_late_without_entry(
    state: OrderState, entries: Sequence[AttentionEntry], today: date
) -> bool:
    """``refresh``'s rule (``Attention.late_without_entry``) for one order whose state and
    entries are read already, as its page reads both: only when it holds does the page ask the
    database again, in the transaction that opens the entry."""
    latest = state.max_delivery_date
    if latest is None or latest >= today or state.status in DONE_STATUSES:
        return False
    return not any(
        entry.kind == LATE_CODE and (entry.due_date == latest or entry.state != HANDLED)
        for entry in entries
    )


def count(store: Store) -> int:
    """How many entries wait for an agent: what the portal's header shows on every page, so one
    indexed count and no work per order."""
    return store.attention.count_waiting()


def queue(store: Store, today: date, now: datetime) -> Queue:
    refresh(store, today, now)
    waiting = store.attention.waiting()
    handled = store.attention.handled()
    return Queue(_shown(store, waiting, today), _shown(store, handled, today))


def top(store: Store, today: date, now: datetime, limit: int) -> tuple[list[QueueEntry], int]:
    """The ``limit`` entries waiting longest, and how many wait in all: the portal home's list."""
    refresh(store, today, now)
    return _shown(store, store.attention.waiting(limit), today), count(store)


def for_order(
    store: Store, order: Order, today: date, now: datetime, state: OrderState | None
) -> list[QueueEntry]:
    """The order's entries not handled yet, for its page, with ``state`` as the page read it; a
    passed latest date opens its own."""
    entries = store.attention.for_order(order.id)
    late = state is None or is_late_without_entry(state, entries, today)
    if late and refresh(store, today, now, order.id):
        entries = store.attention.for_order(order.id)
    return [
        QueueEntry(entry, KINDS[entry.kind], state, today)
        for entry in entries
        if entry.state != HANDLED and entry.kind in KINDS
    ]


def _shown(store: Store, entries: list[AttentionEntry], today: date) -> list[QueueEntry]:
    """Entries with their reason's rules and what is known of their orders now."""
    states = store.events.states(entry.order_id for entry in entries)
    return [
        QueueEntry(entry, KINDS[entry.kind], states.get(entry.order_id), today)
        for entry in entries
        if entry.kind in KINDS
    ]


# What agents do with an entry ---------------------------------------------------------------------


class EntryGone(LookupError):
    """No entry has this id."""


@dataclass(frozen=True)
class Outcome:
    """What taking or handling an entry did: ``done``, or why not (``message``)."""

    done: bool
    entry: AttentionEntry
    message: str


def take(store: Store, entry_id: int, actor: str, now: datetime, *, take_over: bool) -> Outcome:
    entry = _get(store, entry_id)
    if entry.state == TAKEN and entry.taken_by == actor:
        return Outcome(False, entry, "You are already working on this.")
    if store.attention.take(entry_id, actor, now, take_over=take_over):
        return Outcome(True, _get(store, entry_id), "It is yours now.")
    entry = _get(store, entry_id)
    if entry.state == HANDLED:
        return Outcome(False, entry, f"{entry.handled_by} has handled it already.")
    return Outcome(False, entry, f"{entry.taken_by} took it first; take it over if you mean to.")


class NoteMissing(ValueError):
    """Handling an entry takes a note; the message says what to write."""


def handle(
    store: Store, entry_id: int, actor: str, note: str, now: datetime, secrets=()
) -> Outcome:
    """Close an entry with the agent's note, credentials taken out of it first."""
    text = note.strip()
    if not text:
        raise NoteMissing("Say what you did, so the team knows it is dealt with.")
    if len(text) > MAX_NOTE:
        raise NoteMissing(f"Keep the note to {MAX_NOTE} characters ({len(text)} now).")
    text, _ = redact_secrets(text, secrets)
    _get(store, entry_id)
    if store.attention.handle(entry_id, actor, text, now):
        return Outcome(True, _get(store, entry_id), "Marked as handled.")
    entry = _get(store, entry_id)
    return Outcome(False, entry, f"{entry.handled_by} has handled it already.")


def _get(store: Store, entry_id: int) -> AttentionEntry:
    entry = store.attention.get(entry_id)
    if entry is None:
        raise EntryGone(entry_id)
    return entry
