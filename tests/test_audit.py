"""Every action on an order is traceable: who, when, which order, what was asked, what Gelato
answered, and how it ended, including the attempts that were refused or failed."""

import csv
import io
from datetime import UTC, datetime

import pytest
from flask import g
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from portal import audit, context
from portal.audit_actions import AUDIT_ACTIONS
from portal.auth import current_agent_name
from portal.orders import rules
from portal.requests import drafts
from portal.store import Store


@pytest.fixture
def store(app) -> Store:
    return app.extensions["store"]


def record_three_cancels(store, days=(None, None, None)):
    """What the cancel action records for a success, a refusal by Gelato, and a failure."""
    asked = {"orderId": "o-1001", "reason": "Customer changed their mind"}
    first, second, third = days
    audit.record(
        store,
        actor="ana",
        action="cancel",
        outcome="succeeded",
        order_id="o-1001",
        order_reference="shop-1001",
        request=asked,
        gelato_answer={"status": 200, "fulfillmentStatus": "canceled"},
        at=first,
    )
    audit.record(
        store,
        actor="ana",
        action="cancel",
        outcome="refused",
        order_id="o-1002",
        order_reference="shop-1002",
        request={**asked, "orderId": "o-1002"},
        gelato_answer="409 NotCancellable: the order is already in production",
        at=second,
    )
    audit.record(
        store,
        actor="bo",
        action="reorder",
        outcome="failed",
        order_id="o-1003",
        request={"orderId": "o-1003"},
        gelato_answer=TimeoutError("Gelato did not answer within 10 s"),
        at=third,
    )


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_audit_log_records_a_successful_a_refused_and_a_failed_action(store, admin_client):
    record_three_cancels(store)

    html = admin_client.get("/portal/admin/audit").get_data(as_text=True)
    for expected in ["o-1001", "shop-1002", "o-1003", "succeeded", "refused", "failed"]:
        assert expected in html
    assert "409 NotCancellable: the order is already in production" in html
    assert "TimeoutError: Gelato did not answer within 10 s" in html

    [refused] = store.audit.list(outcome="refused")
    assert (refused.actor, refused.action, refused.order_id) == ("ana", "cancel", "o-1002")
    assert refused.request == '{"orderId": "o-1002", "reason": "Customer changed their mind"}'
    assert refused.at.tzinfo is not None

    rows = csv_rows(admin_client.get("/portal/admin/audit.csv?action=cancel"))
    assert [(r["order_id"], r["outcome"]) for r in rows] == [
        ("o-1002", "refused"),
        ("o-1001", "succeeded"),
    ]
    assert rows[1]["gelato_answer"] == '{"fulfillmentStatus": "canceled", "status": 200}'


def test_an_action_view_records_in_the_name_of_the_signed_in_agent(
    store, agent_client, agent_account, order_id, submit
):
    cancel = f"/portal/orders/{order_id('NW-1002')}/cancel"
    assert submit(agent_client, cancel, cancel, {}).status_code == 200
    [entry] = store.audit.list(action=rules.CANCEL_ORDER.audit_name)
    assert (entry.actor, entry.order_reference, entry.outcome) == (
        agent_account.name,
        "NW-1002",
        "succeeded",
    )


def test_what_is_recorded_never_holds_a_secret(environ):
    from portal import create_app

    key = "gelato-live-key-0f9e8d7c"
    app = create_app({**environ, "GELATO_API_KEY": key})
    store = app.extensions["store"]
    with app.test_request_context("/portal/"):
        g.agent = None
        entry_id = context.record_action(
            current_agent_name(),
            "change_address",
            "failed",
            order_id="o-1",
            request={"address": {"line1": "1 Main St"}, "api_key": "x", "X-API-KEY": "y"},
            gelato_answer=RuntimeError(f"401 for key {key}"),
        )
    [entry] = store.audit.list()
    assert entry.id == entry_id
    assert key not in entry.request + entry.gelato_answer
    assert '"api_key": "[redacted]"' in entry.request
    assert '"X-API-KEY": "[redacted]"' in entry.request
    assert '"line1": "1 Main St"' in entry.request
    assert entry.gelato_answer == "RuntimeError: 401 for key [redacted]"
    assert entry.actor == "(not signed in)"
    store.close()


