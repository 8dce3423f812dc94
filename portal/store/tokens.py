"""Personal API tokens, by their keyed hash, and the calls each makes per minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.store.area import Area
from portal.store.tables import agents, api_call_counts, api_tokens


@dataclass(frozen=True)
class ApiToken:
    """A token as the api_tokens table holds it, with its agent's name: never the token itself."""

    id: int
    agent_id: int
    agent_name: str
    name: str
    #: read: look only. act: also run the actions and prepare requests.
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


_COLUMNS = [c for c in api_tokens.c if c.name != "token_hash"]
_WITH_AGENT = select(*_COLUMNS, agents.c.name.label("agent_name")).join(
    agents, agents.c.id == api_tokens.c.agent_id
)


class ApiTokens(Area):
    def add(
        self,
        *,
        agent_id: int,
        name: str,
        token_hash: str,
        scope: str,
        now: datetime,
        expires_at: datetime | None,
    ) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(api_tokens).values(
                    agent_id=agent_id,
                    name=name,
                    token_hash=token_hash,
                    scope=scope,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
        return result.inserted_primary_key[0]

    def by_hash(self, token_hash: str) -> ApiToken | None:
        return self._first(_WITH_AGENT.where(api_tokens.c.token_hash == token_hash), ApiToken)

    def by_id(self, token_id: int) -> ApiToken | None:
        return self._first(_WITH_AGENT.where(api_tokens.c.id == token_id), ApiToken)

    def list(self, *, agent_id: int | None = None) -> list[ApiToken]:
        """Newest first; every agent's when ``agent_id`` is None."""
        query = _WITH_AGENT.order_by(api_tokens.c.id.desc())
        if agent_id is not None:
            query = query.where(api_tokens.c.agent_id == agent_id)
        return self._all(query, ApiToken)

    def revoke(self, token_id: int, now: datetime) -> bool:
        """False when there is no such token or it was revoked already."""
        with self.engine.begin() as connection:
            result = connection.execute(
                update(api_tokens)
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        return result.rowcount == 1

    def count_call(self, token_id: int, *, window_start: datetime, now: datetime) -> int:
        """Count one call in the token's current window and note when it was used; answers the
        calls counted in this window so far, this one included.

        An update first, then an insert for a window's first call: of two processes inserting the
        same window at once, one gets the conflict and counts by updating instead.
        """
        c = api_call_counts.c
        mine = (c.token_id == token_id) & (c.window_start == window_start)
        for _attempt in range(3):
            try:
                with self.engine.begin() as connection:
                    counted = connection.execute(
                        update(api_call_counts).where(mine).values(calls=c.calls + 1)
                    )
                    if counted.rowcount == 0:
                        older = (c.token_id == token_id) & (c.window_start < window_start)
                        connection.execute(delete(api_call_counts).where(older))
                        connection.execute(
                            insert(api_call_counts).values(
                                token_id=token_id, window_start=window_start, calls=1
                            )
                        )
                    connection.execute(
                        update(api_tokens)
                        .where(api_tokens.c.id == token_id)
                        .values(last_used_at=now)
                    )
                    return connection.execute(select(c.calls).where(mine)).scalar_one()
            except IntegrityError:
                continue
        raise RuntimeError("The call could not be counted.")
