"""The per-token rate limit: counted in the database, so every process counts the same calls."""

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from portal import audit, create_app
from portal.api import blueprint
from portal.store import Store, utcnow


@pytest.fixture
def environ(environ):
    return {**environ, "API_CALLS_PER_MINUTE": "3"}


@pytest.fixture
def calls_in_one_minute(monkeypatch):
    """The API's clock, started at the beginning of a minute, so that a test's calls fall in one
    window wherever in a minute of the wall clock the test starts."""
    now = utcnow()
    behind = timedelta(seconds=now.second, microseconds=now.microsecond)
    monkeypatch.setattr(blueprint, "utcnow", lambda: utcnow() - behind)


def test_a_token_over_its_limit_is_told_when_to_call_again(
    app, environ, gelato, make_token, bearer, calls_in_one_minute
):
    """Two apps on one database stand for two processes: together they count one limit."""
    token = make_token()
    other = create_app(environ, gelato=gelato)
    try:
        first, second = app.test_client(), other.test_client()
        answers = [c.get("/api/v1/me", headers=bearer(token)) for c in (first, second, first)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        refused = second.get("/api/v1/me", headers=bearer(token))
        assert refused.status_code == 429
        assert refused.mimetype == "application/problem+json"
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert first.get("/api/v1/me", headers=bearer(token)).status_code == 429
    finally:
        other.extensions["store"].close()

    # Another token has its own count.
    assert app.test_client().get("/api/v1/me", headers=bearer(make_token("bea"))).status_code == 200
    # The refusals are audited once per minute, not once per call.
    refusals = app.extensions["store"].audit.list(action=audit.API_CALL, outcome="refused")
    assert len(refusals) == 1


def _count_at_once(store, calls=20):
    """``calls`` calls of one token in one minute, counted from as many threads at once."""
    store.upgrade()
    store.accounts.add("ana", "x", "agent")
    agent = store.accounts.by_name("ana")
    now = datetime.now(UTC)
    token_id = store.tokens.add(
        agent_id=agent.id, name="t", token_hash="h" * 64, scope="read", now=now, expires_at=None
    )
    window = now.replace(second=0, microsecond=0)
    with ThreadPoolExecutor(max_workers=calls) as pool:
        counted = list(
            pool.map(
                lambda _: store.tokens.count_call(token_id, window_start=window, now=now),
                range(calls),
            )
        )
    return sorted(counted)


def test_simultaneous_calls_are_each_counted_once_on_sqlite(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'count.sqlite3'}")
    try:
        assert _count_at_once(store) == list(range(1, 21))
    finally:
        store.close()


def test_simultaneous_calls_are_each_counted_once_on_postgresql(postgres_url):
    store = Store.from_url(postgres_url)
    try:
        with store.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        assert _count_at_once(store) == list(range(1, 21))
    finally:
        store.close()
