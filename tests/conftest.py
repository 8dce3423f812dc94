import re
import socket
import subprocess
import sys
from typing import NamedTuple

import pytest

from portal import agents, create_app
from portal.config import PROJECT_ROOT

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


class Account(NamedTuple):
    name: str
    password: str


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


@pytest.fixture
def environ(tmp_path):
    """Settings of a sandbox app with its own database; tests add or change entries."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpcenter.sqlite3'}",
        "SECRET_KEY": SECRET_KEY,
    }


@pytest.fixture
def app(environ):
    app = create_app(environ)
    app.config["TESTING"] = True
    yield app
    app.extensions["store"].close()


@pytest.fixture
def client(app):
    return app.test_client()


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
    """A client signed in as an agent (not an admin)."""
    return _signed_in_client(app, sign_in, agent_account, "agent")


@pytest.fixture
def admin_client(app, sign_in, admin_account):
    return _signed_in_client(app, sign_in, admin_account, "admin")


@pytest.fixture
def submit():
    """Post a form as a browser does: from the page that shows it, with that page's token."""

    def submit(client, page, action, data):
        html = client.get(page).get_data(as_text=True)
        return client.post(action, data={"csrf_token": form_token(html), **data})

    return submit
