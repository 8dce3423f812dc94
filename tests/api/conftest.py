"""What the API tests share: agents with personal tokens, and calls that carry one. The app, its
sandbox and Flask's clients are the fixtures of ``tests/conftest.py``."""

from datetime import datetime

import pytest

from portal import agents
from portal.api import tokens


@pytest.fixture
def make_token(app):
    """Make a token for an agent (created the first time it is named), as the portal does."""
    store = app.extensions["store"]
    secret_key = app.config["SECRET_KEY"]

    def make_token(
        agent: str = "ana",
        *,
        scope: str = tokens.READ,
        role: str = "agent",
        name: str = "Helpdesk",
        expires_at: datetime | None = None,
    ) -> str:
        if store.accounts.by_name(agent) is None:
            agents.create_agent(store, agent, f"{agent}-password-0123", role, actor="tests")
        new = tokens.create_token(
            store,
            secret_key,
            store.accounts.by_name(agent),
            name=name,
            scope=scope,
            expires_at=expires_at,
            actor=agent,
        )
        return new.secret

    return make_token


@pytest.fixture
def bearer():
    """The header that carries a token."""

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    return bearer
