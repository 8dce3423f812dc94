"""Errors as ``application/problem+json`` (RFC 9457), each status meaning exactly one thing.

``KINDS`` is the one table of what each status means: the API answers by it, the OpenAPI document
describes every response by it, and the knowledge base's API reference renders it. A problem's
``type`` points at that table's row; ``errors`` lists, for a 422, every input that was refused,
each with its own message, so a client can show it beside the field it came from.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from flask import Response
from pydantic import BaseModel, Field, ValidationError

from portal.gelato import errors as gelato_errors

MEDIA_TYPE = "application/problem+json"
#: The API reference's table of problems, where each ``type`` leads.
REFERENCE = "/reference/api/"


@dataclass(frozen=True)
class Kind:
    status: int
    slug: str
    title: str
    #: What this status means, for whoever reads the reference: one thing, and what to do.
    meaning: str

    @property
    def type(self) -> str:
        return f"{REFERENCE}#{self.slug}"


KINDS = {
    kind.status: kind
    for kind in (
        Kind(
            400,
            "unreadable",
            "The request cannot be read",
            "The body is not JSON, or not a JSON object. Nothing was done. Send JSON with "
            "Content-Type: application/json.",
        ),
        Kind(
            401,
            "not-authenticated",
            "No valid token",
            "The call carries no token, or one that is unknown, revoked or expired, or whose "
            "agent account is disabled. Nothing was done. Send Authorization: Bearer TOKEN with "
            "a current token of yours.",
        ),
        Kind(
            403,
            "not-permitted",
            "Not permitted",
            "The token is valid but may not do this: a read token asked to act, or an agent "
            "asked for what only admins see. Nothing was done.",
        ),
        Kind(
            404,
            "not-found",
            "Not found",
            "What the path names does not exist: no such order, request or endpoint.",
        ),
        Kind(
            405,
            "method-not-allowed",
            "Method not allowed",
            "The path exists but does not take this method; the Allow header lists those it takes.",
        ),
        Kind(
            409,
            "conflict",
            "Not possible in the current state",
            "The request is valid, but the current state of what it names refuses it: an order "
            "whose status no longer allows the action, a support request already sent or not "
            "complete yet, or an earlier call with the same Idempotency-Key still being carried "
            "out. detail says why and what to do instead; article, when given, is the article "
            "that helps.",
        ),
        Kind(
            413,
            "too-large",
            "Too large",
            "The body is larger than this help center accepts (MAX_UPLOAD_MB). Nothing was read.",
        ),
        Kind(
            422,
            "invalid-input",
            "Invalid input",
            "One or more inputs are wrong, missing or not yet confirmed: a parameter, a field "
            "of the body, a header (such as a missing Idempotency-Key, or one sent before with "
            "other inputs), a confirmation the action asks for (such as understood_charge). "
            "errors lists each with its own message. Nothing was done; correct them and send "
            "again.",
        ),
        Kind(
            429,
            "rate-limited",
            "Too many calls",
            "This token made more calls this minute than API_CALLS_PER_MINUTE allows. Wait the "
            "seconds Retry-After gives, then call again.",
        ),
        Kind(
            500,
            "server-error",
            "Something went wrong",
            "A fault of this help center. reference names the log line that holds its cause: "
            "give it to whoever runs the help center.",
        ),
        Kind(
            502,
            "gelato-error",
            "Gelato's answer could not be used",
            "Gelato refused the help center's API key or answered in a way it could not read "
            "(trying again will not help until the setting or Gelato is fixed); or the mail "
            "server did not take a support request being sent: detail says why, and whether "
            "it may have left all the same.",
        ),
        Kind(
            503,
            "unavailable",
            "Temporarily unavailable",
            "Gelato (or the help center's database) cannot be reached or is asking for fewer "
            "calls. Nothing was changed that the answer does not say; try again later, after "
            "Retry-After seconds when it is given.",
        ),
    )
}


class Link(BaseModel):
    title: str
    url: str


class FieldError(BaseModel):
    """One refused input."""

    location: Literal["query", "path", "header", "body"]
    #: The parameter or header name, or the body field's path (``shipping_address.city``).
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details, with the refused inputs and the error's reference."""

    type: str = Field(description="The API reference's entry for this kind of problem.")
    title: str
    status: int
    detail: str = Field(description="What went wrong with this call, and what to do.")
    errors: list[FieldError] = Field(default_factory=list)
    reference: str | None = Field(
        default=None, description="For a 500: the id of the log line that holds the cause."
    )
    article: Link | None = Field(
        default=None,
        description="For a refused action: the knowledge base's article that explains it, or "
        "the one that helps with the next step.",
    )


