"""Where the help center sends mail from: the ``SMTP_URL`` setting, read and checked.

One setting says everything: where, how securely, as whom. The password in it is a credential for
the team's mailbox, so it never appears in a page, a log line, an error message or the audit log;
and it is never sent over a connection that is not encrypted, except to a relay on the same
machine.

- ``smtp://user:password@host:587``: STARTTLS, required (the usual submission port);
- ``smtps://user:password@host:465``: TLS from the first byte;
- ``smtp://host:25?starttls=off``: no encryption, for a relay on a trusted network; with a user
  name only to a relay on this machine (127.0.0.1, ::1, localhost).

User name and password are percent-encoded in the URL like any URL's (``@`` is ``%40``). The
settings are read at start with every other setting; sending is ``portal.requests.mail``'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
STARTTLS = "starttls"
TLS = "tls"
PLAIN = "none"
TIMEOUT_SECONDS = 20
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SmtpUrlError(ValueError):
    """``SMTP_URL`` is malformed; the message says how, without repeating the password."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as error:
            raise SmtpUrlError("SMTP_URL is not a URL with a valid port.") from error
        if parts.scheme not in DEFAULT_PORTS:
            raise SmtpUrlError("SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS).")
        if not parts.hostname:
            raise SmtpUrlError("SMTP_URL names no mail server (smtp://host:587).")
        options = parse_qs(parts.query, keep_blank_values=True)
        unknown = set(options) - {"starttls"}
        if unknown:
            raise SmtpUrlError(f"SMTP_URL has unknown options: {', '.join(sorted(unknown))}.")
        starttls = options.get("starttls", ["on"])[-1].lower()
        if starttls not in ("on", "off") or (starttls == "off" and parts.scheme == "smtps"):
            raise SmtpUrlError("SMTP_URL: starttls is on or off, and only for smtp://.")
        security = TLS if parts.scheme == "smtps" else STARTTLS if starttls == "on" else PLAIN
        username = unquote(parts.username) if parts.username else None
        password = unquote(parts.password) if parts.password is not None else None
        if security == PLAIN and username and parts.hostname not in _LOOPBACK:
            raise SmtpUrlError(
                "SMTP_URL would send a password without encryption: use STARTTLS (leave out "
                "starttls=off) or smtps://."
            )
        return cls(
            host=parts.hostname,
            port=port or DEFAULT_PORTS[parts.scheme],
            security=security,
            username=username,
            password=password,
        )

    def describe(self) -> str:
        """Where mail goes, for the pages: never the password."""
        how = {STARTTLS: "STARTTLS", TLS: "TLS", PLAIN: "no encryption"}[self.security]
        who = f"{self.username} at " if self.username else ""
        return f"{who}{self.host}:{self.port} ({how})"
