"""Answers to the articles' "Was this page helpful?"."""

from __future__ import annotations

from sqlalchemy import insert, select

from portal.store.area import Area
from portal.store.tables import page_feedback


class Feedback(Area):
    def record(self, page: str, helpful: bool, comment: str = "") -> None:
        with self.engine.begin() as connection:
            connection.execute(
                insert(page_feedback).values(page=page, helpful=helpful, comment=comment)
            )

    def list(self, limit: int = 200) -> list[dict]:
        return self._all(select(page_feedback).order_by(page_feedback.c.id.desc()).limit(limit))
