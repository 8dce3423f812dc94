"""What every area of the store shares: the engine, and reading rows with their times in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine


class Area:
    """One group of tables and their queries, on the store's engine."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _all(self, query) -> list[dict]:
        with self.engine.connect() as connection:
            return [with_utc(row._mapping) for row in connection.execute(query)]

    def _first(self, query) -> dict | None:
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return with_utc(row._mapping) if row else None


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def with_utc(row) -> dict:
    return {key: utc(v) if isinstance(v, datetime) else v for key, v in row.items()}
