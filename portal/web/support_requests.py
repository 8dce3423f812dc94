"""Preparing requests to Gelato Support: the guided form, its preview, and the ways to send it.

Every agent of the team sees every request, with who prepared it: the team shares its orders and
its Gelato account, the next shift finishes what the last one started, and a glance at the list
shows whether somebody already asked Gelato about an order. Views only load, call and show; the
work is in ``portal.requests``: ``drafts`` (saving), ``completeness``, ``compose`` (the email)
and ``sending``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import UTC, date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from portal.auth import current_agent_name
from portal.context import config, gelato, record_action, store
from portal.knowledge import GELATO_SUPPORT
from portal.orders import rules
from portal.requests import compose, drafts, lookup, sending, uploads
from portal.requests.scenarios import ADDRESS_PROBLEM, SCENARIOS
from portal.requests.scenarios import scenario as scenario_named
from portal.web.request_forms import form_class

bp = Blueprint("requests", __name__, url_prefix="/portal/requests")

_DRAFT_PATH = re.compile(r"/portal/requests/(\d+)/")


def limits() -> uploads.Limits:
    return uploads.Limits.from_config(config())


def today() -> date:
    return date.today()


@bp.app_template_filter("file_size")
def file_size(size: int) -> str:
    return uploads.size_text(size)


@bp.get("/")
def index():
    mine = request.args.get("mine") == "1"
    archived = request.args.get("archived") == "1"
    agent = current_agent_name() if mine else None
    rows = store().drafts.list(agent=agent, archived=archived)
    listed = [draft for draft in map(drafts.from_row, rows) if draft is not None]
    return render_template(
        "requests/index.html",
        drafts=listed,
        scenarios=SCENARIOS,
        mine=mine,
        archived=archived,
        archived_count=0 if archived else store().drafts.count_archived(agent=agent),
    )


@bp.post("/<int:draft_id>/archive")
def archive(draft_id):
    draft = _load(draft_id)
    drafts.archive(store(), draft, datetime.now(UTC))
    flash(f"Request #{draft.id} is archived: it is off the list, under Archived.", "success")
    return redirect(_back_to_list())


@bp.post("/<int:draft_id>/unarchive")
def unarchive(draft_id):
    draft = _load(draft_id)
    drafts.unarchive(store(), draft)
    flash(f"Request #{draft.id} is back on the list.", "success")
    return redirect(_back_to_list())


def _back_to_list() -> str:
    """The list the agent came from: the archived ones, or the others (never another site)."""
    archived = request.form.get("from_archived") == "1"
    return url_for(".index", archived=1) if archived else url_for(".index")


@bp.route("/new/<slug>/", methods=["GET", "POST"])
def new(slug):
    try:
        scenario = scenario_named(slug)
    except KeyError:
        abort(404)
    if request.method == "GET":
        draft = drafts.start(
            scenario,
            current_agent_name(),
            gelato(),
            request.args.get("order", ""),
            config().named_secrets,
        )
        return _form_page(draft)
    return _save(drafts.Draft.new(scenario, current_agent_name()))


@bp.route("/<int:draft_id>/", methods=["GET", "POST"])
def edit(draft_id):
    draft = _load(draft_id)
    if draft.is_sent:
        message = "This request was sent: it can no longer be changed."
        if request.method == "POST" and _is_autosave():
            return jsonify(error=message, url=url_for(".preview", draft_id=draft.id)), 409
        if request.method == "POST":
            flash(message, "error")
        return redirect(url_for(".preview", draft_id=draft.id))
    if request.method == "GET":
        return _form_page(draft, name_missing=request.args.get("check") == "1")
    return _save(draft)


def _save(draft: drafts.Draft):
    step = request.form.get("step", "save")
    form = form_class(draft.scenario.slug)()
    removed = None
    if step.startswith("remove-") and step[7:].isdigit() and draft.id is not None:
        removed = store().drafts.get_attachment(draft.id, int(step[7:]))
        if removed is not None:
            store().drafts.delete_attachment(draft.id, removed.id)
            draft.status = drafts.DRAFT  # judged again below, with one file less
    verdict = drafts.apply(
        draft,
        form.submission(),
        store=store(),
        client=gelato(),
        limits=limits(),
        known_secrets=config().named_secrets,
        today=today(),
        check_now=step == "check",
    )
    here = url_for(".edit", draft_id=draft.id)
    if _is_autosave():
        return jsonify(
            id=draft.id,
            url=here,
            status=draft.status,
            status_label=draft.status_label,
            version=_version(draft),
            filled=_filled(draft),
            **verdict.to_json(),
        )
    if step == "reorder" and draft.original is not None:
        return redirect(url_for("orders.reorder", order_id=draft.original.id, return_to=here))
    if step == "check" and verdict.complete:
        return redirect(url_for(".preview", draft_id=draft.id))
    if step == "check":
        flash(verdict.missing_summary(), "error")
        return redirect(url_for(".edit", draft_id=draft.id, check=1) + "#checklist")
    if removed is not None:
        flash(f"{removed.filename} was removed.", "success")
        return redirect(f"{here}#{removed.role}-field")
    if draft.refusals:
        return redirect(f"{here}#{next(iter(draft.refusals))}-field")
    flash("Draft saved.", "success")
    return redirect(here)


def _is_autosave() -> bool:
    """The page's script saving as the agent types, or as they leave (a beacon, which can send
    no header of its own: its form says ``step=autosave``)."""
    return bool(request.headers.get("X-Autosave")) or request.form.get("step") == "autosave"


def _version(draft: drafts.Draft) -> str:
    """Which save of the draft the page holds: a copy the browser kept of what it could not
    save is put back only onto the version it was typed on."""
    return draft.updated_at.isoformat() if draft.updated_at else "new"


def _filled(draft: drafts.Draft) -> dict:
    """Field values the order's facts filled in at this save, for the page's empty fields."""
    values = {}
    for key in draft.prefilled:
        requirement = draft.scenario.requirement(key)
        values.update(requirement.kind.field_values(requirement, draft.answers))
    return values


def _form_page(draft: drafts.Draft, *, name_missing: bool = False):
    form = form_class(draft.scenario.slug)(formdata=None)
    form.fill(draft)
    files = drafts.stored_files(store(), draft)
    verdict = drafts.check(draft, files, today())
    form.show(verdict, draft, name_missing=name_missing or draft.checked)
    by_role = defaultdict(list)
    for row in files:
        by_role[row.role].append(row)
    return render_template(
        "requests/form.html",
        draft=draft,
        scenario=draft.scenario,
        form=form,
        verdict=verdict,
        # What the fields' macros show beside the form's own fields.
        page={
            "files": by_role,
            "findings": {r.key: draft.findings_of(r) for r in draft.scenario.requirements},
            "reorder_offer": _reorder_offer(draft),
            "displayable": uploads.DISPLAYABLE,
            "photo_formats": uploads.PHOTO_FORMATS,
        },
        limits=limits(),
        used_bytes=sum(row.size for row in files),
        used_files=len(files),
        offers=_self_service_offers(draft),
        unreachable=[f for f in draft.orders.values() if f.outcome == lookup.UNAVAILABLE],
        action=url_for(".edit", draft_id=draft.id) if draft.id else request.path,
        version=_version(draft),
    )


def _self_service_offers(draft: drafts.Draft) -> list[dict]:
    """For an address problem: what this portal can still do itself, offered before Gelato."""
    original = draft.original
    if draft.scenario is not ADDRESS_PROBLEM or original is None:
        return []
    offers = []
    if rules.can_cancel_and_replace(original.status, original.order_type):
        offers.append(
            {
                "title": rules.CHANGE_ADDRESS.title,
                "url": url_for("orders.change_address", order_id=original.id),
                "text": "The order can still be canceled, so this portal can correct the address "
                "itself: it cancels the order and places a corrected copy.",
            }
        )
    if rules.is_allowed(rules.REORDER, original.status):
        offers.append(
            {
                "title": rules.REORDER.title,
                "url": url_for("orders.reorder", order_id=original.id),
                "text": "Place a reorder to the corrected address yourself (a new order, "
                "charged like any order).",
            }
        )
    return offers


def _reorder_offer(draft: drafts.Draft) -> dict | None:
    """ "Place the reorder now", where the request has a reorder number and the order allows it."""
    original, reorder = draft.original, draft.scenario.reorder
    if reorder is None or draft.answers.get(reorder.key) or original is None:
        return None
    return {"order": original, "refusal": rules.why_not(rules.REORDER, original.status)}


@bp.post("/<int:draft_id>/reorder-placed")
def reorder_placed(draft_id):
    """Back from the reorder form: the new order's number goes into the request."""
    draft = _load(draft_id)
    reorder = draft.scenario.reorder
    if draft.is_sent or reorder is None:
        return redirect(url_for(".edit", draft_id=draft.id))
    new_order = request.form.get("order_id", "").strip()[:200]
    facts = lookup.look_up(gelato(), new_order)
    if facts.found:
        drafts.fill_in_reorder(draft, facts, store(), today())
        flash(f"Reorder {facts.number} is filled in.", "success")
    else:
        flash("The reorder could not be found at Gelato: type its number below.", "error")
    return redirect(url_for(".edit", draft_id=draft.id) + f"#{reorder.key}-field")


