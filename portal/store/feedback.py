"""Answers to the articles' "Was this page helpful?"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from portal.store.area import Area
from portal.store.tables import page_feedback


@dataclass(frozen=True)
class FeedbackEntry:
    """One answer to "Was this page helpful?"."""

    id: int
    #: The article's path (such as ``/contact/``): one of the built site's pages when it came.
    page: str
    helpful: bool
    comment: str
    created_at: datetime


class Feedback(Area):
    def record(self, page: str, helpful: bool, comment: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(page_feedback).values(page=page, helpful=helpful, comment=comment)
            )

    def list(
        self,
        *,
        page: str | None = None,
        helpful: bool | None = None,
        before_id: int | None = None,
        limit: int = 200,
    ) -> list[FeedbackEntry]:
        """Newest first, of one page and one answer if given.

        Page through with ``before_id`` (the last id of the previous page), which stays correct
        while new answers arrive.
        """
        c = page_feedback.c
        conditions = []
        if page is not None:
            conditions.append(c.page == page)
        if helpful is not None:
            conditions.append(c.helpful == helpful)
        if before_id is not None:
            conditions.append(c.id < before_id)
        query = select(page_feedback).where(*conditions).order_by(c.id.desc()).limit(limit)
        return self._all(query, FeedbackEntry)
