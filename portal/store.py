"""Tables and queries: everything that must outlive a request lives here, in SQLite or PostgreSQL.

The app keeps no state of its own between requests, so any number of processes can serve side by
side against one PostgreSQL database. The schema is upgraded by Alembic when the app starts; the
migration runs under a database lock, so workers starting together do not race each other.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

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

agents = Table(
    "agents",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("password_hash", String(300), nullable=False),
    Column("role", String(20), nullable=False),
    Column("is_demo", Boolean, nullable=False, default=False),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("disabled_at", DateTime(timezone=True)),
    # Sessions begun before this moment are over: set on sign-out, disabling, password reset.
    Column("sessions_valid_after", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("last_sign_in_at", DateTime(timezone=True)),
)

# One row per failed sign-in and subject ("account:NAME", "address:IP"), kept for the throttle's
# window only. In the database rather than in memory, so every process counts the same attempts.
sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject", String(200), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Append-only: the app only inserts and reads; database triggers (migration 0002) refuse the rest.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(100), nullable=False, index=True),
    Column("action", String(40), nullable=False, index=True),
    Column("order_id", String(100), index=True),
    Column("order_reference", String(200), index=True),
    Column("request", Text, nullable=False),
    Column("gelato_answer", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
)

# One row per reorder or cancel-and-replace form. The key is unique, so two requests carrying the
# same form cannot both place an order; the row remembers how far the action got.
order_actions = Table(
    "order_actions",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("action", String(20), nullable=False),
    Column("order_id", String(100), nullable=False),
    Column("actor", String(100), nullable=False),
    # running | done | failed (Gelato refused: nothing placed) | uncertain (unconfirmed attempt)
    Column("state", String(20), nullable=False),
    Column("step", String(40), nullable=False, default=""),
    Column("result_order_id", String(100)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Support requests to Gelato, saved on every change so that nothing typed or uploaded is lost.
# ``fields`` is the form as JSON (answers, order numbers Gelato confirmed, redaction findings);
# ``status`` is draft | prepared | downloaded | sending | sent.
request_drafts = Table(
    "request_drafts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario", String(60), nullable=False),
    Column("agent", String(100), nullable=False, index=True),
    Column("fields", Text, nullable=False),
    Column("status", String(20), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The files of a request, kept in the database (not on a disk of one host) so that every process
# serves them. ``role`` is the requirement they answer (photos of the item, a log file...).
request_attachments = Table(
    "request_attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column(
        "draft_id",
        Integer,
        ForeignKey("request_drafts.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("role", String(60), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
_ATTACHMENT_INFO = [c for c in request_attachments.c if c.name != "data"]

#: A claim still "running" after this long belongs to a process that died mid-action; it is treated
#: as unconfirmed. Longer than the Gelato client's retry budget plus its timeouts.
STALE_CLAIM = timedelta(minutes=5)


@dataclass(frozen=True)
class ActionClaim:
    won: bool
    state: str
    step: str
    result_order_id: str | None
    #: The state the row was in before this claim took it over ("" for a new row).
    previous_state: str


class Store:
    """One engine per process; queries as plain methods, testable without Flask."""

    def __init__(self, engine: Engine):
        self.engine = engine

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

    def record_feedback(self, page: str, helpful: bool, comment: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(page_feedback).values(page=page, helpful=helpful, comment=comment)
            )

    def list_feedback(self, limit: int = 200) -> list[dict]:
        return self._all(select(page_feedback).order_by(page_feedback.c.id.desc()).limit(limit))

    # Agents

    def add_agent(self, name: str, password_hash: str, role: str, *, is_demo: bool = False) -> bool:
        """Create an account; False when the name is taken."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(agents).values(
                        name=name, password_hash=password_hash, role=role, is_demo=is_demo
                    )
                )
        except IntegrityError:
            return False
        return True

    def agent_by_id(self, agent_id: int) -> dict | None:
        return self._first(select(agents).where(agents.c.id == agent_id))

    def agent_by_name(self, name: str) -> dict | None:
        return self._first(select(agents).where(agents.c.name == name))

    def list_agents(self) -> list[dict]:
        return self._all(select(agents).order_by(agents.c.name))

    def has_agents(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(agents.c.id).limit(1)).first() is not None

    def update_agent(self, name: str, **values) -> bool:
        """Change an account's password hash, role or timestamps; False when there is none."""
        with self.engine.begin() as connection:
            result = connection.execute(update(agents).where(agents.c.name == name).values(values))
        return result.rowcount == 1

    # Sign-in throttling

    def record_sign_in_failure(
        self, subjects: list[str], at: datetime, forget_before: datetime
    ) -> None:
        """Count one failure against each subject, and drop failures too old to matter."""
        with self.engine.begin() as connection:
            stale = sign_in_failures.c.at < forget_before
            connection.execute(delete(sign_in_failures).where(stale))
            connection.execute(
                insert(sign_in_failures), [{"subject": s, "at": at} for s in subjects]
            )

    def count_sign_in_failures(self, subject: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failures since ``since``, and the earliest of them (when the count drops)."""
        query = select(func.count(), func.min(sign_in_failures.c.at)).where(
            sign_in_failures.c.subject == subject, sign_in_failures.c.at >= since
        )
        with self.engine.connect() as connection:
            count, earliest = connection.execute(query).one()
        return count, _utc(earliest)

    def clear_sign_in_failures(self, subject: str) -> None:
        with self.engine.begin() as connection:
            mine = sign_in_failures.c.subject == subject
            connection.execute(delete(sign_in_failures).where(mine))

    # Audit log: insert and read, nothing else.

    def add_audit_entry(self, **values) -> int:
        with self.engine.begin() as connection:
            result = connection.execute(insert(audit_log).values(**values))
        return result.inserted_primary_key[0]

    def list_audit_entries(
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
    ) -> list[dict]:
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
        return self._all(select(audit_log).where(*conditions).order_by(c.id.desc()).limit(limit))

    def audit_actors(self) -> list[str]:
        query = select(audit_log.c.actor).distinct().order_by(audit_log.c.actor)
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    # Order actions, once per form

    def claim_action(
        self, key: str, *, action: str, order_id: str, actor: str, now: datetime
    ) -> ActionClaim:
        """Take the form's key, or learn who has it.

        A new key is inserted as running. A key whose last attempt failed or went unconfirmed (or
        whose process died) is taken over by an update that checks the state it read, so only one
        of several concurrent requests wins it.
        """
        row = {"key": key, "action": action, "order_id": order_id, "actor": actor}
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(order_actions).values(
                        **row, state="running", step="", created_at=now, updated_at=now
                    )
                )
            return ActionClaim(True, "running", "", None, "")
        except IntegrityError:
            pass
        with self.engine.begin() as connection:
            found = connection.execute(
                select(order_actions).where(order_actions.c.key == key)
            ).one()
            retryable = found.state in ("failed", "uncertain") or (
                found.state == "running" and _utc(found.updated_at) < now - STALE_CLAIM
            )
            if retryable:
                taken = connection.execute(
                    update(order_actions)
                    .where(order_actions.c.key == key, order_actions.c.state == found.state)
                    .where(order_actions.c.updated_at == found.updated_at)
                    .values(state="running", actor=actor, updated_at=now)
                )
                if taken.rowcount == 1:
                    previous = "uncertain" if found.state == "running" else found.state
                    return ActionClaim(True, "running", found.step, None, previous)
        return ActionClaim(False, found.state, found.step, found.result_order_id, found.state)

    def update_action(self, key: str, **values) -> None:
        values.setdefault("updated_at", utcnow())
        with self.engine.begin() as connection:
            connection.execute(
                update(order_actions).where(order_actions.c.key == key).values(**values)
            )

    # Support request drafts and their files

    def create_draft(self, *, scenario: str, agent: str, fields: str, status: str) -> int:
        now = utcnow()
        values = {"scenario": scenario, "agent": agent, "fields": fields, "status": status}
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(request_drafts).values(**values, created_at=now, updated_at=now)
            )
        return result.inserted_primary_key[0]

    def get_draft(self, draft_id: int) -> dict | None:
        return self._first(select(request_drafts).where(request_drafts.c.id == draft_id))

    def list_drafts(self, *, agent: str | None = None, limit: int = 200) -> list[dict]:
        """Newest change first."""
        query = select(request_drafts).order_by(
            request_drafts.c.updated_at.desc(), request_drafts.c.id.desc()
        )
        if agent is not None:
            query = query.where(request_drafts.c.agent == agent)
        return self._all(query.limit(limit))

    def update_draft(
        self, draft_id: int, *, only_if_status: tuple[str, ...] | None = None, **values
    ) -> bool:
        """Change a draft's fields or status; with ``only_if_status``, only from those statuses,
        so that of two requests racing (a double click on Send) one wins. True if it changed."""
        values.setdefault("updated_at", utcnow())
        query = update(request_drafts).where(request_drafts.c.id == draft_id)
        if only_if_status is not None:
            query = query.where(request_drafts.c.status.in_(only_if_status))
        with self.engine.begin() as connection:
            return connection.execute(query.values(**values)).rowcount == 1

    def delete_draft(self, draft_id: int) -> None:
        """Delete a draft; its attachments go with it (ON DELETE CASCADE)."""
        with self.engine.begin() as connection:
            connection.execute(delete(request_drafts).where(request_drafts.c.id == draft_id))

    def add_attachment(
        self,
        draft_id: int,
        *,
        role: str,
        filename: str,
        content_type: str,
        data: bytes,
        sha256: str,
    ) -> int | None:
        """Store a file; None when this draft already holds the same bytes in the same role (a
        form sent twice by a reload or a double click)."""
        c = request_attachments.c
        with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as connection:
            same = select(c.id).where(c.draft_id == draft_id, c.role == role, c.sha256 == sha256)
            if connection.execute(same).first() is not None:
                connection.rollback()
                return None
            result = connection.execute(
                insert(request_attachments).values(
                    draft_id=draft_id,
                    role=role,
                    filename=filename,
                    content_type=content_type,
                    size=len(data),
                    sha256=sha256,
                    data=data,
                    created_at=utcnow(),
                )
            )
            connection.commit()
        return result.inserted_primary_key[0]

    def list_attachments(self, draft_id: int, *, with_data: bool = False) -> list[dict]:
        columns = list(request_attachments.c) if with_data else _ATTACHMENT_INFO
        query = (
            select(*columns)
            .where(request_attachments.c.draft_id == draft_id)
            .order_by(request_attachments.c.id)
        )
        return self._all(query)

    def get_attachment(self, draft_id: int, attachment_id: int) -> dict | None:
        c = request_attachments.c
        return self._first(
            select(request_attachments).where(c.draft_id == draft_id, c.id == attachment_id)
        )

    def delete_attachment(self, draft_id: int, attachment_id: int) -> bool:
        c = request_attachments.c
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(request_attachments).where(c.draft_id == draft_id, c.id == attachment_id)
            )
        return result.rowcount == 1

    def close(self) -> None:
        self.engine.dispose()

    def _all(self, query) -> list[dict]:
        with self.engine.connect() as connection:
            return [_with_utc(row._mapping) for row in connection.execute(query)]

    def _first(self, query) -> dict | None:
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return _with_utc(row._mapping) if row else None


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC, so say so."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _with_utc(row) -> dict:
    return {key: _utc(v) if isinstance(v, datetime) else v for key, v in row.items()}


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
