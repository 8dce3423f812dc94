"""Agent accounts: the rules for names, passwords and roles, and the admin's command line.

The same functions serve the command line (``flask --app app agents ...``) and the admin pages, so
an account made either way obeys the same rules. Passwords are hashed with Werkzeug's
``generate_password_hash`` (scrypt, salted): a maintained implementation, never our own crypto.
"""

from __future__ import annotations

import getpass
import logging
import re
import sys
import unicodedata
from functools import cache

import click
from flask.cli import AppGroup
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit, context
from portal.store import Agent, Store, utcnow

log = logging.getLogger(__name__)

#: agent: looks up orders, prepares requests, runs the self-service actions.
#: admin: also manages accounts, reads the audit log and the article feedback.
ROLES = ("agent", "admin")
# Werkzeug's default (scrypt, n=2**15); tests swap in a cheaper cost to stay fast.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method's name)
MIN_PASSWORD_LENGTH = 10
# scrypt's cost grows with the input; nobody types more than this.
MAX_PASSWORD_LENGTH = 200
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,99}$")
NAME_RULE = (
    "a name of up to 100 characters: lower-case letters, digits and . _ @ + - "
    "(an email address works)"
)
#: A display name signs emails: one line of printable text.
MAX_DISPLAY_NAME_LENGTH = 100

#: The sandbox's ready-made account, so a newcomer can try everything at once. Never in live mode.
DEMO_AGENT_NAME = "demo"
DEMO_AGENT_PASSWORD = "gelato-sandbox"  # noqa: S105 (published on purpose; sandbox only)


class AccountError(Exception):
    """An account cannot be created or changed; the message says why, for the admin to read."""


def normalise_name(name: str) -> str:
    return name.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