@bp.get("/<int:draft_id>/preview")
def preview(draft_id):
    draft = _load(draft_id)
    files = drafts.stored_files(store(), draft, with_data=True)
    verdict = drafts.check(draft, files, today())
    if not verdict.complete and not draft.is_sent:
        flash(verdict.missing_summary(), "error")
        return redirect(url_for(".edit", draft_id=draft.id, check=1) + "#checklist")
    return _preview_page(draft, verdict, files)


def _preview_page(draft, verdict, files, *, result=None, status: int = 200):
    prepared = _prepared(draft, files)
    return render_template(
        "requests/preview.html",
        draft=draft,
        scenario=draft.scenario,
        verdict=verdict,
        prepared=prepared,
        mailto=compose.mailto_link(prepared),
        mailto_max=compose.MAILTO_MAX_LENGTH,
        files=files,
        stored_by_name={row.filename: row for row in files},
        smtp=config().smtp,
        support_email=config().support_email,
        gelato_support=GELATO_SUPPORT,
        failed=result,
        maybe_sent=result is not None and result.outcome == sending.UNKNOWN,
        state=draft.status_at(datetime.now(UTC)),
        sendable=draft.status in drafts.SENDABLE,
        findings=[
            (requirement, draft.findings_of(requirement))
            for requirement in draft.scenario.requirements
            if draft.findings_of(requirement)
        ],
    ), status


