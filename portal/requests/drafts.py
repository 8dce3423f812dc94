"""A request as it is being prepared: saved on every change, checked, and sent at most once.

Nothing an agent types or uploads may be lost to a validation error, a reload or a closed tab, so
every submission is stored first (files at once, even when other fields are wrong) and judged
after. The draft lives in the database, not in the session, so any process serves it and a
colleague on the next shift can finish it.

Status: ``draft`` (something missing), ``prepared`` (complete), ``downloaded`` (its .eml was
taken, to send from a mail program), ``sending`` (an SMTP send is under way), ``sent``, and
``unconfirmed``: the mail server was given the message but never confirmed it, so it may have been
sent (``portal.requests.sending`` moves a request between them).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING

from portal import redact
from portal.gelato.client import GelatoClient
from portal.requests import compose, lookup, uploads
from portal.requests.completeness import Completeness, check_request
from portal.requests.lookup import OrderFacts
from portal.requests.scenarios import Scenario
from portal.requests.scenarios import scenario as scenario_named
from portal.requests.text import answer_text, header_text
from portal.store import RequestDraft, RequestFile, Store, utcnow

if TYPE_CHECKING:
    from portal.config import Config

DRAFT = "draft"
PREPARED = "prepared"
DOWNLOADED = "downloaded"
SENDING = "sending"
SENT = "sent"
UNCONFIRMED = "unconfirmed"
STATUS_LABELS = {
    DRAFT: "Draft: something missing",
    PREPARED: "Ready to send",
    DOWNLOADED: "Downloaded as .eml",
    SENDING: "Sending",
    SENT: "Sent",
    UNCONFIRMED: "Perhaps sent: check before sending again",
}
#: An SMTP send still "sending" after this long belongs to a process that died mid-send: like
#: an unconfirmed one, it may have been sent.
STALE_SENDING = timedelta(minutes=5)
#: What the audit log calls a request leaving the portal, with the label the admin pages show.
REQUEST_SENT = "request_sent"
REQUEST_DOWNLOADED = "request_downloaded"
AUDIT_ACTIONS = {
    REQUEST_SENT: "Request sent to Gelato Support",
    REQUEST_DOWNLOADED: "Request downloaded",
}
#: Statuses from which a request may be sent (again: a downloaded one was maybe never sent).
SENDABLE = (PREPARED, DOWNLOADED)
#: Descriptions longer than this are cut when stored; the checklist already asks for far less.
STORED_TEXT_LIMIT = 50_000

#: How many characters of its first words a list shows of a request.
LIST_WORDS = 60

#: The help center's own secrets, each under the words that name it (``Config.named_secrets``).
Secrets = Mapping[str, str]


@dataclass
class Draft:
    scenario: Scenario
    agent: str
    id: int | None = None
    status: str = DRAFT
    answers: dict = field(default_factory=dict)
    orders: dict[str, OrderFacts] = field(default_factory=dict)
    #: What redaction took out of each answer (and of a requirement's files, under
    #: ``<key>_file``), as sentences for the agent.
    findings: dict[str, list[str]] = field(default_factory=dict)
    #: Files or text refused at the last save, by field: said beside it until the next save.
    refusals: dict[str, list[str]] = field(default_factory=dict)
    #: The agent asked for the check once: from then on, missing items are named beside fields.
    checked: bool = False
    #: The answers Gelato's facts about the order filled in during this request (not stored):
    #: the autosave hands them to the page, which shows them in the fields left empty.
    prefilled: list[str] = field(default_factory=list)
    #: How and when it was sent: {"at", "by", "via"}.
    sent: dict | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    #: When it was archived (off the list); None while it is on it.
    archived_at: datetime | None = None

    @classmethod
    def new(cls, scenario: Scenario, agent: str) -> Draft:
        answers = {r.key: r.default for r in scenario.requirements if r.default}
        return cls(scenario=scenario, agent=agent, answers=answers)

    @classmethod
    def from_row(cls, row: RequestDraft) -> Draft:
        data = json.loads(row.fields)
        return cls(
            scenario=scenario_named(row.scenario),
            agent=row.agent,
            id=row.id,
            status=row.status,
            answers=data.get("answers", {}),
            orders={k: OrderFacts.from_json(v) for k, v in data.get("orders", {}).items()},
            findings=data.get("findings", {}),
            refusals=data.get("refusals", {}),
            checked=data.get("checked", False),
            sent=data.get("sent"),
            created_at=row.created_at,
            updated_at=row.updated_at,
            archived_at=row.archived_at,
        )

    def fields_json(self) -> str:
        return json.dumps(
            {
                "answers": self.answers,
                "orders": {key: facts.to_json() for key, facts in self.orders.items()},
                "findings": self.findings,
                "refusals": self.refusals,
                "checked": self.checked,
                "sent": self.sent,
            },
            sort_keys=True,
            ensure_ascii=False,
        )

    @property
    def is_sent(self) -> bool:
        """Sent, being sent or perhaps sent: no longer to be changed, or the record would lie."""
        return self.status in (SENT, SENDING, UNCONFIRMED)

    def status_at(self, now: datetime) -> str:
        """The status as it stands at ``now``: a send whose process died is ``unconfirmed``."""
        if self.status == SENDING and self.updated_at and self.updated_at < now - STALE_SENDING:
            return UNCONFIRMED
        return self.status

    @property
    def status_label(self) -> str:
        status = self.status_at(datetime.now(UTC))
        return STATUS_LABELS.get(status, status)

    @property
    def original(self) -> OrderFacts | None:
        """The request's order, when Gelato found it."""
        return lookup.original(self.orders)

    def findings_of(self, requirement) -> list[str]:
        """What was taken out of this requirement's answers and files, as sentences."""
        keys = (*requirement.kind.answer_keys(requirement), f"{requirement.key}_file")
        return [finding for key in keys for finding in self.findings.get(key, [])]

    def order_label(self) -> str:
        """The request's main order, for lists: its reference if Gelato confirmed it."""
        if self.original is not None:
            return self.original.number
        value = self.answers.get("order_number")
        return value if isinstance(value, str) else ""

    def first_words(self, limit: int = LIST_WORDS) -> str:
        """The start of the first thing the agent wrote (a subject, a description): what tells
        two requests of one situation apart in a list."""
        for requirement in self.scenario.requirements:
            if requirement.kind.describes:
                words = " ".join(answer_text(self.answers, requirement.key).split())
                if words:
                    return words if len(words) <= limit else _cut(words, limit)
        return ""

    @property
    def subject(self) -> str:
        """The request in a line, for lists: its situation, its order, its first words."""
        subject = self.scenario.title
        if self.order_label():
            subject += f": {self.order_label()}"
        words = self.first_words()
        return f"{subject} · {words}" if words else subject


