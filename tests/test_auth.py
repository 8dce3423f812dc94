"""Only the team's own agents reach the portal; admins alone manage accounts."""

import os
import re
import subprocess
import sys
from datetime import timedelta

import pytest

from portal import agents, create_app
from portal.auth import API_PREFIX, PUBLIC_ENDPOINTS
from portal.config import PROJECT_ROOT
from portal.store import utcnow
from tests.conftest import form_token, free_port

LIVE_KEY = "live-gelato-key-for-tests"


def portal_urls(app, prefix="/portal/"):
    """(method, url) for every route under ``prefix``, arguments filled with placeholders, so a
    route added later is covered without touching this test."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefix) or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def client_at(app, **environ):
    """A test client whose requests come from the given WSGI environment (say, REMOTE_ADDR)."""
    client = app.test_client()
    client.environ_base.update(environ)
    return client


def later(monkeypatch, **delta):
    """Move the sign-in clock forward."""
    moment = utcnow() + timedelta(**delta)
    monkeypatch.setattr("portal.auth.utcnow", lambda: moment)


@pytest.fixture
def live_environ(environ):
    return {**environ, "GELATO_API_KEY": LIVE_KEY, "SESSION_COOKIE_SECURE": "off"}


# Signed out


def test_every_portal_route_redirects_to_sign_in_when_signed_out(app, client):
    urls = list(portal_urls(app))
    assert ("GET", "/portal/") in urls
    assert ("GET", "/portal/admin/audit") in urls
    for method, url in [*urls, ("GET", "/portal/no-such-page")]:
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/portal/sign-in"), (method, url)


def test_guarded_json_endpoints_answer_401_not_a_redirect(app, client):
    """The JSON API under /api/v1/ takes tokens instead: tests/api/test_tokens.py holds it."""
    urls = [(m, u) for m, u in portal_urls(app, "/api/") if not u.startswith(API_PREFIX)]
    for method, url in [*urls, ("GET", "/api/no-such-endpoint")]:
        response = client.open(url, method=method)
        assert response.status_code == 401, (method, url)
        assert "Sign in" in response.get_json()["error"]


def test_knowledge_base_health_check_and_feedback_stay_public(client):
    assert client.get("/").status_code == 200
    assert client.get("/contact/").status_code == 200
    assert client.get("/healthz").status_code == 200
    response = client.post("/api/feedback", json={"page": "/", "helpful": 1})
    assert response.status_code == 201


# Signing in and out


def test_sign_in_returns_to_the_page_first_asked_for(client, sign_in, app):
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "admin", actor="t")
    response = client.get("/portal/admin/audit?action=cancel")
    next_url = re.search(r"next=([^&]+)", response.headers["Location"]).group(1)
    assert next_url == "/portal/admin/audit?action%3Dcancel"
    response = sign_in(
        client, "bo", "bo-password-0123", next_url="/portal/admin/audit?action=cancel"
    )
    assert response.headers["Location"] == "/portal/admin/audit?action=cancel"
    assert client.get("/portal/admin/audit?action=cancel").status_code == 200


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.test/",
        "//evil.test/portal/",
        "/\\evil.test",
        "/portal/\\\\evil.test",
        "javascript:alert(1)",
        "/portal/\r\nLocation: https://evil.test/",
        "\t//evil.test",
        "/contact/",
    ],
)
def test_sign_in_never_redirects_off_the_portal(app, client, sign_in, next_url):
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "agent", actor="t")
    response = sign_in(client, "bo", "bo-password-0123", next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/portal/"


def test_wrong_password_and_unknown_name_get_the_same_answer(app, client, sign_in):
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "agent", actor="t")
    wrong = sign_in(client, "bo", "not-the-password")
    unknown = sign_in(client, "nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    message = "The name or the password is wrong, or the account is disabled."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)
    assert client.get("/portal/").status_code == 302


def test_names_are_not_case_sensitive(app, client, sign_in):
    agents.create_agent(
        app.extensions["store"], "Bo@Example.com", "bo-password-0123", "agent", actor="t"
    )
    assert sign_in(client, " bo@example.COM ", "bo-password-0123").status_code == 302


def test_portal_pages_name_the_agent_and_offer_sign_out(agent_client, agent_account):
    html = agent_client.get("/portal/").get_data(as_text=True)
    assert f"Signed in as <strong>{agent_account.name}</strong>" in html
    assert 'action="/portal/sign-out"' in html
    assert 'href="/portal/admin/"' not in html  # admin link for admins only


def test_sign_out_ends_the_session_in_every_browser(
    app, agent_client, agent_account, sign_in, submit
):
    other_browser = app.test_client()
    sign_in(other_browser, *agent_account)
    assert other_browser.get("/portal/").status_code == 200
    response = submit(agent_client, "/portal/", "/portal/sign-out", {})
    assert response.headers["Location"] == "/portal/sign-in"
    assert "You are signed out." in agent_client.get("/portal/sign-in").get_data(as_text=True)
    assert agent_client.get("/portal/").status_code == 302
    assert other_browser.get("/portal/").status_code == 302


def test_session_ends_after_inactivity_not_after_a_fixed_time(agent_client, monkeypatch):
    later(monkeypatch, minutes=40)
    assert agent_client.get("/portal/").status_code == 200
    later(monkeypatch, minutes=95)  # 55 minutes after the last request: still within 60
    assert agent_client.get("/portal/").status_code == 200
    later(monkeypatch, minutes=156)
    response = agent_client.get("/portal/")
    assert response.headers["Location"].startswith("/portal/sign-in")
    page = agent_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 60 minutes without activity" in page


def test_disabling_an_agent_or_resetting_its_password_ends_its_sessions(
    app, agent_client, agent_account, sign_in
):
    store = app.extensions["store"]
    name = agent_account.name
    agents.reset_password(store, name, "new-password-0123", actor="t")
    assert agent_client.get("/portal/").status_code == 302
    assert sign_in(agent_client, *agent_account).status_code == 200  # the old password: no
    assert sign_in(agent_client, name, "new-password-0123").status_code == 302
    agents.set_disabled(store, name, True, actor="t")
    assert agent_client.get("/portal/").status_code == 302
    assert sign_in(agent_client, name, "new-password-0123").status_code == 200
    agents.set_disabled(store, name, False, actor="t")
    assert sign_in(agent_client, name, "new-password-0123").status_code == 302


def test_session_cookie_is_httponly_samesite_and_secure_in_live_mode(live_environ):
    cookies = {}
    for name, environ in [
        ("sandbox", {k: v for k, v in live_environ.items() if k != "GELATO_API_KEY"}),
        ("live", {**live_environ, "SESSION_COOKIE_SECURE": ""}),
        ("live, secure off", live_environ),
    ]:
        app = create_app(environ)
        cookies[name] = app.test_client().get("/portal/sign-in").headers["Set-Cookie"]
        app.extensions["store"].close()
    for cookie in cookies.values():
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    assert "Secure" in cookies["live"]
    assert "Secure" not in cookies["sandbox"]
    assert "Secure" not in cookies["live, secure off"]


def test_passwords_are_stored_as_salted_scrypt_hashes(app):
    store = app.extensions["store"]
    agents.create_agent(store, "bo", "bo-password-0123", "agent", actor="t")
    agents.create_agent(store, "cy", "bo-password-0123", "agent", actor="t")
    first, second = (store.accounts.by_name(n).password_hash for n in ["bo", "cy"])
    assert first.startswith("scrypt:")
    assert "bo-password-0123" not in first
    assert first != second


# Throttling


def test_throttle_locks_an_account_after_repeated_failures_and_releases_it(
    environ, sign_in, monkeypatch
):
    app = create_app({**environ, "SIGN_IN_ATTEMPTS_PER_ACCOUNT": "3"})
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "agent", actor="t")
    client = app.test_client()
    for _ in range(3):
        assert sign_in(client, "bo", "guess").status_code == 200
    locked = sign_in(client, "bo", "bo-password-0123")  # even the right password
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert locked.headers["Retry-After"] == str(15 * 60)
    other = client_at(app, REMOTE_ADDR="192.0.2.9")
    assert sign_in(other, "bo", "bo-password-0123").status_code == 429  # per account

    later(monkeypatch, minutes=14)
    assert sign_in(client, "bo", "bo-password-0123").status_code == 429
    later(monkeypatch, minutes=15, seconds=1)
    assert sign_in(client, "bo", "bo-password-0123").status_code == 302
    app.extensions["store"].close()


def test_throttle_counts_per_client_address_across_accounts(environ, sign_in):
    app = create_app({**environ, "SIGN_IN_ATTEMPTS_PER_ADDRESS": "3"})
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "agent", actor="t")
    guesser = client_at(app, REMOTE_ADDR="198.51.100.7")
    for name in ["al", "cy", "di"]:
        sign_in(guesser, name, "guess")
    assert sign_in(guesser, "bo", "bo-password-0123").status_code == 429
    colleague = client_at(app, REMOTE_ADDR="198.51.100.8")
    assert sign_in(colleague, "bo", "bo-password-0123").status_code == 302
    app.extensions["store"].close()


def test_behind_a_trusted_proxy_the_throttle_sees_the_forwarded_client_address(environ, sign_in):
    app = create_app({**environ, "SIGN_IN_ATTEMPTS_PER_ADDRESS": "2", "TRUSTED_PROXIES": "1"})
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "agent", actor="t")

    def via_proxy(client_address):
        return client_at(app, HTTP_X_FORWARDED_FOR=client_address)

    guesser = via_proxy("203.0.113.5")
    for name in ["al", "cy"]:
        sign_in(guesser, name, "guess")
    assert sign_in(guesser, "bo", "bo-password-0123").status_code == 429
    assert sign_in(via_proxy("203.0.113.6"), "bo", "bo-password-0123").status_code == 302
    app.extensions["store"].close()


# Live mode and the sandbox's demo account


def test_live_mode_without_agents_opens_only_the_sign_in_page_which_says_what_to_do(live_environ):
    app = create_app(live_environ)
    client = app.test_client()
    assert client.get("/portal/").headers["Location"].startswith("/portal/sign-in")
    page = client.get("/portal/sign-in").get_data(as_text=True)
    assert "No agent account exists yet" in page
    assert "flask --app app agents create NAME --admin" in page
    assert agents.DEMO_AGENT_PASSWORD not in page
    app.extensions["store"].close()


def test_sandbox_has_a_demo_admin_that_live_mode_disables(environ, live_environ, sign_in):
    sandbox = create_app(environ)
    client = sandbox.test_client()
    page = client.get("/portal/sign-in").get_data(as_text=True)
    assert agents.DEMO_AGENT_PASSWORD in page
    assert sign_in(client, agents.DEMO_AGENT_NAME, agents.DEMO_AGENT_PASSWORD).status_code == 302
    assert client.get("/portal/admin/").status_code == 200
    sandbox.extensions["store"].close()

    live = create_app(live_environ)  # the same database, now in live mode
    live_client = live.test_client()
    live_client.set_cookie("session", client.get_cookie("session").value)
    assert live_client.get("/portal/").status_code == 302  # its session ends
    response = sign_in(live_client, agents.DEMO_AGENT_NAME, agents.DEMO_AGENT_PASSWORD)
    assert response.status_code == 200
    assert live.extensions["store"].accounts.by_name(agents.DEMO_AGENT_NAME).disabled_at
    live.extensions["store"].close()


def test_python_app_py_prints_the_demo_credentials_in_sandbox_mode(environ):
    env = {**os.environ, **environ, "PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        first_line = server.stdout.readline()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
    assert "(sandbox mode)" in first_line
    assert f"sign in as {agents.DEMO_AGENT_NAME} / {agents.DEMO_AGENT_PASSWORD}" in first_line


# Single sign-on through a trusted proxy header


def test_proxy_user_header_is_ignored_unless_configured(app, client):
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "admin", actor="t")
    response = client.get("/portal/", headers={"X-Forwarded-User": "bo"})
    assert response.status_code == 302


def test_trusted_proxy_user_header_signs_in_existing_agents_only(environ):
    app = create_app({**environ, "TRUSTED_USER_HEADER": "X-Forwarded-User"})
    agents.create_agent(app.extensions["store"], "bo", "bo-password-0123", "agent", actor="t")
    client = app.test_client()
    page = client.get("/portal/", headers={"X-Forwarded-User": "Bo"})
    assert page.status_code == 200
    assert "Signed in as <strong>bo</strong>" in page.get_data(as_text=True)
    assert 'action="/portal/sign-out"' not in page.get_data(as_text=True)  # the proxy decides
    stranger = client.get("/portal/", headers={"X-Forwarded-User": "mallory"})
    assert stranger.status_code == 403
    assert "agents create mallory" in stranger.get_data(as_text=True)
    assert client.get("/portal/").status_code == 302  # no header: the sign-in form as usual
    app.extensions["store"].close()


# Admin pages


def test_an_agent_cannot_reach_admin_pages(app, agent_client):
    token = form_token(agent_client.get("/portal/").get_data(as_text=True))
    urls = list(portal_urls(app, "/portal/admin/"))
    assert len(urls) >= 6
    for method, url in urls:
        response = agent_client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 403, (method, url)
        assert "This page is for admins" in response.get_data(as_text=True)


def test_admin_creates_disables_and_resets_accounts_on_the_admin_pages(
    app, admin_client, admin_account, sign_in, submit
):
    page = "/portal/admin/agents"
    fields = {"name": "cy", "role": "agent", "password": "cy-password-0123"}
    response = submit(admin_client, page, page, {**fields, "password_again": fields["password"]})
    assert "Created cy." in admin_client.get(response.headers["Location"]).get_data(as_text=True)
    cy = app.test_client()
    assert sign_in(cy, "cy", "cy-password-0123").status_code == 302

    submit(admin_client, page, "/portal/admin/agents/cy/disable", {})
    assert cy.get("/portal/").status_code == 302
    assert sign_in(cy, "cy", "cy-password-0123").status_code == 200
    submit(admin_client, page, "/portal/admin/agents/cy/enable", {})
    new = {"password": "cy-new-password-1", "password_again": "cy-new-password-1"}
    submit(admin_client, page, "/portal/admin/agents/cy/password", new)
    assert sign_in(cy, "cy", "cy-new-password-1").status_code == 302

    html = admin_client.get(page).get_data(as_text=True)
    assert "Set a new password for cy." in html
    store = app.extensions["store"]
    actions = [e.action for e in store.audit.list(actor=admin_account.name)]
    assert actions[:4] == ["password_reset", "agent_enabled", "agent_disabled", "agent_created"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "cy", "password": "short", "password_again": "short"}, "at least 10"),
        ({"name": "cy", "password": "cy-password-0123", "password_again": "x"}, "differ"),
        ({"name": "Not a name!", "password": "cy-password-0123"}, "The name must be"),
        ({"name": "lead", "password": "cy-password-0123"}, "already an account named"),
        ({"name": "cy", "password": "cy-password-0123", "role": "root"}, "The role must be"),
    ],
)
def test_admin_page_explains_what_is_wrong_with_a_new_account(
    admin_client, submit, fields, message
):
    data = {"role": "agent", "password_again": fields["password"], **fields}
    response = submit(admin_client, "/portal/admin/agents", "/portal/admin/agents", data)
    assert message in admin_client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_admin_cannot_disable_their_own_account(app, admin_client, admin_account, submit):
    page = "/portal/admin/agents"
    own = f"/portal/admin/agents/{admin_account.name}/disable"
    response = submit(admin_client, page, own, {})
    html = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "cannot disable your own account" in html
    assert app.extensions["store"].accounts.by_name(admin_account.name).disabled_at is None


# The command line


def test_command_line_creates_lists_disables_and_resets_accounts(app, sign_in):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["agents", "create", "Lead@Example.com", "--admin", "--password-stdin"],
        input="lead-password-0123\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin lead@example.com" in result.output
    assert sign_in(app.test_client(), "lead@example.com", "lead-password-0123").status_code == 302

    listing = runner.invoke(args=["agents", "list"]).output
    assert re.search(r"lead@example\.com\tadmin\tactive\tlast sign-in \d{4}-", listing)
    assert re.search(r"demo\tadmin\tactive\tnever signed in \(sandbox demo\)", listing)

    assert runner.invoke(args=["agents", "disable", "lead@example.com"]).exit_code == 0
    assert "lead@example.com\tadmin\tdisabled" in runner.invoke(args=["agents", "list"]).output
    assert runner.invoke(args=["agents", "enable", "lead@example.com"]).exit_code == 0

    result = runner.invoke(
        args=["agents", "reset-password", "lead@example.com"],
        input="lead-password-9876\nlead-password-9876\n",  # typed twice at the prompt
    )
    assert result.exit_code == 0, result.output
    assert sign_in(app.test_client(), "lead@example.com", "lead-password-9876").status_code == 302
    entries = app.extensions["store"].audit.list(action="password_reset")
    assert entries[0].actor.startswith("command line")


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["create", "bo", "--password-stdin"], "short\n", "at least 10 characters"),
        (["create", "demo", "--password-stdin"], "long-enough-pw\n", "already an account"),
        (["create", "bo"], "bo-password-0123\nsomething-else-1\n" * 3, "do not match"),
        (["disable", "nobody"], "", "There is no account named nobody"),
        (["reset-password", "nobody", "--password-stdin"], "long-enough-pw\n", "no account"),
    ],
)
def test_command_line_says_what_went_wrong(app, args, stdin, message):
    result = app.test_cli_runner().invoke(args=["agents", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output


# Settings


def test_bad_session_and_throttle_settings_are_named(environ):
    from portal import ConfigError

    with pytest.raises(ConfigError) as error:
        create_app(
            {
                **environ,
                "SESSION_IDLE_MINUTES": "0",
                "SESSION_COOKIE_SECURE": "maybe",
                "SIGN_IN_ATTEMPTS_PER_ACCOUNT": "five",
                "TRUSTED_USER_HEADER": "X User:",
                "MAX_UPLOAD_MB": "-1",
            }
        )
    for setting in [
        "SESSION_IDLE_MINUTES",
        "SESSION_COOKIE_SECURE",
        "SIGN_IN_ATTEMPTS_PER_ACCOUNT",
        "TRUSTED_USER_HEADER",
        "MAX_UPLOAD_MB",
    ]:
        assert f"- {setting}" in str(error.value)


def test_settings_never_show_their_secrets(live_environ):
    app = create_app(live_environ)
    config_text = repr(app.config["HELP_CENTER"])
    assert LIVE_KEY not in config_text
    assert live_environ["SECRET_KEY"] not in config_text
    app.extensions["store"].close()
