"""The audit log: insert and read, nothing else (database triggers refuse the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from portal.store.area import Area
from portal.store.tables import audit_log


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the audit log; the fields in the order of the table (and of the CSV export)."""

    id: int
    at: datetime
    actor: str
    action: str
    order_id: str | None
    order_reference: str | None
    #: What was asked, as JSON with secrets blanked.
    request: str
    gelato_answer: str
    outcome: str


class AuditLog(Area):
    def add(self, **values) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(insert(audit_log).values(**values))
        return result.inserted_primary_key[0]

    def list(
        self,
        *,
        actor: str | None = None,
        action: str | None = None,
        outcome: str | None = None,
        order: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Newest first; ``order`` matches an order id or an order reference; ``until`` excluded.

        Page through with ``before_id`` (the last id of the previous page), which stays correct
        while new entries arrive.
        """
        c = audit_log.c
        conditions = []
        for column, value in [(c.actor, actor), (c.action, action), (c.outcome, outcome)]:
            if value is not None:
                conditions.append(column == value)
        if order is not None:
            conditions.append((c.order_id == order) | (c.order_reference == order))
        if since is not None:
            conditions.append(c.at >= since)
        if until is not None:
            conditions.append(c.at < until)
        if before_id is not None:
            conditions.append(c.id < before_id)
        query = select(audit_log).where(*conditions).order_by(c.id.desc()).limit(limit)
        return self._all(query, AuditEntry)

    def for_order(self, order_id: str, order_reference: str | None, limit: int) -> list[AuditEntry]:
        """What was done to one Gelato order, newest first: entries naming its id, and those
        naming only its reference (a request about an order typed in by its number)."""
        c = audit_log.c
        about = c.order_id == order_id
        if order_reference:
            about |= c.order_id.is_(None) & (c.order_reference == order_reference)
        query = select(audit_log).where(about).order_by(c.id.desc()).limit(limit)
        return self._all(query, AuditEntry)

    def actors(self) -> list[str]:
        query = select(audit_log.c.actor).distinct().order_by(audit_log.c.actor)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())
