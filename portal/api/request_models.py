"""What the support-request calls take and answer, as pydantic models.

Each scenario's answers are a model of their own, built from its requirements: the keys are the
requirements' (as the portal's form names its fields), each typed by its kind
(``Kind.json_fields``) and described by its label and help, so the OpenAPI document lists for
every scenario exactly what Gelato asks for. The values are kept as loose as the form's fields
are (text, a tick, an address's fields): what makes an answer right or complete is said by the
completeness check, in the form's own words, in every answer.
"""

from __future__ import annotations

import functools
import operator
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, create_model

from portal.api.problems import FieldError, Link
from portal.requests.kinds import AddressAnswer
from portal.requests.scenarios import SCENARIOS, Scenario

#: An answer as JSON carries it: text, a tick, an address's fields; null clears it.
Answer = str | bool | AddressAnswer | None


def _model_name(scenario: Scenario, suffix: str) -> str:
    return "".join(part.title() for part in scenario.slug.split("-")) + suffix


def _answers_model(scenario: Scenario) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for requirement in scenario.requirements:
        for key, kind_type in requirement.kind.json_fields(requirement).items():
            label = requirement.label if key == requirement.key else f"{requirement.label} (link)"
            needed = "Required" if requirement.mandatory else "When it applies"
            fields[key] = (
                kind_type | None,
                Field(default=None, description=f"{label}. {needed}. {requirement.help}"),
            )
    return create_model(
        _model_name(scenario, "Answers"),
        __config__=ConfigDict(extra="forbid", strict=True),
        __doc__=f"The answers of a request “{scenario.title}”. Files are uploaded apart: "
        + (
            ", ".join(r.key for r in scenario.requirements if r.kind.takes_files)
            or "this scenario takes none"
        )
        + ".",
        **fields,
    )


#: Every scenario's answers, by its slug.
ANSWERS: dict[str, type[BaseModel]] = {s.slug: _answers_model(s) for s in SCENARIOS}


def _new_request_model(scenario: Scenario) -> type[BaseModel]:
    answers = ANSWERS[scenario.slug]
    return create_model(
        _model_name(scenario, "Request"),
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"A new request: {scenario.title}. {scenario.summary}",
        scenario=(Literal[scenario.slug], Field(description="What the request is about.")),
        answers=(answers, Field(default_factory=answers)),
    )


_NEW_REQUESTS = tuple(_new_request_model(s) for s in SCENARIOS)


class NewRequest(
    RootModel[
        Annotated[functools.reduce(operator.or_, _NEW_REQUESTS), Field(discriminator="scenario")]
    ]
):
    """A new support request: its scenario, and whatever answers are known already."""


class RequestUpdate(BaseModel):
    """Answers to save in a request. Only the answers sent change (an address is replaced
    whole); null clears one."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[str, Answer] = Field(
        default_factory=dict,
        description="By key, as the request's scenario takes them (its *Answers schema).",
    )
    check: bool = Field(
        default=False,
        description="true: from now on, the portal's form names what is missing beside each "
        "field too, as its Check button does.",
    )


class FileUpload(BaseModel):
    """Files for one requirement of the request (multipart/form-data)."""

    model_config = ConfigDict(extra="forbid")

    requirement: str = Field(
        min_length=1,
        max_length=60,
        description="The key of the requirement the files answer: photos_item, attachments, "
        "api_logs…, as the scenario's answers schema names them.",
    )
    file: list[bytes] = Field(
        min_length=1, description="One or more files, each with its file name."
    )


class SendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked_not_sent: bool = Field(
        default=False,
        description="true: you checked the team's sent mail and the request, which an earlier "
        "send may have sent, is not there, so it may go again.",
    )


# Answers


class RequestFileOut(BaseModel):
    id: int
    requirement: str
    #: The name it goes by in the form, the preview and the email.
    filename: str
    #: The name it had when it was uploaded.
    original_filename: str
    content_type: str
    size: int


class CheckItem(BaseModel):
    """One thing Gelato asks for, and where the request stands on it."""

    key: str
    label: str
    help: str
    mandatory: bool
    #: Mandatory, or made needed by another answer.
    needed: bool
    state: Literal["done", "missing", "invalid", "not_needed"]
    #: Why it is missing or wrong, and what to do, as the form says it beside the field.
    message: str
    #: Worth knowing, blocking nothing (a damage report outside Gelato's window).
    notes: list[str]
    #: For an address: the problem of each of its fields.
    field_errors: dict[str, str]


class Completeness(BaseModel):
    """Every item Gelato asks for in this situation, in the order of its checklist."""

    complete: bool
    #: What still blocks the request, in one sentence; None when complete.
    summary: str | None
    items: list[CheckItem]


class OrderChecked(BaseModel):
    """What Gelato said about an order number of the request."""

    query: str
    outcome: Literal["found", "not_found", "several", "unavailable"]
    id: str
    reference: str
    status: str
    message: str


class SentOut(BaseModel):
    at: str
    by: str
    via: str


class RequestOut(BaseModel):
    """A support request as it stands: answers, files, the completeness report, and what was
    refused or taken out at its last save."""

    id: int
    scenario: str
    scenario_title: str
    #: draft | prepared | downloaded | sending | sent | unconfirmed
    status: str
    status_label: str
    subject: str
    agent: str
    created_at: datetime | None
    updated_at: datetime | None
    archived_at: datetime | None
    answers: dict[str, Answer]
    files: list[RequestFileOut]
    orders: dict[str, OrderChecked]
    completeness: Completeness
    #: What is wrong, by field, as the form shows it beside each: answers or files refused at
    #: the last save, and answers that are not right.
    errors: list[FieldError]
    #: What was taken out of the answers and files because it looked like a secret, by key.
    removed_secrets: dict[str, list[str]]
    sent: SentOut | None
    #: It can be sent now (complete, not sent yet), and how.
    sendable: bool
    smtp_available: bool
    article: Link
    portal_url: str
    email_url: str


class MailtoOut(BaseModel):
    url: str
    #: False when the body was too long for a link, which then carries a short one.
    complete: bool
    full_length: int


class AttachmentOut(BaseModel):
    filename: str
    content_type: str
    size: int


class EmailOut(BaseModel):
    """The request as the email it becomes: to Gelato Support, as text, and as a mailto link."""

    to: str
    reply_to: str | None
    sender: str | None
    subject: str
    #: The plain-text body (CRLF line ends, as an email writes them).
    body: str
    mailto: MailtoOut
    attachments: list[AttachmentOut]
    #: POST here for the .eml file with every attachment, to send from a mail program.
    eml_url: str
