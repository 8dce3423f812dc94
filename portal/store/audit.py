"""The audit log: insert and read, nothing else (database triggers refuse the rest)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, text, tuple_

from portal.store.area import Area, with_utc
from portal.store.tables import audit_log

#: The most names ``actors`` offers: a filter's suggestions, not a report.
MAX_ACTORS = 500

# One index seek per name (a "loose index scan"): the log's distinct actors cost what the number
# of names costs, not what the length of the log does. Portable to SQLite and PostgreSQL.
_ACTORS = text(
    """
    WITH RECURSIVE actors(actor, n) AS (
        SELECT MIN(actor), 1 FROM audit_log
        UNION ALL
        SELECT (SELECT MIN(actor) FROM audit_log WHERE actor > actors.actor), n + 1
        FROM actors WHERE actors.actor IS NOT NULL AND n < :limit
    )
    SELECT actor FROM actors WHERE actor IS NOT NULL
    """
)


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
        """Newest first (by time, then id); ``order`` matches an order id or an order reference;
        ``until`` excluded.

        Page through with ``before_id`` (the last id of the previous page), which stays correct
        while new entries arrive. Each filter reads its own index (see ``tables.audit_log``).
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
        with self.engine.connect() as connection:
            if before_id is not None:
                last = connection.execute(select(c.at).where(c.id == before_id)).scalar()
                if last is None:  # no entry has this id (a URL typed by hand): what is older
                    conditions.append(c.id < before_id)
                else:
                    conditions.append(tuple_(c.at, c.id) < tuple_(last, before_id))
            query = (
                select(audit_log).where(*conditions).order_by(c.at.desc(), c.id.desc()).limit(limit)
            )
            return [AuditEntry(**with_utc(row._mapping)) for row in connection.execute(query)]

    def for_order(self, order_id: str, order_reference: str | None, limit: int) -> list[AuditEntry]:
        """What was done to one Gelato order, newest first: entries naming its id, and those
        naming only its reference (a request about an order typed in by its number)."""
        values = {"order_id": order_id, "limit": limit}
        if order_reference:
            values["order_reference"] = order_reference
            return self._all(_OF_ORDER_OR_REFERENCE, AuditEntry, values)
        return self._all(_OF_ORDER, AuditEntry, values)

    def actors(self, limit: int = MAX_ACTORS) -> list[str]:
        """The names that appear in the log, in alphabetical order, at most ``limit``."""
        with self.engine.connect() as connection:
            return list(connection.execute(_ACTORS, {"limit": limit}).scalars())


def _of_order(about):
    c = audit_log.c
    newest_first = (c.at.desc(), c.id.desc())
    return select(audit_log).where(about).order_by(*newest_first).limit(bindparam("limit"))


# Read on every order page: built once, with parameters.
_OF_ORDER = _of_order(audit_log.c.order_id == bindparam("order_id"))
_OF_ORDER_OR_REFERENCE = _of_order(
    (audit_log.c.order_id == bindparam("order_id"))
    | (
        audit_log.c.order_id.is_(None)
        & (audit_log.c.order_reference == bindparam("order_reference"))
    )
)
