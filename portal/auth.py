"""Sign-in: only the team's own agents reach the portal, which holds a key that acts on real orders.

One check in front of every request under ``/portal/`` and ``/api/`` (except the sign-in page, the
portal's static files, the knowledge base's feedback endpoint and Gelato's webhook receiver, which
checks its own secret) lets only a signed-in agent through, so a view written later is protected
without doing anything. Views ask ``current_agent()`` who is acting; the admin blueprint refuses
agents who are not admins.

Sessions are Flask's signed cookies, so any process can check them; what must be shared lives in
the database: when an agent's sessions were last ended (sign-out, disabling, a password reset) and
the failed sign-ins the throttle counts. A session also ends after ``SESSION_IDLE_MINUTES``
without a request, checked here rather than trusted to the cookie's expiry.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from portal import agents, audit, context
from portal.config import Config
from portal.store import Agent, Store, utcnow

log = logging.getLogger(__name__)

bp = Blueprint("auth", __name__, url_prefix="/portal")

#: Reachable without signing in, under the otherwise guarded prefixes.
PUBLIC_ENDPOINTS = {"auth.sign_in", "static", "feedback.record", "webhooks.receive"}
GUARDED_PREFIXES = ("/portal/", "/api/")
#: Authenticated by a personal API token on every call (``portal.api.blueprint``), never by the
#: session cookie: a cookie the browser sends by itself must not authorise an API write.
API_PREFIX = "/api/v1/"
# Re-signing the cookie on every request would only churn it; a minute's precision is plenty.
SEEN_AT_PRECISION_SECONDS = 60


def current_agent() -> Agent | None:
    """The agent making this request, or None."""
    return g.get("agent")


def current_agent_name() -> str:
    """Who to record as having acted: the agent, or a plain word where nobody is signed in."""
    agent = current_agent()
    return agent.name if agent else "(not signed in)"


def init_app(app: Flask) -> None:
    """Guard the portal. Call before CSRF protection, so an unauthenticated request is sent to
    the sign-in page without its body being read."""
    config: Config = app.config[context.CONFIG_KEY]
    app.config.update(
        SESSION_COOKIE_SECURE=config.session_cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    store: Store = app.extensions[context.STORE_KEY]
    if config.is_sandbox:
        agents.ensure_demo_agent(store)
    else:
        agents.disable_demo_agents(store)

    app.before_request(_require_agent)
    app.register_blueprint(bp)
    app.cli.add_command(agents.cli)

    @app.context_processor
    def inject_agent():
        return {
            "signed_in_agent": current_agent(),
            "signed_in_via_proxy": g.get("agent_via_proxy", False),
        }


def _require_agent():
    g.agent = None
    if not request.path.startswith(GUARDED_PREFIXES) or request.endpoint == "static":
        return None
    if request.path.startswith(API_PREFIX):
        return None
    config = context.config()
    store = context.store()
    if config.trusted_user_header and request.headers.get(config.trusted_user_header):
        g.agent = _agent_from_proxy(store, config, request.headers[config.trusted_user_header])
        g.agent_via_proxy = True
    else:
        g.agent = _agent_from_session(store, config)
    if g.agent is not None or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="Sign in to the portal first."), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.sign_in", next=target))


def _agent_from_proxy(store: Store, config: Config, user_name: str) -> Agent:
    name = agents.normalise_name(user_name)
    agent = store.accounts.by_name(name)
    if agent is None or not _may_sign_in(agent, config):
        abort(
            403,
            f"Your single sign-on name {name!r} has no active agent account here. Ask an admin "
            f"to create it: flask --app app agents create {name}",
        )
    return agent


def _agent_from_session(store: Store, config: Config) -> Agent | None:
    agent_id = session.get("agent_id")
    if agent_id is None:
        return None
    now = utcnow().timestamp()
    seen_at = session.get("seen_at", 0)
    if now - seen_at > config.session_idle_minutes * 60:
        session.clear()
        flash(
            f"You were signed out after {config.session_idle_minutes} minutes without activity. "
            "Sign in again to continue."
        )
        return None
    agent = store.accounts.by_id(agent_id)
    if (
        agent is None
        or not _may_sign_in(agent, config)
        or session.get("signed_in_at", 0) < agent.sessions_valid_after.timestamp()
    ):
        session.clear()
        return None
    if now - seen_at > SEEN_AT_PRECISION_SECONDS:
        session["seen_at"] = now
    return agent


def _may_sign_in(agent: Agent, config: Config) -> bool:
    return agent.disabled_at is None and not (agent.is_demo and not config.is_sandbox)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a portal path on this host, never another site."""
    if (
        not target
        or not target.startswith("/portal/")
        or "\\" in target
        or any(ord(char) < 32 or ord(char) == 127 for char in target)
    ):
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("home.index")
    return target


