"""Start the help center and the sandbox as the benchmarks measure them: separate processes on
free ports of 127.0.0.1, each with a database of its own, stopped with everything they started.

Every benchmark that serves over HTTP uses these, so they all time the same set-up.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.agents import DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD  # noqa: E402

VENV_BIN = ROOT / ".venv" / "bin"
#: The README's production command, without its host, port and app.
PRODUCTION = [str(VENV_BIN / "granian"), "--interface", "wsgi", "--workers", "2"]
PRODUCTION += ["--blocking-threads", "4"]
START_TIMEOUT = 180.0  # seconds; a 2-core machine busy with other work is slow to start two workers
#: Settings of the machine's environment that would point a benchmark's server elsewhere.
FOREIGN_SETTINGS = ("GELATO_API_KEY", "GELATO_API_URL", "DATABASE_URL", "SMTP_URL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sandbox() -> tuple[subprocess.Popen, str]:
    """The sandbox as its own process (``python -m portal.gelato.sandbox``), and its URL: it does
    not compete with the measuring process or the app's workers for a GIL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.gelato.sandbox", "--port", "0", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    if " on " not in line:
        process.terminate()
        raise SystemExit(f"the sandbox did not start: {line!r}")
    return process, line.split(" on ", 1)[1].strip()


def start_help_center(
    folder: Path, command: list[str], *, port: int, **settings: str
) -> subprocess.Popen:
    """``command`` (``PRODUCTION``, or ``[python, "app.py"]`` for ``make run``) in sandbox mode
    with a database in ``folder``, its output in ``folder/server.log``. ``settings`` are added to
    the environment (``GELATO_API_URL`` to share a sandbox started with ``start_sandbox``)."""
    environ = {key: value for key, value in os.environ.items() if key not in FOREIGN_SETTINGS}
    environ.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"sqlite:///{folder / 'helpcenter.sqlite3'}",
        LOG_LEVEL="WARNING",
        HOST="127.0.0.1",
        PORT=str(port),
        **settings,
    )
    if command[0].endswith("granian"):
        command = [*command, "--host", "127.0.0.1", "--port", str(port), "app:app"]
        # The schema is upgraded once, as a deployment's is before its workers start.
        upgrade = (
            "import os; from portal.store import Store; "
            "Store.from_url(os.environ['DATABASE_URL']).upgrade()"
        )
        subprocess.run([sys.executable, "-c", upgrade], cwd=ROOT, env=environ, check=True)
    log = (folder / "server.log").open("wb")
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(process: subprocess.Popen, base: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"{base} did not come up. Its log ends:\n{log.read_text(errors='replace')[-2000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process started here with everything of its session (granian's workers too)."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def sign_in(client: httpx.Client) -> None:
    """Sign ``client`` in as the sandbox's demo admin."""
    page = client.get("/portal/sign-in").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    answer = client.post(
        "/portal/sign-in",
        data={"csrf_token": token, "name": DEMO_AGENT_NAME, "password": DEMO_AGENT_PASSWORD},
    )
    if answer.status_code != 302:
        sys.exit(f"Could not sign in as the demo admin: {answer.status_code}")


def order_page(client: httpx.Client, reference: str) -> str:
    """The page an agent lands on who looks ``reference`` up: the order's page, or the list of
    the orders that share it."""
    found = client.get("/portal/orders/", params={"order": reference}, follow_redirects=True)
    if found.status_code != 200:
        sys.exit(f"Looking up {reference} failed ({found.status_code}).")
    return found.url.path
