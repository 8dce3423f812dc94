"""Order-placing actions: the claims behind reorders and cancel-and-replace, one row per form.

A row is claimed before Gelato is called and remembers, step by step, how far the action got and
what it is to place (the address and shipping method the agent confirmed), so that whichever
process takes it up next, after a failure or a crash, finishes the same action exactly once.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, insert, or_, select, text, update

from portal.store.area import Area, with_utc
from portal.store.tables import order_actions, utcnow

#: A claim still "running" after this long without a step belongs to a process that died
#: mid-action; it is treated as unconfirmed. Longer than one Gelato call with all its retries,
#: looks and timeouts, since every step renews it.
STALE_CLAIM = timedelta(minutes=5)

#: How far an action got. A reorder goes from NOT_STARTED to done; a cancel-and-replace marks
#: the cancel sent, then confirmed, before it places the replacement.
NOT_STARTED = ""
CANCEL_SENT = "cancel_sent"
ORIGINAL_CANCELED = "original_canceled"


@dataclass(frozen=True)
class PlannedAction:
    """What a new claim is to do, stored with it."""

    #: ``reorder`` or ``replace``.
    action: str
    #: The self-service action of the rules table it carries out (``change-address``...).
    slug: str
    order_id: str
    order_reference: str
    #: The new order's address, as Gelato's JSON, and its shipping method.
    shipping_address: str
    shipment_method_uid: str | None
    shipment_method_name: str


@dataclass(frozen=True)
class OrderAction:
    """One form's action, as the order_actions table holds it."""

    key: str
    action: str
    slug: str | None
    order_id: str
    order_reference: str | None
    actor: str
    #: running | done | failed (Gelato refused) | uncertain (an attempt went unconfirmed).
    state: str
    step: str
    shipping_address: str | None
    shipment_method_uid: str | None
    shipment_method_name: str | None
    result_order_id: str | None
    result_reference: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def begun(self) -> bool:
        """Whether it did, or may have done, something at Gelato: all but a first attempt that
        Gelato turned down before anything changed."""
        return not (self.state == "failed" and self.step == NOT_STARTED)

    def is_stale(self, now: datetime) -> bool:
        return self.state == "running" and self.updated_at < now - STALE_CLAIM


@dataclass(frozen=True)
class ActionClaim:
    """What asking for a form's key came to: whether this request may act, and on what."""

    won: bool
    #: The row as it is now (the plan to carry out when won); None when blocked before a row
    #: was made.
    row: OrderAction | None
    #: The state the row was in before this claim took it over ("" for a new row).
    previous_state: str = ""
    #: Other actions of the same kind on the same order that this claim was not told about.
    blocked_by: tuple[OrderAction, ...] = ()


