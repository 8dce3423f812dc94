"""The webhook receiver: the URL the team enters in Gelato, ``POST /api/webhooks/gelato``.

Gelato documents no way of authenticating its calls (assumption A22); its webhook form lets the
team name a header and generates its value, which the help center holds as
``GELATO_WEBHOOK_SECRET``. The secret is checked first, in constant time, before the body is read:
a call without it gets the same short 403 whether the header is missing, wrong, or the receiver is
switched off, and nothing of it is stored or logged. An event is answered 200 as soon as it is
stored (Gelato counts any 2xx as received), 200 again when Gelato repeats it, and 400 with what is
wrong, storing nothing, when it cannot be read. Errors are ``application/problem+json`` (RFC 9457)
in the JSON API's shape, each ``type`` leading to the receiver's answers in the setup article.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from flask import Blueprint, Response, request
from sqlalchemy.exc import OperationalError

from portal import context
from portal.api.problems import MEDIA_TYPE, FieldError, Problem
from portal.attention import events, queue
from portal.gelato.assumptions import WEBHOOK_RETRY_DELAY, WEBHOOK_SECRET_HEADER
from portal.gelato.webhooks import MalformedEvent, read_event
from portal.store import utcnow

log = logging.getLogger(__name__)

bp = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")

#: The largest event accepted: an order status event of a few hundred items fits many times over.
MAX_EVENT_BYTES = 512 * 1024


@bp.post("/gelato")
def receive():
    if not _authentic(request.headers.get(WEBHOOK_SECRET_HEADER, "")):
        log.warning("Webhook call refused: no valid secret (from %s)", request.remote_addr)
        # RFC 9457's blank type: the status says all there is to say.
        body = {"type": "about:blank", "title": "Forbidden", "status": 403}
        return Response(json.dumps(body), 403, mimetype=MEDIA_TYPE)
    if (request.content_length or 0) > MAX_EVENT_BYTES:
        return problem(413, "Event too large", f"An event is at most {MAX_EVENT_BYTES} bytes.")
    body = request.get_data(cache=False)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return problem(
            400,
            "Not a webhook event",
            "The body is not JSON. Gelato sends each event as one JSON object.",
            errors=[FieldError(location="body", field="body", message="The body must be JSON.")],
        )
    try:
        event = read_event(data)
    except MalformedEvent as error:
        return problem(
            400,
            "Not a webhook event",
            "The event lacks fields this help center needs, or has them in another form.",
            errors=[
                FieldError(location="body", field=field.lstrip("/") or "body", message=text)
                for field, text in error.problems.items()
            ],
        )
    if not event.is_about_an_order:
        return _answer(outcome="ignored", id=event.id, event=event.event)
    try:
        payload = json.dumps(data, ensure_ascii=False)
        stored = events.receive(context.store(), event, payload, utcnow())
    except OperationalError:
        log.exception("Webhook event %s not stored: the database did not answer", event.id)
        response = problem(503, "Try again", "The event could not be stored yet.")
        response.headers["Retry-After"] = str(int(WEBHOOK_RETRY_DELAY))
        return response
    return _answer(outcome="stored" if stored else "duplicate", id=event.id)


def _authentic(given: str) -> bool:
    """Whether ``given`` is the configured secret, compared in constant time: both sides are
    hashed first, so neither their contents nor their lengths change how long it takes."""
    secret = context.config().gelato_webhook_secret
    if not secret:
        return False
    expected = hashlib.sha256(secret.encode("utf-8")).digest()
    # Werkzeug hands headers over decoded as Latin-1: these are the bytes that arrived.
    received = hashlib.sha256(given.encode("latin-1", "replace")).digest()
    return hmac.compare_digest(expected, received)


def problem(
    status: int, title: str, detail: str, errors: list[FieldError] | None = None
) -> Response:
    """An RFC 9457 problem document, its type the article's table of the receiver's answers."""
    body = Problem(
        type=f"{queue.SETUP_ARTICLE.url}#what-the-help-center-answers",
        title=title,
        status=status,
        detail=detail,
        errors=errors or [],
    )
    return Response(body.model_dump_json(exclude_none=True), status, mimetype=MEDIA_TYPE)


def _answer(**body) -> Response:
    """200: Gelato counts any 2xx as received, and reads no body."""
    return Response(json.dumps(body), 200, mimetype="application/json")
