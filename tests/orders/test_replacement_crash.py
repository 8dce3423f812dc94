"""The worker dies between the cancel and the create: the app runs as its own process, is killed
while its create hangs at the sandbox server, and a new process finishes the change once."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import update

from portal import agents
from portal.config import PROJECT_ROOT
from portal.gelato.sandbox import http_client
from portal.store import Store
from portal.store.actions import STALE_CLAIM
from portal.store.tables import order_actions
from tests.conftest import free_port
from tests.orders.conftest import WebAgent, add_fault, form_fields

NEW_LINE = "9 After-the-Crash Road"

_SERVE = (
    "import sys\n"
    "from werkzeug.serving import run_simple\n"
    "from portal import create_app\n"
    "run_simple('127.0.0.1', int(sys.argv[1]), create_app(), threaded=True)\n"
)


class AppProcess:
    """The help center as a process of its own on a free port, as a server's worker runs it."""

    def __init__(self, environ: dict):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", _SERVE, str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environ},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code < 500:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the app did not start")

    def kill(self) -> None:
        """The worker dies at once: no cleanup, no except clause, no answer."""
        self.process.kill()
        self.process.wait()


@pytest.fixture
def workers(gelato_server_environ):
    """Two workers of one deployment: the same database, the same Gelato (the sandbox server).
    The database exists before they start, as a deployed one does."""
    Store.from_url(gelato_server_environ["DATABASE_URL"]).upgrade()
    started = [AppProcess(gelato_server_environ) for _ in range(2)]
    for worker in started:
        worker.wait_until_serving()
    yield started
    for worker in started:
        if worker.process.poll() is None:
            worker.kill()


def faults_left(gelato_server) -> list:
    return gelato_server.control.get("/faults").json()["faults"]


@pytest.mark.parametrize("landed", [False, True], ids=["create-lost", "create-landed"])
def test_a_worker_killed_between_cancel_and_create_leaves_it_owed_and_it_is_placed_once(
    gelato_server, gelato_server_environ, workers, landed
):
    store = Store.from_url(gelato_server_environ["DATABASE_URL"])
    first, second = workers
    agents.create_agent(store, "ana", "ana-password-0123", "agent", actor="tests")
    ana = WebAgent(first.url)
    ana.sign_in("ana", "ana-password-0123")
    order_id = ana.get("/portal/orders/?order=NW-1004").url.path.split("/")[3]
    path = f"/portal/orders/{order_id}/address"
    review = ana.review(path, address_line1=NEW_LINE)

    # The create hangs at Gelato (before it is handled, or after: then it has landed).
    add_fault(
        gelato_server,
        kind="hang",
        seconds=60,
        method="POST",
        path="/v4/orders",
        afterProcessing=landed,
    )
    with pytest.raises(httpx.TransportError):
        ana.http.post(
            path,
            data={
                **form_fields(review.text),
                "step": "confirm",
                "understood_charge": "y",
            },
            timeout=httpx.Timeout(60, read=1.5),
        )
    deadline = time.monotonic() + 20
    while faults_left(gelato_server) and time.monotonic() < deadline:
        time.sleep(0.05)  # the fault fires when the create arrives: the worker is waiting in it
    time.sleep(0.2)
    first.kill()
    gelato_server.clear_faults()  # the hung create ends: dropped unhandled, or answered late
    ana.close()

    [row] = store.actions.owed()
    assert (row.state, row.step) == ("running", "original_canceled")
    # The dead worker's claim runs out (STALE_CLAIM after its last step).
    with store.engine.begin() as connection:
        connection.execute(
            update(order_actions).values(
                updated_at=row.updated_at - STALE_CLAIM - timedelta(seconds=1)
            )
        )

    bo = WebAgent(second.url)
    agents.create_agent(store, "bo", "bo-password-0123", "agent", actor="tests")
    bo.sign_in("bo", "bo-password-0123")
    home = bo.get("/portal/").text
    assert "Replacement owed: order NW-1004 is canceled" in home
    assert NEW_LINE in home
    placed = bo.press(home, "Place the replacement now")
    assert "accepted its replacement" in placed.text
    bo.close()

    gelato = http_client(gelato_server.url)
    found = [
        o
        for o in gelato.search_orders(search="NW-1004", limit=100)
        if o.order_reference_id.startswith("NW-1004-C")
    ]
    assert len(found) == 1
    assert gelato.get_order(found[0].id).shipping_address.address_line1 == NEW_LINE
    entries = store.audit.list(action="change_address")
    steps = [e.request.split('"step": "')[1].split('"')[0] for e in entries]
    # Newest first: the first worker recorded its cancel, the second the place it resumed.
    assert steps == ["place the replacement", "cancel the original"]
    store.close()
    gelato.close()
