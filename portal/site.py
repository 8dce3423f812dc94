"""The built knowledge base: served as static files, and lent to the portal as its page frame.

WhiteNoise wraps the whole WSGI app, so a request for an article or an asset is answered before
Flask sees it: no session, database or template work sits on the static path. What WhiteNoise does
not find falls through to Flask (the portal, the health check, the site's own 404 page).

Caching, exactly:
- hashed assets (``name.<hash>.min.js``/``.css`` and their source maps) change name when their
  content changes, so they are cached for a year and marked ``immutable``;
- everything else (HTML, the search index, images) gets ``max-age=HTML_MAX_AGE``, so a rebuilt site
  is seen within a minute;
- every file worth compressing has Brotli and gzip variants built next to it (``make site``),
  chosen by ``Accept-Encoding``; source maps have none, as only a browser's developer tools
  fetch them.

Every file also carries the security headers of ``portal.security``, worked out once per file when
the site is indexed at start.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import brotli
from whitenoise import WhiteNoise

from portal.config import PROJECT_ROOT
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


# Compression, at build time -------------------------------------------------------------------

#: Compressed copies of the site's files, by content, outside ``site/`` (which every build empties):
#: a file unchanged since an earlier build, such as every theme asset and every article not
#: edited, is copied from here instead of compressed again.
COMPRESSED_CACHE = PROJECT_ROOT / ".cache" / "site-compressed"
#: Brotli's best, 11, takes 2.6 times as long as 10 over this site's files for 4% fewer bytes
#: (2% on pages, about 150 bytes a page view): it does not pay (benchmarks/site_build.py).
BROTLI_QUALITY = 10
#: Already compressed (images, fonts, archives), or fetched only by a browser's developer tools
#: (source maps, the largest files of the build): not worth compressing.
_NOT_COMPRESSED = re.compile(
    r"\.(?:png|jpe?g|gif|webp|ico|woff2?|zip|gz|tgz|bz2|xz|br|mp4|webm|map)$", re.IGNORECASE
)
#: WhiteNoise's rule: a variant must save at least 5% to be worth a second file.
_WORTH_KEEPING = 0.95
CACHE_LIFETIME = 30 * 24 * 60 * 60  # an entry no build has used for this long is removed


@dataclass(frozen=True)
class Compressed:
    files: int  # files given variants
    reused: int  # of which both variants came from the cache
    seconds: float


def compress_site(site_dir: Path, cache_dir: Path = COMPRESSED_CACHE) -> Compressed:
    """Write ``name.br`` and ``name.gz`` beside every file of ``site_dir`` worth compressing.

    The largest files go first and several compress at once (Brotli and zlib release the GIL),
    so that the build does not end waiting on one big file.
    """
    started = time.monotonic()
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = [
        path
        for path in site_dir.rglob("*")
        if path.is_file() and not _NOT_COMPRESSED.search(path.name)
    ]
    paths.sort(key=lambda path: path.stat().st_size, reverse=True)
    with ThreadPoolExecutor() as pool:
        reused = sum(pool.map(lambda path: _compress_file(path, cache_dir), paths))
    _forget_unused(cache_dir)
    return Compressed(len(paths), reused, time.monotonic() - started)


def _compress_file(path: Path, cache_dir: Path) -> bool:
    """Give ``path`` its variants; True if both came from the cache."""
    data = path.read_bytes()
    key = hashlib.sha256(data).hexdigest()
    reused = True
    for suffix, name, compress in (
        (".br", f"{key}.q{BROTLI_QUALITY}.br", _brotli),
        (".gz", f"{key}.9.gz", _gzip),
    ):
        cached = cache_dir / name
        try:
            variant = cached.read_bytes()
            os.utime(cached)  # used by this build: kept
        except FileNotFoundError:
            variant = compress(data)
            _write_atomically(cached, variant)
            reused = False
        if len(variant) <= _WORTH_KEEPING * len(data):
            path.with_name(path.name + suffix).write_bytes(variant)
    return reused


def _brotli(data: bytes) -> bytes:
    return brotli.compress(data, quality=BROTLI_QUALITY)


def _gzip(data: bytes) -> bytes:
    # mtime=0: the same content always gives the same bytes (WhiteNoise compresses so too).
    return gzip.compress(data, compresslevel=9, mtime=0)


def _write_atomically(path: Path, data: bytes) -> None:
    """Whole or not at all, even when two builds share the cache."""
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as partial:
        partial.write(data)
    os.replace(partial.name, path)


def _forget_unused(cache_dir: Path) -> None:
    too_old = time.time() - CACHE_LIFETIME
    for entry in cache_dir.iterdir():
        try:
            if entry.stat().st_mtime < too_old:
                entry.unlink()
        except FileNotFoundError:  # another build removed it
            pass


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