@dataclass(frozen=True)
class Submission:
    """What one POST of the form brought: its answers (by the keys the draft keeps them under)
    and its files (by the key of the requirement they answer)."""

    answers: dict
    files: dict[str, list[uploads.Upload]] = field(default_factory=dict)

    @classmethod
    def read(
        cls,
        scenario: Scenario,
        values: Mapping[str, object],
        files: Mapping[str, list[uploads.Upload]],
    ) -> Submission:
        """The submission in a form's ``values`` (by field name) and ``files`` (by input name),
        each requirement read by its kind."""
        answers: dict = {}
        chosen: dict[str, list[uploads.Upload]] = {}
        for requirement in scenario.requirements:
            read, uploaded = requirement.kind.read(requirement, values, files)
            answers.update(read)
            if uploaded:
                chosen[requirement.key] = uploaded
        return cls(answers=answers, files=chosen)

    @classmethod
    def from_json(cls, scenario: Scenario, given: Mapping[str, object]) -> Submission:
        """The answers the JSON API sent (by key, as ``Kind.json_fields`` names them), read
        through the form's fields exactly as the form's are: trimmed, cut and cleaned the same
        way. Only the requirements given are in it; the others keep their answers."""
        values: dict = {}
        keys: set[str] = set()
        for requirement in scenario.requirements:
            kind = requirement.kind
            sent = {key: given[key] for key in kind.json_fields(requirement) if key in given}
            if sent:
                values.update(kind.form_values(requirement, sent))
                keys.update(kind.answer_keys(requirement))
        read = cls.read(scenario, values, {})
        return cls(answers={key: value for key, value in read.answers.items() if key in keys})


