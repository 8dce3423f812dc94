"""The API's blueprint, and what every call goes through: the token, the rate limit, the audit.

A call is authenticated by its token alone (``Authorization: Bearer ghc_...``): the portal's
session cookie authorises nothing here, so a page on another site cannot make a signed-in
agent's browser act through the API, and the API needs no CSRF token. Then, in this order: the
token's calls this minute are counted in the database (every process counts the same calls), and
the token's scope and its agent's role are checked against what the operation needs.

Every call made with a known token is in the audit log under its agent's name, with the token's
number and name (never the token), and its Idempotency-Key with whether the answer was a replay; a
token over its limit is recorded once per minute, not once per refused call. What a call did (a
cancel, a reorder, a request sent) is recorded besides by the domain functions it calls, under the
same name and in the same words as when the portal's forms call them. A call whose token is
unknown has nobody to record it under; it is logged, without what was presented.
"""

from __future__ import annotations

import logging
import math

from flask import Blueprint, g, request

from portal import audit, context
from portal.api import idempotency, problems, tokens
from portal.api.operations import PREFIX, Api, Operation
from portal.api.problems import ApiProblem
from portal.gelato import errors as gelato_errors
from portal.store import Agent, ApiToken, utcnow

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix=PREFIX)
api = Api(
    bp,
    title="Gelato Help Center API",
    description=(
        "Everything the portal does, as JSON, for helpdesk integrations and scripts: the same "
        "rules, confirmations and audit log as the portal's forms. Authenticate with a personal "
        "API token; errors are application/problem+json (RFC 9457)."
    ),
)

_CHALLENGE = 'Bearer realm="Gelato Help Center API"'


def _unauthenticated(detail: str, *, invalid: bool = True) -> ApiProblem:
    challenge = _CHALLENGE + (', error="invalid_token"' if invalid else "")
    return ApiProblem(401, detail, headers={"WWW-Authenticate": challenge})


@bp.before_request
def authenticate():
    operation = api.by_endpoint(request.endpoint)
    if operation is None or operation.scope is None:
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        raise _unauthenticated(
            "This call needs a token: send Authorization: Bearer TOKEN with a personal API token "
            "(Portal → API tokens).",
            invalid=False,
        )
    config, store = context.config(), context.store()
    token = tokens.find_token(store, config.secret_key, presented)
    if token is None:
        log.warning("API call with an unknown token to %s %s", request.method, request.path)
        raise _unauthenticated(
            "This token is not known here: check that it was copied whole. Tokens also end "
            "when the help center's SECRET_KEY changes."
        )
    g.api_token = token
    now = utcnow()
    if token.revoked_at is not None:
        raise _unauthenticated(f"This token was revoked on {token.revoked_at:%Y-%m-%d %H:%M} UTC.")
    if token.expires_at is not None and token.expires_at <= now:
        raise _unauthenticated(f"This token expired on {token.expires_at:%Y-%m-%d %H:%M} UTC.")
    agent = store.accounts.by_id(token.agent_id)
    if agent is None or agent.disabled_at is not None or (agent.is_demo and not config.is_sandbox):
        raise _unauthenticated(f"The account {token.agent_name} is disabled: its tokens are too.")
    g.agent = agent

    window = now.replace(second=0, microsecond=0)
    calls = store.tokens.count_call(token.id, window_start=window, now=now)
    if calls > config.api_calls_per_minute:
        g.api_first_refusal = calls == config.api_calls_per_minute + 1
        wait = max(1, math.ceil(60 - (now - window).total_seconds()))
        raise ApiProblem(
            429,
            f"This token made more than {config.api_calls_per_minute} calls this minute. Call "
            f"again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )

    refused = refusal(operation, token, agent)
    if refused is not None:
        raise ApiProblem(403, refused)


def refusal(operation: Operation, token: ApiToken, agent: Agent) -> str | None:
    """Why this token may not call this operation (a 403), or None when it may."""
    if operation.scope == tokens.ACT and token.scope != tokens.ACT:
        return (
            "This token has the read scope: it may look things up but not act. Make a token "
            "with the act scope for this."
        )
    if operation.admin and agent.role != "admin":
        return "Only admins may read this."
    return None


@bp.after_request
def audit_call(response):
    # Answers name customers and addresses: no shared cache may keep one.
    response.headers.setdefault("Cache-Control", "no-store")
    token = g.get("api_token")
    if token is None:
        return response
    if response.status_code == 429 and not g.get("api_first_refusal"):
        return response
    status = response.status_code
    outcome = "succeeded" if status < 400 else "refused" if status < 500 else "failed"
    query = request.query_string.decode("utf-8", "replace")
    asked = {
        "method": request.method,
        "path": tokens.hide_tokens(request.path),
        "query": tokens.hide_tokens(query),
        "via": f"API token {token.id} ({token.name})",
        "status": status,
    }
    key = request.headers.get(idempotency.HEADER)
    if key is not None:
        asked["idempotency_key"] = tokens.hide_tokens(key[: idempotency.MAX_LENGTH])
        asked["replayed"] = bool(g.get("api_replayed"))
    context.record_action(
        token.agent_name,
        audit.API_CALL,
        outcome,
        order_id=g.get("api_order_id"),
        order_reference=g.get("api_order_reference"),
        request=asked,
    )
    return response


@bp.errorhandler(ApiProblem)
def api_problem(problem: ApiProblem):
    return problems.from_exception(problem)


@bp.errorhandler(gelato_errors.GelatoError)
def gelato_problem(error: gelato_errors.GelatoError):
    return problems.from_exception(problems.from_gelato(error))
