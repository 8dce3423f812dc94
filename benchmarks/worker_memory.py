"""How much memory each granian worker holds after a day's worth of mixed requests.

Two ways of serving are measured, each on its own free port with its own database:

- ``run``: ``make run`` (``python app.py``), whose workers reach one sandbox over HTTP;
- ``production``: the README's production command (``granian ... app:app``) in sandbox mode, with
  the sandbox in each worker's own memory, on a database an earlier start already upgraded (as a
  deployment's is, every start but its first).

Each gets ``--requests`` requests (10,000 by default) from ``--clients`` browsers at once, each
signed in as the demo admin: articles, hashed assets and images, portal pages (home, searches,
request forms, admin pages) and order pages of every demo status. Then the script prints each
worker's resident set (RSS, what the 80 MB target is about), its private share (USS: what one
more worker would cost) and, per kind of request, the median and 95th percentile time. It exits
0 whether the target is met or not::

    .venv/bin/python benchmarks/worker_memory.py [--requests 10000] [--servers run production]
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from contextlib import suppress
from pathlib import Path
from statistics import median, quantiles

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served import (
    PRODUCTION,
    ROOT,
    free_port,
    order_page,
    sign_in,
    start_help_center,
    stop,
    wait_until_up,
)

TARGET_MB = 80
REFERENCES = ("NW-1002", "NW-1004", "NW-1005", "NW-1006", "NW-1008", "NW-1009", "NW-1019")
PORTAL_PAGES = (
    "/portal/",
    "/portal/orders/",
    "/portal/orders/?order=NW-10",
    "/portal/actions/cancel-order/",
    "/portal/requests/",
    "/portal/requests/new/damaged-product/",
    "/portal/requests/new/address-problem/",
    "/portal/admin/audit",
    "/portal/admin/feedback",
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--servers", nargs="+", default=["run", "production"], choices=["run", "production"]
    )
    args = parser.parse_args()
    site = ROOT / "site"
    if not (site / "index.html").exists():
        sys.exit("No site/: build it with `make site`.")
    pages = site.glob("*/**/index.html")
    articles = ["/", *sorted(f"/{path.parent.relative_to(site).as_posix()}/" for path in pages)]
    articles.remove("/portal-shell/")
    assets = sorted(
        "/" + path.relative_to(site).as_posix()
        for pattern in ("assets/**/*.min.js", "assets/**/*.min.css", "assets/images/*")
        for path in site.glob(pattern)
    )
    for server in args.servers:
        with tempfile.TemporaryDirectory(prefix="worker-memory-") as tmp:
            measure(server, Path(tmp), articles, assets, args)
    return 0


def measure(server: str, tmp: Path, articles, assets, args) -> None:
    port = free_port()
    command = [sys.executable, "app.py"] if server == "run" else PRODUCTION
    process = start_help_center(tmp, command, port=port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, tmp / "server.log")
        print(f"\n{server}: {' '.join(Path(word).name for word in command)}")
        workers = granian_workers(process.pid)
        started = {pid: memory(pid) for pid in workers}
        timings, errors, seconds = load(base, articles, assets, args)
        print(
            f"{sum(len(t) for t in timings.values())} requests from {args.clients} clients in "
            f"{seconds:.1f} s, {errors} errors"
        )
        print(f"{'worker':>8} {'RSS at start':>13} {'RSS after':>10} {'USS after':>10}")
        for pid in workers:
            rss, uss = memory(pid)
            verdict = "PASS" if rss <= TARGET_MB else "FAIL"
            print(
                f"{pid:8} {started[pid][0]:10.1f} MB {rss:7.1f} MB {uss:7.1f} MB  "
                f"(target <= {TARGET_MB} MB RSS) {verdict}"
            )
        print(f"{'kind':8} {'count':>6} {'p50 ms':>7} {'p95 ms':>7}")
        for kind, samples in sorted(timings.items()):
            p95 = quantiles(samples, n=20)[-1] if len(samples) > 1 else samples[0]
            print(f"{kind:8} {len(samples):6} {median(samples):7.2f} {p95:7.2f}")
    finally:
        stop(process)


def load(base: str, articles, assets, args):
    """``--requests`` requests in a fixed mix, from ``--clients`` signed-in browsers at once."""
    with httpx.Client(base_url=base, timeout=60) as first:
        sign_in(first)
        order_pages = [order_page(first, reference) for reference in REFERENCES]
        cookies = dict(first.cookies)
    # Of every 20 requests: 7 articles, 5 assets, 4 portal pages, 4 order pages.
    mix = [("article", articles)] * 7 + [("asset", assets)] * 5
    mix += [("portal", PORTAL_PAGES)] * 4 + [("order", order_pages)] * 4
    timings: dict[str, list[float]] = defaultdict(list)
    errors = 0
    lock = threading.Lock()
    per_client = args.requests // args.clients

    def browse(number: int) -> None:
        nonlocal errors
        headers = {"Accept-Encoding": "br, gzip"}
        with httpx.Client(base_url=base, cookies=cookies, headers=headers, timeout=60) as browser:
            for i in range(per_client):
                kind, paths = mix[(i + number) % len(mix)]
                path = paths[(i // len(mix) + number) % len(paths)]
                started = time.perf_counter()
                response = browser.get(path)
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    timings[kind].append(elapsed)
                    errors += response.status_code >= 400

    started = time.monotonic()
    threads = [threading.Thread(target=browse, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors, time.monotonic() - started


def granian_workers(session: int) -> list[int]:
    """The worker processes of the server's session: granian processes whose parent is one."""
    granian = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
            if int(fields[3]) == session and b"granian" in cmdline:
                granian[int(stat.parent.name)] = int(fields[1])
    return sorted(pid for pid, parent in granian.items() if parent in granian)


def memory(pid: int) -> tuple[float, float]:
    """Resident set and private (unique) memory of a process, in MB."""
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    kb = {
        name: int(value) for name, value in re.findall(r"^(\w+):\s+(\d+) kB", rollup, re.MULTILINE)
    }
    return kb["Rss"] / 1024, (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024


if __name__ == "__main__":
    sys.exit(main())
