"""``make run`` (``python app.py``): the production server, one sandbox for every worker, and a
Ctrl-C that leaves nothing running."""

import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

import app as entry_point
from portal import create_app
from portal.agents import DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD
from portal.config import MIN_WEBHOOK_SECRET_LENGTH, PROJECT_ROOT, SANDBOX_WEBHOOK_SECRET
from portal.gelato.sandbox import create_sandbox
from tests.conftest import form_token, free_port

START_TIMEOUT = 120  # seconds: granian's workers each build the app, slow on a busy machine
STOP_TIMEOUT = 20


def _hear_ctrl_c() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Served:
    """``python app.py`` started as ``make run`` starts it, in a session of its own so that every
    process it starts can be found, and signalled as a terminal signals its foreground job."""

    def __init__(self, environ: dict[str, str]):
        self.port = free_port()
        env = {**os.environ, **environ, "PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        env.pop("GELATO_API_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # A terminal's foreground job, which Ctrl-C reaches, even when these tests run as a
            # background job: a shell starts those with SIGINT ignored, and a child inherits it.
            preexec_fn=_hear_ctrl_c,
        )
        self.output = self._read_until("Ctrl-C stops it.")
        self.url = f"http://127.0.0.1:{self.port}"
        # A terminal keeps reading what the server prints; a pipe nobody reads fills up (64 KB of
        # log lines), and then every process writing to it, the server's included, stops.
        self.later_output = bytearray()
        self._reader = threading.Thread(target=self._keep_reading, daemon=True)
        self._reader.start()

    def _keep_reading(self) -> None:
        while chunk := os.read(self.process.stdout.fileno(), 65536):
            self.later_output += chunk

    def _read_until(self, last_line: str) -> str:
        """Its output up to ``last_line``, read straight from the pipe (no buffer to hide in)."""
        output, deadline = b"", time.monotonic() + START_TIMEOUT
        stdout = self.process.stdout.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stdout], [], [], 1)
            chunk = os.read(stdout, 65536) if ready else b""
            if ready and not chunk:
                break
            output += chunk
            if f"\n{last_line}\n" in output.decode():
                return output.decode()
        self.kill()
        raise AssertionError(f"python app.py did not come up:\n{output.decode()}")

    def processes(self) -> list[str]:
        """Every live process of its session: this one, granian's master and workers."""
        return [f"{pid} {name}" for pid, name, _ in session_processes(self.process.pid)]

    def workers_environ(self) -> list[dict[str, str]]:
        found = []
        for pid, _, _ in session_processes(self.process.pid):
            raw = Path(f"/proc/{pid}/environ").read_bytes()
            environ = dict(item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
            if "granian" in Path(f"/proc/{pid}/cmdline").read_text():
                found.append(environ)
        return found

    def stop(self, how: str) -> int:
        """Stop it as a user would: Ctrl-C in its terminal, or SIGTERM from a supervisor."""
        if how == "ctrl-c":
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            left = self.processes()
            signals = [
                line.strip()
                for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines()
                if line.startswith(("SigBlk", "SigIgn", "SigCgt"))
            ]
            self.kill()
            printed = bytes(self.later_output[-3000:]).decode(errors="replace")
            raise AssertionError(
                f"python app.py did not stop; still running: {left}; {signals}\n{printed}"
            ) from None
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.processes() and time.monotonic() < deadline:
            time.sleep(0.1)
        self._reader.join(STOP_TIMEOUT)
        self.process.stdout.close()
        return code

    def kill(self) -> None:
        """Kill every process of its session: granian has a process group of its own, and a
        killed launcher cannot stop it."""
        for pid, _, _ in session_processes(self.process.pid):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        if getattr(self, "_reader", None) is not None:
            self._reader.join(STOP_TIMEOUT)
        self.process.stdout.close()


def session_processes(session: int):
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid_name, fields = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        state, _, _, sid = fields.split()[:4]
        if int(sid) == session and state != "Z":
            yield int(stat.parent.name), pid_name.split(" (", 1)[1], state


needs_proc = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


@pytest.fixture
def served(environ):
    served = Served(environ)
    yield served
    if served.process.poll() is None:
        served.kill()


def sign_in_as_demo(client: httpx.Client) -> None:
    page = client.get("/portal/sign-in")
    client.post(
        "/portal/sign-in",
        data={
            "csrf_token": form_token(page.text),
            "name": DEMO_AGENT_NAME,
            "password": DEMO_AGENT_PASSWORD,
        },
    )


@needs_proc
def test_every_worker_sees_the_same_orders_and_ctrl_c_stops_everything(served):
    assert f"on http://127.0.0.1:{served.port}/" in served.output
    assert f"sign in as {DEMO_AGENT_NAME} / {DEMO_AGENT_PASSWORD}" in served.output
    sandbox_url = re.search(r"Gelato sandbox at (http://127\.0\.0\.1:\d+)", served.output)[1]
    workers = served.workers_environ()
    assert len(workers) >= 3  # granian's master and its two workers
    assert {environ["GELATO_API_URL"] for environ in workers} == {sandbox_url}
    # The sandbox's webhooks reach the workers' receiver, with a secret made for this run.
    [secret] = {environ["GELATO_WEBHOOK_SECRET"] for environ in workers}
    assert secret != SANDBOX_WEBHOOK_SECRET
    assert len(secret) >= MIN_WEBHOOK_SECRET_LENGTH

    with httpx.Client(base_url=served.url, timeout=30) as agent:
        sign_in_as_demo(agent)
        article = agent.get("/contact/")
        assert article.status_code == 200
        assert article.headers["content-encoding"] == "br"
        found = agent.get("/portal/orders/", params={"order": "NW-1002"}, follow_redirects=True)
        order_path = found.url.path
        cancel_page = agent.get(order_path + "cancel")
        done = agent.post(order_path + "cancel", data={"csrf_token": form_token(cancel_page.text)})
        assert "Gelato canceled order NW-1002" in done.text
        cookies = agent.cookies

    # A new connection for every page, as many browsers would open: whichever worker answers,
    # the order is canceled.
    for _ in range(12):
        with httpx.Client(base_url=served.url, cookies=cookies, timeout=30) as browser:
            page = browser.get(order_path)
            assert page.status_code == 200
            assert "Cancel this order" not in page.text

    # Gelato (the sandbox) puts an order on hold: the queue and the order's page show it
    # without anyone looking the order up first.
    [held] = create_sandbox().orders_with_reference("NW-1004")
    reason = "The print file of the poster is below 150 dpi."
    httpx.post(f"{sandbox_url}/_sandbox/orders/{held['id']}/hold", json={"reason": reason})
    with httpx.Client(base_url=served.url, cookies=cookies, timeout=30) as agent:
        deadline = time.monotonic() + 30
        while reason not in (queue := agent.get("/portal/attention/").text):
            assert time.monotonic() < deadline, queue
            time.sleep(0.2)
        assert "NW-1004" in queue
        assert reason in agent.get(f"/portal/orders/{held['id']}/").text

    assert served.stop("ctrl-c") == 0
    assert served.processes() == []
    with pytest.raises(httpx.ConnectError):
        httpx.get(sandbox_url + "/_sandbox", timeout=5)


@needs_proc
def test_sigterm_to_it_alone_stops_the_workers_too(served):
    assert served.stop("sigterm") == 0
    assert served.processes() == []


def test_a_taken_port_is_named_and_nothing_starts(environ):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "app.py"],
            cwd=PROJECT_ROOT,
            env={**os.environ, **environ, "PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert f"Port {port} of 127.0.0.1 is taken" in result.stderr
    assert "Traceback" not in result.stderr


def test_make_run_serves_with_the_readmes_production_command():
    readme = (PROJECT_ROOT / "README.md").read_text()
    [command] = re.findall(r"^\.venv/bin/granian .*app:app$", readme, re.MULTILINE)
    assert " ".join(entry_point.PRODUCTION_OPTIONS) in command


def test_the_launcher_keeps_the_instance_folder_where_the_app_does(environ):
    app = create_app(environ)
    assert Path(app.instance_path) == entry_point.INSTANCE_PATH
    app.extensions["store"].close()


# What a worker holds --------------------------------------------------------------------------


def test_the_newest_migration_is_the_one_alembic_upgrades_to():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from portal.store import newest_revision
    from portal.store.tables import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert newest_revision() == ScriptDirectory.from_config(config).get_current_head()


def test_a_worker_starting_on_an_upgraded_database_loads_no_alembic(environ):
    """Nor, on SQLite, PostgreSQL's dialect: each costs a worker megabytes for nothing."""
    create_app(environ).extensions["store"].close()  # the first start upgrades
    code = (
        "import sys\n"
        "from portal import create_app\n"
        f"app = create_app({environ!r})\n"
        "app.extensions['store'].close()\n"
        "print(sorted({'alembic', 'mako', 'sqlalchemy.dialects.postgresql'} & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
