"""Gelato's webhook events as received, and what they say about each order now.

An event and everything it changes (the order's state, the queue) are written in one transaction,
``OrderEvents.transaction()``, so that a process stopping half-way leaves either all of it or none,
and Gelato's retry finds the event missing and stores it then. The transaction takes the order's
state row for itself (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite lets one writer in at a
time), so two processes receiving two events of one order decide one after the other, each seeing
what the other wrote. Storing an event twice is impossible: its Gelato id is unique, and an insert
of a known id does nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import Connection, bindparam, func, select, update

from portal.store.area import Area, dialect_insert, insert_or_skip, with_utc
from portal.store.attention import AttentionEntry, open_key
from portal.store.tables import attention_entries, order_events, order_states


@dataclass(frozen=True)
class StoredEvent:
    """One event as received; the fields in the order of the table."""

    #: Counts arrivals: of two events of the same moment, the higher id came later.
    id: int
    event_id: str
    event: str
    order_id: str
    order_reference: str | None
    item_reference: str | None
    #: The order's or the item's new status, for status events.
    status: str | None
    #: When the change happened (assumption A25).
    occurred_at: datetime
    #: How ``occurred_at`` is known: ``created``, ``items`` or ``arrival`` (A25).
    dated_by: str
    received_at: datetime
    #: The event as Gelato sent it, JSON.
    payload: str


@dataclass(frozen=True)
class OrderState:
    """What the events and the portal's lookups say about one order now."""

    order_id: str
    order_reference: str | None
    status: str | None
    #: When the order reached ``status``, by the event that said so (or the lookup that saw it).
    status_at: datetime | None
    status_comment: str | None
    min_delivery_date: date | None
    max_delivery_date: date | None
    estimate_at: datetime | None
    #: When the first event of the order arrived; None if it is known from a lookup only.
    first_event_at: datetime | None
    #: When an agent first looked the order up in the portal; None until then.
    looked_up_at: datetime | None
    updated_at: datetime


class EventsTransaction:
    """One transaction on the events, the order states and the queue: everything one event (or
    one lookup) changes. Made by ``OrderEvents.transaction()``."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def add_event(self, **values) -> bool:
        """Store an event; False, storing nothing, when its ``event_id`` is stored already."""
        return insert_or_skip(self.connection, order_events, values)

    def item_status_time(self, order_id: str, status: str) -> datetime | None:
        """The newest ``created`` among the order's item events reporting ``status``."""
        c = order_events.c
        query = select(func.max(c.occurred_at)).where(
            c.order_id == order_id,
            c.event == "order_item_status_updated",
            c.status == status,
            c.dated_by == "created",
        )
        found = self.connection.execute(query).scalar()
        return with_utc({"at": found})["at"] if found else None

    def state(
        self, order_id: str, order_reference: str | None, now: datetime, *, by_event: bool
    ) -> OrderState:
        """The order's state, made if the order is new here (with its reference and, for an
        event, when the first one arrived), and held until the transaction ends so that no other
        process changes it meanwhile: one upsert, which locks the row it returns."""
        values = {
            "order_id": order_id,
            "order_reference": order_reference,
            "first_event_at": now if by_event else None,
            "updated_at": now,
        }
        found = self.connection.execute(_state_upsert(self.connection.dialect.name), values)
        return OrderState(**with_utc(found.one()._mapping))

    def update_state(self, order_id: str, **values) -> None:
        self.connection.execute(
            update(order_states).where(order_states.c.order_id == order_id).values(**values)
        )

    def entries(self, order_id: str, kind: str) -> list[AttentionEntry]:
        """The order's queue entries for one reason, oldest first."""
        c = attention_entries.c
        query = select(attention_entries).where(c.order_id == order_id, c.kind == kind)
        rows = self.connection.execute(query.order_by(c.id))
        return [AttentionEntry(**with_utc(row._mapping)) for row in rows]

    def open_entry(self, **values) -> bool:
        """Add an open entry; False when the order has one open for that reason already."""
        values.update(
            state="open", open_key=open_key(values["order_id"], values["kind"]), note=None
        )
        return insert_or_skip(self.connection, attention_entries, values)

    def update_entry(self, entry_id: int, **values) -> None:
        self.connection.execute(
            update(attention_entries).where(attention_entries.c.id == entry_id).values(**values)
        )


@cache
def _state_upsert(dialect_name: str):
    """The upsert of ``EventsTransaction.state``, built once per dialect: building its
    ``excluded`` columns costs more than running it."""
    c = order_states.c
    statement = dialect_insert(dialect_name)(order_states).values(
        {
            name: bindparam(name)
            for name in ("order_id", "order_reference", "first_event_at", "updated_at")
        }
    )
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=[c.order_id],
        set_={
            "order_reference": func.coalesce(c.order_reference, excluded.order_reference),
            "first_event_at": func.coalesce(c.first_event_at, excluded.first_event_at),
        },
    ).returning(*c)


class OrderEvents(Area):
    @contextmanager
    def transaction(self) -> Iterator[EventsTransaction]:
        """One transaction for what one event changes; committed when the block ends."""
        # IMMEDIATE: on SQLite the write lock is taken before the state is read.
        connection = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with connection, connection.begin():
            yield EventsTransaction(connection)

    def add(self, **values) -> bool:
        """Store one event on its own, outside any order's state (tests, imports)."""
        with self.engine.begin() as connection:
            return insert_or_skip(connection, order_events, values)

    def for_order(self, order_id: str) -> list[StoredEvent]:
        """Every event of one Gelato order, in the order they arrived."""
        return self._all(_EVENTS_OF_ORDER, StoredEvent, {"order_id": order_id})

    def count(self, *, event_id: str | None = None) -> int:
        """How many events are stored (with ``event_id``: 1 or 0)."""
        query = select(func.count()).select_from(order_events)
        if event_id is not None:
            query = query.where(order_events.c.event_id == event_id)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def any(self) -> bool:
        """Whether any event has arrived yet; cheap however many have."""
        with self.engine.connect() as connection:
            return connection.execute(select(order_events.c.id).limit(1)).first() is not None

    def state(self, order_id: str) -> OrderState | None:
        """Read on every order page."""
        return self._first(_STATE, OrderState, {"order_id": order_id})

    def states(self, order_ids: Iterable[str]) -> dict[str, OrderState]:
        """The states of several orders, by order id; orders without one are left out."""
        ids = sorted(set(order_ids))
        if not ids:
            return {}
        query = select(order_states).where(order_states.c.order_id.in_(ids))
        return {state.order_id: state for state in self._all(query, OrderState)}


# Read on every order page: built once, with parameters.
_STATE = select(order_states).where(order_states.c.order_id == bindparam("order_id"))
_EVENTS_OF_ORDER = (
    select(order_events)
    .where(order_events.c.order_id == bindparam("order_id"))
    .order_by(order_events.c.id)
)