def test_unknown_actions_and_outcomes_are_refused_by_the_recorder(app, store):
    with app.app_context(), pytest.raises(ValueError, match="Unknown audit action"):
        context.record_action("ana", "cancle", "succeeded")
    with pytest.raises(ValueError, match="Outcome must be one of"):
        audit.record(store, actor="ana", action="cancel", outcome="ok")
    assert store.audit.list() == []


def test_every_action_that_can_be_recorded_has_a_label():
    recordable = [
        *(action.audit_name for action in rules.ACTIONS if action.audit_name),
        *drafts.AUDIT_ACTIONS,
        *audit.ACCOUNT_ACTIONS,
        *audit.API_ACTIONS,
    ]
    assert len(set(recordable)) == len(recordable), "two parts of the portal use one name"
    assert set(AUDIT_ACTIONS) == set(recordable)
    assert all(AUDIT_ACTIONS[name] for name in recordable)
    # Only the actions that merely read an order record nothing.
    assert [a for a in rules.ACTIONS if not a.audit_name] == [
        rules.CHECK_STATUS,
        rules.CHECK_TRACKING,
    ]


def test_the_database_refuses_to_change_or_remove_entries(store):
    audit.record(store, actor="ana", action="cancel", outcome="succeeded", order_id="o-1")
    for statement in ["UPDATE audit_log SET outcome = 'failed'", "DELETE FROM audit_log"]:
        with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as connection:
            connection.execute(text(statement))
    assert len(store.audit.list()) == 1
    assert not [
        name for name in dir(store) if "audit" in name and name.startswith(("update", "delete"))
    ]


def test_failed_and_successful_sign_ins_are_recorded(app, store, client, sign_in):
    sign_in(client, "demo", "wrong-password")
    sign_in(client, "demo", "gelato-sandbox")
    entries = store.audit.list(action="sign_in")
    assert [(e.actor, e.outcome) for e in entries] == [
        ("demo", "succeeded"),
        ("demo", "failed"),
    ]
    assert "wrong-password" not in entries[1].request


@pytest.mark.parametrize(
    ("query", "orders"),
    [
        ("actor=bo", ["o-1003"]),
        ("outcome=failed", ["o-1003"]),
        ("action=cancel&outcome=succeeded", ["o-1001"]),
        ("order=shop-1002", ["o-1002"]),  # by the merchant's own reference
        ("order=o-1002", ["o-1002"]),  # or by Gelato's order id
        ("since=2026-03-02", ["o-1003", "o-1002"]),
        ("until=2026-03-02", ["o-1002", "o-1001"]),  # the whole day included
        ("since=2026-03-02&until=2026-03-02", ["o-1002"]),
    ],
)
def test_admins_filter_the_audit_log_and_export_what_they_see(store, admin_client, query, orders):
    record_three_cancels(store, [datetime(2026, 3, day, 9, 30, tzinfo=UTC) for day in (1, 2, 3)])
    # (the admin's own sign-in is recorded too, with no order: left out below)
    exported = [
        row["order_id"] for row in csv_rows(admin_client.get(f"/portal/admin/audit.csv?{query}"))
    ]
    assert [order for order in exported if order] == orders
    html = admin_client.get(f"/portal/admin/audit?{query}").get_data(as_text=True)
    for order in {"o-1001", "o-1002", "o-1003"} - set(orders):
        assert order not in html


def test_bad_filters_are_explained_not_crashed_on(admin_client):
    html = admin_client.get("/portal/admin/audit?since=yesterday&outcome=maybe").get_data(
        as_text=True
    )
    assert "Since: a date such as 2026-01-31." in html
    assert "Unknown outcome." in html
    assert admin_client.get("/portal/admin/audit.csv?since=yesterday").status_code == 400


