"""The "needs attention" queue: its page, taking and handling an entry, and the header's count.

Taking and handling are audited under the agent's name (``queue.AUDIT_ACTIONS``). A note that is
missing or too long is refused beside its field, with everything typed kept.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from portal import context
from portal.attention import queue
from portal.attention.queue import NextStep
from portal.auth import current_agent, current_agent_name
from portal.orders import rules
from portal.store import utcnow

bp = Blueprint("attention", __name__, url_prefix="/portal/attention")


@bp.get("/")
def page():
    return _queue_page()


@bp.post("/<int:entry_id>/take")
def take(entry_id: int):
    actor = current_agent_name()
    try:
        outcome = queue.take(
            context.store(),
            entry_id,
            actor,
            utcnow(),
            take_over=bool(request.form.get("take_over")),
        )
    except queue.EntryGone:
        abort(404)
    if outcome.done:
        _record(queue.ENTRY_TAKEN, outcome.entry, {"entry": entry_id, "reason": outcome.entry.kind})
    flash(f"{_label(outcome.entry)}: {outcome.message}", "success" if outcome.done else "info")
    return redirect(_back(entry_id))


@bp.post("/<int:entry_id>/handle")
def handle(entry_id: int):
    note = request.form.get("note", "")
    try:
        outcome = queue.handle(
            context.store(),
            entry_id,
            current_agent_name(),
            note,
            utcnow(),
            secrets=context.config().secrets,
        )
    except queue.EntryGone:
        abort(404)
    except queue.NoteMissing as missing:
        return _queue_page(errors={entry_id: str(missing)}, notes={entry_id: note}), 422
    if outcome.done:
        entry = outcome.entry
        _record(
            queue.ENTRY_HANDLED,
            entry,
            {"entry": entry_id, "reason": entry.kind, "note": entry.note},
        )
    flash(f"{_label(outcome.entry)}: {outcome.message}", "success" if outcome.done else "info")
    return redirect(_back(entry_id))


@bp.app_context_processor
def header_count():
    """How many entries wait, for the portal's header; only agents see it."""
    if current_agent() is None:
        return {}
    return {"attention_count": queue.count(context.store())}


@bp.app_template_global()
def next_step_links(step: NextStep, order_id: str) -> list[tuple[str, str]]:
    """Where an entry's next step is done: (label, URL) for its action, article and request."""
    links = []
    if step.action is not None:
        links.append((step.action.title, action_url(step.action, order_id)))
    if step.article is not None:
        links.append((step.article.title, step.article.url))
    if step.scenario is not None:
        path = f"{step.scenario.portal_path}?order={order_id}"
        links.append((f"Prepare a request: {step.scenario.title}", path))
    return links


def action_url(action: rules.Action, order_id: str) -> str:
    """The action's form for this order, or the part of the order's page that answers it."""
    if action.endpoint:
        return url_for(action.endpoint, order_id=order_id)
    return url_for("orders.order_page", order_id=order_id, _anchor=action.anchor or None)


def _queue_page(errors=None, notes=None):
    store = context.store()
    return render_template(
        "attention/queue.html",
        queue=queue.queue(store, date.today(), utcnow()),
        kinds=queue.KINDS.values(),
        no_events_yet=not store.events.any(),
        setup_article=queue.SETUP_ARTICLE,
        errors=errors or {},
        notes=notes or {},
    )


def _record(action: str, entry, asked: dict) -> None:
    context.record_action(
        current_agent_name(),
        action,
        "succeeded",
        order_id=entry.order_id,
        order_reference=entry.order_reference,
        request=asked,
    )


def _label(entry) -> str:
    return f"{entry.order_reference or entry.order_id} ({queue.KINDS[entry.kind].title.lower()})"


def _back(entry_id: int) -> str:
    """Where the form came from (the queue, the portal home, an order page), else the queue."""
    target = request.form.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/portal/") and not parts.netloc and not parts.scheme:
        return target
    return url_for(".page", _anchor=f"entry-{entry_id}")
