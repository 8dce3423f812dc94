"""Fixtures every test folder shares: the app on a sandbox of demo orders, Flask's test clients
signed in or not, and a throwaway PostgreSQL server."""

import os
import re
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import BytecodeCache

from portal import agents, create_app
from portal.config import PROJECT_ROOT
from portal.gelato.sandbox import create_sandbox, in_process_client
from portal.store import Store

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
BROWSER_TESTS = "tests/browser/"


class Account(NamedTuple):
    name: str
    password: str


class ClosingTestClient(FlaskClient):
    """Flask's test client, reading each response whole and closing it, as a WSGI server does.

    Flask's own leaves a response open until the test closes it, and with it the file a static
    page is read from and the temporary file a large form was spooled to.
    """

    def open(self, *args, buffered=True, **kwargs):
        response = super().open(*args, buffered=buffered, **kwargs)
        for answered in (*response.history, response):  # the redirects followed, then the last
            answered.close()  # the body stays readable: buffering has read it
            # Werkzeug leaves the form's stream open unless it follows a redirect.
            close_form = getattr(answered.request.input_stream, "close", None)
            if close_form is not None:  # a test's own stream may have no close()
                close_form()
        return response


def pytest_collection_modifyitems(items):
    """The browser tests first: together they take longest (see the scheduler below)."""
    items.sort(key=lambda item: not item.nodeid.startswith(BROWSER_TESTS))


def pytest_xdist_make_scheduler(config, log):
    """How ``make test`` shares the test files out between its processes (``--dist loadfile``):
    every test of a file runs in one process, as its module and session fixtures expect, and
    every browser test runs in one too, on one help center server and one Chromium. Files are
    handed out in the order they were collected (``--no-loadscope-reorder``): browser tests
    first."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserTestsTogether(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith(BROWSER_TESTS):
                return BROWSER_TESTS
            return super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)


@pytest.fixture(autouse=True, scope="session")
def test_clients_close_their_responses():
    """Make every app's ``test_client()`` a ClosingTestClient, in the apps tests build too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "test_client_class", ClosingTestClient)
        yield


class CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept in memory for the test process: each test builds an app
    of its own, and each app's Jinja would compile every template it renders again. A template
    is compiled anew whenever its source differs from the one compiled (Jinja checks)."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(autouse=True, scope="session")
def apps_share_compiled_templates():
    """Every app the tests build, directly or through a fixture, shares CompiledTemplates."""
    cache = CompiledTemplates()
    create_environment = Flask.create_jinja_environment

    def with_shared_cache(app):
        environment = create_environment(app)
        environment.bytecode_cache = cache
        return environment

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Flask, "create_jinja_environment", with_shared_cache)
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """A production hash costs about 0.15 s by design; tests need its behaviour, not its cost."""
    monkeypatch.setattr(agents, "PASSWORD_HASH_METHOD", "scrypt:1024:8:1")


def form_token(html: str) -> str:
    """The CSRF token of the (first) form in a page."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def upgrade_in_workers_at_once(url: str, count: int = 4) -> None:
    """Upgrade one database from ``count`` processes started together, as a server's workers
    are, and check that every one of them succeeds."""
    code = f"from portal.store import Store; Store.from_url({url!r}).upgrade()"
    workers = [
        subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, stderr=subprocess.PIPE)
        for _ in range(count)
    ]
    errors = [worker.communicate()[1].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0] * count, errors


@pytest.fixture(scope="session")
def upgraded_database(tmp_path_factory) -> Path:
    """A SQLite file upgraded to the newest migration once per test process, for ``environ`` to
    copy: a test's database is then the one a deployed app starts on, without the migrations
    run again for every test (tests/test_store.py runs them on new files)."""
    path = tmp_path_factory.mktemp("upgraded") / "helpcenter.sqlite3"
    store = Store.from_url(f"sqlite:///{path}")
    store.upgrade()
    store.close()
    assert not path.with_name(path.name + "-wal").exists(), "the upgrade left a write-ahead log"
    return path


@pytest.fixture
def environ(tmp_path, upgraded_database):
    """Settings of a sandbox app with its own database, at the newest migration; tests add or
    change entries."""
    database = tmp_path / "helpcenter.sqlite3"
    shutil.copyfile(upgraded_database, database)
    return {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": SECRET_KEY,
    }


@pytest.fixture
def sandbox():
    """The app's own sandbox of demo orders, for tests that inject faults or check its state."""
    return create_sandbox()


@pytest.fixture
def gelato(sandbox):
    """The app's Gelato client, on ``sandbox``; it gives up fast, so fault tests stay quick."""
    client = in_process_client(sandbox, retry_budget=0.3, backoff=0.01, timeout=1.0)
    yield client
    client.close()


@pytest.fixture
def app(environ, gelato):
    app = create_app(environ, gelato=gelato)
    app.config["TESTING"] = True
    yield app
    app.extensions["store"].close()


@pytest.fixture
def client(app):
    """Flask's test client, signed in as nobody."""
    return app.test_client()


