"""The knowledge base is served by the same app, with the caching and compression promised."""

import gzip
import re
from urllib.parse import urljoin

import brotli
import pytest

from portal.config import PROJECT_ROOT


def asset_url(client, kind):
    html = client.get("/").get_data(as_text=True)
    return "/" + re.search(rf"(assets/{kind}/main\.[0-9a-f]{{8,}}\.min\.css)", html).group(1)


def test_home_page_is_served_as_html_with_short_cache(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == 'text/html; charset="utf-8"'
    assert response.headers["Cache-Control"] == "max-age=60, public"
    assert "Gelato Help Center" in response.get_data(as_text=True)


def test_directory_urls_serve_their_index_and_redirect_without_slash(client):
    response = client.get("/contact/")
    assert response.status_code == 200
    assert "<h1" in response.get_data(as_text=True)
    redirect = client.get("/contact")
    assert redirect.status_code == 302
    assert urljoin("/contact", redirect.headers["Location"]) == "/contact/"


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("br", brotli.decompress), ("gzip", gzip.decompress)]
)
def test_pages_are_sent_precompressed(client, encoding, decompress):
    plain = client.get("/contact/").data
    response = client.get("/contact/", headers={"Accept-Encoding": encoding})
    assert response.headers["Content-Encoding"] == encoding
    assert response.headers["Vary"] == "Accept-Encoding"
    assert len(response.data) < len(plain)
    assert decompress(response.data) == plain


def test_hashed_assets_are_immutable_for_a_year(client):
    response = client.get(asset_url(client, "stylesheets"))
    assert response.status_code == 200
    assert response.content_type.startswith("text/css")
    assert response.headers["Cache-Control"] == "max-age=31536000, public, immutable"


def test_unhashed_files_are_cached_briefly(client):
    response = client.get("/search/search_index.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "max-age=60, public"


@pytest.mark.parametrize("path", ["/no-such-article/", "/assets/missing.js", "/contact/x"])
def test_unknown_paths_get_the_site_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"
    page = response.get_data(as_text=True)
    assert "md-header" in page  # the site's own page, with its header and navigation
    assert "404" in page


def test_unknown_portal_paths_get_a_portal_404_in_the_site_frame(agent_client):
    response = agent_client.get("/portal/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Page not found" in page
    assert "md-header" in page


def test_no_page_carries_inline_styles_the_content_security_policy_would_block():
    # style-src 'self' refuses style="" attributes; Markdown table alignment (:-:) makes them.
    site = PROJECT_ROOT / "site"
    offenders = [
        str(page.relative_to(site))
        for page in site.rglob("*.html")
        if 'style="' in page.read_text(encoding="utf-8")
    ]
    assert offenders == []


# Compression at build time (make site)


def test_a_build_compresses_every_file_worth_it_and_reuses_what_did_not_change(tmp_path):
    from portal.site import compress_site

    site, cache = tmp_path / "site", tmp_path / "cache"
    (site / "assets").mkdir(parents=True)
    page = "<p>" + "An article about orders. " * 200 + "</p>"
    (site / "index.html").write_text(page)
    (site / "assets" / "main.0123abcd.min.js.map").write_text("{}" * 2000)
    (site / "logo.png").write_bytes(b"\x89PNG" + bytes(4000))
    (site / "tiny.txt").write_text("x")  # compressing it would not save 5%

    first = compress_site(site, cache)
    assert (first.files, first.reused) == (2, 0)
    assert brotli.decompress((site / "index.html.br").read_bytes()).decode() == page
    assert gzip.decompress((site / "index.html.gz").read_bytes()).decode() == page
    for skipped in ("assets/main.0123abcd.min.js.map", "logo.png", "tiny.txt"):
        assert not (site / f"{skipped}.br").exists()
        assert not (site / f"{skipped}.gz").exists()

    # The next build starts from an empty site/, as mkdocs build does; one page changed.
    (site / "index.html.br").unlink()
    (site / "index.html.gz").unlink()
    (site / "contact.html").write_text(page.replace("orders", "refunds"))
    second = compress_site(site, cache)
    assert (second.files, second.reused) == (3, 2)  # index.html and tiny.txt, from the cache
    assert brotli.decompress((site / "index.html.br").read_bytes()).decode() == page
    assert b"refunds" in brotli.decompress((site / "contact.html.br").read_bytes())
