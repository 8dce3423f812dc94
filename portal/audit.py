"""The audit log: who asked for what on which order, what Gelato answered, and how it ended.

The portal acts on real orders with a key that can cancel them and place charged reorders, so
every such action is recorded, including the ones that were refused or failed: a refused cancel
explains a customer's complaint as well as a successful one does. Entries are only ever added:
the store has no method that changes or removes one, and the database refuses it too.

``record`` takes the store and the actor and is plain Python, so services, the command line and
tests use it without Flask. Each part of the portal names the actions it records: the account
and API actions below, an order action's ``audit_name``, the request builder's ``AUDIT_ACTIONS``.
``portal.audit_actions`` puts those names together, and the recorder refuses one no part names.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from portal.redact import names_secret
from portal.store import Store, utcnow

SIGN_IN = "sign_in"
AGENT_CREATED = "agent_created"
AGENT_DISABLED = "agent_disabled"
AGENT_ENABLED = "agent_enabled"
PASSWORD_RESET = "password_reset"  # noqa: S105 (an action's name)
DISPLAY_NAME_SET = "display_name_set"
#: The actions on accounts, with the label the admin pages show.
ACCOUNT_ACTIONS = {
    SIGN_IN: "Sign-in",
    AGENT_CREATED: "Account created",
    AGENT_DISABLED: "Account disabled",
    AGENT_ENABLED: "Account enabled",
    PASSWORD_RESET: "Password reset",
    DISPLAY_NAME_SET: "Display name set",
}

TOKEN_CREATED = "api_token_created"  # noqa: S105 (an action's name)
TOKEN_REVOKED = "api_token_revoked"  # noqa: S105 (an action's name)
API_CALL = "api_call"
#: The actions on API tokens and the API's own record of each call, with their labels.
API_ACTIONS = {
    TOKEN_CREATED: "API token created",
    TOKEN_REVOKED: "API token revoked",
    API_CALL: "API call",
}

#: succeeded: done (Gelato accepted it). refused: turned down before anything changed, by the
#: portal's rules or by Gelato (e.g. not cancellable any more, wrong password). failed: could not
#: be done or its result is unknown (Gelato unreachable, timed out, answered with a server error).
OUTCOMES = ("succeeded", "refused", "failed")

REDACTED = "[redacted]"
MAX_ANSWER_LENGTH = 2000
MAX_REQUEST_LENGTH = 20000


def record(
    store: Store,
    *,
    actor: str,
    action: str,
    outcome: str,
    order_id: str | None = None,
    order_reference: str | None = None,
    request: Mapping[str, Any] | None = None,
    gelato_answer: str | Mapping[str, Any] | BaseException | None = None,
    secrets: Iterable[str | None] = (),
    at: datetime | None = None,
) -> int:
    """Add one entry and return its id.

    ``request`` is what was asked (the form's fields, as sent to Gelato); values under keys that
    name a secret are replaced, and so is every string in ``secrets`` (the API key) wherever it
    appears. ``gelato_answer`` is Gelato's status and error, a JSON-able summary, or the exception
    that ended the attempt.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"Outcome must be one of {', '.join(OUTCOMES)}, not {outcome!r}.")
    hidden = [secret for secret in secrets if secret]
    request_text = json.dumps(
        _redact(dict(request or {})), sort_keys=True, ensure_ascii=False, default=str
    )
    return store.audit.add(
        at=at or utcnow(),
        actor=actor[:100],
        action=action,
        outcome=outcome,
        order_id=str(order_id)[:100] if order_id is not None else None,
        order_reference=str(order_reference)[:200] if order_reference is not None else None,
        request=_hide(request_text, hidden)[:MAX_REQUEST_LENGTH],
        gelato_answer=_hide(describe_answer(gelato_answer), hidden)[:MAX_ANSWER_LENGTH],
    )


def describe_answer(answer: str | Mapping[str, Any] | BaseException | None) -> str:
    if answer is None:
        return ""
    if isinstance(answer, BaseException):
        return f"{answer.__class__.__name__}: {answer}"
    if isinstance(answer, Mapping):
        return json.dumps(_redact(dict(answer)), sort_keys=True, ensure_ascii=False, default=str)
    return str(answer)


def _redact(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {
            key: REDACTED if names_secret(str(key)) else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item) for item in value]
    return value


def _hide(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text