@pytest.fixture
def order_id(sandbox):
    """The Gelato id of a demo order, by its reference."""

    def order_id(reference):
        [order] = sandbox.orders_with_reference(reference)
        return order["id"]

    return order_id


@pytest.fixture
def sign_in():
    """Sign a test client in through the sign-in form, as a browser would."""

    def sign_in(client, name, password, next_url=None):
        page = client.get("/portal/sign-in").get_data(as_text=True)
        data = {"csrf_token": form_token(page), "name": name, "password": password}
        if next_url is not None:
            data["next"] = next_url
        return client.post("/portal/sign-in", data=data)

    return sign_in


def _signed_in_client(app, sign_in, account, role):
    agents.create_agent(app.extensions["store"], *account, role, actor="tests")
    client = app.test_client()
    response = sign_in(client, *account)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def agent_account():
    return Account("ana", "ana-password-0123")


@pytest.fixture
def admin_account():
    return Account("lead", "lead-password-0123")


@pytest.fixture
def agent_client(app, sign_in, agent_account):
    """Flask's test client signed in as an agent (not an admin)."""
    return _signed_in_client(app, sign_in, agent_account, "agent")


@pytest.fixture
def admin_client(app, sign_in, admin_account):
    """Flask's test client signed in as an admin."""
    return _signed_in_client(app, sign_in, admin_account, "admin")


@pytest.fixture
def submit():
    """Post a form as a browser does: from the page that shows it, with that page's token."""

    def submit(client, page, action, data):
        html = client.get(page).get_data(as_text=True)
        return client.post(action, data={"csrf_token": form_token(html), **data})

    return submit


def _postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return versions[-1].parent if versions else None


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server started on 127.0.0.1 for this test run; skipped where none is installed
    (CI installs it, so there these tests always run)."""
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


# The Gelato sandbox as its own server, and the app pointed at it ---------------------------------


class SandboxProcess:
    """``python -m portal.gelato.sandbox`` running on a free 127.0.0.1 port, steered over its
    control API (``/_sandbox``) as any test or script outside the process would steer it."""

    def __init__(self, startup_timeout: float = 20.0):
        self._process = subprocess.Popen(
            [sys.executable, "-m", "portal.gelato.sandbox", "--port", "0", "--quiet"],
            cwd=PROJECT_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        ready, _, _ = select.select([self._process.stdout], [], [], startup_timeout)
        first_line = self._process.stdout.readline() if ready else ""
        if not first_line.startswith("Gelato sandbox on http://127.0.0.1:"):
            self.close()
            raise RuntimeError(f"the sandbox did not start: {first_line!r}")
        self.url = first_line.split(" on ", 1)[1].strip()
        self.control = httpx.Client(base_url=self.url + "/_sandbox", timeout=10.0)

    def steer(self, method: str, path: str, **json) -> dict:
        """One control call (``path`` under ``/_sandbox``); its JSON answer, or an error raised."""
        response = self.control.request(method, path, json=json or None)
        response.raise_for_status()
        return response.json()

    def add_fault(self, **fault) -> dict:
        """Add a fault, in the control API's camelCase: ``add_fault(kind="status", status=503)``."""
        return self.steer("POST", "/faults", **fault)["fault"]

    def clear_faults(self) -> None:
        self.steer("DELETE", "/faults")

    def reset(self) -> None:
        """Back to the demo orders, with no faults and an empty call log."""
        self.steer("POST", "/reset")

    def calls(self) -> list[dict]:
        """The Gelato calls the server received: ``method``, ``path``, ``outcome``."""
        return self.steer("GET", "/calls")["calls"]

    def close(self) -> None:
        if hasattr(self, "control"):
            self.control.close()
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process.stdout.close()


@pytest.fixture(scope="session")
def sandbox_process():
    """The sandbox as its own process for the whole session; use ``gelato_server`` in a test."""
    process = SandboxProcess()
    yield process
    process.close()


@pytest.fixture
def gelato_server(sandbox_process) -> SandboxProcess:
    """The sandbox server, back to its demo orders with no faults; faults added in the test are
    cleared after it."""
    sandbox_process.reset()
    yield sandbox_process
    sandbox_process.clear_faults()


@pytest.fixture
def gelato_server_environ(environ, gelato_server) -> dict:
    """Settings of a sandbox-mode app that reaches Gelato at the sandbox server, over HTTP."""
    return {**environ, "GELATO_API_URL": gelato_server.url}


@pytest.fixture
def gelato_server_app(gelato_server_environ):
    """The app, built from its settings alone, talking to ``gelato_server`` over HTTP."""
    app = create_app(gelato_server_environ)
    app.config["TESTING"] = True
    yield app
    app.extensions["gelato"].close()
    app.extensions["store"].close()


class AppServer(NamedTuple):
    url: str
    app: object


@pytest.fixture
def app_server(gelato_server_app):
    """``gelato_server_app`` served over HTTP on a free 127.0.0.1 port: drive it with httpx
    as a browser would (``url`` is its base address)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, gelato_server_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield AppServer(f"http://127.0.0.1:{server.server_port}", gelato_server_app)
    server.shutdown()
    thread.join()
    server.server_close()
