"""A request as it is being prepared: saved on every change, checked, and sent at most once.

Nothing an agent types or uploads may be lost to a validation error, a reload or a closed tab, so
every submission is stored first (files at once, even when other fields are wrong) and judged
after. The draft lives in the database, not in the session, so any process serves it and a
colleague on the next shift can finish it.

Status: ``draft`` (something missing), ``prepared`` (complete), ``downloaded`` (its .eml was
taken, to send from a mail program), ``sending`` (an SMTP send is under way), ``sent``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from portal import redact
from portal.gelato.client import GelatoClient
from portal.requests import compose, lookup, uploads
from portal.requests.completeness import Completeness, check_request
from portal.requests.lookup import OrderFacts
from portal.requests.scenarios import Scenario
from portal.requests.scenarios import scenario as scenario_named
from portal.store import Store

DRAFT = "draft"
PREPARED = "prepared"
DOWNLOADED = "downloaded"
SENDING = "sending"
SENT = "sent"
STATUS_LABELS = {
    DRAFT: "Draft: something missing",
    PREPARED: "Ready to send",
    DOWNLOADED: "Downloaded as .eml",
    SENDING: "Sending",
    SENT: "Sent",
}
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
#: Order facts that fill an empty field of the same request: delivery date, estimate.
PREFILLED_FROM_ORDER = {
    "delivery_date": "delivered_on",
    "estimated_delivery_date": "estimated_delivery",
}


@dataclass
class Draft:
    scenario: Scenario
    agent: str
    id: int | None = None
    status: str = DRAFT
    answers: dict = field(default_factory=dict)
    orders: dict[str, OrderFacts] = field(default_factory=dict)
    #: What redaction took out of each logs field, as sentences for the agent.
    findings: dict[str, list[str]] = field(default_factory=dict)
    #: Files or text refused at the last save, by field: said beside it until the next save.
    refusals: dict[str, list[str]] = field(default_factory=dict)
    #: The agent asked for the check once: from then on, missing items are named beside fields.
    checked: bool = False
    #: How and when it was sent: {"at", "by", "via"}.
    sent: dict | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @classmethod
    def new(cls, scenario: Scenario, agent: str) -> Draft:
        answers = {r.key: r.default for r in scenario.requirements if r.default}
        return cls(scenario=scenario, agent=agent, answers=answers)

    @classmethod
    def from_row(cls, row: Mapping) -> Draft:
        data = json.loads(row["fields"])
        return cls(
            scenario=scenario_named(row["scenario"]),
            agent=row["agent"],
            id=row["id"],
            status=row["status"],
            answers=data.get("answers", {}),
            orders={k: OrderFacts.from_json(v) for k, v in data.get("orders", {}).items()},
            findings=data.get("findings", {}),
            refusals=data.get("refusals", {}),
            checked=data.get("checked", False),
            sent=data.get("sent"),
            created_at=row["created_at"],
            updated_at=row["updated_at"],
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
        return self.status in (SENT, SENDING)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def original(self) -> OrderFacts | None:
        """The request's order, when Gelato found it."""
        return lookup.original(self.orders)

    def order_label(self) -> str:
        """The request's main order, for lists: its reference if Gelato confirmed it."""
        if self.original is not None:
            return self.original.number
        return str(self.answers.get("order_number") or "")


@dataclass(frozen=True)
class Submission:
    """What one POST of the form brought: its answers and its files, by requirement key."""

    answers: dict
    files: dict[str, list[uploads.Upload]] = field(default_factory=dict)
    #: Log files, by the logs requirement's key.
    log_files: dict[str, list[uploads.Upload]] = field(default_factory=dict)


def load(store: Store, draft_id: int) -> Draft | None:
    row = store.drafts.get(draft_id)
    return from_row(row) if row is not None else None


def from_row(row: Mapping) -> Draft | None:
    try:
        return Draft.from_row(row)
    except KeyError:  # a scenario that no longer exists
        return None


def stored_files(store: Store, draft: Draft, *, with_data: bool = False) -> list[dict]:
    """The draft's files as the store lists them: read once per request and passed on to
    ``check``, ``prepared_request`` and the page."""
    if draft.id is None:
        return []
    return store.drafts.list_attachments(draft.id, with_data=with_data)


def check(draft: Draft, files: Iterable[Mapping], today: date) -> Completeness:
    """The verdict on the draft with ``files``, its stored files."""
    return check_request(
        draft.scenario,
        draft.answers,
        file_counts=Counter(row["role"] for row in files),
        orders=draft.orders,
        today=today,
    )


def look_up_and_prefill(draft: Draft, client: GelatoClient) -> None:
    """Ask Gelato about numbers not yet known, and fill empty dates from the order."""
    draft.orders = lookup.look_up_orders(client, draft.scenario, draft.answers, draft.orders)
    original = draft.original
    if original is None:
        return
    for requirement in draft.scenario.requirements:
        source = PREFILLED_FROM_ORDER.get(requirement.key)
        if source and not draft.answers.get(requirement.key) and getattr(original, source):
            draft.answers[requirement.key] = getattr(original, source)


