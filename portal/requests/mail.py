"""Sending a request from the server, when the team gives the help center a mail server.

``SMTP_URL`` (read by ``portal.mail_settings``) says where, how securely and as whom. The
password never appears in an error message raised here, and it is never sent before the
connection is encrypted, except to a relay on the same machine.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from portal.mail_settings import STARTTLS, TLS, SmtpSettings


class MailError(Exception):
    """Sending failed; the message is fit to show the agent and holds no credential."""


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
