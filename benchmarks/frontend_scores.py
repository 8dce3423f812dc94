"""Lighthouse's four scores for the pages agents open most, against the front end's targets.

The help center is started as in production (``app:app`` under granian, sandbox mode, a database
of its own, on a free port of 127.0.0.1), and Lighthouse, in its desktop configuration, audits:

- the home page and an article of the knowledge base;
- an order page and a support request form of the portal, signed in as the sandbox's demo admin.

It prints the performance, accessibility, best-practices and SEO scores of each page (the median
of ``--runs`` runs; performance moves from run to run) and, under a score below its target, the
audits that cost points. Targets: accessibility 100, the other three 98 or more.

Lighthouse is the npm package, at the pinned version below, installed on first use into a cache
folder outside the repository (``$XDG_CACHE_HOME/gelato-help-center/``, by default under
``~/.cache``); it drives Debian's Chromium at /usr/bin/chromium, never a downloaded browser. It
needs Node.js and npm. Run it with the project's virtual environment, after ``make site``::

    .venv/bin/python benchmarks/frontend_scores.py [--runs 3]

It is a measurement: it exits 0 whether the targets are met or not, and non-zero only when
something it needs is missing or the help center fails to start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal.agents import DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD  # noqa: E402

LIGHTHOUSE_VERSION = "12.2.3"  # the last release that runs on Node 20
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CATEGORIES = {
    "performance": 98,
    "accessibility": 100,
    "best-practices": 98,
    "seo": 98,
}
DEMO_ORDER = "NW-1008"  # in transit, late: the fullest order page
REQUEST_FORM = "/portal/requests/new/damaged-product/"
START_TIMEOUT = 30.0
ATTEMPTS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per page (default 3)")
    args = parser.parse_args()

    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    if not (ROOT / "site" / "index.html").exists():
        sys.exit("site/ is not built: run make site first.")
    lighthouse = install_lighthouse()

    with tempfile.TemporaryDirectory() as home:
        port = free_port()
        server = start_help_center(Path(home), port)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, server)
            cookie, order_page = sign_in_and_find_order(base)
            pages = {
                "home": (base + "/", None),
                "article": (base + "/actions/cancel-order/", None),
                "order page": (order_page, cookie),
                "request form": (base + REQUEST_FORM, cookie),
            }
            print(
                f"Lighthouse {LIGHTHOUSE_VERSION}, desktop, {args.runs} run(s) per page "
                f"(median); targets: accessibility 100, the others {CATEGORIES['performance']}+"
            )
            print(f"{'page':<14}" + "".join(f"{name:>16}" for name in CATEGORIES))
            for name, (url, page_cookie) in pages.items():
                runs = [audit(lighthouse, url, page_cookie, Path(home)) for _ in range(args.runs)]
                report_page(name, runs)
        finally:
            server.terminate()
            server.wait(timeout=10)
    return 0


def install_lighthouse() -> Path:
    """The pinned Lighthouse in the cache folder, installed there with npm the first time."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = cache / "gelato-help-center" / f"lighthouse-{LIGHTHOUSE_VERSION}"
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if binary.exists():
        return binary
    if shutil.which("npm") is None or shutil.which("node") is None:
        sys.exit("Lighthouse needs Node.js and npm (Debian: apt-get install -y nodejs npm).")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Installing Lighthouse {LIGHTHOUSE_VERSION} into {folder} ...", file=sys.stderr)
    subprocess.run(
        [
            "npm",
            "install",
            "--prefix",
            str(folder),
            "--no-audit",
            "--no-fund",
            "--save-exact",
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return binary


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_help_center(home: Path, port: int) -> subprocess.Popen:
    """The production command of the README, in sandbox mode, with a database of its own."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in ("GELATO_API_KEY", "DATABASE_URL", "SMTP_URL", "TRUSTED_USER_HEADER")
    }
    environ.update(
        DATABASE_URL=f"sqlite:///{home / 'helpcenter.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(48),
        LOG_LEVEL="WARNING",
    )
    granian = Path(sys.executable).parent / "granian"
    command = [str(granian), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--blocking-threads", "4", "app:app"]
    log = (home / "server.log").open("w")
    return subprocess.Popen(command, cwd=ROOT, env=environ, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("The help center did not start.")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"The help center did not answer within {START_TIMEOUT:.0f} s.")


def sign_in_and_find_order(base: str) -> tuple[str, str]:
    """The demo admin's session cookie, and the address of the demo order's page."""
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/portal/sign-in").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        signed_in = client.post(
            "/portal/sign-in",
            data={"csrf_token": token, "name": DEMO_AGENT_NAME, "password": DEMO_AGENT_PASSWORD},
        )
        if signed_in.status_code != 302:
            sys.exit("Signing in as the sandbox's demo admin failed.")
        found = client.get("/portal/orders/", params={"order": DEMO_ORDER})
        if found.status_code != 302:
            sys.exit(f"The demo order {DEMO_ORDER} was not found.")
        cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
        return cookie, base + found.headers["Location"]


def audit(lighthouse: Path, url: str, cookie: str | None, home: Path) -> dict:
    """One Lighthouse run on one page: its JSON report."""
    command = [
        str(lighthouse),
        url,
        "--preset=desktop",
        "--only-categories=" + ",".join(CATEGORIES),
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--chrome-flags=" + " ".join(CHROMIUM_FLAGS),
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": cookie}))
    environ = {**os.environ, "CHROME_PATH": str(CHROMIUM), "TMPDIR": str(home)}
    # On a busy machine Chromium now and then loses the trace of a load (NO_NAVSTART): that run
    # is taken again, up to ATTEMPTS times.
    for _ in range(ATTEMPTS):
        done = subprocess.run(command, env=environ, capture_output=True, text=True, check=False)
        report = json.loads(done.stdout) if done.stdout.startswith("{") else None
        if report is not None and "runtimeError" not in report:
            break
    else:
        sys.exit(f"Lighthouse failed on {url}:\n{done.stderr[-2000:]}")
    if report["finalDisplayedUrl"] != url:  # e.g. sent to the sign-in page: not the page meant
        sys.exit(f"Lighthouse was sent from {url} to {report['finalDisplayedUrl']}.")
    return report


def report_page(name: str, reports: list[dict]) -> None:
    scores = {
        category: round(100 * median(r["categories"][category]["score"] for r in reports))
        for category in CATEGORIES
    }
    line = f"{name:<14}"
    for category, target in CATEGORIES.items():
        mark = "" if scores[category] >= target else " (!)"
        line += f"{str(scores[category]) + mark:>16}"
    print(line, flush=True)
    # What cost points where a target is missed, from the last run.
    last = reports[-1]
    for category, target in CATEGORIES.items():
        if scores[category] >= target:
            continue
        for ref in last["categories"][category]["auditRefs"]:
            result = last["audits"][ref["id"]]
            if ref["weight"] and result["score"] is not None and result["score"] < 1:
                shown = result.get("displayValue", "")
                print(f"    {category}: {ref['id']} ({result['title']}) {shown}")


if __name__ == "__main__":
    sys.exit(main())
