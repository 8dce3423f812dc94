"""Gelato Help Center: the knowledge base and the portal, served by one WSGI app."""

from __future__ import annotations

import atexit
import logging
from collections.abc import Mapping
from pathlib import Path

from flask import Flask
from flask_wtf import CSRFProtect
from jinja2 import ChoiceLoader, DictLoader
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.routing import IntegerConverter

from portal import context
from portal.audit_actions import AUDIT_ACTIONS
from portal.config import ConfigError, load_config
from portal.gelato import GelatoClient
from portal.gelato.client import service_urls
from portal.gelato.sandbox import http_client, in_process_client
from portal.site import page_frame_template, serve_site
from portal.store import Store

__all__ = ["ConfigError", "create_app"]

csrf = CSRFProtect()


class RowId(IntegerConverter):
    """``<int:...>`` in a route: at most what a database row id can hold (64 bits, signed), so
    a longer number in a URL is a page not found instead of an overflow in the driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(map, *args, **kwargs)


def create_app(
    environ: Mapping[str, str] | None = None, *, gelato: GelatoClient | None = None
) -> Flask:
    """Build the app from environment variables (``os.environ`` unless ``environ`` is given).

    ``gelato`` replaces the Gelato client the settings would build (tests pass a sandbox with
    faults or a fixed date). Raises ConfigError, listing every bad setting, before anything is
    served.
    """
    app = Flask(__name__, static_url_path="/portal/static")
    app.url_map.converters["int"] = RowId
    config = load_config(environ, instance_path=Path(app.instance_path))
    _configure_logging(config.log_level)
    max_body = config.max_upload_mb * 1024 * 1024
    app.config.update(
        SECRET_KEY=config.secret_key,
        **{context.CONFIG_KEY: config},
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session; forms may stay open
        MAX_CONTENT_LENGTH=max_body,  # a larger body is refused before it is read
        # Pasted logs are one form field: let them reach the request form's own limit, which
        # says what to do, instead of Werkzeug's 500 KB per field.
        MAX_FORM_MEMORY_SIZE=max_body,
    )

    store = Store.from_url(config.database_url, wait_seconds=config.database_wait_seconds)
    try:
        store.upgrade()
    except SQLAlchemyError as exc:
        store.close()
        raise ConfigError(
            [
                "DATABASE_URL: the database cannot be reached or upgraded "
                f"({exc.__class__.__name__}: {_first_line(exc)})."
            ]
        ) from exc
    app.extensions[context.STORE_KEY] = store

    app.jinja_loader = ChoiceLoader(
        [app.jinja_loader, DictLoader({"frame.html": page_frame_template(config.site_dir)})]
    )
    from portal import admin, api, auth, errors, feedback, health, home, security
    from portal.web import orders as order_views
    from portal.web import support_requests

    security.init_app(app)
    errors.init_app(app)
    auth.init_app(app)  # before CSRF, so unauthenticated requests are redirected unread
    app.register_blueprint(admin.bp)
    app.extensions[context.AUDIT_ACTIONS_KEY] = AUDIT_ACTIONS
    csrf.init_app(app)
    app.register_blueprint(home.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(feedback.bp)
    csrf.exempt(feedback.bp)  # JSON from the static site, guarded by its content type and origin
    app.register_blueprint(order_views.bp)
    app.register_blueprint(support_requests.bp)
    api.init_app(app, csrf)
    app.extensions[context.GELATO_KEY] = gelato or _gelato_client(config)

    @app.context_processor
    def inject_mode():
        return {"help_center": config}

    app.wsgi_app = serve_site(app.wsgi_app, config.site_dir)
    return app


def _gelato_client(config) -> GelatoClient:
    """One client per process, its connections closed when the process ends: Gelato itself, or
    a sandbox in this process, or whatever answers at GELATO_API_URL (with the sandbox's demo
    key when no API key is set)."""
    url = config.gelato_api_url
    if config.is_sandbox:
        client = http_client(url) if url else in_process_client()
    elif url:
        client = GelatoClient(config.gelato_api_key, base_urls=service_urls(url))
    else:
        client = GelatoClient(config.gelato_api_key)
    atexit.register(client.close)
    return client


def _configure_logging(level: str) -> None:
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("portal").setLevel(level)


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
