"""Support request drafts and their files, saved on every change so nothing typed is lost."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update

from portal.store.area import Area
from portal.store.tables import request_attachments, request_drafts, utcnow

_ATTACHMENT_INFO = [c for c in request_attachments.c if c.name != "data"]
#: The largest id a row can have (both databases' INTEGER): a number past it names no row, and
#: would not even fit the query.
MAX_ID = 2**31 - 1


def _possible(*ids: int) -> bool:
    return all(0 < row_id <= MAX_ID for row_id in ids)


@dataclass(frozen=True)
class RequestDraft:
    """A request as the request_drafts table holds it."""

    id: int
    scenario: str
    #: Who started it.
    agent: str
    #: The form as JSON: answers, what Gelato said of its order numbers, findings, refusals.
    fields: str
    #: draft | prepared | downloaded | sending | sent | unconfirmed (``portal.requests.drafts``).
    status: str
    created_at: datetime
    updated_at: datetime
    #: When it was archived: off the list, still found under "archived".
    archived_at: datetime | None = None


@dataclass(frozen=True)
class RequestFile:
    """A file of a request. ``data`` is None when the files were listed without their bytes."""

    id: int
    draft_id: int
    #: The requirement it answers (photos of the item, a log file...).
    role: str
    #: The name it goes by in the form, the preview and the email.
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime
    #: The name it had on the agent's computer.
    original_filename: str = ""
    data: bytes | None = None


class Drafts(Area):
    def create(self, *, scenario: str, agent: str, fields: str, status: str) -> int:
        now = utcnow()
        values = {"scenario": scenario, "agent": agent, "fields": fields, "status": status}
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(request_drafts).values(**values, created_at=now, updated_at=now)
            )
        return result.inserted_primary_key[0]

    def get(self, draft_id: int) -> RequestDraft | None:
        if not _possible(draft_id):
            return None
        query = select(request_drafts).where(request_drafts.c.id == draft_id)
        return self._first(query, RequestDraft)

    def list(
        self, *, agent: str | None = None, archived: bool = False, limit: int = 200
    ) -> list[RequestDraft]:
        """Newest change first; the archived ones, or (by default) the others."""
        c = request_drafts.c
        query = select(request_drafts).order_by(c.updated_at.desc(), c.id.desc())
        query = query.where(c.archived_at.is_not(None) if archived else c.archived_at.is_(None))
        if agent is not None:
            query = query.where(c.agent == agent)
        return self._all(query.limit(limit), RequestDraft)

    def count_archived(self, *, agent: str | None = None) -> int:
        c = request_drafts.c
        query = select(func.count()).where(c.archived_at.is_not(None))
        if agent is not None:
            query = query.where(c.agent == agent)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def set_archived(self, draft_id: int, at: datetime | None) -> bool:
        """Archive a draft (``at``) or bring it back (None). Its last change stays what it was:
        archiving changes nothing in the request."""
        c = request_drafts.c
        with self.engine.begin() as connection:
            result = connection.execute(
                update(request_drafts).where(c.id == draft_id).values(archived_at=at)
            )
        return result.rowcount == 1

    def update(
        self,
        draft_id: int,
        *,
        only_if_status: tuple[str, ...] | None = None,
        only_if_changed_before: datetime | None = None,
        **values,
    ) -> bool:
        """Change a draft's fields or status; with ``only_if_status``, only from those statuses
        (and with ``only_if_changed_before``, only if it was not changed since), so that of two
        requests racing (a double click on Send) one wins. True if it changed."""
        values.setdefault("updated_at", utcnow())
        c = request_drafts.c
        query = update(request_drafts).where(c.id == draft_id)
        if only_if_status is not None:
            query = query.where(c.status.in_(only_if_status))
        if only_if_changed_before is not None:
            query = query.where(c.updated_at < only_if_changed_before)
        with self.engine.begin() as connection:
            return connection.execute(query.values(**values)).rowcount == 1

    def delete(self, draft_id: int) -> None:
        """Delete a draft; its attachments go with it (ON DELETE CASCADE)."""
        with self.engine.begin() as connection:
            connection.execute(delete(request_drafts).where(request_drafts.c.id == draft_id))

    # Attachments

    def add_attachment(
        self,
        draft_id: int,
        *,
        role: str,
        filename: str,
        content_type: str,
        data: bytes,
        sha256: str,
        original_filename: str = "",
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
                    original_filename=original_filename or filename,
                    content_type=content_type,
                    size=len(data),
                    sha256=sha256,
                    data=data,
                    created_at=utcnow(),
                )
            )
            connection.commit()
        return result.inserted_primary_key[0]

    def list_attachments(self, draft_id: int, *, with_data: bool = False) -> list[RequestFile]:
        columns = list(request_attachments.c) if with_data else _ATTACHMENT_INFO
        query = (
            select(*columns)
            .where(request_attachments.c.draft_id == draft_id)
            .order_by(request_attachments.c.id)
        )
        return self._all(query, RequestFile)

    def get_attachment(self, draft_id: int, attachment_id: int) -> RequestFile | None:
        if not _possible(draft_id, attachment_id):
            return None
        c = request_attachments.c
        query = select(request_attachments).where(c.draft_id == draft_id, c.id == attachment_id)
        return self._first(query, RequestFile)

    def delete_attachment(self, draft_id: int, attachment_id: int) -> bool:
        c = request_attachments.c
        with self.engine.begin() as connection:
            result = connection.execute(
                delete(request_attachments).where(c.draft_id == draft_id, c.id == attachment_id)
            )
        return result.rowcount == 1
