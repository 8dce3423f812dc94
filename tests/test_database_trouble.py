"""A locked or read-only database: a clear 503 that keeps everything typed, never a 500, and
nothing half-written.

The lock is real: another connection holds a write transaction on the same file, as a long write
from another worker or a maintenance script does. The read-only database is the same file opened
read-only, which is what SQLite reports for a file or volume the app may not write.
"""

import html
import io
import json
import re
import sqlite3
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from portal import create_app, errors
from portal.store import Store, database_unavailable
from tests.conftest import SECRET_KEY, form_token
from tests.requests.conftest import JPEG, new_draft

WAIT = 1


@pytest.fixture
def database_path(tmp_path):
    return tmp_path / "helpcenter.sqlite3"


@pytest.fixture
def environ(environ):
    return {**environ, "DATABASE_WAIT_SECONDS": str(WAIT)}


@contextmanager
def write_held(path):
    """Another connection in the middle of a write transaction on the database file."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute(
        "INSERT INTO page_feedback (page, helpful, comment, created_at) "
        "VALUES ('/', 1, 'a long write elsewhere', '2026-01-01 00:00:00.000000')"
    )
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@contextmanager
def read_only_store(app, database_path):
    """The app's database swapped for the same file opened read-only."""
    writable = app.extensions["store"]
    app.extensions["store"] = Store.from_url(
        f"sqlite:///file:{database_path}?mode=ro&uri=true", wait_seconds=WAIT
    )
    try:
        yield
    finally:
        app.extensions["store"].close()
        app.extensions["store"] = writable


def resend_fields(page: str) -> dict:
    """What the 503 page's "Try again" form sends, as a browser would send it."""
    form = page[page.index('class="portal-form portal-resend"') :]
    form = form[: form.index("</form>")]
    fields = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and 'type="file"' not in tag:
            fields[name.group(1)] = html.unescape(value.group(1))
    for name, value in re.findall(
        r'<textarea[^>]*name="([^"]+)"[^>]*>\n(.*?)</textarea>', form, re.S
    ):
        fields[name] = html.unescape(value)
    return fields


def drafts_in(app):
    return app.extensions["store"].drafts.list()


# A form POST meets the lock


