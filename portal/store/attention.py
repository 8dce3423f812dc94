"""The "needs attention" queue: orders that went wrong or late, until an agent has handled them.

Entries are opened by the events that report the trouble (in the events' own transaction, see
``portal.store.events``), or, for an order past its latest delivery date, when the queue or the
order is looked at: a date passes without any event. Counting what waits is one query on the
indexed ``state``, cheap enough for the header of every page. Taking and handling an entry are
single updates that check the state they change, so two agents acting at once cannot both win.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, exists, func, or_, select, update

from portal.store.area import Area, insert_or_skip
from portal.store.tables import attention_entries, order_states

OPEN = "open"
TAKEN = "taken"
HANDLED = "handled"
#: The states of an entry that still waits for an agent.
WAITING = (OPEN, TAKEN)
#: The kind of entry a passed latest delivery date opens (``portal.orders.attention.LATE``).
LATE = "late"


@dataclass(frozen=True)
class AttentionEntry:
    """One entry of the "needs attention" queue; the fields in the order of the table."""

    id: int
    order_id: str
    order_reference: str | None
    #: Why the order is there (``portal.orders.attention.KINDS``).
    kind: str
    #: Gelato's own words when it gave a reason; otherwise what the rule says, or empty.
    reason: str
    since: datetime
    due_date: date | None
    open_key: str | None
    #: open, taken or handled.
    state: str
    taken_by: str | None
    taken_at: datetime | None
    handled_by: str | None
    handled_at: datetime | None
    note: str | None
    created_at: datetime


def open_key(order_id: str, kind: str) -> str:
    """What an entry holds in its unique ``open_key`` while it is not handled."""
    return f"{order_id}:{kind}"


class Attention(Area):
    def get(self, entry_id: int) -> AttentionEntry | None:
        query = select(attention_entries).where(attention_entries.c.id == entry_id)
        return self._first(query, AttentionEntry)

    def waiting(self, limit: int = 500) -> list[AttentionEntry]:
        """Entries not handled yet, the longest waiting first."""
        c = attention_entries.c
        query = select(attention_entries).where(c.state.in_(WAITING))
        return self._all(query.order_by(c.since, c.id).limit(limit), AttentionEntry)

    def handled(self, limit: int = 20) -> list[AttentionEntry]:
        """The entries handled most recently, newest first."""
        c = attention_entries.c
        query = select(attention_entries).where(c.state == HANDLED)
        return self._all(
            query.order_by(c.handled_at.desc(), c.id.desc()).limit(limit), AttentionEntry
        )

    def for_order(self, order_id: str) -> list[AttentionEntry]:
        """Read on every order page."""
        return self._all(_OF_ORDER, AttentionEntry, {"order_id": order_id})

    def count_waiting(self) -> int:
        """Read on every page, for the header."""
        with self._reading() as connection:
            return connection.execute(_COUNT_WAITING).scalar_one()

    def take(self, entry_id: int, actor: str, now: datetime, *, take_over: bool = False) -> bool:
        """Make ``actor`` the one working on an entry: an open one, or (``take_over``) one
        another agent took. False when it is handled, or taken and not taken over."""
        c = attention_entries.c
        allowed = [c.state == OPEN]
        if take_over:
            allowed.append(c.state == TAKEN)
        query = (
            update(attention_entries)
            .where(c.id == entry_id, or_(*allowed))
            .values(state=TAKEN, taken_by=actor, taken_at=now)
        )
        with self.engine.begin() as connection:
            return connection.execute(query).rowcount == 1

    def handle(self, entry_id: int, actor: str, note: str, now: datetime) -> bool:
        """Close an entry with the agent's note; False when it was handled already. Its reason
        may open a new entry from then on."""
        c = attention_entries.c
        query = (
            update(attention_entries)
            .where(c.id == entry_id, c.state != HANDLED)
            .values(state=HANDLED, handled_by=actor, handled_at=now, note=note, open_key=None)
        )
        with self.engine.begin() as connection:
            return connection.execute(query).rowcount == 1

    # Orders past their latest delivery date

    def _late_query(self, today: date, done_statuses: Iterable[str], order_id: str | None):
        """Orders (or the one ``order_id``) whose latest delivery date is before ``today``, not
        in ``done_statuses``, and without an entry for being late yet (a handled one for that
        date counts)."""
        s, c = order_states.c, attention_entries.c
        # One for this date, or one still open for an earlier date (it stays the order's entry).
        entered = exists().where(
            c.order_id == s.order_id,
            c.kind == LATE,
            or_(c.due_date == s.max_delivery_date, c.state != HANDLED),
        )
        query = select(order_states).where(
            s.max_delivery_date < today,
            or_(s.status.is_(None), s.status.not_in(list(done_statuses))),
            ~entered,
        )
        return query if order_id is None else query.where(s.order_id == order_id)

    def late_without_entry(
        self, today: date, done_statuses: Iterable[str], order_id: str | None = None
    ) -> list[dict]:
        """Those orders' ids, references and latest dates."""
        query = self._late_query(today, done_statuses, order_id)
        query = query.order_by(order_states.c.max_delivery_date)
        return [
            {k: row[k] for k in ("order_id", "order_reference", "max_delivery_date", "status")}
            for row in self._all(query)
        ]

    def open_late(self, entries: Iterable[dict], now: datetime) -> int:
        """Open an entry for each late order (``order_id``, ``order_reference``, ``reason``,
        ``since``, ``due_date``); how many were opened."""
        opened = 0
        with self.engine.begin() as connection:
            for entry in entries:
                values = {**entry, "kind": LATE, "state": OPEN, "created_at": now}
                values["open_key"] = open_key(entry["order_id"], LATE)
                opened += insert_or_skip(connection, attention_entries, values)
        return opened


# Read on every page: built once, with parameters.
_OF_ORDER = (
    select(attention_entries)
    .where(attention_entries.c.order_id == bindparam("order_id"))
    .order_by(attention_entries.c.id)
)
_COUNT_WAITING = select(func.count()).where(
    or_(*(attention_entries.c.state == state for state in WAITING))
)