def _prepared(draft: drafts.Draft, files: list) -> compose.PreparedRequest:
    return drafts.email_of(
        draft, files, store=store(), config=config(), agent=current_agent_name(), today=today()
    )


@bp.post("/<int:draft_id>/eml")
def download(draft_id):
    draft = _load(draft_id)
    files = drafts.stored_files(store(), draft, with_data=True)
    if not drafts.check(draft, files, today()).complete and not draft.is_sent:
        return redirect(url_for(".edit", draft_id=draft.id, check=1) + "#checklist")
    prepared = _prepared(draft, files)
    data = compose.eml_bytes(prepared)
    sending.record_download(
        draft, prepared, store=store(), actor=current_agent_name(), record=record_action
    )
    name = compose.eml_filename(prepared)
    return Response(
        data,
        mimetype="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/<int:draft_id>/send")
def send(draft_id):
    draft = _load(draft_id)
    settings = config().smtp
    if settings is None:
        abort(404)
    files = drafts.stored_files(store(), draft, with_data=True)
    verdict = drafts.check(draft, files, today())
    if not verdict.complete:
        return redirect(url_for(".edit", draft_id=draft.id, check=1) + "#checklist")
    prepared = _prepared(draft, files)
    result = sending.send_by_smtp(
        draft,
        prepared,
        store=store(),
        settings=settings,
        actor=current_agent_name(),
        record=record_action,
        now=datetime.now(UTC),
        checked_not_sent=request.form.get("checked_not_sent") == "yes",
    )
    if result.outcome in (sending.BUSY, sending.CHECK_FIRST):
        flash(result.message, "error")
        return redirect(url_for(".preview", draft_id=draft.id))
    if not result.delivered:
        return _preview_page(draft, verdict, files, result=result, status=502)
    flash(
        f"Sent to {prepared.to}. Gelato Support answers {GELATO_SUPPORT.email_response}.", "success"
    )
    return redirect(url_for(".preview", draft_id=draft.id))


@bp.post("/<int:draft_id>/mark-sent")
def mark_sent(draft_id):
    """The agent sent it from their own mail program (the link, the copied text or the .eml)."""
    draft = _load(draft_id)
    prepared = _prepared(draft, drafts.stored_files(store(), draft, with_data=True))
    marked = sending.mark_sent(
        draft,
        prepared,
        store=store(),
        actor=current_agent_name(),
        record=record_action,
        now=datetime.now(UTC),
    )
    if marked:
        flash("Marked as sent.", "success")
    return redirect(url_for(".preview", draft_id=draft.id))


@bp.post("/<int:draft_id>/discard")
def discard(draft_id):
    draft = _load(draft_id)
    if draft.is_sent:
        flash("A sent request stays on the list.", "error")
        return redirect(url_for(".preview", draft_id=draft.id))
    store().drafts.delete(draft.id)
    flash(f"Request #{draft.id} ({draft.scenario.title}) was discarded.", "success")
    return redirect(url_for(".index"))


@bp.get("/<int:draft_id>/files/<int:file_id>")
def file(draft_id, file_id):
    row = store().drafts.get_attachment(draft_id, file_id)
    if row is None:
        abort(404)
    disposition = "inline" if row.content_type in uploads.DISPLAYABLE else "attachment"
    return Response(
        row.data,
        mimetype=row.content_type,
        headers={"Content-Disposition": f'{disposition}; filename="{row.filename}"'},
    )


def draft_to_return_to(return_to: str | None) -> int | None:
    """The draft a reorder form was opened from (its ``return_to``), if it is one of ours: only
    a draft's own path is accepted, never another site."""
    match = _DRAFT_PATH.fullmatch(return_to or "")
    return int(match.group(1)) if match else None


def _load(draft_id: int) -> drafts.Draft:
    draft = drafts.load(store(), draft_id)
    if draft is None:
        abort(404)
    return draft
