"""Support requests to Gelato through the API: start one, save answers and files, read its
completeness report, render its email, send it over SMTP or mark it sent.

The same functions as the portal's request pages do the work (``portal.requests``: ``drafts``
saves and judges, ``compose`` writes the email, ``sending`` sends once), so an answer is cleaned,
checked and explained in the same words whichever face it came through, and a request started
in the API can be finished in the portal and the other way round. As in the form, a save keeps
everything usable and answers with what it refused beside each field (``errors``): nothing sent
is lost to one wrong answer. What cannot be done with the request as it stands (render or send
one that is not complete, change one that was sent) is a 409 naming, field by field, what is
missing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import Response, g, request, url_for
from pydantic import ValidationError

from portal import context
from portal.api import problems
from portal.api import request_models as models
from portal.api.blueprint import api
from portal.api.operations import OPTIONAL
from portal.api.problems import ApiProblem, FieldError, Link
from portal.requests import compose, drafts, sending, uploads
from portal.requests.completeness import INVALID, Completeness
from portal.requests.scenarios import scenario as scenario_named
from portal.store import RequestFile

TAG = "Support requests"
_DRAFT = {"draft_id": "The request's number, as the portal shows it (Request #12)."}
_FILE = {**_DRAFT, "file_id": "The file's id, as the request's files list it."}


@api.post(
    "/requests",
    answer=models.RequestOut,
    tag=TAG,
    body=models.NewRequest,
    idempotency=OPTIONAL,
    success=201,
)
def create_request(body: models.NewRequest):
    """Start a support request, with the answers known already.

    Saved at once, as the portal's form saves: what can be kept is kept, and what was refused is
    named beside its field in `errors`. An order number is looked up at Gelato and what Gelato
    knows of the order fills the answers still empty.
    """
    new = body.root
    scenario = scenario_named(new.scenario)
    draft = drafts.Draft.new(scenario, g.agent.name)
    answers = new.answers.model_dump(exclude_unset=True)
    _apply(draft, drafts.Submission.from_json(scenario, answers))
    return _out(drafts.load(context.store(), draft.id))


@api.get("/requests/<int:draft_id>", answer=models.RequestOut, tag=TAG, parameters=_DRAFT)
def get_request(draft_id: int):
    """A support request: its answers, files, completeness report and status.

    `completeness` lists every item Gelato asks for in this situation, each done, missing, wrong
    or not needed, with the words the portal's form shows beside the field.
    """
    return _out(_load(draft_id))


@api.patch(
    "/requests/<int:draft_id>",
    answer=models.RequestOut,
    tag=TAG,
    parameters=_DRAFT,
    body=models.RequestUpdate,
    idempotency=OPTIONAL,
    problems=(409,),
)
def update_request(draft_id: int, body: models.RequestUpdate):
    """Save answers in a support request.

    Only the answers sent change; null clears one. Refused with 409 once the request was sent.
    """
    draft = _changeable(draft_id)
    try:
        given = models.ANSWERS[draft.scenario.slug].model_validate(body.answers, strict=True)
    except ValidationError as error:
        raise problems.from_validation(error, "body", prefix="answers") from None
    submission = drafts.Submission.from_json(draft.scenario, given.model_dump(exclude_unset=True))
    _apply(draft, submission, check=body.check)
    return _out(draft)


@api.post(
    "/requests/<int:draft_id>/files",
    answer=models.RequestOut,
    tag=TAG,
    parameters=_DRAFT,
    form=models.FileUpload,
    problems=(409,),
)
def upload_files(draft_id: int, form: models.FileUpload):
    """Add files to a support request: photos, a log file, attachments.

    Send multipart/form-data with `requirement` (the answer the files are for) and one or more
    `file` parts. Each file is checked as the portal's form checks it (photos by their bytes,
    sizes and counts against the help center's limits, secrets in logs taken out); one refused
    is named in `errors`, the others are kept.
    """
    draft = _changeable(draft_id)
    requirement = next((r for r in draft.scenario.requirements if r.key == form.requirement), None)
    if requirement is None or not requirement.kind.takes_files:
        takes = [r.key for r in draft.scenario.requirements if r.kind.takes_files]
        message = (
            f"This request takes files for: {', '.join(takes)}."
            if takes
            else "This request takes no files."
        )
        raise ApiProblem(
            422, message, errors=[FieldError(location="body", field="requirement", message=message)]
        )
    chosen = [
        uploads.Upload(upload.filename or "file", upload.read())
        for upload in request.files.getlist("file")
    ]
    _apply(draft, drafts.Submission(answers={}, files={requirement.key: chosen}))
    return _out(draft)


@api.delete(
    "/requests/<int:draft_id>/files/<int:file_id>",
    answer=models.RequestOut,
    tag=TAG,
    parameters=_FILE,
    problems=(409,),
)
def remove_file(draft_id: int, file_id: int):
    """Remove a file from a support request.

    The request is judged again without it.
    """
    draft = _changeable(draft_id)
    store = context.store()
    row = store.drafts.get_attachment(draft.id, file_id)
    if row is None:
        raise ApiProblem(404, f"Request #{draft.id} has no file {file_id}.")
    store.drafts.delete_attachment(draft.id, row.id)
    draft.status = drafts.DRAFT  # judged again below, with one file less
    _apply(draft, drafts.Submission(answers={}))
    return _out(draft)


@api.get(
    "/requests/<int:draft_id>/email",
    answer=models.EmailOut,
    tag=TAG,
    parameters=_DRAFT,
    problems=(409,),
)
def request_email(draft_id: int):
    """The email a complete request becomes: plain text, and a mailto link.

    To Gelato Support, in the order of Gelato's checklist, replying to your team's address. A
    link cannot carry files, and a long body is cut to a short one (`mailto.complete`): the .eml
    carries everything. 409, naming what is missing, while the request is not complete.
    """
    draft = _load(draft_id)
    files = drafts.stored_files(context.store(), draft, with_data=True)
    _complete_or_refused(draft, files)
    prepared = _email(draft, files)
    link = compose.mailto_link(prepared)
    return models.EmailOut(
        to=prepared.to,
        reply_to=prepared.reply_to,
        sender=prepared.sender,
        subject=prepared.subject,
        body=prepared.body,
        mailto=models.MailtoOut(url=link.url, complete=link.complete, full_length=link.full_length),
        attachments=[
            models.AttachmentOut(filename=a.filename, content_type=a.content_type, size=len(a.data))
            for a in prepared.attachments
        ],
        eml_url=url_for(".request_eml", draft_id=draft.id, _external=True),
    )


@api.post(
    "/requests/<int:draft_id>/eml",
    answer=None,
    media_type="message/rfc822",
    tag=TAG,
    parameters=_DRAFT,
    problems=(409,),
)
def request_eml(draft_id: int):
    """The request as an .eml file, every file attached, to send from a mail program.

    Opened, it is an unsent draft addressed to Gelato Support. Recorded in the audit log as a
    download; once sent, mark the request as sent.
    """
    draft = _load(draft_id)
    files = drafts.stored_files(context.store(), draft, with_data=True)
    _complete_or_refused(draft, files)
    prepared = _email(draft, files)
    data = compose.eml_bytes(prepared)
    sending.record_download(
        draft, prepared, store=context.store(), actor=g.agent.name, record=context.record_action
    )
    name = compose.eml_filename(prepared)
    return Response(
        data,
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.post(
    "/requests/<int:draft_id>/send",
    answer=models.RequestOut,
    tag=TAG,
    parameters=_DRAFT,
    body=models.SendIn,
    idempotency=OPTIONAL,
    problems=(409, 502),
)
def send_request(draft_id: int, body: models.SendIn):
    """Send a complete request to Gelato Support from the team's mail server.

    Where the help center has a mail server (SMTP_URL); else 409, and the request goes from a
    mail program (its email or .eml) and is then marked as sent. Sent once: a second send is
    refused while one is under way or done, and one that may have left (the server never
    confirmed it) goes again only with `checked_not_sent`.
    """
    draft = _load(draft_id)
    settings = context.config().smtp
    if settings is None:
        raise ApiProblem(
            409,
            "This help center sends no mail itself (SMTP_URL is not set). Send the request from "
            "your mail program (GET its email for the mailto link, or POST for its .eml), then "
            "mark it as sent.",
        )
    files = drafts.stored_files(context.store(), draft, with_data=True)
    _complete_or_refused(draft, files)
    result = sending.send_by_smtp(
        draft,
        _email(draft, files),
        store=context.store(),
        settings=settings,
        actor=g.agent.name,
        record=context.record_action,
        now=datetime.now(UTC),
        checked_not_sent=body.checked_not_sent,
    )
    if result.outcome == sending.CHECK_FIRST:
        raise ApiProblem(
            422,
            result.message,
            errors=[FieldError(location="body", field="checked_not_sent", message=result.message)],
        )
    if result.outcome == sending.BUSY:
        raise ApiProblem(409, result.message)
    if not result.delivered:  # the message says whether it may have left all the same
        raise ApiProblem(502, result.message)
    return _out(draft)


@api.post(
    "/requests/<int:draft_id>/mark-sent",
    answer=models.RequestOut,
    tag=TAG,
    parameters=_DRAFT,
    idempotency=OPTIONAL,
    problems=(409,),
)
def mark_request_sent(draft_id: int):
    """Mark a request as sent from your own mail program.

    Or, for one the mail server never confirmed, as found in the team's sent mail. 409 when it
    is not waiting to be sent.
    """
    draft = _load(draft_id)
    files = drafts.stored_files(context.store(), draft, with_data=True)
    marked = sending.mark_sent(
        draft,
        _email(draft, files),
        store=context.store(),
        actor=g.agent.name,
        record=context.record_action,
        now=datetime.now(UTC),
    )
    if not marked:
        raise ApiProblem(
            409, f"Request #{draft.id} is not waiting to be sent: it is “{draft.status_label}”."
        )
    return _out(draft)


# ----------------------------------------------------------------------------------------------


def _load(draft_id: int) -> drafts.Draft:
    draft = drafts.load(context.store(), draft_id)
    if draft is None:
        raise ApiProblem(404, f"There is no request #{draft_id}.")
    _note_order(draft)
    return draft


def _note_order(draft: drafts.Draft) -> None:
    """The request's order, for the call's audit entry."""
    original = draft.original
    if original is not None:
        g.api_order_id, g.api_order_reference = original.id, original.reference


def _changeable(draft_id: int) -> drafts.Draft:
    draft = _load(draft_id)
    if draft.is_sent:
        raise ApiProblem(409, "This request was sent: it can no longer be changed.")
    return draft


def _apply(draft: drafts.Draft, submission: drafts.Submission, *, check: bool = False) -> None:
    config = context.config()
    drafts.apply(
        draft,
        submission,
        store=context.store(),
        client=context.gelato(),
        limits=uploads.Limits.from_config(config),
        known_secrets=config.named_secrets,
        today=date.today(),
        check_now=check,
    )


def _email(draft: drafts.Draft, files: list[RequestFile]) -> compose.PreparedRequest:
    return drafts.email_of(
        draft,
        files,
        store=context.store(),
        config=context.config(),
        agent=g.agent.name,
        today=date.today(),
    )


def _complete_or_refused(draft: drafts.Draft, files: list[RequestFile]) -> None:
    """A request leaves only complete (or, once sent, as it was sent)."""
    verdict = drafts.check(draft, files, date.today())
    if verdict.complete or draft.is_sent:
        return
    found = []
    for item in verdict.blocking:
        found.append(FieldError(location="body", field=item.key, message=item.message))
        found += [
            FieldError(location="body", field=f"{item.key}.{name}", message=message)
            for name, message in item.field_errors.items()
        ]
    raise ApiProblem(409, verdict.missing_summary(), errors=found)


def _out(draft: drafts.Draft) -> models.RequestOut:
    store, config = context.store(), context.config()
    _note_order(draft)
    files = drafts.stored_files(store, draft)
    verdict = drafts.check(draft, files, date.today())
    scenario = draft.scenario
    answers: dict = {}
    for requirement in scenario.requirements:
        answers.update(requirement.kind.json_answers(requirement, draft.answers))
    return models.RequestOut(
        id=draft.id,
        scenario=scenario.slug,
        scenario_title=scenario.title,
        status=draft.status_at(datetime.now(UTC)),
        status_label=draft.status_label,
        subject=draft.subject,
        agent=draft.agent,
        created_at=draft.created_at,
        updated_at=draft.updated_at,
        archived_at=draft.archived_at,
        answers=answers,
        files=[
            models.RequestFileOut(
                id=row.id,
                requirement=row.role,
                filename=row.filename,
                original_filename=row.original_filename or row.filename,
                content_type=row.content_type,
                size=row.size,
            )
            for row in files
        ],
        orders={
            key: models.OrderChecked(
                query=facts.query,
                outcome=facts.outcome,
                id=facts.id,
                reference=facts.reference,
                status=facts.status,
                message=facts.message,
            )
            for key, facts in draft.orders.items()
        },
        completeness=_completeness(verdict),
        errors=_errors(draft, verdict),
        removed_secrets=dict(draft.findings),
        sent=models.SentOut(**draft.sent) if draft.sent else None,
        sendable=draft.status in drafts.SENDABLE and verdict.complete,
        smtp_available=config.smtp is not None,
        article=Link(title=scenario.article.title, url=scenario.article.url),
        portal_url=url_for("requests.edit", draft_id=draft.id, _external=True),
        email_url=url_for(".request_email", draft_id=draft.id, _external=True),
    )


def _completeness(verdict: Completeness) -> models.Completeness:
    return models.Completeness(
        complete=verdict.complete,
        summary=None if verdict.complete else verdict.missing_summary(),
        items=[
            models.CheckItem(
                key=item.key,
                label=item.requirement.label,
                help=item.requirement.help,
                mandatory=item.requirement.mandatory,
                needed=item.needed,
                state=item.state,
                message=item.message,
                notes=list(item.notes),
                field_errors=dict(item.field_errors),
            )
            for item in verdict.items
        ],
    )


def _errors(draft: drafts.Draft, verdict: Completeness) -> list[FieldError]:
    """What the form shows beside its fields after a save: refusals, and wrong answers."""
    found = [
        FieldError(location="body", field=key, message=message)
        for key, messages in draft.refusals.items()
        for message in messages
    ]
    for item in verdict.items:
        if item.state != INVALID:
            continue
        found.append(FieldError(location="body", field=item.key, message=item.message))
        found += [
            FieldError(location="body", field=f"{item.key}.{name}", message=message)
            for name, message in item.field_errors.items()
        ]
    return found
