"""Personal API tokens: the rules for making, checking and revoking them, and the command line.

A token is 32 random bytes (``secrets.token_urlsafe``) behind the prefix ``ghc_``, which lets a
secret scanner or a redaction pass recognise one. It is shown once, when it is made; the
database keeps only an HMAC-SHA256 of it, keyed with a key derived from ``SECRET_KEY``.

A fast keyed hash is right here, unlike for passwords. A slow, salted hash (scrypt) exists to
make guessing a low-entropy secret that people choose expensive; a token has 256 bits that nobody
chose, so no amount of guessing finds one, however fast each guess is. A fast hash lets every API
call be checked in microseconds and found by an indexed lookup (a salted hash cannot be looked up;
it would need every row tried). The key means that a copy of the database alone is not enough to
check a stolen token, and that nobody who can write to the table can plant a token of their own.
A new ``SECRET_KEY`` therefore ends every token, as it ends every session.

The same functions serve the portal's token page and the command line (``flask --app app tokens
...``), so a token made either way obeys the same rules and is audited the same way.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import click
from flask.cli import AppGroup

from portal import agents, audit, context, redact
from portal.audit import TOKEN_CREATED, TOKEN_REVOKED
from portal.store import Agent, ApiToken, Store, utcnow

READ = "read"
ACT = "act"
#: read: look orders, the audit log (admins) and requests up. act: also run the self-service
#: actions and prepare and send support requests.
SCOPES = {
    READ: "Read: look up orders, requests and (for admins) the audit log",
    ACT: "Act: also run the self-service actions and send support requests",
}
PREFIX = "ghc_"
#: What every token looks like, to find one that was pasted where it does not belong (and
#: ``portal.redact`` takes one out of anything typed or pasted, such as a support request).
TOKEN_SHAPE = re.compile(redact.API_TOKEN_SHAPE)
MAX_NAME_LENGTH = 100
#: The longest a token may be made to last; none at all is allowed too.
MAX_DAYS = 3650


class TokenError(Exception):
    """A token cannot be made or revoked; the message says why, ``field`` which input it is."""

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class NewToken:
    """A token just made: ``secret`` is the one moment its text exists outside the caller."""

    token: ApiToken
    secret: str


def token_hash(secret_key: str, token: str) -> str:
    key = hmac.new(secret_key.encode(), b"api-token-hash", hashlib.sha256).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def expiry_from_date(day: date | None) -> datetime | None:
    """A token that lasts to the end of ``day`` (UTC)."""
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def create_token(
    store: Store,
    secret_key: str,
    agent: Agent,
    *,
    name: str,
    scope: str,
    expires_at: datetime | None,
    actor: str,
    now: datetime | None = None,
) -> NewToken:
    """Make a token for ``agent``; raises TokenError naming the input that is wrong."""
    now = now or utcnow()
    name = " ".join(name.split())
    if not name:
        raise TokenError("Give the token a name, such as the helpdesk it is for.", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(f"The name may have at most {MAX_NAME_LENGTH} characters.", "name")
    if scope not in SCOPES:
        raise TokenError(f"The scope must be one of {', '.join(SCOPES)}.", "scope")
    if expires_at is not None and expires_at <= now:
        raise TokenError("The expiry date must be in the future.", "expires")
    if expires_at is not None and expires_at > now + timedelta(days=MAX_DAYS):
        raise TokenError(f"A token may last at most {MAX_DAYS} days.", "expires")
    if agent.disabled_at is not None:
        raise TokenError(f"The account {agent.name} is disabled.", "agent")
    secret = PREFIX + secrets.token_urlsafe(32)
    token_id = store.tokens.add(
        agent_id=agent.id,
        name=name,
        token_hash=token_hash(secret_key, secret),
        scope=scope,
        now=now,
        expires_at=expires_at,
    )
    audit.record(
        store,
        actor=actor,
        action=TOKEN_CREATED,
        outcome="succeeded",
        request={
            "number": token_id,
            "name": name,
            "agent": agent.name,
            "scope": scope,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return NewToken(store.tokens.by_id(token_id), secret)


def revoke_token(
    store: Store, token_id: int, *, actor: str, owner: Agent | None = None
) -> ApiToken:
    """Revoke a token at once. With ``owner``, only a token of that agent's (an agent revokes
    their own); the command line, run on the server, may revoke any."""
    token = store.tokens.by_id(token_id)
    if token is None or (owner is not None and token.agent_id != owner.id):
        raise TokenError(f"There is no token {token_id}.", "token")
    if not store.tokens.revoke(token_id, utcnow()):
        raise TokenError(f"Token {token_id} ({token.name}) is revoked already.", "token")
    audit.record(
        store,
        actor=actor,
        action=TOKEN_REVOKED,
        outcome="succeeded",
        request={"number": token_id, "name": token.name, "agent": token.agent_name},
    )
    return store.tokens.by_id(token_id)


def find_token(store: Store, secret_key: str, presented: str) -> ApiToken | None:
    """The token whose text was presented, usable or not; None for text no token has."""
    if not TOKEN_SHAPE.fullmatch(presented):
        return None
    return store.tokens.by_hash(token_hash(secret_key, presented))


def hide_tokens(text: str) -> str:
    """Blank anything shaped like a token, for text that is logged or audited."""
    return TOKEN_SHAPE.sub(PREFIX + "[redacted]", text)


def describe(token: ApiToken, now: datetime) -> str:
    """Where a token stands, in words: active, expired or revoked."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= now:
        return "expired"
    return "active"


