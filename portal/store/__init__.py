"""Everything that must outlive a request lives here, in SQLite or PostgreSQL.

The app keeps no state of its own between requests, so any number of processes can serve side by
side against one PostgreSQL database. The schema is upgraded by Alembic when the app starts; the
migration runs under a database lock, so workers starting together do not race each other.

Queries are grouped by area (``store.accounts``, ``store.audit``, ``store.actions``,
``store.drafts``, ``store.feedback``, ``store.tokens``, ``store.idempotency``), each a plain
object testable without Flask. They answer with small frozen rows (``Agent``, ``AuditEntry``,
``FeedbackEntry``, ``ApiToken``, ``RequestDraft``, ``RequestFile``) whose fields are the table's
columns.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from portal.store.accounts import Accounts, Agent
from portal.store.actions import ActionClaim, OrderActions
from portal.store.audit import AuditEntry, AuditLog
from portal.store.drafts import Drafts, RequestDraft, RequestFile
from portal.store.feedback import Feedback, FeedbackEntry
from portal.store.idempotency import IdempotencyKeys
from portal.store.tables import MIGRATIONS, metadata, utcnow
from portal.store.tokens import ApiToken, ApiTokens

__all__ = [
    "ActionClaim",
    "Agent",
    "ApiToken",
    "AuditEntry",
    "FeedbackEntry",
    "RequestDraft",
    "RequestFile",
    "Store",
    "metadata",
    "utcnow",
]


class Store:
    """One engine per process, and the areas that query it."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.accounts = Accounts(engine)
        self.audit = AuditLog(engine)
        self.actions = OrderActions(engine)
        self.drafts = Drafts(engine)
        self.feedback = Feedback(engine)
        self.tokens = ApiTokens(engine)
        self.idempotency = IdempotencyKeys(engine)

    @classmethod
    def from_url(cls, url: str) -> Store:
        """An engine for a ``sqlite://`` or ``postgresql://`` URL, as DATABASE_URL takes them."""
        if url.startswith("sqlite"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _tune_sqlite)
            event.listen(engine, "begin", _begin_sqlite)
        else:
            # The driver installed is psycopg (3), not SQLAlchemy's default for postgresql://.
            psycopg_url = make_url(url).set(drivername="postgresql+psycopg")
            engine = create_engine(
                psycopg_url, pool_pre_ping=True, connect_args={"connect_timeout": 5}
            )
        return cls(engine)

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        # Take the write lock before Alembic reads the current version.
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
            config = AlembicConfig()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def _tune_sqlite(dbapi_connection, connection_record):
    # WAL lets readers and one writer work at once; foreign keys are off by default in SQLite.
    # The driver's own transaction handling is switched off so that _begin_sqlite decides how
    # each transaction starts (SQLAlchemy's documented recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # Switching a new file to WAL can answer "database is locked" at once, without waiting for
    # the busy timeout, while another process does the same: workers starting together retry.
    for attempt in range(10):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError:
            if attempt == 9:
                raise
            time.sleep(0.05 * (attempt + 1))
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection):
    # IMMEDIATE takes the write lock at once instead of at the first write: used where a read
    # decides what is written (migrations, idempotency checks).
    connection.exec_driver_sql(
        f"BEGIN {connection.get_execution_options().get('sqlite_begin', '')}"
    )
