"""Error pages: in the help center's frame, saying what to do next, never showing a traceback.

An unexpected error gets a short reference id, shown to the agent and written in the log line
that holds the traceback, so a report of "error 3F9A0C1B" leads straight to its cause. The
configured secrets are blanked out of that log line: an exception's message may quote anything.
Paths that answer JSON (``/api/``, ``/healthz``), the request form's autosave (``X-Autosave``) and
callers that ask for JSON get their errors as JSON; the API's (``/api/v1/``) as problem details
(``portal.api.problems``). A page missing outside the portal gets the knowledge base's own 404 page.

Database trouble (a lock held past DATABASE_WAIT_SECONDS, a read-only or unreachable database) is
not a bug: it is answered 503 with ``Retry-After``, and a form that met it is shown again with
everything the agent sent, ready to be sent once more. Only a form whose token checks out is
offered again, so another site cannot use the page to get one of its own forms sent.
"""

from __future__ import annotations

import logging
import secrets
import traceback
from dataclasses import dataclass, field

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, validate_csrf
from markupsafe import escape
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError
from wtforms import ValidationError

from portal import context
from portal.api import PREFIX as API_PREFIX
from portal.api import problems
from portal.config import Config
from portal.redact import names_secret
from portal.store import database_unavailable

log = logging.getLogger("portal.errors")

REDACTED = "[redacted]"
#: Fields the portal's forms carry for themselves (the button pressed, a form's idempotency key,
#: where to go next): sent again as they came, not shown.
FORM_PLUMBING = frozenset({"step", "key", "next"})
CSRF_FIELD = "csrf_token"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class ResentForm:
    """A form that met database trouble, as the 503 page shows it again."""

    action: str
    #: (name, value) in the order sent, a name once per value; the agent may correct them.
    fields: list[tuple[str, str]] = field(default_factory=list)
    plumbing: list[tuple[str, str]] = field(default_factory=list)
    #: Fields that name a secret (a password): never written into a page, asked for again.
    secret_names: list[str] = field(default_factory=list)
    #: The files chosen, which were not stored: (field name, file name).
    files: list[tuple[str, str]] = field(default_factory=list)

    @property
    def file_fields(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.files))


def init_app(app: Flask) -> None:
    config: Config = app.config[context.CONFIG_KEY]

    def log_exception(exc_info) -> None:
        # Replaces Flask's own logging of unhandled errors, to add the reference id.
        g.error_reference = secrets.token_hex(4).upper()
        text = "".join(traceback.format_exception(*exc_info))
        for secret in config.secrets:
            text = text.replace(secret, REDACTED)
        log.error(
            "Error %s on %s %s\n%s", g.error_reference, request.method, request.path, text.rstrip()
        )

    app.log_exception = log_exception

    site_404 = (config.site_dir / "404.html").read_bytes()

    @app.errorhandler(404)
    def not_found(error):
        if _is_api():
            return problems.response(404, "Nothing is at this path: see /api/v1/openapi.json.")
        if request.path.startswith("/portal/"):
            return _page("portal/not_found.html", 404)
        return site_404, 404, {"Content-Type": "text/html; charset=utf-8"}

    @app.errorhandler(InternalServerError)
    def server_error(error):
        reference = g.get("error_reference") or secrets.token_hex(4).upper()
        if _is_api():
            return problems.response(500, "Something went wrong on our side.", reference=reference)
        if _wants_json():
            return jsonify(error="Something went wrong.", reference=reference), 500
        return _page("errors/500.html", 500, reference=reference)

    @app.errorhandler(SQLAlchemyError)
    def database_trouble(error: SQLAlchemyError):
        if not database_unavailable(error):
            raise error  # a mistake in a query: logged with its traceback and answered 500
        reference = secrets.token_hex(4).upper()
        cause = str(getattr(error, "orig", None) or error).strip().splitlines()[0][:200]
        for secret in config.secrets:
            cause = cause.replace(secret, REDACTED)
        log.warning(
            "Database unavailable %s on %s %s: %s", reference, request.method, request.path, cause
        )
        headers = {"Retry-After": str(config.database_wait_seconds)}
        message = (
            "The help center's database is busy or cannot be written just now, so nothing "
            "was saved. Send the same request again in a moment."
        )
        if _is_api():
            return problems.response(503, message, headers=headers, reference=reference)
        if _wants_json():
            return jsonify(error=message, reference=reference), 503, headers
        body, status = _page(
            "errors/unavailable.html", 503, resent=resent_form(), reference=reference
        )[:2]
        return body, status, headers

    @app.errorhandler(403)
    def forbidden(error):
        detail = error.description if error.description != Forbidden.description else None
        if _is_api():
            return problems.response(403, detail or "Admins only.")
        if _wants_json():
            return jsonify(error=detail or "Admins only."), 403
        return _page("errors/403.html", 403, detail=detail)

    @app.errorhandler(413)
    def too_large(error):
        limit = config.max_upload_mb
        if _is_api():
            return problems.response(413, f"The request is larger than {limit} MB.")
        if _wants_json():
            return jsonify(error=f"The request is larger than {limit} MB."), 413
        return _page("errors/413.html", 413, limit_mb=limit)

    @app.errorhandler(CSRFError)
    def form_expired(error):
        if _wants_json():
            return jsonify(error="The form token is missing or expired."), 400
        return _page("errors/form_expired.html", 400)

    @app.errorhandler(HTTPException)
    def other_http_error(error):
        # Keep what the status needs said in headers, such as a 405's Allow.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        if _is_api() and error.code in problems.KINDS:
            return problems.response(error.code, error.description, headers=dict(headers))
        if _wants_json():
            return jsonify(error=error.description), error.code, headers
        body, status = _page("errors/http.html", error.code, error=error)[:2]
        return body, status, headers


def _is_api() -> bool:
    """The JSON API answers every error as application/problem+json."""
    return request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")


def _wants_json() -> bool:
    if request.path.startswith("/api/") or request.path == "/healthz":
        return True
    if request.headers.get("X-Autosave"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def resent_form() -> ResentForm | None:
    """What a form POST sent, to show it again; None for anything else, or for a form whose
    token does not check out (it did not come from this agent's own page)."""
    if request.method != "POST" or request.mimetype not in _FORM_TYPES:
        return None
    try:
        form, files = request.form, request.files
        validate_csrf(form.get(CSRF_FIELD))
    except (HTTPException, ValidationError):  # unreadable, too large, or not this session's
        return None
    resent = ResentForm(action=request.script_root + request.full_path.rstrip("?"))
    for name, value in form.items(multi=True):
        if name == CSRF_FIELD:
            continue
        if names_secret(name):
            if name not in resent.secret_names:
                resent.secret_names.append(name)
        elif name in FORM_PLUMBING:
            resent.plumbing.append((name, value))
        else:
            resent.fields.append((name, value))
    for name, upload in files.items(multi=True):
        if upload.filename:
            resent.files.append((name, upload.filename))
    return resent


def _page(template: str, status: int, **context):
    try:
        return render_template(template, **context), status
    except Exception:  # the frame itself may be what failed; still answer without a traceback
        log.exception("The error page %s could not be rendered", template)
        reference = escape(context.get("reference", ""))
        return (
            "<!doctype html><title>Error - Gelato Help Center</title>"
            f"<h1>Something went wrong</h1><p>Reference: {reference}</p>"
            '<p><a href="/portal/">Back to the portal</a></p>',
            status,
            {"Content-Type": "text/html; charset=utf-8"},
        )