def password_matches(agent: Agent | None, password: str) -> bool:
    """Check a password; for an unknown account, spend the same time so timing tells nothing."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    if agent is None:
        check_password_hash(_unknown_account_hash(PASSWORD_HASH_METHOD), password)
        return False
    return check_password_hash(agent.password_hash, password)


@cache
def _unknown_account_hash(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


def password_problem(password: str, name: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"The password needs at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"The password may have at most {MAX_PASSWORD_LENGTH} characters."
    if password.strip().lower() == name:
        return "The password must not be the account's name."
    return None


def clean_display_name(display_name: str | None) -> str | None:
    """The display name as it is kept: trimmed, one line; None when empty."""
    text = " ".join((display_name or "").split())
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise AccountError("The display name may hold letters, digits and punctuation only.")
    if len(text) > MAX_DISPLAY_NAME_LENGTH:
        raise AccountError(
            f"The display name may have at most {MAX_DISPLAY_NAME_LENGTH} characters."
        )
    return text or None


def create_agent(
    store: Store,
    name: str,
    password: str,
    role: str,
    *,
    actor: str,
    display_name: str | None = None,
) -> str:
    """Create an account and return its (normalised) name."""
    name = normalise_name(name)
    if not NAME_PATTERN.match(name):
        raise AccountError(f"The name must be {NAME_RULE}.")
    if role not in ROLES:
        raise AccountError(f"The role must be one of {', '.join(ROLES)}.")
    problem = password_problem(password, name)
    if problem:
        raise AccountError(problem)
    display_name = clean_display_name(display_name)
    if not store.accounts.add(name, hash_password(password), role, display_name=display_name):
        raise AccountError(f"There is already an account named {name}.")
    asked = {"name": name, "display_name": display_name}
    audit.record(store, actor=actor, action=audit.AGENT_CREATED, outcome="succeeded", request=asked)
    return name


def set_display_name(store: Store, name: str, display_name: str | None, *, actor: str) -> None:
    """Set how an agent signs the requests they send; empty: by their name."""
    name = normalise_name(name)
    display_name = clean_display_name(display_name)
    if not store.accounts.update(name, display_name=display_name):
        raise AccountError(f"There is no account named {name}.")
    audit.record(
        store,
        actor=actor,
        action=audit.DISPLAY_NAME_SET,
        outcome="succeeded",
        request={"name": name, "display_name": display_name},
    )


def set_disabled(store: Store, name: str, disabled: bool, *, actor: str) -> None:
    """Disable an account (ending its sessions at once) or enable it again."""
    name = normalise_name(name)
    now = utcnow()
    values = (
        {"disabled_at": now, "sessions_valid_after": now} if disabled else {"disabled_at": None}
    )
    if not store.accounts.update(name, **values):
        raise AccountError(f"There is no account named {name}.")
    action = audit.AGENT_DISABLED if disabled else audit.AGENT_ENABLED
    audit.record(store, actor=actor, action=action, outcome="succeeded", request={"name": name})


def reset_password(store: Store, name: str, password: str, *, actor: str) -> None:
    """Give an account a new password and end every session it has."""
    name = normalise_name(name)
    problem = password_problem(password, name)
    if problem:
        raise AccountError(problem)
    if store.accounts.by_name(name) is None:
        raise AccountError(f"There is no account named {name}.")
    store.accounts.update(
        name, password_hash=hash_password(password), sessions_valid_after=utcnow()
    )
    audit.record(
        store, actor=actor, action=audit.PASSWORD_RESET, outcome="succeeded", request={"name": name}
    )


def ensure_demo_agent(store: Store) -> None:
    """Sandbox mode: make sure the demo admin exists, so the printed credentials work."""
    if store.accounts.by_name(DEMO_AGENT_NAME) is None:
        store.accounts.add(
            DEMO_AGENT_NAME, hash_password(DEMO_AGENT_PASSWORD), "admin", is_demo=True
        )


def disable_demo_agents(store: Store) -> None:
    """Live mode: a database first used in the sandbox must not keep a published password."""
    now = utcnow()
    for agent in store.accounts.list():
        if agent.is_demo and agent.disabled_at is None:
            store.accounts.update(agent.name, disabled_at=now, sessions_valid_after=now)
            log.warning("Disabled the sandbox demo account %r: this is live mode.", agent.name)


# The command line


class _AgentsCommands(AppGroup):
    def invoke(self, ctx: click.Context):
        """A command refused by the account rules ends with their message, not a traceback."""
        try:
            return super().invoke(ctx)
        except AccountError as error:
            raise click.ClickException(str(error)) from None


cli = _AgentsCommands(
    "agents", help="Create, list, disable and enable agent accounts; reset passwords."
)


def _cli_actor() -> str:
    try:
        return f"command line ({getpass.getuser()})"
    except (KeyError, OSError):
        return "command line"


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@cli.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Also manages accounts and reads the audit log.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--display-name", default="", help='How requests are signed, e.g. "Ana Müller".')
def create_command(name: str, admin: bool, password_stdin: bool, display_name: str):
    """Create an agent account NAME (asks for its password twice)."""
    role = "admin" if admin else "agent"
    name = create_agent(
        context.store(),
        name,
        _read_password(password_stdin),
        role,
        actor=_cli_actor(),
        display_name=display_name,
    )
    click.echo(f"Created {role} {name}. Sign in at /portal/sign-in.")


@cli.command("set-display-name")
@click.argument("name")
@click.argument("display_name")
def set_display_name_command(name: str, display_name: str):
    """Set how NAME signs requests (DISPLAY_NAME; "" to sign with the account's name)."""
    set_display_name(context.store(), name, display_name, actor=_cli_actor())
    shown = display_name.strip() or normalise_name(name)
    click.echo(f"{normalise_name(name)} signs requests as {shown}.")


@cli.command("list")
def list_command():
    """List every account with its role, status and last sign-in."""
    agents = context.store().accounts.list()
    if not agents:
        click.echo("No agent accounts yet. Create one with: flask --app app agents create NAME")
        return
    for agent in agents:
        status = "disabled" if agent.disabled_at else "active"
        last = agent.last_sign_in_at
        seen = f"last sign-in {last:%Y-%m-%d %H:%M} UTC" if last else "never signed in"
        demo = " (sandbox demo)" if agent.is_demo else ""
        shown = f"\t{agent.display_name}" if agent.display_name else ""
        click.echo(f"{agent.name}\t{agent.role}\t{status}\t{seen}{demo}{shown}")


@cli.command("disable")
@click.argument("name")
def disable_command(name: str):
    """Disable account NAME: it can no longer sign in, and its sessions end now."""
    set_disabled(context.store(), name, True, actor=_cli_actor())
    click.echo(f"Disabled {normalise_name(name)}.")


@cli.command("enable")
@click.argument("name")
def enable_command(name: str):
    """Let a disabled account NAME sign in again."""
    set_disabled(context.store(), name, False, actor=_cli_actor())
    click.echo(f"Enabled {normalise_name(name)}.")


@cli.command("reset-password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def reset_password_command(name: str, password_stdin: bool):
    """Set a new password for NAME (asks twice); its sessions end now."""
    reset_password(context.store(), name, _read_password(password_stdin), actor=_cli_actor())
    click.echo(f"Set a new password for {normalise_name(name)}; its sessions have ended.")
