"""Tables and queries: everything that must outlive a request lives here, in SQLite or PostgreSQL.

The app keeps no state of its own between requests, so any number of processes can serve side by
side against one PostgreSQL database. The schema is upgraded by Alembic when the app starts; the
migration runs under a database lock, so workers starting together do not race each other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    insert,
    select,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

MIGRATIONS = Path(__file__).parent / "migrations"
metadata = MetaData()


def utcnow() -> datetime:
    return datetime.now(UTC)


page_feedback = Table(
    "page_feedback",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("page", String(300), nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
)


class Store:
    """One engine per process; queries as plain methods, testable without Flask."""

    def __init__(self, engine: Engine):
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> Store:
        if url.startswith("sqlite"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _tune_sqlite)
            event.listen(engine, "begin", _begin_sqlite)
        else:
            engine = create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5})
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

    def record_feedback(self, page: str, helpful: bool, comment: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(page_feedback).values(page=page, helpful=helpful, comment=comment)
            )

    def list_feedback(self, limit: int = 200) -> list[dict]:
        query = select(page_feedback).order_by(page_feedback.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(query)]

    def close(self) -> None:
        self.engine.dispose()


def _tune_sqlite(dbapi_connection, connection_record):
    # WAL lets readers and one writer work at once; foreign keys are off by default in SQLite.
    # The driver's own transaction handling is switched off so that _begin_sqlite decides how
    # each transaction starts (SQLAlchemy's documented recipe for pysqlite).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_sqlite(connection):
    # IMMEDIATE takes the write lock at once instead of at the first write: used where a read
    # decides what is written (migrations, idempotency checks).
    connection.exec_driver_sql(
        f"BEGIN {connection.get_execution_options().get('sqlite_begin', '')}"
    )
