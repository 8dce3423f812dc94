"""Settings, read from environment variables and checked once at start.

Every setting is declared in ``SETTINGS`` with its default and meaning; the README's table is
checked against it by a test, so the two cannot drift apart. A bad setting stops the app before it
serves a single request, with one line per problem, because a help center that half-works (say,
live mode signing sessions with a guessable key) is worse than one that refuses to start.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from portal.mail_settings import SmtpSettings, SmtpUrlError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_KEY_LENGTH = 32
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]+$")
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
_SWITCH = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    meaning: str


SETTINGS = (
    Setting(
        "GELATO_API_KEY",
        "(unset: sandbox mode)",
        "The Gelato API key. Unset, the help center talks to its built-in sandbox of demo orders; "
        "set, it is in live mode and acts on your real Gelato orders.",
    ),
    Setting(
        "GELATO_API_URL",
        "(unset: Gelato's own services)",
        "Where the portal reaches the Gelato API. Unset, Gelato's own services (or, without "
        "GELATO_API_KEY, the built-in sandbox); set, every Gelato service at this one address, "
        "such as the sandbox run as its own server (`python -m portal.gelato.sandbox --port "
        "8765`, then http://127.0.0.1:8765) or another Gelato-compatible stand-in. Without "
        "GELATO_API_KEY the portal sends the sandbox's public demo key. A live deployment "
        "leaves it unset; with an API key it must be https:// unless it is on this machine.",
    ),
    Setting(
        "SECRET_KEY",
        "(sandbox: generated once into instance/secret_key)",
        f"Signs sessions and form tokens. Required in live mode, at least "
        f"{MIN_SECRET_KEY_LENGTH} characters; every process of one deployment must share it.",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite:///instance/helpcenter.sqlite3",
        "Where drafts, the audit log and accounts live: a SQLite file, or "
        "postgresql://user:password@host/dbname when several processes or hosts serve together.",
    ),
    Setting(
        "DATABASE_WAIT_SECONDS",
        "5",
        "How long a request waits for the database while another write holds it (SQLite's busy "
        "timeout; PostgreSQL's lock_timeout and statement_timeout, and the wait for a free "
        "connection). Past it the agent sees a 503 page that keeps everything they typed, "
        "with a button to send it again. Migrations at start wait as long as they need.",
    ),
    Setting(
        "SUPPORT_EMAIL",
        "(unset)",
        "Your team's support address: the Reply-To of requests prepared for Gelato Support.",
    ),
    Setting(
        "SITE_DIR",
        "site",
        "The built knowledge base that is served at /. `make run` builds it when docs/ changed.",
    ),
    Setting(
        "SITE_URL",
        "http://127.0.0.1:8000/",
        "The public address of the help center, written into the built site (canonical links, "
        "sitemap). Read by the site build, not by the running app.",
    ),
    Setting("HOST", "127.0.0.1", "Address `python app.py` listens on."),
    Setting("PORT", "8000", "Port `python app.py` listens on."),
    Setting("LOG_LEVEL", "INFO", f"One of {', '.join(LOG_LEVELS)}."),
    Setting(
        "SESSION_IDLE_MINUTES",
        "60",
        "Minutes without a request after which an agent must sign in again.",
    ),
    Setting(
        "SESSION_COOKIE_SECURE",
        "(live: on, sandbox: off)",
        "on: browsers send the session cookie over HTTPS only. Turn it off only to try live mode "
        "over plain HTTP on your own machine.",
    ),
    Setting(
        "SIGN_IN_ATTEMPTS_PER_ACCOUNT",
        "5",
        "Failed sign-ins to one account within SIGN_IN_LOCKOUT_MINUTES after which that account "
        "refuses further attempts until the window has passed.",
    ),
    Setting(
        "SIGN_IN_ATTEMPTS_PER_ADDRESS",
        "20",
        "The same, counted per client address, across all accounts.",
    ),
    Setting(
        "SIGN_IN_LOCKOUT_MINUTES",
        "15",
        "The window in which failed sign-ins are counted, and so the longest a lock lasts.",
    ),
    Setting(
        "FEEDBACK_PER_ADDRESS",
        "20",
        'Answers to the articles\' "Was this page helpful?" taken from one client address within '
        "FEEDBACK_WINDOW_MINUTES; more are refused (429, with Retry-After) until the window "
        "ends. Counted in the database, so every process counts the same answers.",
    ),
    Setting(
        "FEEDBACK_WINDOW_MINUTES",
        "10",
        "The window in which FEEDBACK_PER_ADDRESS is counted.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        "How many reverse proxies in front of the app set X-Forwarded-For, -Proto and -Host. "
        "With 0 those headers are ignored; set it when behind one, so that sign-in throttling "
        "and the feedback limit see each client's own address.",
    ),
    Setting(
        "TRUSTED_USER_HEADER",
        "(unset: off)",
        "For single sign-on: the request header (e.g. X-Forwarded-User) in which your "
        "authenticating proxy passes the signed-in user's name; that name must be an agent "
        "account. Only set it when the proxy strips this header from clients' requests.",
    ),
    Setting(
        "MAX_UPLOAD_MB",
        "25",
        "The largest request body, uploads included, in megabytes; larger ones are refused "
        "before they are read.",
    ),
    Setting(
        "SMTP_URL",
        "(unset: no sending from the server)",
        "The mail server that sends requests to Gelato Support: smtp://user:password@host:587 "
        "(STARTTLS), smtps://user:password@host:465 (TLS), or smtp://host:25?starttls=off for a "
        "relay on a trusted network. Unset, agents send requests from their own mail program "
        "(email link or .eml file).",
    ),
    Setting(
        "MAIL_FROM",
        "(SUPPORT_EMAIL)",
        "The sender of requests sent over SMTP_URL, and of downloaded .eml drafts.",
    ),
    Setting(
        "REQUEST_FILE_MAX_MB",
        "10",
        "The largest photo or file a support request accepts, in megabytes.",
    ),
    Setting(
        "REQUEST_FILES_TOTAL_MB",
        "18",
        "What the files of one support request may add up to, in megabytes: encoded into an "
        "email they grow by a third, and most mail services refuse messages over 25 MB.",
    ),
    Setting("REQUEST_MAX_FILES", "10", "The most files one support request holds."),
    Setting(
        "API_CALLS_PER_MINUTE",
        "120",
        "The most calls one API token may make in a minute, counted in the database across "
        "every process; further calls are answered 429 with Retry-After until the minute ends.",
    ),
)


_DEFAULTS = {setting.name: setting.default for setting in SETTINGS}


class ConfigError(Exception):
    """One or more settings are missing or malformed; the message lists each, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("The help center cannot start:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass(frozen=True)
class Config:
    gelato_api_key: str | None = field(repr=False)
    gelato_api_url: str | None
    secret_key: str = field(repr=False)
    database_url: str
    database_wait_seconds: int
    support_email: str | None
    site_dir: Path
    host: str
    port: int
    log_level: str
    session_idle_minutes: int
    session_cookie_secure: bool
    sign_in_attempts_per_account: int
    sign_in_attempts_per_address: int
    sign_in_lockout_minutes: int
    feedback_per_address: int
    feedback_window_minutes: int
    trusted_proxies: int
    trusted_user_header: str | None
    max_upload_mb: int
    smtp: SmtpSettings | None = field(repr=False)
    mail_from: str | None
    request_file_max_mb: int
    request_files_total_mb: int
    request_max_files: int
    api_calls_per_minute: int = 120

    @property
    def mode(self) -> str:
        return "live" if self.gelato_api_key else "sandbox"

    @property
    def is_sandbox(self) -> bool:
        return self.gelato_api_key is None

    @property
    def secrets(self) -> list[str]:
        """This deployment's secret values, to be blanked wherever text is logged or stored."""
        return list(self.named_secrets.values())

    @property
    def named_secrets(self) -> dict[str, str]:
        """The same, each under the words that tell an agent what was taken out of their text:
        every setting that holds a secret."""
        named = {
            "the help center's Gelato API key": self.gelato_api_key,
            "the help center's secret key (SECRET_KEY)": self.secret_key,
            "the help center's SMTP password": self.smtp.password if self.smtp else None,
        }
        return {label: value for label, value in named.items() if value}


def load_config(environ: Mapping[str, str] | None = None, *, instance_path: Path) -> Config:
    """Read and check every setting; raise ConfigError naming all the bad ones at once."""
    env = os.environ if environ is None else environ
    problems: list[str] = []

    def get(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    def get_or_default(name: str) -> str:
        return get(name) or _DEFAULTS[name]

    api_key = get("GELATO_API_KEY")
    api_url = get("GELATO_API_URL")
    if api_url:
        api_url = api_url.rstrip("/")
        problem = _api_url_problem(api_url, with_key=bool(api_key))
        if problem:
            problems.append(problem)

    secret_key = get("SECRET_KEY")
    if secret_key is None:
        if api_key:
            problems.append(
                "SECRET_KEY is not set. Live mode (GELATO_API_KEY is set) needs a secret key of "
                f"at least {MIN_SECRET_KEY_LENGTH} characters, shared by every process; generate "
                'one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
            )
        else:
            secret_key = _sandbox_secret_key(instance_path)
    elif len(secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY is too short ({len(secret_key)} characters): use at least "
            f"{MIN_SECRET_KEY_LENGTH}."
        )

    database_url = get("DATABASE_URL") or f"sqlite:///{instance_path / 'helpcenter.sqlite3'}"
    problem = _database_url_problem(database_url)
    if problem:
        problems.append(problem)

    support_email = get("SUPPORT_EMAIL")
    if support_email and not _EMAIL.match(support_email):
        problems.append(f"SUPPORT_EMAIL is not an email address: {support_email!r}.")

    site_dir = Path(get_or_default("SITE_DIR"))
    if not site_dir.is_absolute():
        site_dir = PROJECT_ROOT / site_dir
    if not (site_dir / "index.html").is_file():
        problems.append(
            f"SITE_DIR ({site_dir}) holds no built knowledge base. Build it with `make site` "
            "(or `mkdocs build`), or point SITE_DIR at a built site."
        )

    port_text = get_or_default("PORT")
    port = int(port_text) if port_text.isdigit() else 0
    if not 0 < port < 65536:
        problems.append(f"PORT must be a number from 1 to 65535, not {port_text!r}.")

    log_level = get_or_default("LOG_LEVEL").upper()
    if log_level not in LOG_LEVELS:
        problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}.")

    def whole_number(name: str, lowest: int = 1) -> int:
        text = get_or_default(name)
        if not text.isdigit() or int(text) < lowest:
            problems.append(f"{name} must be a whole number of at least {lowest}, not {text!r}.")
            return lowest  # never used: the problem stops the start
        return int(text)

    database_wait_seconds = whole_number("DATABASE_WAIT_SECONDS")
    session_idle_minutes = whole_number("SESSION_IDLE_MINUTES")
    sign_in_attempts_per_account = whole_number("SIGN_IN_ATTEMPTS_PER_ACCOUNT")
    sign_in_attempts_per_address = whole_number("SIGN_IN_ATTEMPTS_PER_ADDRESS")
    sign_in_lockout_minutes = whole_number("SIGN_IN_LOCKOUT_MINUTES")
    feedback_per_address = whole_number("FEEDBACK_PER_ADDRESS")
    feedback_window_minutes = whole_number("FEEDBACK_WINDOW_MINUTES")
    trusted_proxies = whole_number("TRUSTED_PROXIES", lowest=0)
    max_upload_mb = whole_number("MAX_UPLOAD_MB")
    request_file_max_mb = whole_number("REQUEST_FILE_MAX_MB")
    request_files_total_mb = whole_number("REQUEST_FILES_TOTAL_MB")
    request_max_files = whole_number("REQUEST_MAX_FILES")
    api_calls_per_minute = whole_number("API_CALLS_PER_MINUTE")

    smtp = None
    if get("SMTP_URL"):
        try:
            smtp = SmtpSettings.from_url(get("SMTP_URL"))
        except SmtpUrlError as error:
            problems.append(str(error))
    mail_from = get("MAIL_FROM") or support_email
    if get("MAIL_FROM") and not _EMAIL.match(get("MAIL_FROM")):
        problems.append(f"MAIL_FROM is not an email address: {get('MAIL_FROM')!r}.")
    if smtp and not mail_from:
        problems.append(
            "SMTP_URL is set, but no sender: set MAIL_FROM (or SUPPORT_EMAIL) to the address "
            "requests are sent from."
        )

    cookie_secure_text = (get("SESSION_COOKIE_SECURE") or ("on" if api_key else "off")).lower()
    if cookie_secure_text not in _SWITCH:
        problems.append(f"SESSION_COOKIE_SECURE must be on or off, not {cookie_secure_text!r}.")

    trusted_user_header = get("TRUSTED_USER_HEADER")
    if trusted_user_header and not _HEADER_NAME.match(trusted_user_header):
        problems.append(f"TRUSTED_USER_HEADER is not a header name: {trusted_user_header!r}.")

    if problems:
        raise ConfigError(problems)
    return Config(
        gelato_api_key=api_key,
        gelato_api_url=api_url,
        secret_key=secret_key,
        database_url=database_url,
        database_wait_seconds=database_wait_seconds,
        support_email=support_email,
        site_dir=site_dir,
        host=get_or_default("HOST"),
        port=port,
        log_level=log_level,
        session_idle_minutes=session_idle_minutes,
        session_cookie_secure=_SWITCH[cookie_secure_text],
        sign_in_attempts_per_account=sign_in_attempts_per_account,
        sign_in_attempts_per_address=sign_in_attempts_per_address,
        sign_in_lockout_minutes=sign_in_lockout_minutes,
        feedback_per_address=feedback_per_address,
        feedback_window_minutes=feedback_window_minutes,
        trusted_proxies=trusted_proxies,
        trusted_user_header=trusted_user_header,
        max_upload_mb=max_upload_mb,
        smtp=smtp,
        mail_from=mail_from,
        request_file_max_mb=request_file_max_mb,
        request_files_total_mb=request_files_total_mb,
        request_max_files=request_max_files,
        api_calls_per_minute=api_calls_per_minute,
    )


def _database_url_problem(url: str) -> str | None:
    try:
        backend = make_url(url).get_backend_name()
    except ArgumentError:
        return "DATABASE_URL is not a database URL (e.g. postgresql://user:pw@host/db)."
    if backend not in ("sqlite", "postgres", "postgresql"):
        return f"DATABASE_URL must be a sqlite:// or postgresql:// URL, not {backend}://."
    return None


def _api_url_problem(url: str, *, with_key: bool) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        return (
            f"GELATO_API_URL must be an http:// or https:// address such as "
            f"http://127.0.0.1:8765, not {url!r}."
        )
    if with_key and parts.scheme == "http" and parts.hostname not in _LOOPBACK_HOSTS:
        return (
            "GELATO_API_URL must start with https:// when GELATO_API_KEY is set: over plain "
            "http the API key would cross the network readable by anyone on the way (plain "
            "http is accepted for 127.0.0.1 and localhost only)."
        )
    return None


def _sandbox_secret_key(instance_path: Path) -> str:
    """A key kept in the instance folder, so sandbox sessions survive a restart."""
    path = instance_path / "secret_key"
    if path.is_file():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