def start(scenario: Scenario, agent: str, client: GelatoClient, order_query: str) -> Draft:
    """A new request, its order number and what Gelato knows of it filled in (from ``?order=``
    on a link from an order's page)."""
    draft = Draft.new(scenario, agent)
    query = order_query.strip()[:200]
    takes_order = any(
        r.key == "order_number" and r.kind in lookup.ORDER_KINDS for r in scenario.requirements
    )
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
    known_secrets: Iterable[str | None],
    today: date,
    check_now: bool,
) -> Completeness:
    """Take in one submission: store everything usable at once, then judge the whole.

    The draft is created in the store if it is new (files need its id). Returns the verdict; the
    draft's status follows it.
    """
    before = draft.fields_json()
    draft.refusals = {}
    secrets = list(known_secrets)
    for requirement in draft.scenario.requirements:
        key = requirement.key
        if requirement.kind == "files" and f"{key}_url" in submission.answers:
            draft.answers[f"{key}_url"] = submission.answers[f"{key}_url"][:2100]
        if key not in submission.answers:
            continue
        value = submission.answers[key]
        if requirement.kind == "logs":
            value = _take_logs(draft, key, value, secrets)
            if value is None:
                continue
        elif isinstance(value, str) and len(value) > STORED_TEXT_LIMIT:
            draft.refusals.setdefault(key, []).append(
                f"Only the first {STORED_TEXT_LIMIT:,} characters were kept."
            )
            value = value[:STORED_TEXT_LIMIT]
        draft.answers[key] = value
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
        saving.drafts.update(draft.id, fields=draft.fields_json(), status=draft.status)
    return verdict


def _take_logs(draft: Draft, key: str, text: str, secrets: list[str | None]) -> str | None:
    size = len(text.encode("utf-8"))
    if size > uploads.LOGS_MAX_BYTES:
        draft.refusals.setdefault(key, []).append(
            f"These logs are {size // 1024:,} KB; at most "
            f"{uploads.LOGS_MAX_BYTES // 1024:,} KB is taken. Keep the failed call and its "
            "response, and leave out the rest. The logs saved before are kept."
        )
        return None
    cleaned, found = redact.redact_secrets(text, secrets)
    if found:
        draft.findings[key] = [str(finding) for finding in found]
    elif redact.REMOVED not in cleaned:
        draft.findings.pop(key, None)
    return cleaned


def _store_files(
    draft: Draft,
    submission: Submission,
    store: Store,
    limits: uploads.Limits,
    secrets: list[str | None],
) -> bool:
    added = False
    for requirement in draft.scenario.requirements:
        key = requirement.key
        incoming = submission.files.get(key, [])
        if requirement.kind == "logs":
            incoming = _cleaned_log_files(draft, key, submission.log_files.get(key, []), secrets)
        if not incoming:
            continue
        stored = store.drafts.list_attachments(draft.id)
        accepted, refused = uploads.accept_files(
            incoming,
            photos_only=requirement.kind == "photos",
            limits=limits,
            stored_count=len(stored),
            stored_bytes=sum(row["size"] for row in stored),
        )
        for file in accepted:
            content_type = "text/plain" if requirement.kind == "logs" else file.content_type
            new_id = store.drafts.add_attachment(
                draft.id,
                role=key,
                filename=file.filename,
                content_type=content_type,
                data=file.data,
                sha256=file.sha256,
            )
            added = added or new_id is not None
        if refused:
            draft.refusals.setdefault(key, []).extend(refused)
    return added


def _cleaned_log_files(
    draft: Draft, key: str, files: list[uploads.Upload], secrets: list[str | None]
) -> list[uploads.Upload]:
    """Log files are kept only with their secrets taken out, like pasted logs."""
    cleaned = []
    for upload in files:
        name = uploads.safe_filename(upload.filename)
        if len(upload.data) > uploads.LOGS_MAX_BYTES:
            draft.refusals.setdefault(key, []).append(
                f"{name} is {len(upload.data) // 1024:,} KB; a log file may be at most "
                f"{uploads.LOGS_MAX_BYTES // 1024:,} KB. Keep the failed call and its "
                "response."
            )
            continue
        text = uploads.log_text(upload.data)
        if text is None:
            draft.refusals.setdefault(key, []).append(
                f"{name} is not a text file: attach the log as plain text (.log, .txt, .json)."
            )
            continue
        text, found = redact.redact_secrets(text, secrets)
        if found:
            draft.findings.setdefault(f"{key}_file", []).extend(f"{name}: {f}" for f in found)
        stem = name.rsplit(".", 1)[0] if "." in name else name
        cleaned.append(uploads.Upload(f"{stem}.txt", text.encode("utf-8")))
    return cleaned


def fill_in_reorder(draft: Draft, reorder: OrderFacts, store: Store, today: date) -> None:
    """The reorder placed from the request's form: its number goes in, as Gelato knows it."""
    draft.answers["reorder_number"] = reorder.number
    draft.orders["reorder_number"] = replace(reorder, query=reorder.number)
    verdict = check(draft, stored_files(store, draft), today)
    draft.status = PREPARED if verdict.complete else DRAFT
    store.drafts.update(draft.id, fields=draft.fields_json(), status=draft.status)


def prepared_request(
    draft: Draft,
    files: Iterable[Mapping],
    *,
    today: date,
    reply_to: str | None,
    sender: str | None,
) -> compose.PreparedRequest:
    """The email of the draft with ``files``, its stored files with their data."""
    return compose.prepare_request(
        draft.scenario,
        draft.answers,
        orders=draft.orders,
        files=[
            compose.StoredFile(row["role"], row["filename"], row["content_type"], row["data"])
            for row in files
        ],
        agent=draft.agent,
        today=today,
        reply_to=reply_to,
        sender=sender,
    )
