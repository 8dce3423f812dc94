"""The portal's page where agents make and revoke their own API tokens.

A new token is shown in the answer to the form that made it, once, on a page the browser is told
not to keep (``Cache-Control: no-store``); it never goes through a redirect or a flashed message,
which would carry it in the session cookie. Every later view of the page lists the token by name.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for

from portal import context
from portal.api import tokens
from portal.auth import current_agent, current_agent_name
from portal.store import utcnow

bp = Blueprint("tokens", __name__, url_prefix="/portal/account/tokens")


def _page(*, new=None, errors=None, values=None, status=200):
    agent = current_agent()
    body = render_template(
        "tokens/tokens.html",
        tokens=context.store().tokens.list(agent_id=agent.id),
        new=new,
        errors=errors or {},
        values=values or {"name": "", "scope": tokens.READ, "expires": ""},
        scopes=tokens.SCOPES,
        status_of=lambda token: tokens.describe(token, utcnow()),
        calls_per_minute=context.config().api_calls_per_minute,
        today=date.today().isoformat(),
    )
    return body, status, {"Cache-Control": "no-store"}


@bp.get("/")
def index():
    return _page()


@bp.post("/")
def create():
    values = {key: request.form.get(key, "").strip() for key in ("name", "scope", "expires")}
    expires_at = None
    if values["expires"]:
        try:
            expires_at = tokens.expiry_from_date(date.fromisoformat(values["expires"]))
        except ValueError:
            errors = {"expires": "A date such as 2026-12-31, or nothing for no expiry."}
            return _page(errors=errors, values=values, status=422)
    try:
        new = tokens.create_token(
            context.store(),
            context.config().secret_key,
            current_agent(),
            name=values["name"],
            scope=values["scope"],
            expires_at=expires_at,
            actor=current_agent_name(),
        )
    except tokens.TokenError as error:
        return _page(errors={error.field or "name": str(error)}, values=values, status=422)
    return _page(new=new, status=201)


@bp.post("/<int:token_id>/revoke")
def revoke(token_id: int):
    try:
        token = tokens.revoke_token(
            context.store(), token_id, actor=current_agent_name(), owner=current_agent()
        )
    except tokens.TokenError as error:
        flash(str(error), "error")
    else:
        flash(f"Revoked the token {token.name}: it no longer works.", "success")
    return redirect(url_for(".index"))
