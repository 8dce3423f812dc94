"""The same app on PostgreSQL, as several processes or hosts run it in production.

The server is a throwaway cluster started by the test on 127.0.0.1. Where PostgreSQL is not
installed these tests are skipped; CI installs it (.ci/run), so there they always run.
"""

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from portal import create_app
from portal.audit import record
from portal.gelato.sandbox import create_sandbox, in_process_client
from portal.store import Store
from tests.conftest import SECRET_KEY, free_port, upgrade_in_workers_at_once
from tests.orders.conftest import reorder_at_once


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


@pytest.fixture(scope="module")
def postgres_url():
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (CI installs it)")
    # Not under pytest's own temporary folder: that one is private to root, and PostgreSQL
    # refuses to run as root, so the server runs as the postgres user.
    home = Path(tempfile.mkdtemp(prefix="helpcenter-pg-"))
    as_user = []
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = home / "data", free_port()

    def run(*args):
        subprocess.run([*as_user, *args], check=True, capture_output=True)

    run(str(bin_dir / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres")
    options = f"-h 127.0.0.1 -p {port} -k {home}"
    run(
        str(bin_dir / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        options,
        "-w",
        "-l",
        str(home / "log"),
        "start",
    )
    yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def store(postgres_url):
    store = Store.from_url(postgres_url)
    with store.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    yield store
    store.close()


def test_the_app_starts_and_reports_healthy_on_postgresql(postgres_url, store):
    app = create_app({"DATABASE_URL": postgres_url, "SECRET_KEY": SECRET_KEY})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == {"reachable": True}
    assert {"agents", "audit_log", "order_actions"} <= set(inspect(store.engine).get_table_names())
    app.extensions["store"].close()


def test_workers_starting_together_migrate_once(postgres_url, store):
    upgrade_in_workers_at_once(postgres_url)


def test_twenty_simultaneous_reorders_with_one_key_place_one_order(store):
    store.upgrade()
    sandbox = create_sandbox()
    sandbox.add_latency(0.05, method="POST", path="/v4/orders")
    with in_process_client(sandbox) as gelato:
        [row] = sandbox.orders_with_reference("NW-1009")
        original = gelato.get_order(row["id"])

        placed = {i for i in reorder_at_once(gelato, store, original, key="a" * 32) if i}
    assert len(placed) == 1
    assert sandbox.calls_to("POST", "/v4/orders") == 1


def test_the_audit_log_refuses_changes_in_the_database_itself(store):
    store.upgrade()
    record(store, actor="ana", action="cancel", outcome="succeeded", order_id="o-1")
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET outcome = 'refused'"))
    with pytest.raises(DBAPIError), store.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
