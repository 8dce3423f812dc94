"""Agent accounts, and the failed sign-ins that throttle guessing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.store.area import Area, utc
from portal.store.tables import agents, sign_in_failures


@dataclass(frozen=True)
class Agent:
    """An agent's account, as the agents table holds it."""

    id: int
    name: str
    password_hash: str = field(repr=False)
    #: agent or admin (``portal.agents.ROLES``).
    role: str
    #: The sandbox's published demo account, disabled in live mode.
    is_demo: bool
    created_at: datetime
    disabled_at: datetime | None
    #: Sessions begun before this moment are over.
    sessions_valid_after: datetime
    last_sign_in_at: datetime | None
    #: How the agent signs the requests they send ("Ana Müller"); None: by their name.
    display_name: str | None = None

    @property
    def shown_name(self) -> str:
        return self.display_name or self.name


class Accounts(Area):
    def add(
        self,
        name: str,
        password_hash: str,
        role: str,
        *,
        is_demo: bool = False,
        display_name: str | None = None,
    ) -> bool:
        """Create an account; False when the name is taken."""
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    insert(agents).values(
                        name=name,
                        password_hash=password_hash,
                        role=role,
                        is_demo=is_demo,
                        display_name=display_name,
                    )
                )
        except IntegrityError:
            return False
        return True

    def by_id(self, agent_id: int) -> Agent | None:
        """Read on every signed-in page."""
        return self._first(_BY_ID, Agent, {"agent_id": agent_id})

    def by_name(self, name: str) -> Agent | None:
        return self._first(select(agents).where(agents.c.name == name), Agent)

    def list(self) -> list[Agent]:
        return self._all(select(agents).order_by(agents.c.name), Agent)

    def any(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(agents.c.id).limit(1)).first() is not None

    def update(self, name: str, **values) -> bool:
        """Change an account's password hash, role, display name or timestamps; False when there
        is none."""
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
        return count, utc(earliest)

    def clear_sign_in_failures(self, subject: str) -> None:
        with self.engine.begin() as connection:
            mine = sign_in_failures.c.subject == subject
            connection.execute(delete(sign_in_failures).where(mine))


_BY_ID = select(agents).where(agents.c.id == bindparam("agent_id"))