# The command line


class _TokenCommands(AppGroup):
    def invoke(self, ctx: click.Context):
        """A command refused by the token rules ends with their message, not a traceback."""
        try:
            return super().invoke(ctx)
        except TokenError as error:
            raise click.ClickException(str(error)) from None


cli = _TokenCommands("tokens", help="Create, list and revoke agents' personal API tokens.")


def _cli_actor() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


@cli.command("create")
@click.argument("agent")
@click.option("--name", required=True, help="What the token is for, e.g. the helpdesk's name.")
@click.option(
    "--scope",
    type=click.Choice(list(SCOPES)),
    default=READ,
    show_default=True,
    help="read: look up only. act: also run actions and send requests.",
)
@click.option(
    "--expires",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The last day (UTC) the token works, as YYYY-MM-DD. Without it the token lasts until "
    "it is revoked.",
)
def create_command(agent: str, name: str, scope: str, expires: datetime | None):
    """Create an API token for the agent account AGENT and print it, once."""
    store = context.store()
    account = store.accounts.by_name(agents.normalise_name(agent))
    if account is None:
        raise TokenError(f"There is no account named {agents.normalise_name(agent)}.")
    new = create_token(
        store,
        context.config().secret_key,
        account,
        name=name,
        scope=scope,
        expires_at=expiry_from_date(expires.date() if expires else None),
        actor=_cli_actor(),
    )
    click.echo(new.secret)
    click.echo(
        f"Token {new.token.id} ({new.token.name}, scope {scope}) for {account.name}. "
        "Copy it now: it is not shown again.",
        err=True,
    )


@cli.command("list")
@click.argument("agent", required=False)
def list_command(agent: str | None):
    """List every token (or AGENT's) with its scope, status and last use; never the token."""
    store = context.store()
    owner = None
    if agent:
        owner = store.accounts.by_name(agents.normalise_name(agent))
        if owner is None:
            raise TokenError(f"There is no account named {agents.normalise_name(agent)}.")
    tokens = store.tokens.list(agent_id=owner.id if owner else None)
    if not tokens:
        click.echo("No API tokens yet. Create one with: flask --app app tokens create AGENT")
        return
    now = utcnow()
    for token in tokens:
        used = token.last_used_at
        last = f"last used {used:%Y-%m-%d %H:%M} UTC" if used else "never used"
        ends = f"expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else "no expiry"
        click.echo(
            f"{token.id}\t{token.agent_name}\t{token.name}\t{token.scope}\t"
            f"{describe(token, now)}\t{ends}\t{last}"
        )


@cli.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int):
    """Revoke token TOKEN_ID (the number `tokens list` shows); it stops working at once."""
    token = revoke_token(context.store(), token_id, actor=_cli_actor())
    click.echo(f"Revoked token {token.id} ({token.name}) of {token.agent_name}.")
