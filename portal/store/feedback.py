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
    #: The article's path, as the page sent it (not checked to be one of ours).
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

    def list(self, limit: int = 200) -> list[FeedbackEntry]:
        query = select(page_feedback).order_by(page_feedback.c.id.desc()).limit(limit)
        return self._all(query, FeedbackEntry)
