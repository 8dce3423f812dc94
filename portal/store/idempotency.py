"""Idempotency keys of API calls: which token sent which key, for what, and what it was answered.

A key is claimed before the call is carried out; of two calls with one key at the same time, one
wins and the other learns the key is taken. The winner stores its answer (``finish``), gives the
key back when nothing was done (``release``), or leaves it to be retried (``keep_for_retry``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.store.area import Area
from portal.store.tables import api_idempotency_keys

RUNNING = "running"
DONE = "done"
RETRY = "retry"

#: What claiming a key came to.
WON = "won"
#: The same call was answered before: its answer is ``row``'s.
REPLAY = "replay"
#: The key was sent before with another call.
MISMATCH = "mismatch"
#: The first call with this key is still being carried out.
IN_PROGRESS = "in_progress"


@dataclass(frozen=True)
class IdempotentCall:
    """A key as the table holds it."""

    token_id: int
    key: str
    fingerprint: str
    state: str
    attempt: int
    status: int | None
    media_type: str | None
    body: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class KeyClaim:
    outcome: str
    #: The key as it was found (None for a key never sent before).
    row: IdempotentCall | None = None

    @property
    def fresh(self) -> bool:
        """The key was new: nothing was ever done under it."""
        return self.outcome == WON and self.row is None


class IdempotencyKeys(Area):
    def claim(
        self,
        token_id: int,
        key: str,
        *,
        fingerprint: str,
        now: datetime,
        forget_before: datetime,
        stale_before: datetime,
    ) -> KeyClaim:
        """Take ``key`` for a call whose inputs hash to ``fingerprint``.

        Keys created before ``forget_before`` are forgotten first. A key left to be retried, or
        running since before ``stale_before`` (its process died), is taken over by the same call.
        """
        c = api_idempotency_keys.c
        mine = (c.token_id == token_id) & (c.key == key)
        with self.engine.begin() as connection:
            connection.execute(
                delete(api_idempotency_keys).where(
                    c.token_id == token_id, c.created_at < forget_before
                )
            )
        for _attempt in range(3):
            found = self._first(select(api_idempotency_keys).where(mine), IdempotentCall)
            if found is None:
                try:
                    with self.engine.begin() as connection:
                        connection.execute(
                            insert(api_idempotency_keys).values(
                                token_id=token_id,
                                key=key,
                                fingerprint=fingerprint,
                                state=RUNNING,
                                attempt=1,
                                created_at=now,
                                updated_at=now,
                            )
                        )
                except IntegrityError:
                    continue  # another call inserted it first: read what it is
                return KeyClaim(WON)
            if found.fingerprint != fingerprint:
                return KeyClaim(MISMATCH, found)
            if found.state == DONE:
                return KeyClaim(REPLAY, found)
            if found.state == RETRY or found.updated_at < stale_before:
                with self.engine.begin() as connection:
                    taken = connection.execute(
                        update(api_idempotency_keys)
                        .where(mine, c.attempt == found.attempt)
                        .values(state=RUNNING, attempt=found.attempt + 1, updated_at=now)
                    )
                if taken.rowcount == 1:
                    return KeyClaim(WON, found)
                continue
            return KeyClaim(IN_PROGRESS, found)
        return KeyClaim(IN_PROGRESS)

    def finish(
        self, token_id: int, key: str, *, status: int, media_type: str, body: str, now: datetime
    ) -> None:
        """The call is answered: the same call with this key gets this answer from now on."""
        self._set(
            token_id, key, state=DONE, status=status, media_type=media_type, body=body, now=now
        )

    def keep_for_retry(self, token_id: int, key: str, now: datetime) -> None:
        """The call failed on the way (Gelato, the mail server): the same call may try again."""
        self._set(token_id, key, state=RETRY, now=now)

    def release(self, token_id: int, key: str) -> None:
        """Nothing was done under the key (its inputs were refused): it is free again."""
        c = api_idempotency_keys.c
        with self.engine.begin() as connection:
            connection.execute(
                delete(api_idempotency_keys).where(c.token_id == token_id, c.key == key)
            )

    def _set(self, token_id: int, key: str, *, now: datetime, **values) -> None:
        c = api_idempotency_keys.c
        with self.engine.begin() as connection:
            connection.execute(
                update(api_idempotency_keys)
                .where(c.token_id == token_id, c.key == key)
                .values(**values, updated_at=now)
            )
