"""What every area of the store shares: the engine, and reading rows with their times in UTC."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Table

Row = TypeVar("Row")


class Area:
    """One group of tables and their queries, on the store's engine."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def _all(self, query, row: Callable[..., Row] = dict, values=None) -> list[Row]:
        """Every row of ``query``, each built by ``row`` from its columns (a dict by default).

        ``values`` fill the query's ``bindparam``s: a query that runs on every page is built once,
        with parameters, which spares SQLAlchemy rebuilding and re-keying it each time.
        """
        with self._reading() as connection:
            return [row(**with_utc(found._mapping)) for found in connection.execute(query, values)]

    def _first(self, query, row: Callable[..., Row] = dict, values=None) -> Row | None:
        with self._reading() as connection:
            found = connection.execute(query, values).first()
        return row(**with_utc(found._mapping)) if found else None

    def _reading(self):
        """A connection for one SELECT: on SQLite without a BEGIN of its own, which spares a
        round of transaction handling on each of a page's reads."""
        return self.engine.connect().execution_options(sqlite_begin=None)


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def with_utc(row) -> dict[str, Any]:
    return {key: utc(v) if isinstance(v, datetime) else v for key, v in row.items()}


def insert_or_skip(connection: Connection, table: Table, values: dict[str, Any]) -> bool:
    """Insert a row unless it would repeat a unique value; True if it was inserted.

    ``ON CONFLICT DO NOTHING`` rather than catching the error: on PostgreSQL a failed insert ends
    the whole transaction, and with it everything else the transaction was to write.
    """
    inserted = connection.execute(_insert_or_skip(connection.dialect.name, table), values)
    return inserted.first() is not None


def dialect_insert(dialect_name: str):
    """The dialect's own ``insert`` (with ON CONFLICT), imported when first used: a worker on
    SQLite never loads PostgreSQL's dialect (about 2 MB), nor one on PostgreSQL SQLite's."""
    return importlib.import_module(f"sqlalchemy.dialects.{dialect_name}").insert


@cache
def _insert_or_skip(dialect_name: str, table: Table):
    """Built once per table: the values come with each execution."""
    statement = dialect_insert(dialect_name)(table).on_conflict_do_nothing()
    # RETURNING says whether a row went in; the drivers' rowcount does not say it alike.
    return statement.returning(*table.primary_key.columns)
