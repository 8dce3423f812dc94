"""Error pages: in the help center's frame, saying what to do next, never showing a traceback.

An unexpected error gets a short reference id, shown to the agent and written in the log line
that holds the traceback, so a report of "error 3F9A0C1B" leads straight to its cause. The
configured secrets are blanked out of that log line: an exception's message may quote anything.
Paths that answer JSON (``/api/``, ``/healthz``) get their errors as JSON; the API's
(``/api/v1/``) as problem details (``portal.api.problems``). A page missing outside
the portal gets the knowledge base's own 404 page.
"""

from __future__ import annotations

import logging
import secrets
import traceback

from flask import Flask, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import Forbidden, HTTPException, InternalServerError

from portal import context
from portal.api import PREFIX as API_PREFIX
from portal.api import problems
from portal.config import Config

log = logging.getLogger("portal.errors")

REDACTED = "[redacted]"


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
    return request.path.startswith("/api/") or request.path == "/healthz"


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