# Throttling: counted per account name and per client address, in the database.


def _subjects(name: str, address: str) -> list[str]:
    return [f"account:{name[:150]}", f"address:{address}"]


def sign_in_locked_until(
    store: Store, config: Config, name: str, address: str, now: datetime
) -> datetime | None:
    """When the lock on this account or address lifts, or None if sign-in may be tried."""
    window = timedelta(minutes=config.sign_in_lockout_minutes)
    limits = [config.sign_in_attempts_per_account, config.sign_in_attempts_per_address]
    releases = []
    for subject, limit in zip(_subjects(name, address), limits, strict=True):
        count, earliest = store.accounts.count_sign_in_failures(subject, since=now - window)
        if count >= limit and earliest is not None:
            releases.append(earliest + window)
    return max(releases, default=None)


def _count_failure(store: Store, config: Config, name: str, address: str, now: datetime) -> None:
    window = timedelta(minutes=config.sign_in_lockout_minutes)
    store.accounts.record_sign_in_failure(
        _subjects(name, address), at=now, forget_before=now - window
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    config = context.config()
    store = context.store()
    next_url = safe_next(request.values.get("next"))
    if current_agent() is not None and request.method == "GET":
        return redirect(next_url)

    def page(error: str | None = None, status: int = 200, name: str = ""):
        return (
            render_template(
                "auth/sign_in.html",
                error=error,
                name=name,
                next_url=next_url,
                no_agents=not store.accounts.any(),
                demo=(agents.DEMO_AGENT_NAME, agents.DEMO_AGENT_PASSWORD)
                if config.is_sandbox
                else None,
            ),
            status,
        )

    if request.method == "GET":
        return page()

    name = agents.normalise_name(request.form.get("name", ""))
    password = request.form.get("password", "")
    address = request.remote_addr or "unknown"
    now = utcnow()
    locked_until = sign_in_locked_until(store, config, name, address, now)
    if locked_until is not None:
        # Logged, not audited: refusals cost an attacker nothing and would flood the audit log.
        log.warning("Sign-in refused by the throttle for %r from %s", name[:100], address)
        minutes = max(1, round((locked_until - now).total_seconds() / 60 + 0.5))
        response = page(
            "Too many failed sign-ins for this account or from this address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}.",
            status=429,
            name=name,
        )
        return (*response, {"Retry-After": str(minutes * 60)})

    agent = store.accounts.by_name(name)
    if not agents.password_matches(agent, password) or not _may_sign_in(agent, config):
        _count_failure(store, config, name, address, now)
        audit.record(
            store,
            actor=name or "(no name)",
            action=audit.SIGN_IN,
            outcome="failed",
            request={"address": address},
        )
        return page("The name or the password is wrong, or the account is disabled.", name=name)

    store.accounts.clear_sign_in_failures(_subjects(name, address)[0])
    store.accounts.update(name, last_sign_in_at=now)
    audit.record(
        store, actor=name, action=audit.SIGN_IN, outcome="succeeded", request={"address": address}
    )
    session.clear()  # nothing from before signing in carries over
    session["agent_id"] = agent.id
    session["signed_in_at"] = session["seen_at"] = now.timestamp()
    return redirect(next_url)


@bp.post("/sign-out")
def sign_out():
    """End the agent's sessions in every browser, not just this cookie, which may have been
    copied."""
    agent = current_agent()
    if agent is not None and not g.get("agent_via_proxy"):
        context.store().accounts.update(agent.name, sessions_valid_after=utcnow())
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("auth.sign_in"))
