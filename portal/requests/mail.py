"""Sending a request from the server, when the team gives the help center a mail server.

``SMTP_URL`` (read by ``portal.mail_settings``) says where, how securely and as whom. The
password never appears in an error message raised here, and it is never sent before the
connection is encrypted, except to a relay on the same machine.

A failure says truthfully whether the message left. Until the server has the whole message, a
failure (no connection, a refused password, sender or recipient, a refused DATA, a connection
broken while the message is written) means nothing was sent, and sending again is safe. Once the
message is written, only the server's answer says it was taken: without that answer (a timeout,
a dropped connection) the message may have been sent, and the agent must check before sending
it again, or Gelato gets it twice. The exchange is driven step by step (MAIL, RCPT, DATA, the
message, the answer) so that the step a failure happened in is known, not guessed.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses

from portal.mail_settings import STARTTLS, TLS, SmtpSettings

#: Whether a failed send left anything at the server.
NOT_SENT = "not_sent"
UNKNOWN = "unknown"


class MailError(Exception):
    """Sending failed; the message is fit to show the agent and holds no credential."""

    def __init__(self, message: str, *, delivery: str = NOT_SENT):
        super().__init__(message)
        #: ``NOT_SENT``: nothing left, sending again is safe; ``UNKNOWN``: it may have been sent.
        self.delivery = delivery

    @property
    def maybe_sent(self) -> bool:
        return self.delivery == UNKNOWN


def send_message(settings: SmtpSettings, message: EmailMessage) -> None:
    """Hand the message to the server; raise MailError saying what went wrong, and whether the
    message may have left all the same."""
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
        _sign_in(server, settings, where)
        _hand_over(server, message, where)
    except MailError:
        server.close()  # no QUIT: a server that stopped answering would make the agent wait again
        raise
    try:
        server.quit()
    except (OSError, smtplib.SMTPException):
        server.close()  # the message was taken; a goodbye that fails changes nothing


def _sign_in(server: smtplib.SMTP, settings: SmtpSettings, where: str) -> None:
    try:
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
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(
            f"The mail server {where} refused the user name or password ({error.smtp_code}). "
            "Nothing was sent; an admin must correct SMTP_URL.",
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"The mail server {where} does not offer sign-in (AUTH), so the user name and "
            "password of SMTP_URL cannot be used. Nothing was sent; an admin must correct "
            "SMTP_URL.",
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"The connection to the mail server {where} failed before anything was sent "
            f"({_reason(error)}). Nothing was sent."
        ) from None


def _hand_over(server: smtplib.SMTP, message: EmailMessage, where: str) -> None:
    sender = getaddresses([message["From"] or ""])[0][1]
    recipients = [address for _, address in getaddresses(message.get_all("To", []))]
    international = not (sender + "".join(recipients)).isascii()
    options = ["SMTPUTF8", "BODY=8BITMIME"] if international else []
    data = message.as_bytes(policy=SMTP.clone(utf8=international))
    try:
        if international and not server.has_extn("smtputf8"):
            raise MailError(
                f"The mail server {where} does not take international addresses (SMTPUTF8). "
                "Nothing was sent; use an ASCII address in MAIL_FROM.",
            )
        code, reply = server.mail(sender, options)
        if code != 250:
            raise MailError(
                f"The mail server refused the sender address ({code} {_decoded(reply)}). "
                "Nothing was sent; check MAIL_FROM.",
            )
        refusals = []
        for recipient in recipients:
            code, reply = server.rcpt(recipient)
            if code not in (250, 251):
                refusals.append(f"{recipient} ({code} {_decoded(reply)})")
        if refusals:
            raise MailError(
                f"The mail server refused the recipient: {'; '.join(refusals)}. Nothing was sent.",
            )
        code, reply = server.docmd("DATA")
        if code != 354:
            raise MailError(
                f"The mail server refused the message ({code} {_decoded(reply)}). Nothing was "
                "sent.",
            )
        # The message itself, ended by a line holding a dot; a line starting with a dot gets
        # another (RFC 5321, 4.5.2). Until the last byte is written, the server has nothing.
        body = re.sub(rb"(?m)^\.", b"..", data)
        server.send(body + (b"" if body.endswith(b"\r\n") else b"\r\n") + b".\r\n")
    except MailError:
        raise
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"The connection to the mail server {where} broke before the message was handed "
            f"over ({_reason(error)}). Nothing was sent."
        ) from None
    try:
        code, reply = server.getreply()
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(
            f"The mail server {where} was given the whole message but did not confirm it "
            f"({_reason(error)}). It may have been sent: check the team's sent mail (or ask "
            "Gelato Support) before you send it again.",
            delivery=UNKNOWN,
        ) from None
    if code != 250:
        raise MailError(
            f"The mail server refused the message after reading it ({code} {_decoded(reply)}). "
            "Nothing was sent.",
        )


def _reason(error: BaseException) -> str:
    if isinstance(error, TimeoutError) or "timed out" in str(error):
        # socket.timeout is TimeoutError since Python 3.10; smtplib wraps it when reading.
        return "no answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, ssl.SSLError):
        return f"TLS failed: {error.reason or error.__class__.__name__}"
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return "the server closed the connection"
    return error.__class__.__name__ if not str(error) else str(error)[:200]


def _decoded(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text.strip()[:200]