class ApiProblem(Exception):
    """Raised by a view to end its call with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        errors: Iterable[FieldError] = (),
        headers: Mapping[str, str] | None = None,
        article: Link | None = None,
    ):
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})
        self.article = article
        super().__init__(detail)


def response(
    status: int,
    detail: str,
    *,
    errors: Iterable[FieldError] = (),
    headers: Mapping[str, str] | None = None,
    reference: str | None = None,
    article: Link | None = None,
) -> Response:
    kind = KINDS[status]
    body = Problem(
        type=kind.type,
        title=kind.title,
        status=status,
        detail=detail,
        errors=list(errors),
        reference=reference,
        article=article,
    )
    answer = Response(body.model_dump_json(), status=status, mimetype=MEDIA_TYPE)
    answer.headers.update(headers or {})
    return answer


def from_exception(problem: ApiProblem) -> Response:
    return response(
        problem.status,
        problem.detail,
        errors=problem.errors,
        headers=problem.headers,
        article=problem.article,
    )


def from_gelato(error: gelato_errors.GelatoError) -> ApiProblem:
    """A Gelato error as the status its kind names, with its message for the agent."""
    headers = {}
    retry_after = getattr(error, "retry_after", None)
    if error.http_status == 503:
        headers["Retry-After"] = str(max(1, round(retry_after or 30)))
    field_errors = []
    if isinstance(error, gelato_errors.InvalidRequest) and error.field:
        field_errors.append(FieldError(location="body", field=error.field, message=error.message))
    return ApiProblem(error.http_status, error.message, errors=field_errors, headers=headers)


#: Pydantic's wording where a plainer sentence says the same.
_MESSAGES = {
    "missing": "Required.",
    "extra_forbidden": "Unknown parameter: this endpoint does not take it.",
}


def from_validation(
    error: ValidationError, location: str, *, tagged: bool = False, prefix: str = ""
) -> ApiProblem:
    """Every refused input of one part of the request, each with its own message.

    ``tagged``: the model is a union told apart by one field (a request's ``scenario``), whose
    errors pydantic places under the tag; they are named by the field itself. ``prefix``: the
    part of the body the model validated (``answers``)."""
    found = []
    for entry in error.errors(include_url=False, include_input=False):
        loc, message = entry["loc"], _MESSAGES.get(entry["type"], entry["msg"])
        if tagged and entry["type"].startswith("union_tag"):
            tag = str(entry.get("ctx", {}).get("discriminator", "")).strip("'")
            loc = (tag,)
            if entry["type"] == "union_tag_invalid":
                message = f"Unknown {tag}: one of {entry['ctx']['expected_tags']}."
            else:
                message = _MESSAGES["missing"]
        elif tagged:
            loc = loc[1:]
        field = ".".join(str(part) for part in (prefix, *loc) if part != "") or location
        found.append(FieldError(location=location, field=field, message=message))
    names = ", ".join(dict.fromkeys(f.field for f in found))
    return ApiProblem(422, f"Check {names}: see errors for what each needs.", errors=found)


def unreadable_json(text: str) -> ApiProblem:
    return ApiProblem(400, f"The body is not a JSON object ({text}).")
