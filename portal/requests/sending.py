"""A prepared request leaving the portal: downloaded, sent over SMTP, or marked as sent, each
at most once and each in the audit log.

The status moves ``prepared`` → ``downloaded`` (its .eml was taken; it may still be sent from
here, since a download proves nothing was sent) → ``sending`` (an SMTP send is under way) →
``sent``. Of two sends racing (a double click, two agents), the one that moves the status to
``sending`` sends; the other is told. A send that surely failed puts the status back where it
was, so the request can be sent again. A send whose outcome is unknown (the mail server took the
message and never confirmed it, or the process died mid-send: ``sending`` for longer than
``STALE_SENDING``) leaves it ``unconfirmed``: the agent checks the team's sent mail, then either
marks it as sent or confirms it was not, and only then may it be sent again, so that Gelato does
not get it twice. Plain Python over the store: the views call these functions and show what they
return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from portal.mail_settings import SmtpSettings
from portal.requests import compose, mail
from portal.requests.drafts import (
    DOWNLOADED,
    REQUEST_DOWNLOADED,
    REQUEST_SENT,
    SENDABLE,
    SENDING,
    SENT,
    STALE_SENDING,
    UNCONFIRMED,
    Draft,
)
from portal.store import Store

#: How a send ended.
DELIVERED = "delivered"
#: Another send has it, or it was sent already.
BUSY = "busy"
#: It may have been sent before: the agent must say they checked first.
CHECK_FIRST = "check_first"
#: Surely not sent: sending again is safe.
NOT_SENT = "not_sent"
#: Perhaps sent: the server did not confirm it.
UNKNOWN = "unknown"

#: Records an audit entry: ``(actor, action, outcome, **fields)``, as ``context.record_action``.
Recorder = Callable[..., int]


@dataclass(frozen=True)
class SendResult:
    outcome: str
    #: What to tell the agent: why it failed, or what to do first.
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
    checked_not_sent: bool = False,
) -> SendResult:
    """Send the request to Gelato Support from the team's mail server, once.

    ``checked_not_sent``: the agent confirms that a request which may have been sent before is
    not in the team's sent mail, so it may go again."""
    previous = draft.status_at(now)
    claimable = SENDABLE
    if previous == UNCONFIRMED:
        if not checked_not_sent:
            return SendResult(
                CHECK_FIRST,
                "This request may already have been sent. Check the team's sent mail first; if "
                "it is not there, confirm that and send it again.",
            )
        claimable = (*SENDABLE, UNCONFIRMED)
    if draft.status == SENDING:  # and stale: the process that had it died
        claimed = store.drafts.update(
            draft.id,
            status=SENDING,
            only_if_status=(SENDING,),
            only_if_changed_before=now - STALE_SENDING,
        )
    else:
        claimed = store.drafts.update(draft.id, status=SENDING, only_if_status=claimable)
    if not claimed:
        return SendResult(BUSY, "This request is already sent, or being sent right now.")
    audit = audit_fields(draft, prepared, "smtp")
    try:
        mail.send_message(settings, compose.email_message(prepared, unsent=False))
    except mail.MailError as error:
        if error.maybe_sent:
            draft.status = UNCONFIRMED
            store.drafts.update(draft.id, status=UNCONFIRMED)
            record(actor, REQUEST_SENT, "failed", gelato_answer=str(error), **audit)
            return SendResult(UNKNOWN, str(error))
        # Nothing left: back where it was (an earlier attempt still unconfirmed stays so).
        draft.status = previous
        store.drafts.update(draft.id, status=previous)
        record(actor, REQUEST_SENT, "failed", gelato_answer=str(error), **audit)
        return SendResult(NOT_SENT, str(error))
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
    """The agent sent it from their own mail program (the link, the copied text or the .eml),
    or found in the team's sent mail the one the server did not confirm. False when it was not
    waiting to be sent."""
    status = draft.status_at(now)
    if status not in (*SENDABLE, UNCONFIRMED):
        return False
    via = "smtp" if status == UNCONFIRMED else "mail program"
    if not store.drafts.update(
        draft.id, status=SENT, only_if_status=(draft.status,), updated_at=now
    ):
        return False
    _mark_sent(draft, store, actor, via, now, checked=status == UNCONFIRMED)
    audit = audit_fields(draft, prepared, via)
    audit["request"]["confirmed_by_agent"] = status == UNCONFIRMED
    record(actor, REQUEST_SENT, "succeeded", **audit)
    return True


def _mark_sent(
    draft: Draft, store: Store, actor: str, via: str, now: datetime, *, checked: bool = False
) -> None:
    draft.status = SENT
    draft.sent = {"at": now.isoformat(timespec="seconds"), "by": actor, "via": via}
    if checked:
        draft.sent["checked"] = True  # found in the team's sent mail, not confirmed by the server
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
