"""``Idempotency-Key``: a call sent again with the same key gets the first answer, not a second
action.

A helpdesk that times out waiting for a reorder cannot know whether it was placed; sending the
call again with the same key is then always safe. The key is the client's (any printable ASCII,
up to 255 characters, such as a UUID), kept per token for ``REMEMBERED`` in the database, so a
retry that reaches another process is recognised too. What the key remembers:

- an answer that settles the call (2xx, or 409: the order's state refused it) is kept, and the
  same call with the key gets it again, status and body, with ``Idempotent-Replayed: true``;
- an answer that refused the inputs (422 and the other 4xx) gives the key back: nothing was done,
  so the corrected call may use the same key;
- an answer that failed on the way (5xx: Gelato or the mail server) leaves the key to the same
  call, which may try again; the order actions finish what the first attempt began (a canceled
  original gets its replacement), and never place an order twice.

The same key with another call (another path, or other inputs) is refused with 422 and the key
named, whatever the key's state: a key stands for one call. A second call while the first is
still being carried out is answered 409.

The order actions keep their own exactly-once record as the portal's forms do
(``portal.orders.placing``); ``action_key`` names that record after the token and the key, so
even a key forgotten after ``REMEMBERED`` cannot place a second order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from datetime import timedelta

from flask import Response, g

from portal import context
from portal.api import problems
from portal.api.problems import ApiProblem, FieldError
from portal.gelato import errors as gelato_errors
from portal.store import utcnow
from portal.store.idempotency import IN_PROGRESS, MISMATCH, REPLAY

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
MAX_LENGTH = 255
PATTERN = r"^[!-~]+$"
#: How long a key is remembered.
REMEMBERED = timedelta(hours=24)
#: A call still running after this long died with its process: the same call may take its key.
STALE = timedelta(minutes=5)

DESCRIPTION = (
    "A key of your choice (printable ASCII, up to 255 characters, such as a UUID) that names this "
    "call. Sent again with the same key and the same inputs, the call is not carried out again: "
    "the first answer comes back. The same key with other inputs is refused (422)."
)
_SHAPE = re.compile(PATTERN)


def key_in(headers: Mapping[str, str], *, required: bool) -> str | None:
    """The key a call carries; ValueError saying what is wrong with it, or that it is missing."""
    key = headers.get(HEADER)
    if key is None:
        if required:
            raise ValueError(
                f"This call moves money or cannot be undone: send an {HEADER} header (a UUID, "
                "say) so that sending it again never acts twice."
            )
        return None
    if not key or len(key) > MAX_LENGTH or not _SHAPE.fullmatch(key):
        raise ValueError(
            f"The {HEADER} must be 1 to {MAX_LENGTH} printable ASCII characters, without spaces."
        )
    return key


def fingerprint(method: str, path: str, inputs: Mapping) -> str:
    asked = json.dumps([method, path, inputs], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(asked.encode()).hexdigest()


def action_key(token_id: int, key: str) -> str:
    """The key of the order action a call carries out: one per token and Idempotency-Key, in the
    shape of the forms' own keys."""
    return hashlib.sha256(f"api-token-{token_id}\0{key}".encode()).hexdigest()[:32]


def current_action_key() -> str:
    """``action_key`` of the call being answered."""
    return action_key(g.api_token.id, g.api_idempotency_key)


def answer_once(key: str, asked: str, call: Callable[[], Response]) -> Response:
    """The answer of ``call``, carried out at most once for this token's ``key``."""
    token_id, store, now = g.api_token.id, context.store(), utcnow()
    claim = store.idempotency.claim(
        token_id,
        key,
        fingerprint=asked,
        now=now,
        forget_before=now - REMEMBERED,
        stale_before=now - STALE,
    )
    if claim.outcome == MISMATCH:
        message = (
            f"This {HEADER} was used for another call (another path or other inputs): a key "
            "names one call. Use a new key for a new call."
        )
        raise ApiProblem(
            422, message, errors=[FieldError(location="header", field=HEADER, message=message)]
        )
    if claim.outcome == REPLAY:
        g.api_replayed = True
        row = claim.row
        return Response(
            row.body, status=row.status, mimetype=row.media_type, headers={REPLAYED: "true"}
        )
    if claim.outcome == IN_PROGRESS:
        raise ApiProblem(
            409,
            f"The first call with this {HEADER} is still being carried out. Send it again in a "
            "moment to get its answer.",
        )
    g.api_idempotency_key = key
    try:
        answer = _answer(call)
    except Exception:
        store.idempotency.keep_for_retry(token_id, key, utcnow())
        raise
    status = answer.status_code
    if status < 300 or status == 409:
        store.idempotency.finish(
            token_id,
            key,
            status=status,
            media_type=answer.mimetype,
            body=answer.get_data(as_text=True),
            now=utcnow(),
        )
    elif status < 500 and claim.fresh:
        store.idempotency.release(token_id, key)
    else:
        store.idempotency.keep_for_retry(token_id, key, utcnow())
    return answer


def _answer(call: Callable[[], Response]) -> Response:
    """The call's answer, its problems included, so that a problem can be kept as well."""
    try:
        return call()
    except ApiProblem as problem:
        return problems.from_exception(problem)
    except gelato_errors.GelatoError as error:
        return problems.from_exception(problems.from_gelato(error))
