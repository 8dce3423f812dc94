"""Hardening: the browser is told what may run, forms cannot be forged, uploads are bounded, and
nothing the help center shows or logs gives away its secrets or its insides."""

import logging
import re
from pathlib import Path

import pytest

from portal import agents, create_app
from portal.auth import PUBLIC_ENDPOINTS
from portal.security import inline_script_hashes

LIVE_KEY = "GELATO-KEY-7d3f1c-must-never-be-shown"


def policy_of(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def portal_get_urls(app):
    for rule in app.url_map.iter_rules():
        portal_page = rule.rule.startswith("/portal/") and rule.endpoint != "static"
        if portal_page and "GET" in rule.methods and not rule.arguments:
            yield rule.rule


def state_changing_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS - {"auth.sign_in"}:
            continue
        for method in sorted(rule.methods & {"POST", "PUT", "PATCH", "DELETE"}):
            yield method, re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)


# Headers


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/contact/",
        "/search/search_index.json",
        "/no-such-article/",  # the site's 404 page, sent by Flask
        "/portal/sign-in",
        "/portal/",
        "/portal/admin/audit",
        "/portal/no-such-page",
        "/portal/static/portal.css",
        "/healthz",
    ],
)
def test_security_headers_on_docs_and_portal_pages_alike(client, admin_client, path):
    response = (client if path == "/portal/sign-in" else admin_client).get(path)
    assert response.status_code in (200, 404)
    policy = policy_of(response)
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"]
    assert "unsafe-eval" not in policy["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_every_inline_script_of_the_built_site_is_allowed_by_its_own_policy(app, client):
    site_dir = app.config["HELP_CENTER"].site_dir
    pages = sorted(site_dir.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        url = "/" + page.relative_to(site_dir).as_posix().removesuffix("index.html")
        response = client.get(url)
        hashes = inline_script_hashes(response.get_data(as_text=True))
        assert hashes, url  # the theme's own scripts: the check below must see some
        allowed = policy_of(response)["script-src"].split()
        assert set(hashes) <= set(allowed), url


def test_portal_pages_run_no_inline_script_beyond_the_frames(app, admin_client):
    """Portal templates put their JavaScript in portal/static: an inline one would be blocked."""
    urls = list(portal_get_urls(app))
    assert "/portal/admin/agents" in urls
    for url in [*urls, "/portal/no-such-page"]:
        response = admin_client.get(url)
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        allowed = policy_of(response)["script-src"].split()
        assert set(inline_script_hashes(html)) <= set(allowed), url
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"inline event handler on {url}"


def test_script_hashes_match_what_browsers_compute():
    # The value Chromium names in its console for this script when the policy blocks it.
    html = "<script>document.title='ran'</script>"
    assert inline_script_hashes(html) == ["'sha256-rtx4k2oxQYyg90wQKxk+0Co6zu4AMqdg568VMHuJKNc='"]
    assert inline_script_hashes('<script src="/a.js"></script>') == []
    assert inline_script_hashes('<script type="application/json">{}</script>') == []
    assert inline_script_hashes("<script>a\r\nb</script>") == inline_script_hashes(
        "<script>a\nb</script>"
    )


def test_portal_pages_are_not_kept_in_caches(agent_client):
    assert agent_client.get("/portal/").headers["Cache-Control"] == "no-store"


# Forms


def test_every_state_changing_endpoint_requires_a_form_token(app, admin_client):
    routes = list(state_changing_routes(app))
    assert ("POST", "/portal/sign-out") in routes
    assert ("POST", "/portal/admin/agents/1/disable") in routes
    for method, url in routes:
        for data in [{}, {"csrf_token": "forged"}]:
            response = admin_client.open(url, method=method, data=data)
            if url.startswith("/api/v1/"):
                # The JSON API takes no form token: a session opens nothing there at all.
                assert response.status_code == 401, (method, url)
                continue
            assert response.status_code == 400, (method, url)
            if url.startswith("/portal/"):
                assert "This form has expired" in response.get_data(as_text=True)
    assert admin_client.get("/portal/").status_code == 200  # still signed in


def test_article_feedback_stays_exempt_but_refuses_other_sites(client):
    assert client.post("/api/feedback", json={"page": "/", "helpful": 1}).status_code == 201
    other = client.post(
        "/api/feedback", json={"page": "/", "helpful": 1}, headers={"Origin": "https://x.test"}
    )
    assert other.status_code == 403


# Uploads


class UnreadableBody:
    """A request body that fails the test if anything reads it."""

    def read(self, *args):
        raise AssertionError("the body was read")

    readline = read

    def tell(self):
        return 0

    def seek(self, *args):
        return 0


def declared_length(length):
    """What a client declares in Content-Length (the test client would measure the body)."""
    return {"input_stream": UnreadableBody(), "environ_overrides": {"CONTENT_LENGTH": str(length)}}


@pytest.mark.parametrize("path", ["/portal/sign-in", "/portal/admin/agents", "/api/feedback"])
def test_too_large_uploads_are_refused_before_the_body_is_read(environ, path, sign_in):
    app = create_app({**environ, "MAX_UPLOAD_MB": "2"})
    client = app.test_client()
    assert sign_in(client, agents.DEMO_AGENT_NAME, agents.DEMO_AGENT_PASSWORD).status_code == 302
    response = client.post(
        path,
        **declared_length(2 * 1024 * 1024 + 1),
        content_type="multipart/form-data; boundary=x" if "portal" in path else "application/json",
    )
    assert response.status_code == 413
    if path.startswith("/portal/"):
        page = response.get_data(as_text=True)
        assert "Upload too large" in page
        assert "larger than 2 MB" in page
        assert "md-header" in page  # in the help center's frame
    else:
        assert "2 MB" in response.get_json()["error"]
    app.extensions["store"].close()


# Errors


@pytest.fixture
def failing_app(environ):
    """The app with a portal page that fails, whose error message quotes the API key."""
    app = create_app({**environ, "GELATO_API_KEY": LIVE_KEY, "SESSION_COOKIE_SECURE": "off"})
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: show the error page

    def broken_page():
        raise RuntimeError(f"Gelato refused key {LIVE_KEY}")

    app.add_url_rule("/portal/broken", "broken", broken_page)
    agents.create_agent(
        app.extensions["store"], "lead", "lead-password-0123", "admin", actor="tests"
    )
    yield app
    app.extensions["store"].close()


def test_an_unexpected_error_shows_a_reference_and_logs_the_traceback(failing_app, sign_in, caplog):
    client = failing_app.test_client()
    sign_in(client, "lead", "lead-password-0123")
    with caplog.at_level(logging.ERROR, logger="portal"):
        response = client.get("/portal/broken")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    reference = re.search(r"<code>([0-9A-F]{8})</code>", page).group(1)
    assert "Something went wrong" in page
    assert "md-header" in page
    assert "Traceback" not in page
    assert "RuntimeError" not in page
    [record] = [r for r in caplog.records if reference in r.getMessage()]
    assert "Traceback" in record.getMessage()
    assert "in broken_page" in record.getMessage()
    assert "Gelato refused key [redacted]" in record.getMessage()


def test_no_page_error_page_header_or_log_line_shows_the_configured_key(
    failing_app, sign_in, caplog
):
    caplog.set_level(logging.DEBUG)
    app = failing_app
    admin = app.test_client()
    agents.create_agent(app.extensions["store"], "ana", "ana-password-0123", "agent", actor="t")
    agent = app.test_client()
    stranger = app.test_client()
    seen = [
        stranger.get("/portal/"),
        stranger.get("/portal/sign-in"),
        sign_in(stranger, "lead", "wrong-password"),
        sign_in(admin, "lead", "lead-password-0123"),
        sign_in(agent, "ana", "ana-password-0123"),
        agent.get("/portal/admin/agents"),  # 403
        admin.post("/portal/admin/agents"),  # 400: no form token
        admin.post("/portal/sign-in", **declared_length(10**9)),
        admin.get("/portal/broken"),  # 500
        admin.get("/portal/no-such-page"),
        admin.get("/no-such-article/"),
        admin.get("/healthz"),
        admin.get("/api/feedback"),  # 405
        admin.put("/portal/sign-in"),  # 405, as a page
        admin.get("/portal/admin/audit.csv"),
    ]
    seen += [admin.get(url) for url in portal_get_urls(app)]
    site_dir: Path = app.config["HELP_CENTER"].site_dir
    seen += [admin.get("/" + p.relative_to(site_dir).as_posix()) for p in site_dir.rglob("*.html")]
    assert {response.status_code for response in seen} >= {200, 302, 400, 403, 404, 405, 413, 500}
    for response in seen:
        assert LIVE_KEY not in response.get_data(as_text=True)
        assert LIVE_KEY not in str(response.headers)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Error " in logged  # the 500's log line was captured
    assert LIVE_KEY not in logged
    store = app.extensions["store"]
    assert LIVE_KEY not in str(store.audit.list(limit=1000))


def test_user_supplied_text_is_escaped_where_it_is_shown_again(client, sign_in):
    hostile = '"><script>alert(1)</script>'
    page = sign_in(client, hostile, "whatever").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
