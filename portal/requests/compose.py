"""The email a request becomes: subject, plain-text body, attachments; as a ``mailto:`` link and as
an ``.eml`` file.

The body follows the scenario's checklist in its order, one requirement after the other under
Gelato's own names for them, so that Gelato's agent finds each item where the help article says it
is. Three ways out, because teams send mail differently: a ``mailto:`` link for the agent's mail
program (RFC 6068; it cannot carry files, and long links are cut by some programs), an ``.eml``
draft with every file attached (RFC 5322, opened as an unsent draft), and SMTP from the server.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from urllib.parse import quote

from portal.knowledge import GELATO_SUPPORT
from portal.requests.kinds import order_number_text
from portal.requests.lookup import OrderFacts
from portal.requests.scenarios import GELATO, Scenario
from portal.requests.text import answer_text, header_text
from portal.requests.uploads import safe_filename

#: Above this many characters, mail programs and browsers start to cut or refuse ``mailto:``
#: links (older Outlook and Windows stop near 2,000); a longer request goes with a short body.
MAILTO_MAX_LENGTH = 1800
#: Line breaks as the email's body writes them (RFC 5322 and RFC 6068 both want CRLF).
CRLF = "\r\n"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class PreparedRequest:
    """Everything the email carries, whichever way it leaves."""

    to: str
    subject: str
    body: str
    #: What a ``mailto:`` link carries when the whole body would make it too long.
    short_body: str
    attachments: tuple[Attachment, ...]
    reply_to: str | None = None
    sender: str | None = None


@dataclass(frozen=True)
class MailtoLink:
    url: str
    #: False when the body was too long and the link carries the short body instead.
    complete: bool
    #: The length the link with the whole body would have had.
    full_length: int


@dataclass(frozen=True)
class StoredFile:
    """A file of the draft as the store keeps it (``role`` is its requirement's key)."""

    role: str
    filename: str
    content_type: str
    data: bytes


def prepare_request(
    scenario: Scenario,
    answers: Mapping[str, object],
    *,
    orders: Mapping[str, OrderFacts],
    files: Sequence[StoredFile],
    agent: str,
    today: date,
    reply_to: str | None = None,
    sender: str | None = None,
) -> PreparedRequest:
    attachments, names_by_role = _attachments(scenario, files)
    for requirement in scenario.requirements:
        long_text = requirement.kind.long_text_attachment(requirement, answers)
        if long_text:
            name, text = long_text
            name = _unique(name, {a.filename for a in attachments})
            attachments.append(Attachment(name, "text/plain", text.encode("utf-8")))
            names_by_role.setdefault(requirement.key, []).insert(0, name)

    lines = ["Hello Gelato Support,", "", _opening(scenario), ""]
    for requirement in scenario.requirements:
        if requirement.key == "subject":  # it is the email's own subject
            continue
        entry = requirement.kind.email_lines(
            requirement,
            answers,
            orders=orders,
            attached=names_by_role.get(requirement.key, []),
            today=today,
        )
        if entry:
            lines += [*entry, ""]
    if reply_to:
        lines += [f"Please reply to {reply_to}.", ""]
    lines += ["Kind regards,", agent, "", "-- ", _response_time()]
    body = CRLF.join(_strip_trailing(lines))

    short = [
        "Hello Gelato Support,",
        "",
        "[This request is too long for an email link. Paste the text copied in the help center "
        "here, and attach its files; or send the .eml file from the help center instead.]",
        "",
    ]
    short += [f"Order: {facts.label()}" for facts in orders.values()]
    short += ["", "Kind regards,", agent]
    return PreparedRequest(
        to=GELATO_SUPPORT.email,
        subject=subject_line(scenario, answers, orders),
        body=body,
        short_body=CRLF.join(short),
        attachments=tuple(attachments),
        reply_to=reply_to,
        sender=sender,
    )


def subject_line(
    scenario: Scenario, answers: Mapping[str, object], orders: Mapping[str, OrderFacts]
) -> str:
    """The situation and the order numbers: what Gelato's agent sorts and searches by."""
    topic = header_text(answer_text(answers, "subject")) or scenario.title
    numbers = []
    for requirement in scenario.requirements:
        value = order_number_text(requirement, answers, orders)
        if value:
            word = "reorder" if requirement.reorder_of else "order"
            numbers.append(f"{word} {value}")
    text = f"{topic}: {', '.join(numbers)}" if numbers else topic
    return header_text(text)


def mailto_link(request: PreparedRequest, limit: int = MAILTO_MAX_LENGTH) -> MailtoLink:
    """A ``mailto:`` URL per RFC 6068: UTF-8, every reserved character percent-encoded, line
    breaks as ``%0D%0A``. Over ``limit`` characters it carries ``short_body`` instead."""

    def link(body: str) -> str:
        query = f"subject={_encode(request.subject)}&body={_encode(body)}"
        return f"mailto:{quote(request.to, safe='@')}?{query}"

    full = link(request.body)
    if len(full) <= limit:
        return MailtoLink(full, True, len(full))
    return MailtoLink(link(request.short_body), False, len(full))


def email_message(
    request: PreparedRequest, *, unsent: bool, now: datetime | None = None
) -> EmailMessage:
    """The request as an email. ``unsent``: marked ``X-Unsent: 1``, which Outlook and other
    desktop programs take as "open as a draft to send", rather than a received message."""
    message = EmailMessage()
    if request.sender:
        message["From"] = request.sender
    message["To"] = request.to
    if request.reply_to:
        message["Reply-To"] = request.reply_to
    message["Subject"] = request.subject
    message["Date"] = format_datetime(now or datetime.now(UTC))
    domain = (request.sender or request.reply_to or "help-center.invalid").rpartition("@")[2]
    message["Message-ID"] = make_msgid(domain=domain)
    if unsent:
        message["X-Unsent"] = "1"
    message.set_content(request.body.replace(CRLF, "\n"))
    for attachment in request.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def eml_bytes(request: PreparedRequest, now: datetime | None = None) -> bytes:
    """The ``.eml`` file: CRLF line endings, as RFC 5322 writes messages."""
    return email_message(request, unsent=True, now=now).as_bytes(policy=SMTP)


def eml_filename(request: PreparedRequest) -> str:
    stem = re.sub(r"[^A-Za-z0-9]+", "-", request.subject).strip("-").lower()[:80]
    return f"{stem or 'request'}.eml"


# The body, entry by entry.


def _opening(scenario: Scenario) -> str:
    # Only the first letter drops to lower case: "API" and "Gelato" keep theirs.
    title = scenario.title[:1].lower() + scenario.title[1:]
    if scenario.started_by == GELATO:
        return f"This answers your message about: {title}."
    return f"We need your help with: {title}."


def _response_time() -> str:
    return (
        f"Gelato Support answers {GELATO_SUPPORT.hours}; by email {GELATO_SUPPORT.email_response}."
    )


def _strip_trailing(lines: list[str]) -> list[str]:
    return [line.rstrip() if line != "-- " else line for line in lines]


def _encode(text: str) -> str:
    text = text.replace(CRLF, "\n").replace("\r", "\n").replace("\n", CRLF)
    return quote(text, safe="")


# Attachments: named after what they show, so Gelato tells the item from the packaging at a glance.


def _attachments(
    scenario: Scenario, files: Sequence[StoredFile]
) -> tuple[list[Attachment], dict[str, list[str]]]:
    """The files in the checklist's order, under the names they were stored with (each says
    what it shows: ``photo-packaging-inside-1.heic``), so the form, the preview and the email
    name every file alike."""
    order = {r.key: index for index, r in enumerate(scenario.requirements)}
    ordered = sorted(files, key=lambda f: order.get(f.role, len(order)))
    attachments: list[Attachment] = []
    names_by_role: dict[str, list[str]] = {}
    taken: set[str] = set()
    for file in ordered:
        name = _unique(safe_filename(file.filename, file.content_type), taken)
        taken.add(name)
        names_by_role.setdefault(file.role, []).append(name)
        attachments.append(Attachment(name, file.content_type, file.data))
    return attachments, names_by_role


def _unique(name: str, taken: set[str]) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 2
    while candidate in taken:
        candidate = f"{stem}-{number}{dot}{extension}"
        number += 1
    return candidate
