"""The per-token rate limit: counted in the database, so every process counts the same calls."""

import pytest

from portal import create_app
from portal.api import tokens


@pytest.fixture
def environ(environ):
    return {**environ, "API_CALLS_PER_MINUTE": "3"}


def test_a_token_over_its_limit_is_told_when_to_call_again(
    app, environ, gelato, make_token, bearer
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
    refusals = app.extensions["store"].audit.list(action=tokens.API_CALL, outcome="refused")
    assert len(refusals) == 1
