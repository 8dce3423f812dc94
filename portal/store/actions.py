"""Order-placing actions, once per form: the idempotency claims behind reorders and
cancel-and-replace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.store.area import Area, utc
from portal.store.tables import order_actions, utcnow

#: A claim still "running" after this long belongs to a process that died mid-action; it is treated
#: as unconfirmed. Longer than the Gelato client's retry budget plus its timeouts.
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class ActionClaim:
    """What taking a form's key came to: whether this request may act, and how far an earlier
    attempt with the same key got."""

    won: bool
    state: str
    step: str
    result_order_id: str | None
    #: The state the row was in before this claim took it over ("" for a new row).
    previous_state: str


class OrderActions(Area):
    def claim(
        self, key: str, *, action: str, order_id: str, actor: str, now: datetime
    ) -> ActionClaim:
        """Take the form's key, or learn who has it.

        A new key is inserted as running. A key whose last attempt failed or went unconfirmed (or
        whose process died) is taken over by an update that checks the state it read, so only one
        of several concurrent requests wins it.
        """
        row = {"key": key, "action": action, "order_id": order_id, "actor": actor}
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(order_actions).values(
                        **row, state="running", step="", created_at=now, updated_at=now
                    )
                )
            return ActionClaim(True, "running", "", None, "")
        except IntegrityError:
            pass
        with self.engine.begin() as connection:
            found = connection.execute(
                select(order_actions).where(order_actions.c.key == key)
            ).one()
            retryable = found.state in ("failed", "uncertain") or (
                found.state == "running" and utc(found.updated_at) < now - STALE_CLAIM
            )
            if retryable:
                taken = connection.execute(
                    update(order_actions)
                    .where(order_actions.c.key == key, order_actions.c.state == found.state)
                    .where(order_actions.c.updated_at == found.updated_at)
                    .values(state="running", actor=actor, updated_at=now)
                )
                if taken.rowcount == 1:
                    previous = "uncertain" if found.state == "running" else found.state
                    return ActionClaim(True, "running", found.step, None, previous)
        return ActionClaim(False, found.state, found.step, found.result_order_id, found.state)

    def record_step(self, key: str, step: str) -> None:
        """The action got as far as ``step`` (e.g. the original order is canceled)."""
        self._set(key, step=step)

    def finish(self, key: str, result_order_id: str) -> None:
        """The order is placed: the key answers with it from now on."""
        self._set(key, state="done", result_order_id=result_order_id)

    def give_up(self, key: str, *, unconfirmed: bool) -> None:
        """The attempt ended without an order: ``failed`` when Gelato refused, ``uncertain`` when
        it may have landed. Either way the key may be taken again."""
        self._set(key, state="uncertain" if unconfirmed else "failed")

    def _set(self, key: str, **values) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(order_actions)
                .where(order_actions.c.key == key)
                .values(**values, updated_at=utcnow())
            )
