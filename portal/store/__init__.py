"""Everything that must outlive a request lives here, in SQLite or PostgreSQL.

The app keeps no state of its own between requests, so any number of processes can serve side by
side against one PostgreSQL database. The schema is upgraded by Alembic when the app starts; the
migration runs under a database lock, so workers starting together do not race each other. A
schema already at the newest migration is left alone without importing Alembic at all: with Mako
and Pygments, which it brings along, it would hold about 10 MB in every worker for nothing.

Queries are grouped by area (``store.accounts``, ``store.audit``, ``store.actions``,
``store.drafts``, ``store.feedback``, ``store.rate_limits``, ``store.tokens``,
``store.idempotency``, ``store.events``, ``store.attention``), each a plain object testable
without Flask. They answer with small frozen rows (``Agent``, ``AuditEntry``, ``FeedbackEntry``,
``ApiToken``, ``RequestDraft``, ``RequestFile``, ``StoredEvent``, ``OrderState``,
``AttentionEntry``) whose fields are the table's columns.

A request never waits long for the database: a lock held by another write is waited for at most
``wait_seconds`` (DATABASE_WAIT_SECONDS), then the query fails with an error that
``database_unavailable`` recognises, and the web layer answers 503 with everything the agent sent.
Writes that belong together go through ``Store.transaction()``, so such a failure leaves nothing
half-written.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from portal.store.accounts import Accounts, Agent
from portal.store.actions import ActionClaim, OrderActions
from portal.store.attention import Attention, AttentionEntry
from portal.store.audit import AuditEntry, AuditLog
from portal.store.drafts import Drafts, RequestDraft, RequestFile
from portal.store.events import OrderEvents, OrderState, StoredEvent
from portal.store.feedback import Feedback, FeedbackEntry
from portal.store.idempotency import IdempotencyKeys
from portal.store.rate_limits import Hit, RateLimits
from portal.store.tables import MIGRATIONS, metadata, utcnow
from portal.store.tokens import ApiToken, ApiTokens

__all__ = [
    "ActionClaim",
    "Agent",
    "ApiToken",
    "AttentionEntry",
    "AuditEntry",
    "FeedbackEntry",
    "Hit",
    "OrderState",
    "RequestDraft",
    "RequestFile",
    "Store",
    "StoredEvent",
    "database_unavailable",
    "metadata",
    "utcnow",
]

#: How long a request waits for a lock unless told otherwise (DATABASE_WAIT_SECONDS).
DEFAULT_WAIT_SECONDS = 5
#: How long a starting worker waits for another one's migration: it may rebuild an index.
MIGRATION_WAIT_SECONDS = 600
# SQLite's primary result codes for a database that cannot serve now: BUSY, LOCKED, NOMEM,
# READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_SQLITE_TROUBLE = frozenset({5, 6, 7, 8, 10, 13, 14, 15})
# PostgreSQL's "read-only transaction" (a standby, or default_transaction_read_only) is not an
# OperationalError; every other kind of database trouble is.
_READ_ONLY_SQLSTATE = "25006"


class Store:
    """One engine per process, and the areas that query it."""

    def __init__(self, engine: Engine | _OneConnection, *, wait_seconds: float = 0):
        self.engine = engine
        #: The longest a query waits for a lock (0: the driver's own default).
        self.wait_seconds = wait_seconds
        self.accounts = Accounts(engine)
        self.audit = AuditLog(engine)
        self.actions = OrderActions(engine)
        self.drafts = Drafts(engine)
        self.feedback = Feedback(engine)
        self.rate_limits = RateLimits(engine)
        self.tokens = ApiTokens(engine)
        self.idempotency = IdempotencyKeys(engine)
        self.events = OrderEvents(engine)
        self.attention = Attention(engine)

    @classmethod
    def from_url(cls, url: str, *, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> Store:
        """An engine for a ``sqlite://`` or ``postgresql://`` URL, as DATABASE_URL takes them,
        that waits at most ``wait_seconds`` for a lock or a free connection."""
        if url.startswith("sqlite"):
            database = make_url(url).database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": wait_seconds})
            event.listen(engine, "connect", _tune_sqlite)
            event.listen(engine, "begin", _begin_sqlite)
        else:
            # The driver installed is psycopg (3), not SQLAlchemy's default for postgresql://.
            psycopg_url = make_url(url).set(drivername="postgresql+psycopg")
            milliseconds = int(wait_seconds * 1000)
            engine = create_engine(
                psycopg_url,
                pool_pre_ping=True,
                pool_timeout=wait_seconds,
                connect_args={
                    "connect_timeout": 5,
                    # A request's statement waits this long for a lock, and runs this long at
                    # most: the lists are indexed, so only a lock or a stuck server takes longer.
                    "options": f"-c lock_timeout={milliseconds} "
                    f"-c statement_timeout={milliseconds}",
                },
            )
        return cls(engine, wait_seconds=wait_seconds)

    def upgrade(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        if self.schema_revision() == newest_revision():
            return
        from alembic import command
        from alembic.config import Config as AlembicConfig

        # Take the write lock before Alembic reads the current version.
        connecting = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with connecting as connection, _waiting(connection, MIGRATION_WAIT_SECONDS):
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
            config = AlembicConfig()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()

    def schema_revision(self) -> str | None:
        """The migration the database is at, as Alembic records it; None before the first."""
        try:
            with self.engine.connect() as connection:
                return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:  # no such table yet, or no database: upgrade() will say which
            return None

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """A store whose every query, in every area, runs in one transaction on one connection,
        committed when the block ends and rolled back, all of it, if the block raises.

        The areas' own transactions become savepoints inside it, so an area that catches its own
        error (a name already taken) still leaves the rest intact. On SQLite the write lock is
        taken at the start (waiting at most ``wait_seconds``), so the block never fails halfway
        for want of it.
        """
        if isinstance(self.engine, _OneConnection):  # already inside one: it holds the whole
            yield self
            return
        connecting = self.engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with connecting as connection, connection.begin():
            yield Store(_OneConnection(connection), wait_seconds=self.wait_seconds)

    def is_reachable(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def is_writable(self) -> bool:
        """Whether a write would go through now: False for a read-only file or server, a full
        disk, or a lock held past the wait. Writes nothing (the change is rolled back)."""
        try:
            with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
                connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
                connection.rollback()
        except SQLAlchemyError:
            return False
        return True

    def close(self) -> None:
        self.engine.dispose()


def newest_revision() -> str:
    """The newest migration's revision. Migrations are numbered in their file names and each
    revises the one before (a test holds this equal to Alembic's own reading of the scripts)."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob("[0-9]*.py"))


def database_unavailable(error: BaseException) -> bool:
    """Whether ``error`` is the database's trouble (locked past the wait, read-only, unreachable,
    out of space) rather than a mistake in a query: the first is answered 503, "try again"."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        # SQLite calls a misspelt column an OperationalError too: its result code tells them apart.
        code = getattr(error.orig, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in _SQLITE_TROUBLE
    if isinstance(error, OperationalError):
        return True
    return getattr(error.orig, "sqlstate", None) == _READ_ONLY_SQLSTATE


@contextmanager
def _waiting(connection: Connection, seconds: float) -> Iterator[None]:
    """Let ``connection`` wait up to ``seconds`` for locks, then go back to its usual wait."""
    if connection.dialect.name == "sqlite":
        # Set on the driver's connection: a statement through SQLAlchemy would begin the
        # transaction, and with it take the lock, before the longer wait applies.
        driver = connection.connection.driver_connection
        [usual] = driver.execute("PRAGMA busy_timeout").fetchone()
        driver.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
        try:
            yield
        finally:
            driver.execute(f"PRAGMA busy_timeout = {int(usual)}")
    else:
        # SET LOCAL ends with the transaction.
        milliseconds = int(seconds * 1000)
        connection.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
        connection.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
        yield


class _OneConnection:
    """Stands in for the engine in the areas of ``Store.transaction()``: each ``begin()`` or
    ``connect()`` they open is a savepoint on the one connection."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def begin(self) -> _Savepoint:
        return _Savepoint(self.connection, commit_on_exit=True)

    def connect(self) -> _Savepoint:
        return _Savepoint(self.connection, commit_on_exit=False)

    def dispose(self) -> None:
        pass


class _Savepoint:
    """What an area does with a connection, on a savepoint: ``engine.begin()`` commits it at the
    end of the block, ``engine.connect()`` rolls back what was not committed, as SQLAlchemy's
    own do; an error inside rolls it back either way."""

    def __init__(self, connection: Connection, *, commit_on_exit: bool):
        self._connection = connection
        self._commit_on_exit = commit_on_exit
        self._savepoint = None

    def execution_options(self, **options) -> _Savepoint:
        return self  # the transaction has begun, as IMMEDIATE on SQLite

    def __enter__(self) -> _Savepoint:
        self._savepoint = self._connection.begin_nested()
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        if self._savepoint.is_active:
            if error_type is None and self._commit_on_exit:
                self._savepoint.commit()
            else:
                self._savepoint.rollback()

    def commit(self) -> None:
        self._savepoint.commit()

    def rollback(self) -> None:
        self._savepoint.rollback()

    def __getattr__(self, name: str):
        return getattr(self._connection, name)


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
    # decides what is written (migrations, idempotency checks, Store.transaction). A single
    # SELECT (sqlite_begin=None, see Area) needs no BEGIN: SQLite gives each statement its own
    # consistent read.
    begin = connection.get_execution_options().get("sqlite_begin", "")
    if begin is not None:
        connection.exec_driver_sql(f"BEGIN {begin}")