def _cut(words: str, limit: int) -> str:
    """``words`` cut at the last whole word within ``limit`` characters, with an ellipsis."""
    cut = words[: limit + 1].rsplit(" ", 1)[0] if " " in words[:limit] else words[:limit]
    return cut.rstrip(" ,.;:") + "…"


def archive(store: Store, draft: Draft, now: datetime) -> None:
    """Off the list: an old draft nobody will finish, or a request long answered."""
    store.drafts.set_archived(draft.id, now)
    draft.archived_at = now


def unarchive(store: Store, draft: Draft) -> None:
    store.drafts.set_archived(draft.id, None)
    draft.archived_at = None


def load(store: Store, draft_id: int) -> Draft | None:
    row = store.drafts.get(draft_id)
    return from_row(row) if row is not None else None


def from_row(row: RequestDraft) -> Draft | None:
    try:
        return Draft.from_row(row)
    except KeyError:  # a scenario that no longer exists
        return None


def stored_files(store: Store, draft: Draft, *, with_data: bool = False) -> list[RequestFile]:
    """The draft's files as the store lists them: read once per request and passed on to
    ``check``, ``prepared_request`` and the page."""
    if draft.id is None:
        return []
    return store.drafts.list_attachments(draft.id, with_data=with_data)


def check(draft: Draft, files: Iterable[RequestFile], today: date) -> Completeness:
    """The verdict on the draft with ``files``, its stored files."""
    return check_request(
        draft.scenario,
        draft.answers,
        file_counts=Counter(row.role for row in files),
        orders=draft.orders,
        today=today,
    )


def look_up_and_prefill(draft: Draft, client: GelatoClient) -> None:
    """Ask Gelato about numbers not yet known, and fill empty answers from the order."""
    numbers = [r.key for r in draft.scenario.requirements if r.kind.names_order]
    draft.orders = lookup.look_up_orders(client, numbers, draft.answers, draft.orders)
    original = draft.original
    if original is None:
        return
    for requirement in draft.scenario.requirements:
        known = getattr(original, requirement.from_order) if requirement.from_order else None
        if known and not _given(draft.answers.get(requirement.key)):
            draft.answers[requirement.key] = known
            draft.prefilled.append(requirement.key)


def _given(value) -> bool:
    """Whether an answer holds anything: an address given if any of its fields is."""
    if isinstance(value, Mapping):
        return any(_given(part) for part in value.values())
    return bool(value.strip()) if isinstance(value, str) else bool(value)


def start(
    scenario: Scenario,
    agent: str,
    client: GelatoClient,
    order_query: str,
    known_secrets: Secrets = MappingProxyType({}),
) -> Draft:
    """A new request, its order number and what Gelato knows of it filled in (from ``?order=``
    on a link from an order's page)."""
    draft = Draft.new(scenario, agent)
    query, _found = redact.redact_secrets(order_query.strip()[:200], known_secrets)
    takes_order = any(r.key == "order_number" and r.kind.names_order for r in scenario.requirements)
    if not query or not takes_order:
        return draft
    facts = lookup.look_up(client, query)
    if facts.found and facts.reference != query:
        # The reference reads better than Gelato's id, unless it names several orders (split).
        named_once = facts.reference and lookup.names_one_order(client, facts.reference)
        facts = replace(facts, query=facts.reference if named_once else facts.id)
    draft.answers["order_number"] = facts.query
    draft.orders["order_number"] = facts
    look_up_and_prefill(draft, client)
    return draft


