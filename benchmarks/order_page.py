"""What the portal adds to an order page, over the Gelato call behind it.

The sandbox runs as its own process; the help center runs under the README's production command
(granian, two workers) pointed at it with GELATO_API_URL. Both are asked for the same order:
the sandbox directly (``GET /v4/orders/{id}``, the call the page is built on) and the portal's
order page, signed in as the demo admin. Rounds alternate between the two, so drift on this
noisy machine hits both alike, at concurrency 1 and 8. The script prints each side's
percentiles and the difference, against the targets (added at concurrency 1: p50 <= 2 ms,
p95 <= 5 ms; at concurrency 8: p95 <= 10 ms). It exits 0 whether they are met or not.

A third side, ``bare Flask page`` (``bare_order_page.py``, under the same command), makes the
same Gelato call from a bare Flask view and answers as many bytes: what the portal adds over it
is what the portal's own work costs, the rest is the stack's floor on this machine::

    .venv/bin/python benchmarks/order_page.py [--order NW-1004] [--requests 400] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from statistics import quantiles

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from served import (
    PRODUCTION,
    free_port,
    order_page,
    sign_in,
    start_help_center,
    start_sandbox,
    stop,
    wait_until_up,
)

from portal.gelato.sandbox import DEMO_API_KEY, http_client

HERE = Path(__file__).resolve().parent
#: (concurrency, percentile, most the portal may add in ms)
TARGETS = ((1, 50, 2.0), (1, 95, 5.0), (8, 95, 10.0))
PERCENTILES = (50, 90, 95, 99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--order", default="NW-1004", help="the demo order's reference")
    parser.add_argument("--requests", type=int, default=400, help="per side, concurrency, round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    args = parser.parse_args()

    sandbox, sandbox_url = start_sandbox()
    port, bare_port = free_port(), free_port()
    base, bare = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
    servers = []
    try:
        with tempfile.TemporaryDirectory(prefix="order-page-") as tmp:
            folder = Path(tmp)
            servers.append(
                start_help_center(folder, PRODUCTION, port=port, GELATO_API_URL=sandbox_url)
            )
            wait_until_up(servers[0], base, folder / "server.log")
            cookies, body, page = signed_in_page(base, args.order)
            servers.append(start_bare(folder, bare_port, sandbox_url, len(body)))
            wait_until_up(servers[1], bare, folder / "bare.log")
            measure(args, base + page, cookies, bare, sandbox_url)
    finally:
        for server in servers:
            stop(server)
        sandbox.terminate()
        sandbox.wait()
    return 0


def start_bare(folder: Path, port: int, sandbox_url: str, page_bytes: int) -> subprocess.Popen:
    """``bare_order_page.py`` under the production command, answering pages of ``page_bytes``."""
    environ = {
        **os.environ,
        "GELATO_API_URL": sandbox_url,
        "GELATO_API_KEY": DEMO_API_KEY,
        "BARE_PAGE_BYTES": str(page_bytes),
    }
    command = [*PRODUCTION, "--host", "127.0.0.1", "--port", str(port), "bare_order_page:app"]
    log = (folder / "bare.log").open("wb")
    return subprocess.Popen(
        command, cwd=HERE, env=environ, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def signed_in_page(base: str, reference: str) -> tuple[dict, bytes, str]:
    """The demo admin's cookies, and the order page ``reference`` leads to: its body, its path."""
    with httpx.Client(base_url=base, timeout=30) as agent:
        sign_in(agent)
        page = order_page(agent, reference)
        return dict(agent.cookies), agent.get(page).text.encode(), page


def measure(args, page: str, cookies: dict, bare: str, sandbox_url: str) -> None:
    """Each side in turn, ``page`` being the order page's URL, signed in with ``cookies``."""
    order_id = http_client(sandbox_url).find_orders_by_reference(args.order)[0].id
    direct = f"{sandbox_url}/v4/orders/{order_id}"

    def portal_client() -> httpx.Client:
        return httpx.Client(cookies=cookies, timeout=30)

    def gelato_client() -> httpx.Client:
        return httpx.Client(headers={"X-API-KEY": DEMO_API_KEY}, timeout=30)

    def bare_client() -> httpx.Client:
        return httpx.Client(timeout=30)

    sides = {
        "Gelato call": (gelato_client, direct),
        "bare Flask page": (bare_client, f"{bare}/orders/{order_id}/"),
        "order page": (portal_client, page),
    }
    print(f"Order {args.order}: {page} against GET {direct}")
    print(f"{args.rounds} rounds of {args.requests} requests a side, alternating sides\n")
    added = {}
    for concurrency in args.concurrency:
        samples: dict[str, list[float]] = {side: [] for side in sides}
        for _ in range(args.rounds):
            for side, (make_client, url) in sides.items():
                samples[side] += timed(make_client, url, args.requests, concurrency)
        cuts = {side: percentiles(times) for side, times in samples.items()}
        print(f"concurrency {concurrency}:")
        print(f"  {'':16}" + "".join(f"{f'p{p} ms':>9}" for p in PERCENTILES))
        for side, values in cuts.items():
            print(f"  {side:16}" + "".join(f"{values[p]:9.2f}" for p in PERCENTILES))
        difference = {p: cuts["order page"][p] - cuts["Gelato call"][p] for p in PERCENTILES}
        print(f"  {'portal adds':16}" + "".join(f"{difference[p]:9.2f}" for p in PERCENTILES))
        floor = {p: cuts["bare Flask page"][p] - cuts["Gelato call"][p] for p in PERCENTILES}
        print(f"  {'of which floor':16}" + "".join(f"{floor[p]:9.2f}" for p in PERCENTILES))
        added[concurrency] = difference
    print()
    for concurrency, percentile, limit in TARGETS:
        if concurrency in added:
            value = added[concurrency][percentile]
            verdict = "PASS" if value <= limit else "FAIL"
            print(
                f"concurrency {concurrency}, p{percentile}: the portal adds {value:.2f} ms "
                f"(target <= {limit:g} ms) {verdict}"
            )


def timed(make_client, url: str, requests: int, concurrency: int) -> list[float]:
    """``requests`` GETs of ``url`` from ``concurrency`` clients at once (connections kept, as a
    browser keeps them), after a few to warm up; each one's time in ms."""
    times: list[float] = []
    lock = threading.Lock()
    per_client = max(1, requests // concurrency)

    def client_loop() -> None:
        with make_client() as client:
            for _ in range(5):
                client.get(url).raise_for_status()
            mine = []
            for _ in range(per_client):
                started = time.perf_counter()
                client.get(url).raise_for_status()
                mine.append((time.perf_counter() - started) * 1000)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client_loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def percentiles(samples: list[float]) -> dict[int, float]:
    cuts = quantiles(samples, n=100, method="inclusive")
    return {p: cuts[p - 1] for p in PERCENTILES}


if __name__ == "__main__":
    sys.exit(main())
