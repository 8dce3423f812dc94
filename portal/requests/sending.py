"""A prepared request leaving the portal: downloaded, sent over SMTP, or marked as sent, each
at most once and each in the audit log.

The status moves ``prepared`` → ``downloaded`` (its .eml was taken; it may still be sent from
here, since a download proves nothing was sent) → ``sending`` (an SMTP send is under way) →
``sent``. Of two sends racing (a double click, two agents), the one that moves the status to
``sending`` sends; the other is told. A send that fails puts the status back where it was, so the
request can be sent again; a ``sending`` left behind by a process that died is taken over after
``STALE_SENDING``. Plain Python over the store: the views only call these functions and show what
they return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.mail_settings import SmtpSettings
from portal.requests import compose, mail
from portal.requests.drafts import (
    DOWNLOADED,
    PREPARED,
    REQUEST_DOWNLOADED,
    REQUEST_SENT,
    SENDABLE,
    SENDING,
    SENT,
    Draft,
)
from portal.store import Store

#: An SMTP send still "sending" after this long belongs to a process that died: it may be retried.
STALE_SENDING = timedelta(minutes=5)

#: How a send ended.
DELIVERED = "delivered"
BUSY = "busy"
FAILED = "failed"

#: Records an audit entry: ``(actor, action, outcome, **fields)``, as ``context.record_action``.
Recorder = Callable[..., int]


@dataclass(frozen=True)
class SendResult:
    outcome: str
    #: What to tell the agent: why it failed, or that another send has it.
    message: str = ""

    @property
    def delivered(self) -> bool:
        return self.outcome == DELIVERED


def send_by_smtp(
    draft: Draft,
    prepared: compose.PreparedRequest,
    *,
    store: Store,
    settings: SmtpSettings,
    actor: str,
    record: Recorder,
    now: datetime,
) -> SendResult:
    """Send the request to Gelato Support from the team's mail server, once."""
    claimable = SENDABLE
    if draft.status == SENDING and draft.updated_at < now - STALE_SENDING:
        claimable = (*claimable, SENDING)
    previous = draft.status
    if not store.drafts.update(draft.id, status=SENDING, only_if_status=claimable):
        return SendResult(BUSY, "This request is already sent, or being sent right now.")
    audit = audit_fields(draft, prepared, "smtp")
    try:
        mail.send_message(settings, compose.email_message(prepared, unsent=False))
    except mail.MailError as error:
        restored = previous if previous in SENDABLE else PREPARED
        store.drafts.update(draft.id, status=restored)
        draft.status = restored
        record(actor, REQUEST_SENT, "failed", gelato_answer=str(error), **audit)
        return SendResult(FAILED, str(error))
    _mark_sent(draft, store, actor, "smtp", now)
    record(actor, REQUEST_SENT, "succeeded", **audit)
    return SendResult(DELIVERED)


def record_download(
    draft: Draft, prepared: compose.PreparedRequest, *, store: Store, actor: str, record: Recorder
) -> None:
    """The .eml was taken, to be sent from the agent's mail program."""
    if draft.status in SENDABLE:
        store.drafts.update(draft.id, status=DOWNLOADED)
        draft.status = DOWNLOADED
    record(actor, REQUEST_DOWNLOADED, "succeeded", **audit_fields(draft, prepared, "eml"))


def mark_sent(
    draft: Draft,
    prepared: compose.PreparedRequest,
    *,
    store: Store,
    actor: str,
    record: Recorder,
    now: datetime,
) -> bool:
    """The agent sent it from their own mail program (the link, the copied text or the .eml).
    False when it was not waiting to be sent."""
    if draft.status not in SENDABLE:
        return False
    _mark_sent(draft, store, actor, "mail program", now)
    record(actor, REQUEST_SENT, "succeeded", **audit_fields(draft, prepared, "mail program"))
    return True


def _mark_sent(draft: Draft, store: Store, actor: str, via: str, now: datetime) -> None:
    draft.status = SENT
    draft.sent = {"at": now.isoformat(timespec="seconds"), "by": actor, "via": via}
    store.drafts.update(draft.id, status=SENT, fields=draft.fields_json())


def audit_fields(draft: Draft, prepared: compose.PreparedRequest, via: str) -> dict:
    """What the audit log keeps of a request leaving: its order, and the email's envelope."""
    original = draft.original
    return {
        "order_id": original.id if original else None,
        "order_reference": (original.reference if original else draft.answers.get("order_number"))
        or None,
        "request": {
            "draft": draft.id,
            "scenario": draft.scenario.slug,
            "via": via,
            "to": prepared.to,
            "reply_to": prepared.reply_to,
            "subject": prepared.subject,
            "attachments": [a.filename for a in prepared.attachments],
        },
    }