def apply(
    draft: Draft,
    submission: Submission,
    *,
    store: Store,
    client: GelatoClient,
    limits: uploads.Limits,
    known_secrets: Secrets,
    today: date,
    check_now: bool,
) -> Completeness:
    """Take in one submission: store everything usable at once, then judge the whole.

    The draft is created in the store if it is new (files need its id). Returns the verdict; the
    draft's status follows it.
    """
    before = draft.fields_json()
    draft.refusals = {}
    secrets = dict(known_secrets)
    for requirement in draft.scenario.requirements:
        for key in requirement.kind.answer_keys(requirement):
            if key in submission.answers:
                _take_answer(draft, requirement, key, submission.answers[key], secrets)
    draft.checked = draft.checked or check_now
    look_up_and_prefill(draft, client)

    # One transaction: a database that fails halfway leaves no draft without its files, nor
    # files without the answers that go with them.
    with store.transaction() as saving:
        if draft.id is None:
            draft.id = saving.drafts.create(
                scenario=draft.scenario.slug,
                agent=draft.agent,
                fields=draft.fields_json(),
                status=DRAFT,
            )
            before = ""
        files_added = _store_files(draft, submission, saving, limits, secrets)

        verdict = check(draft, stored_files(saving, draft), today)
        changed = files_added or draft.fields_json() != before
        if changed or draft.status == DRAFT or not verdict.complete:
            draft.status = PREPARED if verdict.complete else DRAFT
        draft.updated_at = utcnow()
        saving.drafts.update(
            draft.id, fields=draft.fields_json(), status=draft.status, updated_at=draft.updated_at
        )
    return verdict


def _take_answer(draft: Draft, requirement, key: str, value, secrets: Secrets) -> None:
    refusal = requirement.kind.refusal(requirement, value)
    if refusal:
        draft.refusals.setdefault(key, []).append(refusal)
        return
    if isinstance(value, str) and len(value) > STORED_TEXT_LIMIT:
        draft.refusals.setdefault(key, []).append(
            f"Only the first {STORED_TEXT_LIMIT:,} characters were kept."
        )
        value = value[:STORED_TEXT_LIMIT]
    value, found = requirement.kind.without_secrets(requirement, value, secrets)
    if found:
        draft.findings[key] = found
    elif not _holds_placeholder(value):
        draft.findings.pop(key, None)  # what was taken out before is no longer there
    draft.answers[key] = value


def _holds_placeholder(value) -> bool:
    texts = value.values() if isinstance(value, Mapping) else [value]
    return any(isinstance(text, str) and redact.REMOVED in text for text in texts)


def _store_files(
    draft: Draft,
    submission: Submission,
    store: Store,
    limits: uploads.Limits,
    secrets: Secrets,
) -> bool:
    added = False
    for requirement in draft.scenario.requirements:
        key, kind = requirement.key, requirement.kind
        chosen, found = [], []
        for upload in submission.files.get(key, []):
            name, in_name = redact.redact_secrets(upload.filename, secrets)
            found += [f"a file's name: {finding.kind}" for finding in in_name]
            chosen.append(uploads.Upload(name, upload.data))
        incoming, refused, in_files = kind.clean_files(requirement, chosen, secrets)
        found += in_files
        if found:
            draft.findings.setdefault(f"{key}_file", []).extend(found)
        if refused:
            draft.refusals.setdefault(key, []).extend(refused)
        if not incoming:
            continue
        stored = store.drafts.list_attachments(draft.id)
        accepted, refused = uploads.accept_files(
            incoming,
            photos_only=kind.photos_only,
            limits=limits,
            stored_count=len(stored),
            stored_bytes=sum(row.size for row in stored),
        )
        taken = {row.filename for row in stored}
        count = sum(1 for row in stored if row.role == key)
        for file in accepted:
            content_type = kind.stored_type or file.content_type
            count += 1
            name = _unused_name(requirement, file.filename, content_type, count, taken)
            new_id = store.drafts.add_attachment(
                draft.id,
                role=key,
                filename=name,
                original_filename=header_text(file.original_filename, 200) or file.filename,
                content_type=content_type,
                data=file.data,
                sha256=file.sha256,
            )
            if new_id is not None:
                taken.add(name)
                added = True
        if refused:
            draft.refusals.setdefault(key, []).extend(refused)
    return added


