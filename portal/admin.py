"""Admin pages: agent accounts, the audit log (with its CSV export) and the article feedback.

Only admins reach them: the blueprint refuses every other agent with a 403 before any view runs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import astuple, fields
from datetime import UTC, date, datetime, time, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from portal import agents, audit, context
from portal.audit_actions import AUDIT_ACTIONS
from portal.auth import current_agent, current_agent_name
from portal.feedback import MAX_PAGE_LENGTH, feedback_pages
from portal.store import AuditEntry, utcnow

bp = Blueprint("admin", __name__, url_prefix="/portal/admin")

AUDIT_PAGE_SIZE = 100
FEEDBACK_PAGE_SIZE = 50
CSV_BATCH_SIZE = 1000
#: The export's columns: every field of an entry, in the table's order.
CSV_COLUMNS = [column.name for column in fields(AuditEntry)]
# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@bp.before_request
def admins_only():
    agent = current_agent()
    if agent is None or agent.role != "admin":
        abort(403)


@bp.get("/")
def index():
    return render_template("admin/index.html")


# Agents


@bp.get("/agents")
def agent_list():
    return render_template(
        "admin/agents.html", agents=context.store().accounts.list(), roles=agents.ROLES
    )


@bp.post("/agents")
def create_agent():
    form = request.form
    if form.get("password", "") != form.get("password_again", ""):
        flash("The two passwords differ; nothing was created.", "error")
        return redirect(url_for(".agent_list"))
    try:
        name = agents.create_agent(
            context.store(),
            form.get("name", ""),
            form.get("password", ""),
            form.get("role", ""),
            actor=current_agent_name(),
            display_name=form.get("display_name", ""),
        )
    except agents.AccountError as error:
        flash(str(error), "error")
    else:
        flash(
            f"Created {name}. Give them the password by a channel other than this one.", "success"
        )
    return redirect(url_for(".agent_list"))


@bp.post("/agents/<name>/disable")
def disable_agent(name: str):
    if agents.normalise_name(name) == current_agent_name():
        flash("You cannot disable your own account; ask another admin.", "error")
        return redirect(url_for(".agent_list"))
    return _change("Disabled", agents.set_disabled, name, True)


@bp.post("/agents/<name>/enable")
def enable_agent(name: str):
    return _change("Enabled", agents.set_disabled, name, False)


@bp.post("/agents/<name>/display-name")
def set_display_name(name: str):
    display_name = request.form.get("display_name", "")
    return _change("Set the display name of", agents.set_display_name, name, display_name)


@bp.post("/agents/<name>/password")
def reset_password(name: str):
    form = request.form
    if form.get("password", "") != form.get("password_again", ""):
        flash("The two passwords differ; the password was not changed.", "error")
        return redirect(url_for(".agent_list"))
    return _change("Set a new password for", agents.reset_password, name, form.get("password", ""))


def _change(done: str, change, name: str, value):
    """Apply an account change as the signed-in admin; the account rules' refusal is the message."""
    try:
        change(context.store(), name, value, actor=current_agent_name())
    except agents.AccountError as error:
        flash(str(error), "error")
    else:
        flash(f"{done} {name}.", "success")
    return redirect(url_for(".agent_list"))


# Audit log


def _audit_filters() -> tuple[dict, dict, list[str]]:
    """The store's filters, the form's values, and what could not be understood."""
    fields = ["actor", "action", "outcome", "order", "since", "until"]
    values = {key: request.args.get(key, "").strip() for key in fields}
    problems = []
    filters: dict = {key: values[key] or None for key in ["actor", "action", "outcome", "order"]}
    if filters["action"] and filters["action"] not in AUDIT_ACTIONS:
        problems.append("Unknown action.")
        filters["action"] = None
    if filters["outcome"] and filters["outcome"] not in audit.OUTCOMES:
        problems.append("Unknown outcome.")
        filters["outcome"] = None
    for key, shift in [("since", timedelta(0)), ("until", timedelta(days=1))]:
        if values[key]:
            try:
                day = date.fromisoformat(values[key])
            except ValueError:
                problems.append(f"{key.capitalize()}: a date such as 2026-01-31.")
                continue
            filters[key] = datetime.combine(day, time(0), tzinfo=UTC) + shift
    return filters, values, problems


@bp.get("/audit")
def audit_log():
    filters, values, problems = _audit_filters()
    given = {key: value for key, value in values.items() if value}
    before = request.args.get("before", type=int)
    entries = context.store().audit.list(**filters, before_id=before, limit=AUDIT_PAGE_SIZE + 1)
    older = None
    if len(entries) > AUDIT_PAGE_SIZE:
        entries = entries[:AUDIT_PAGE_SIZE]
        older = url_for(".audit_log", **given, before=entries[-1].id)
    return render_template(
        "admin/audit.html",
        entries=entries,
        values=values,
        problems=problems,
        older=older,
        actions=AUDIT_ACTIONS,
        outcomes=audit.OUTCOMES,
        actors=context.store().audit.actors(),
        csv_url=url_for(".audit_csv", **given),
    )


@bp.get("/audit.csv")
def audit_csv():
    filters, _, problems = _audit_filters()
    if problems:
        abort(400, " ".join(problems))
    store = context.store()

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        before = None
        while True:
            batch = store.audit.list(**filters, before_id=before, limit=CSV_BATCH_SIZE)
            for entry in batch:
                writer.writerow([spreadsheet_safe(_csv_value(value)) for value in astuple(entry)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            if len(batch) < CSV_BATCH_SIZE:
                return
            before = batch[-1].id

    filename = f"audit-log-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        rows(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def spreadsheet_safe(cell: str) -> str:
    """Keep a cell from running as a formula when the CSV is opened in a spreadsheet."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


# Article feedback


#: The answer filter's values, as the page's links and form spell them.
FEEDBACK_ANSWERS = {"yes": True, "no": False}


@bp.get("/feedback")
def feedback():
    values = {key: request.args.get(key, "").strip() for key in ("page", "helpful")}
    problems = []
    page = values["page"] or None
    if page is not None and (len(page) > MAX_PAGE_LENGTH or not page.startswith("/")):
        problems.append("Page: a path such as /contact/.")
        page = None
    helpful = FEEDBACK_ANSWERS.get(values["helpful"])
    if values["helpful"] and helpful is None:
        problems.append("Unknown answer: helpful or not helpful.")
    given = {key: value for key, value in values.items() if value}
    before = request.args.get("before", type=int)
    entries = context.store().feedback.list(
        page=page, helpful=helpful, before_id=before, limit=FEEDBACK_PAGE_SIZE + 1
    )
    older = None
    if len(entries) > FEEDBACK_PAGE_SIZE:
        entries = entries[:FEEDBACK_PAGE_SIZE]
        older = url_for(".feedback", **given, before=entries[-1].id)
    return render_template(
        "admin/feedback.html",
        entries=entries,
        values=values,
        problems=problems,
        pages=sorted(feedback_pages(context.config().site_dir)),
        older=older,
        newest=url_for(".feedback", **given) if before else None,
        page_size=FEEDBACK_PAGE_SIZE,
    )