def test_the_audit_page_pages_through_older_entries(store, admin_client, monkeypatch):
    monkeypatch.setattr("portal.admin.AUDIT_PAGE_SIZE", 2)
    for number in range(5):
        audit.record(
            store, actor="ana", action="cancel", outcome="succeeded", order_id=f"o-{number}"
        )

    def shown(html):
        return [f"o-{number}" for number in range(5) if f"o-{number}<" in html]

    html = admin_client.get("/portal/admin/audit?actor=ana").get_data(as_text=True)
    assert shown(html) == ["o-3", "o-4"]
    older = html.split('href="/portal/admin/audit?')[-1].split('"')[0].replace("&amp;", "&")
    assert "actor=ana" in older
    html = admin_client.get(f"/portal/admin/audit?{older}").get_data(as_text=True)
    assert shown(html) == ["o-1", "o-2"]


def test_csv_export_cannot_smuggle_a_spreadsheet_formula(store, admin_client):
    audit.record(
        store,
        actor="=cmd|' /C calc'!A0",
        action="request_sent",
        outcome="succeeded",
        order_id="+1+1",
        order_reference="@SUM(A1:A2)",
        gelato_answer="-2+3",
    )
    response = admin_client.get("/portal/admin/audit.csv?action=request_sent")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    [row] = csv_rows(response)
    assert row["actor"] == "'=cmd|' /C calc'!A0"
    assert row["order_id"] == "'+1+1"
    assert row["order_reference"] == "'@SUM(A1:A2)"
    assert row["gelato_answer"] == "'-2+3"


def test_user_supplied_text_is_escaped_on_the_audit_page(store, admin_client):
    audit.record(
        store,
        actor="ana",
        action="request_sent",
        outcome="succeeded",
        order_reference="<script>alert(1)</script>",
        request={"note": '"><img src=x onerror=alert(2)>'},
    )
    html = admin_client.get("/portal/admin/audit").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_admins_read_the_article_feedback(app, store, admin_client):
    store.feedback.record("/contact/", False, "<b>Where</b> are the chat hours?")
    store.feedback.record("//evil.test/", True, "")
    html = admin_client.get("/portal/admin/feedback").get_data(as_text=True)
    assert '<a href="/contact/">/contact/</a>' in html
    assert "&lt;b&gt;Where&lt;/b&gt; are the chat hours?" in html
    assert 'href="//evil.test/"' not in html  # shown, never linked


def test_pages_follow_time_and_keep_every_entry_once(store):
    """Newest first by when it happened; entries of the same moment are neither lost nor shown
    twice between pages."""
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    for number in range(5):
        audit.record(
            store,
            actor="ana",
            action="cancel",
            outcome="succeeded",
            order_id=f"o-{number}",
            at=moment,
        )
    # Recorded last, but it happened first (an import of older entries).
    audit.record(
        store,
        actor="ana",
        action="cancel",
        outcome="succeeded",
        order_id="o-early",
        at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    seen, before = [], None
    while page := store.audit.list(actor="ana", before_id=before, limit=2):
        seen += [entry.order_id for entry in page]
        before = page[-1].id
    assert seen == ["o-4", "o-3", "o-2", "o-1", "o-0", "o-early"]
    # A hand-typed number that is no entry's id pages to the entries with lower ids.
    assert [entry.order_id for entry in store.audit.list(before_id=10_000, limit=1)] == ["o-4"]


def test_the_actor_filter_offers_each_name_of_the_log_once(store):
    for actor in ["bo", "ana", "bo", "(not signed in)", "ana"]:
        audit.record(store, actor=actor, action="cancel", outcome="succeeded")
    assert store.audit.actors() == ["(not signed in)", "ana", "bo"]
    assert store.audit.actors(limit=2) == ["(not signed in)", "ana"]
