"""Sending a request from the server, when the team gives the help center a mail server.

One setting, ``SMTP_URL``, says everything: where, how securely, as whom. The password in it is a
credential for the team's mailbox, so it never appears in a page, a log line, an error message
or the audit log; and it is never sent over a connection that is not encrypted, except to a relay
on the same machine.

- ``smtp://user:password@host:587``: STARTTLS, required (the usual submission port);
- ``smtps://user:password@host:465``: TLS from the first byte;
- ``smtp://host:25?starttls=off``: no encryption, for a relay on a trusted network; with a user
  name only to a relay on this machine (127.0.0.1, ::1, localhost).

User name and password are percent-encoded in the URL like any URL's (``@`` is ``%40``).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
STARTTLS = "starttls"
TLS = "tls"
PLAIN = "none"
TIMEOUT_SECONDS = 20
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class SmtpUrlError(ValueError):
    """``SMTP_URL`` is malformed; the message says how, without repeating the password."""


class MailError(Exception):
    """Sending failed; the message is fit to show the agent and holds no credential."""


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


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand the message to the server; raise MailError saying what went wrong."""
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.security == TLS:
            server = smtplib.SMTP_SSL(
                settings.host,
                settings.port,
                timeout=settings.timeout,
                context=ssl.create_default_context(),
            )
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"The mail server {where} could not be reached ({_reason(error)}). Nothing was sent."
        ) from None
    try:
        with server:
            server.ehlo()
            if settings.security == STARTTLS:
                if not server.has_extn("starttls"):
                    raise MailError(
                        f"The mail server {where} does not offer STARTTLS, so nothing was sent "
                        "(and no password). Ask whoever runs it, or use smtps://."
                    )
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if settings.username:
                server.login(settings.username, settings.password or "")
            refused = server.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(
            f"The mail server {where} refused the user name or password ({error.smtp_code}). "
            "Nothing was sent; an admin must correct SMTP_URL."
        ) from None
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(f"The mail server refused the recipient: {_refusals(error)}") from None
    except smtplib.SMTPSenderRefused as error:
        raise MailError(
            f"The mail server refused the sender address ({error.smtp_code} "
            f"{_decoded(error.smtp_error)}). Check MAIL_FROM."
        ) from None
    except smtplib.SMTPResponseException as error:
        raise MailError(
            f"The mail server refused the message ({error.smtp_code} "
            f"{_decoded(error.smtp_error)}). Nothing was sent."
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"The connection to the mail server {where} failed ({_reason(error)}). The message "
            "may not have been sent: check the team's sent mail before sending it again."
        ) from None
    if refused:
        raise MailError(f"The mail server refused some recipients: {', '.join(refused)}.")


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError):  # socket.timeout is TimeoutError since Python 3.10
        return "no answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error.__class__.__name__}"
    return error.__class__.__name__ if not str(error) else str(error)[:200]


def _decoded(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text.strip()[:200]


def _refusals(error: smtplib.SMTPRecipientsRefused) -> str:
    return "; ".join(
        f"{address} ({code} {_decoded(text)})" for address, (code, text) in error.recipients.items()
    )
