"""The JSON API under ``/api/v1/``: the portal's capabilities for helpdesks and scripts.

The views call the same domain functions as the portal's forms (one implementation, two faces);
``operations`` declares each once, for its validation and for the OpenAPI document;
``problems`` says what every error status means; ``tokens`` holds the personal API tokens that
authenticate every call, and ``token_pages`` the portal's page where an agent manages their own.
"""

from __future__ import annotations

from flask import Flask

from portal.api import (
    actions,
    audit_log,
    lookup,
    meta,
    orders,
    support_requests,
    token_pages,
    tokens,
)
from portal.api.blueprint import api, bp
from portal.api.operations import PREFIX

__all__ = ["PREFIX", "api", "init_app"]

# Imported for the operations they declare.
_DECLARING = (actions, audit_log, lookup, meta, orders, support_requests)


def init_app(app: Flask, csrf) -> None:
    """Register the API and the token page; the API takes no CSRF token, since a session cookie
    authorises nothing there."""
    app.register_blueprint(bp)
    csrf.exempt(bp)
    app.register_blueprint(token_pages.bp)
    app.cli.add_command(tokens.cli)


def document() -> dict:
    """The OpenAPI document, for the knowledge base's API reference (built without an app)."""
    return api.document()
