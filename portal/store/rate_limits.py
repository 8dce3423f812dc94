"""Requests counted per subject (a client address on a public endpoint) in fixed windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from portal.store.area import Area, dialect_insert
from portal.store.tables import rate_limits


@dataclass(frozen=True)
class Hit:
    """One request counted: how many the subject made in this window, counting it, and when the
    window ends (and with it the count)."""

    count: int
    resets_at: datetime


class RateLimits(Area):
    def hit(self, subject: str, *, window: timedelta, now: datetime) -> Hit:
        """Count one request against ``subject``.

        One statement adds or increments the window's row, so requests arriving together in
        several processes are each counted. Windows before this one are dropped when a subject
        opens a new one, which keeps the table as small as the current window's subjects.
        """
        seconds = int(window.total_seconds())
        start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
        c = rate_limits.c
        with self.engine.begin() as connection:
            upsert = dialect_insert(connection.dialect.name)(rate_limits).values(
                subject=subject, window_start=start, hits=1
            )
            connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=[c.subject, c.window_start], set_={"hits": c.hits + 1}
                )
            )
            count = connection.execute(
                select(c.hits).where(c.subject == subject, c.window_start == start)
            ).scalar_one()
            if count == 1:
                connection.execute(delete(rate_limits).where(c.window_start < start))
        return Hit(count, start + timedelta(seconds=seconds))