class OrderActions(Area):
    def claim(
        self,
        key: str,
        plan: PlannedAction,
        *,
        actor: str,
        now: datetime,
        others_since: datetime | None = None,
        acknowledged: Collection[str] = (),
    ) -> ActionClaim:
        """Take the form's key, or learn who has it.

        A new key becomes a running row holding ``plan``, unless another action of the same kind
        on the same order (since ``others_since``, if given) has begun and its key is not in
        ``acknowledged``: then nothing is written and the claim names them. The check and the
        insert happen under a lock on the order, so of two forms sent at once for one order only
        one passes unseen. A known key is taken over as ``take_over`` does; if its last attempt
        changed nothing at Gelato, it takes ``plan`` as sent now.
        """
        with self._locked(plan.order_id) as connection:
            found = self._row(connection, key)
            if found is None:
                others = [
                    row
                    for row in self._others(connection, plan, key, others_since)
                    if row.key not in acknowledged
                ]
                if others:
                    return ActionClaim(False, None, blocked_by=tuple(others))
                connection.execute(
                    insert(order_actions).values(
                        key=key,
                        **vars(plan),
                        actor=actor,
                        state="running",
                        step=NOT_STARTED,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return ActionClaim(True, self._row(connection, key))
            if not found.begun:
                connection.execute(
                    update(order_actions)
                    .where(order_actions.c.key == key)
                    .values(
                        shipping_address=plan.shipping_address,
                        shipment_method_uid=plan.shipment_method_uid,
                        shipment_method_name=plan.shipment_method_name,
                    )
                )
            return self._take(connection, key, actor=actor, now=now)

    def take_over(self, key: str, *, actor: str, now: datetime) -> ActionClaim:
        """Take up a known key to finish its action with the plan it holds.

        A key whose last attempt failed or went unconfirmed, or whose process died (running
        without a step for ``STALE_CLAIM``), is taken by this request; one still running, or
        done, is not. KeyError for a key never claimed.
        """
        known = self.get(key)
        if known is None:
            raise KeyError(key)
        with self._locked(known.order_id) as connection:
            return self._take(connection, key, actor=actor, now=now)

    def record_step(self, key: str, step: str) -> None:
        """The action got as far as ``step``; the claim is renewed."""
        self._set(key, step=step)

    def finish(self, key: str, *, result_order_id: str, result_reference: str) -> None:
        """The order is placed: the key answers with it from now on."""
        self._set(
            key, state="done", result_order_id=result_order_id, result_reference=result_reference
        )

    def give_up(self, key: str, *, unconfirmed: bool, step: str | None = None) -> None:
        """The attempt ended without an order: ``failed`` when Gelato refused, ``uncertain`` when
        it may have landed. Either way the key may be taken again. ``step`` moves the action back
        (a cancel Gelato refused changed nothing)."""
        values = {"state": "uncertain" if unconfirmed else "failed"}
        if step is not None:
            values["step"] = step
        self._set(key, **values)

    def get(self, key: str) -> OrderAction | None:
        return self._first(select(order_actions).where(order_actions.c.key == key), OrderAction)

    def begun_for(
        self, order_id: str, *, action: str, since: datetime | None = None
    ) -> list[OrderAction]:
        """The actions of one kind on one order that have begun, oldest first."""
        with self.engine.connect() as connection:
            return self._begun(connection, order_id, action, since)

    def owed(self, *, order_id: str | None = None) -> list[OrderAction]:
        """Cancel-and-replace actions that canceled their original, or sent the cancel, and have
        not placed the replacement yet: oldest first."""
        if order_id is None:
            return self._all(_OWED, OrderAction)
        return self._all(_OWED_BY_ORDER, OrderAction, {"order_id": order_id})

    # ------------------------------------------------------------------------------------------

    @contextmanager
    def _locked(self, order_id: str) -> Iterator[Connection]:
        """A transaction that no other claim on the same order runs beside: SQLite's write lock
        taken at BEGIN, or a PostgreSQL lock on the order id until commit."""
        connection = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(4242002, hashtext(:order_id))"),
                    {"order_id": order_id},
                )
            yield connection

    def _take(self, connection: Connection, key: str, *, actor: str, now: datetime) -> ActionClaim:
        found = self._row(connection, key)
        retryable = found.state in ("failed", "uncertain") or found.is_stale(now)
        if not retryable:
            return ActionClaim(False, found, found.state)
        connection.execute(
            update(order_actions)
            .where(order_actions.c.key == key)
            .values(state="running", actor=actor, updated_at=now)
        )
        # A process that died mid-call may have acted: its attempt counts as unconfirmed.
        previous = "uncertain" if found.state == "running" else found.state
        return ActionClaim(True, self._row(connection, key), previous)

    def _others(
        self, connection: Connection, plan: PlannedAction, key: str, since: datetime | None
    ) -> list[OrderAction]:
        rows = self._begun(connection, plan.order_id, plan.action, since)
        return [row for row in rows if row.key != key]

    @staticmethod
    def _begun(
        connection: Connection, order_id: str, action: str, since: datetime | None
    ) -> list[OrderAction]:
        query = (
            select(order_actions)
            .where(order_actions.c.order_id == order_id, order_actions.c.action == action)
            .where(
                or_(order_actions.c.state != "failed", order_actions.c.step != NOT_STARTED),
            )
            .order_by(order_actions.c.created_at)
        )
        if since is not None:
            query = query.where(order_actions.c.created_at >= since)
        return [OrderAction(**with_utc(row._mapping)) for row in connection.execute(query)]

    @staticmethod
    def _row(connection: Connection, key: str) -> OrderAction | None:
        found = connection.execute(select(order_actions).where(order_actions.c.key == key)).first()
        return OrderAction(**with_utc(found._mapping)) if found else None

    def _set(self, key: str, **values) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(order_actions)
                .where(order_actions.c.key == key)
                .values(**values, updated_at=utcnow())
            )


# Read on every order page: built once.
_OWED = (
    select(order_actions)
    .where(
        order_actions.c.action == "replace",
        order_actions.c.state != "done",
        order_actions.c.step.in_((CANCEL_SENT, ORIGINAL_CANCELED)),
    )
    .order_by(order_actions.c.created_at)
)
_OWED_BY_ORDER = _OWED.where(order_actions.c.order_id == bindparam("order_id"))
