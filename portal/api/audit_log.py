"""The audit log, for admins: filtered like the admin page, paged by id so that new entries
arriving between two pages neither repeat nor hide one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from portal import context
from portal.api import models
from portal.api.blueprint import api
from portal.store import AuditEntry


@api.get("/audit", answer=models.AuditPage, tag="Audit log", admin=True, query=models.AuditQuery)
def audit_entries(query: models.AuditQuery):
    """The audit log, newest first, filtered and paged.

    Every action sent to Gelato, every support request, every sign-in and every API call: who,
    when, which order, what was asked and what Gelato answered.
    """
    known = context.audit_actions()
    entries = context.store().audit.list(
        actor=query.actor or None,
        action=query.action or None,
        outcome=query.outcome,
        order=query.order or None,
        since=_day_start(query.since),
        until=_day_start(query.until, days_after=1),
        before_id=query.before,
        limit=query.limit + 1,
    )
    more = len(entries) > query.limit
    entries = entries[: query.limit]
    return models.AuditPage(
        entries=[_entry_out(entry, known) for entry in entries],
        next_before=entries[-1].id if more else None,
        actions=dict(known),
    )


def _day_start(day, days_after: int = 0) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, time(0), tzinfo=UTC) + timedelta(days=days_after)


def _entry_out(entry: AuditEntry, labels) -> models.AuditEntryOut:
    try:
        asked = json.loads(entry.request) if entry.request else {}
    except ValueError:
        asked = {"text": entry.request}
    return models.AuditEntryOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        action_label=labels.get(entry.action, entry.action),
        outcome=entry.outcome,
        order_id=entry.order_id,
        order_reference=entry.order_reference,
        request=asked if isinstance(asked, dict) else {"value": asked},
        gelato_answer=entry.gelato_answer,
    )