def test_a_form_sent_during_a_lock_comes_back_with_everything_typed(
    app, agent_client, database_path
):
    description = "The mug arrived <cracked>\nalong the handle."
    with write_held(database_path):
        started = time.monotonic()
        response = new_draft(
            agent_client,
            "damaged-product",
            {"damage_description": description},
            files={"photos_item": [(io.BytesIO(JPEG), "IMG_0042.jpg")]},
            order="NW-1009",
        )
        waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(WAIT)
    assert waited < WAIT + 9  # the wait is bounded (it was 30 s), not a performance figure
    page = response.get_data(as_text=True)
    assert "could not save this just now" in page
    assert "Traceback" not in page
    # Everything typed is in the form again, ready to be sent, with a fresh token.
    fields = resend_fields(page)
    assert fields["damage_description"] == description
    assert fields["order_number"] == "NW-1009"
    assert fields["step"] == "save"
    assert fields["csrf_token"]
    assert '<button type="submit" class="md-button md-button--primary">Try again</button>' in page
    # The chosen file is named as not stored, and can be chosen again on the page.
    assert "<strong>IMG_0042.jpg</strong>" in page
    assert "Files stored before this attempt are kept." in page
    assert 'type="file" name="photos_item"' in page
    # Nothing half-written: no draft without its photo, no photo without its draft.
    assert drafts_in(app) == []

    # The lock is gone: "Try again" saves what was typed.
    response = agent_client.post(
        "/portal/requests/new/damaged-product/",
        data={**fields, "photos_item": [(io.BytesIO(JPEG), "IMG_0042.jpg")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [draft] = drafts_in(app)
    assert json.loads(draft.fields)["answers"]["damage_description"] == description
    [photo] = app.extensions["store"].drafts.list_attachments(draft.id)
    assert photo.original_filename == "IMG_0042.jpg"


def test_a_password_is_asked_for_again_never_written_into_the_page(
    app, client, sign_in, agent_account, database_path
):
    from portal import agents

    agents.create_agent(app.extensions["store"], *agent_account, "agent", actor="tests")
    with write_held(database_path):
        response = sign_in(client, *agent_account)
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert agent_account.password not in page
    fields = resend_fields(page)
    assert fields["name"] == agent_account.name
    assert 'type="password" name="password"' in page
    assert "password" not in fields


def test_a_form_without_its_token_is_not_offered_again(app):
    # As a form posted from another site would arrive, if the lock met it before the token check.
    with app.test_request_context(
        "/portal/requests/new/something-else/",
        method="POST",
        data={"description": "from another site", "csrf_token": "forged"},
    ):
        assert errors.resent_form() is None


def test_autosave_during_a_lock_gets_json_it_can_retry(app, agent_client, database_path):
    page = agent_client.get("/portal/requests/new/something-else/").get_data(as_text=True)
    with write_held(database_path):
        response = agent_client.post(
            "/portal/requests/new/something-else/",
            data={"description": "typed so far", "step": "autosave"},
            headers={"X-Autosave": "1", "X-CSRFToken": form_token(page)},
        )
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(WAIT)
    body = response.get_json()
    assert "nothing was saved" in body["error"]
    assert body["reference"]
    assert drafts_in(app) == []


def test_feedback_during_a_lock_answers_503_never_500(client, database_path):
    with write_held(database_path):
        response = client.post("/api/feedback", json={"page": "/contact/", "helpful": 1})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(WAIT)
    assert "error" in response.get_json()


def test_the_health_check_is_503_while_a_write_holds_the_database(client, database_path):
    with write_held(database_path):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == {"reachable": True, "writable": False}
    assert client.get("/healthz").status_code == 200


# A read-only database


def test_a_read_only_database_is_unhealthy_though_reachable(app, client, database_path):
    with read_only_store(app, database_path):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["database"] == {"reachable": True, "writable": False}


def test_a_read_only_database_keeps_the_form_and_answers_feedback_503(
    app, agent_client, database_path, caplog
):
    page = agent_client.get("/portal/requests/new/something-else/").get_data(as_text=True)
    token = form_token(page)
    with read_only_store(app, database_path):
        response = agent_client.post(
            "/portal/requests/new/something-else/",
            data={"csrf_token": token, "description": "Kept though unsaved", "step": "save"},
            content_type="multipart/form-data",
        )
        feedback = agent_client.post("/api/feedback", json={"page": "/", "helpful": 1})
    assert response.status_code == 503
    assert resend_fields(response.get_data(as_text=True))["description"] == "Kept though unsaved"
    assert feedback.status_code == 503
    # Logged as what it is, one line each, with no traceback.
    trouble = [r for r in caplog.records if r.name == "portal.errors"]
    assert trouble
    assert all(r.levelname == "WARNING" and not r.exc_info for r in trouble)
    assert all("readonly" in r.getMessage() for r in trouble)


# The store's side


def test_writes_in_one_transaction_are_kept_or_dropped_together(app):
    store = app.extensions["store"]

    def draft_with_a_file_then_trouble():
        with store.transaction() as saving:
            draft_id = saving.drafts.create(
                scenario="something-else", agent="ana", fields="{}", status="draft"
            )
            saving.drafts.add_attachment(
                draft_id,
                role="files",
                filename="a.txt",
                content_type="text/plain",
                data=b"a",
                sha256="0" * 64,
            )
            raise RuntimeError("the database went away here")

    with pytest.raises(RuntimeError):
        draft_with_a_file_then_trouble()
    assert store.drafts.list() == []
    # An area that catches its own refusal leaves the rest of the transaction intact.
    with store.transaction() as saving:
        assert saving.accounts.add("bo", "hash", "agent")
        assert not saving.accounts.add("bo", "hash", "agent")  # the name is taken
        saving.feedback.record("/", True)
    assert store.accounts.by_name("bo") is not None
    assert len(store.feedback.list()) == 1

    # A transaction opened inside one is part of it.
    def answer_inside_then_trouble():
        with store.transaction() as outer:
            with outer.transaction() as inner:
                inner.feedback.record("/contact/", False)
            raise RuntimeError("the database went away here")

    with pytest.raises(RuntimeError):
        answer_inside_then_trouble()
    assert len(store.feedback.list()) == 1


def test_only_the_databases_trouble_is_answered_503(app, database_path):
    store = app.extensions["store"]
    with write_held(database_path), pytest.raises(OperationalError) as locked:
        store.feedback.record("/", True)
    with pytest.raises(OperationalError) as misspelt, store.engine.connect() as connection:
        connection.execute(text("SELECT no_such_column FROM audit_log"))
    with pytest.raises(IntegrityError) as duplicate, store.engine.connect() as connection:
        connection.execute(text("INSERT INTO agents (id, name) VALUES (1, NULL)"))
    assert database_unavailable(locked.value)
    assert not database_unavailable(misspelt.value)
    assert not database_unavailable(duplicate.value)


def test_a_query_mistake_is_still_a_500_with_its_reference(app, admin_client, monkeypatch):
    app.config["TESTING"] = False  # answer as in production instead of raising into the test

    def broken(*args, **kwargs):
        with app.extensions["store"].engine.connect() as connection:
            connection.execute(text("SELECT no_such_column FROM audit_log"))

    monkeypatch.setattr(app.extensions["store"].audit, "list", broken)
    response = admin_client.get("/portal/admin/audit")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)


# PostgreSQL: lock_timeout bounds the wait the same way


def test_postgresql_waits_for_a_lock_at_most_the_setting(postgres_url):
    from sqlalchemy import create_engine

    blocker = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with blocker.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    app = create_app(
        {"DATABASE_URL": postgres_url, "SECRET_KEY": SECRET_KEY, "DATABASE_WAIT_SECONDS": "1"}
    )
    client = app.test_client()
    try:
        with blocker.connect() as holder:
            holder.execute(text("LOCK TABLE page_feedback IN ACCESS EXCLUSIVE MODE"))
            started = time.monotonic()
            response = client.post("/api/feedback", json={"page": "/contact/", "helpful": 1})
            waited = time.monotonic() - started
            health = client.get("/healthz")
            holder.rollback()
        assert response.status_code == 503
        assert waited < 10  # bounded by lock_timeout, not a performance figure
        assert health.status_code == 200  # the lock is on another table: writes still go
        assert client.post("/api/feedback", json={"page": "/", "helpful": 1}).status_code == 201
    finally:
        app.extensions["store"].close()
        blocker.dispose()
