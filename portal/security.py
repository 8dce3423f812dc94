"""Response headers that keep the help center's pages from being abused in a browser.

Every response, whether WhiteNoise serves it from ``site/`` or Flask renders it, carries:

- a Content-Security-Policy that allows scripts from this host only, plus the theme's own inline
  scripts by their SHA-256 hash, never ``'unsafe-inline'``: an injected ``<script>`` does not
  run. The hashes of each built page are computed once, when WhiteNoise indexes the site at
  start, so serving an article costs nothing extra. Portal pages are rendered into the frame page
  and may add no inline script of their own (their JavaScript goes in ``portal/static``); their
  policy carries the frame's hashes;
- ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``: no other site can frame a page to
  trick a click;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin`` (order numbers in portal
  URLs stay on this host; CSRF's referrer check over HTTPS still works).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from portal import context
from portal.config import Config

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_INLINE_SCRIPT = re.compile(r"<script(?P<attributes>[^>]*)>(?P<body>.*?)</script>", re.S | re.I)
_SCRIPT_TYPE = re.compile(r"""\btype\s*=\s*["']?([^"'\s>]+)""", re.I)
_EXECUTABLE_TYPES = {"", "text/javascript", "application/javascript", "module"}


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources (``'sha256-...'``) for each inline script the browser would run."""
    sources = []
    for match in _INLINE_SCRIPT.finditer(html):
        attributes = match.group("attributes")
        if re.search(r"\bsrc\s*=", attributes, re.I):
            continue
        script_type = _SCRIPT_TYPE.search(attributes)
        if script_type and script_type.group(1).lower() not in _EXECUTABLE_TYPES:
            continue  # data blocks such as the theme's JSON configuration never run
        # Browsers hash the script's text after HTML parsing, which turns CRLF and CR into LF.
        body = match.group("body").replace("\r\n", "\n").replace("\r", "\n")
        digest = hashlib.sha256(body.encode("utf-8")).digest()
        source = f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
        if source not in sources:
            sources.append(source)
    return sources


def content_security_policy(script_hashes: Iterable[str] = ()) -> str:
    directives = {
        "default-src": "'self'",
        "script-src": " ".join(["'self'", *script_hashes]),
        "style-src": "'self'",
        # The theme draws its icons as data: SVGs from its stylesheet.
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def site_file_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's ``add_headers_function``: called once per file when the site is indexed."""
    hashes: list[str] = []
    if path.endswith(".html"):
        hashes = inline_script_hashes(Path(path).read_text(encoding="utf-8"))
    headers["Content-Security-Policy"] = content_security_policy(hashes)
    for name, value in COMMON_HEADERS.items():
        headers[name] = value


def init_app(app: Flask) -> None:
    """Put the headers on every Flask response; trust proxies' forwarded headers if told to.

    Portal pages are rendered into the page frame, so the frame's scripts are the only inline
    ones they carry; the site's 404 page, also sent by Flask, has scripts of its own, so both
    sets of hashes are allowed.
    """
    config: Config = app.config[context.CONFIG_KEY]
    frame_html = app.jinja_env.get_template("frame.html").render()
    site_404 = (config.site_dir / "404.html").read_text(encoding="utf-8")
    hashes = inline_script_hashes(frame_html)
    hashes += [h for h in inline_script_hashes(site_404) if h not in hashes]
    policy = content_security_policy(hashes)

    if config.trusted_proxies:
        count = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", policy)
        for name, value in COMMON_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith("/portal/") and request.endpoint != "static":
            # Order and customer details must not linger in shared or back-button caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