def _unused_name(requirement, filename: str, content_type: str, number: int, taken: set) -> str:
    """The name a file goes by everywhere, from the moment it is stored: the form, the preview
    and the email all show this one (``photo-item-2.jpg``), unique within the request."""

    def named(number: int) -> str:
        return requirement.kind.attachment_name(requirement, filename, content_type, number)

    name = named(number)
    while name in taken and named(number + 1) != name:  # the next number: photo-item-3.jpg
        number += 1
        name = named(number)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    again = 2
    while name in taken:  # a name without a number: screenshot-2.png
        name = f"{stem}-{again}{dot}{extension}"
        again += 1
    return name


def fill_in_reorder(draft: Draft, reorder: OrderFacts, store: Store, today: date) -> None:
    """The reorder placed from the request's form: its number goes in, as Gelato knows it."""
    key = draft.scenario.reorder.key
    draft.answers[key] = reorder.number
    draft.orders[key] = replace(reorder, query=reorder.number)
    verdict = check(draft, stored_files(store, draft), today)
    draft.status = PREPARED if verdict.complete else DRAFT
    store.drafts.update(draft.id, fields=draft.fields_json(), status=draft.status)


def prepared_request(
    draft: Draft,
    files: Iterable[RequestFile],
    *,
    today: date,
    reply_to: str | None,
    sender: str | None,
    signed_by: str,
    known_secrets: Secrets = MappingProxyType({}),
) -> compose.PreparedRequest:
    """The email of the draft with ``files``, its stored files with their data.

    Answers lose their secrets when they are saved; the known ones are taken out of the email's
    text once more, so that a draft saved before a secret was set cannot carry it out."""
    prepared = compose.prepare_request(
        draft.scenario,
        draft.answers,
        orders=draft.orders,
        files=[
            compose.StoredFile(row.role, row.filename, row.content_type, row.data) for row in files
        ],
        agent=signed_by,
        today=today,
        reply_to=reply_to,
        sender=sender,
    )
    return replace(
        prepared,
        subject=redact.remove_known_secrets(prepared.subject, known_secrets),
        body=redact.remove_known_secrets(prepared.body, known_secrets),
        short_body=redact.remove_known_secrets(prepared.short_body, known_secrets),
    )


def signer(store: Store, draft: Draft, agent: str) -> str:
    """Who signs the email, by their display name: whoever sent it, or ``agent``, who prepares
    it now (the next shift may finish what another started)."""
    name = draft.sent["by"] if draft.sent else agent
    account = store.accounts.by_name(name)
    return account.shown_name if account is not None else name


def email_of(
    draft: Draft,
    files: Iterable[RequestFile],
    *,
    store: Store,
    config: Config,
    agent: str,
    today: date,
) -> compose.PreparedRequest:
    """The email as this help center sends it, whichever face asks: replies to the team's
    SUPPORT_EMAIL, from MAIL_FROM, signed by ``signer``, the help center's secrets taken out."""
    return prepared_request(
        draft,
        files,
        today=today,
        reply_to=config.support_email,
        sender=config.mail_from,
        signed_by=signer(store, draft, agent),
        known_secrets=config.named_secrets,
    )
