"""The built knowledge base: served as static files, and lent to the portal as its page frame.

WhiteNoise wraps the whole WSGI app, so a request for an article or an asset is answered before
Flask sees it: no session, database or template work sits on the static path. What WhiteNoise does
not find falls through to Flask (the portal, the health check, the site's own 404 page).

Caching, exactly:
- hashed assets (``name.<hash>.min.js``/``.css`` and their source maps) change name when their
  content changes, so they are cached for a year and marked ``immutable``;
- everything else (HTML, the search index, images) gets ``max-age=HTML_MAX_AGE``, so a rebuilt site
  is seen within a minute;
- every file has gzip and Brotli variants built next to it (``make site``), chosen by
  ``Accept-Encoding``.

Every file also carries the security headers of ``portal.security``, worked out once per file when
the site is indexed at start.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from whitenoise import WhiteNoise

from portal.security import site_file_headers

HTML_MAX_AGE = 60
_HASHED_ASSET = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:js|css)(?:\.map)?$")

FRAME_PAGE = "portal-shell/index.html"
_TITLE_MARKER = "<!-- portal:title -->"
_CONTENT_MARKER = "<!-- portal:content -->"


class SiteFiles(WhiteNoise):
    # A year: the longest lifetime HTTP caches are asked to honour (RFC 9111 advises no more).
    FOREVER = 365 * 24 * 60 * 60


def serve_site(wsgi_app, site_dir: Path) -> SiteFiles:
    """Put the built site in front of ``wsgi_app``."""
    return SiteFiles(
        wsgi_app,
        root=str(site_dir),
        index_file=True,
        max_age=HTML_MAX_AGE,
        immutable_file_test=lambda path, url: bool(_HASHED_ASSET.search(url)),
        add_headers_function=site_file_headers,  # security headers, computed once per file
    )


def built_at(site_dir: Path) -> datetime | None:
    """When the site was built, as recorded by the docs hook."""
    try:
        info = json.loads((site_dir / "build-info.json").read_text())
        return datetime.fromisoformat(info["built_at"])
    except (OSError, ValueError, KeyError):
        return None


def page_frame_template(site_dir: Path) -> str:
    """Turn the built frame page into a Jinja layout with title, head and content blocks.

    The frame is built at ``/portal-shell/`` with URLs relative to it; portal pages live at other
    depths, so every relative URL is made absolute first. The HTML around the markers is wrapped in
    ``raw`` blocks because it is the theme's output, not a template.
    """
    html = (site_dir / FRAME_PAGE).read_text(encoding="utf-8")
    html = absolute_urls(html)
    html = _mark_portal_tab_active(html)
    # The frame page's canonical address is not the portal page's.
    html = re.sub(r'\s*<link rel="canonical"[^>]*>', "", html)
    head, _, rest = html.partition(_TITLE_MARKER)
    between, _, tail = rest.partition(_CONTENT_MARKER)
    if not tail:
        raise RuntimeError(f"{site_dir / FRAME_PAGE} lacks the portal markers; rebuild the site.")
    between_head, _, between_body = between.partition("</head>")

    def raw(text: str) -> str:
        return "{% raw %}" + text + "{% endraw %}"

    return (
        raw(head)
        + "{% block title %}Portal{% endblock %} - Gelato Help Center"
        + raw(between_head)
        + "{% block head %}{% endblock %}</head>"
        + raw(between_body)
        + "{% block content %}{% endblock %}"
        + raw(tail)
    )


def absolute_urls(html: str) -> str:
    """Make ``..``-relative URLs (attributes, the theme's config, scripts) root-relative."""
    html = re.sub(r"""(["'])\.\./""", r"\1/", html)
    return re.sub(r"""(["'])\.\.(["'])""", r"\1/\2", html)


def _mark_portal_tab_active(html: str) -> str:
    return re.sub(
        r'<li class="md-tabs__item">(\s*<a href="/portal/")',
        r'<li class="md-tabs__item md-tabs__item--active">\1',
        html,
        count=1,
    )
