"""What ``GelatoClient`` adds to a call, next to a bare httpx GET of the same URL.

The sandbox runs as its own process (``python -m portal.gelato.sandbox --port 0 --quiet``), so it
does not compete with the measuring process for the GIL. Both sides keep one connection alive and
send the same headers; calls alternate between them so that drift (CPU frequency, other load)
hits both alike. The client's share is everything it does beyond the GET: building the URL,
logging, reading the JSON into an ``Order``, the retry driver's bookkeeping.

    .venv/bin/python benchmarks/client_overhead.py [--calls 2000] [--log-info] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal.gelato.sandbox import DEMO_API_KEY, http_client  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from served import start_sandbox  # noqa: E402

REFERENCE = "NW-1007"  # a shipped order: items, shipment, a package with tracking


def percentiles(samples: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94]


def measure(calls: int, url: str) -> dict[str, list[float]]:
    client = http_client(url)
    bare = httpx.Client(headers={"X-API-KEY": DEMO_API_KEY, "Accept": "application/json"})
    order_id = client.find_orders_by_reference(REFERENCE)[0].id
    order_url = f"{url}/v4/orders/{order_id}"

    def bare_get() -> None:
        bare.get(order_url).raise_for_status()

    def bare_get_json() -> None:
        bare.get(order_url).json()

    def client_get() -> None:
        client.get_order(order_id)

    runs = {"bare GET": bare_get, "bare GET + .json()": bare_get_json, "get_order": client_get}
    samples: dict[str, list[float]] = {name: [] for name in runs}
    try:
        for _ in range(100):  # warm up connections and caches
            for run in runs.values():
                run()
        for _ in range(calls):
            for name, run in runs.items():
                started = time.perf_counter()
                run()
                samples[name].append((time.perf_counter() - started) * 1000)
    finally:
        client.close()
        bare.close()
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="timed calls per variant")
    parser.add_argument(
        "--log-info", action="store_true", help="log the client's INFO lines (to nowhere)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()

    if args.log_info:
        logger = logging.getLogger("portal.gelato")
        logger.setLevel(logging.INFO)
        logger.addHandler(logging.NullHandler())
        logger.propagate = False

    process, url = start_sandbox()
    try:
        samples = measure(args.calls, url)
    finally:
        process.terminate()
        process.wait(timeout=10)

    figures = {name: percentiles(values) for name, values in samples.items()}
    bare_p50, bare_p95 = figures["bare GET"]
    client_p50, client_p95 = figures["get_order"]
    print(f"{args.calls} calls each against {url} (logging INFO: {args.log_info})")
    print(f"{'':22}{'p50 ms':>9}{'p95 ms':>9}")
    for name, (p50, p95) in figures.items():
        print(f"{name:22}{p50:9.3f}{p95:9.3f}")
    print(
        f"get_order / bare GET: p50 {client_p50 / bare_p50:.2f}x, p95 {client_p95 / bare_p95:.2f}x"
        f"; added per call: p50 {(client_p50 - bare_p50) * 1000:.0f} µs"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {
                    "calls": args.calls,
                    "log_info": args.log_info,
                    "ms": {name: {"p50": p50, "p95": p95} for name, (p50, p95) in figures.items()},
                    "ratio": {"p50": client_p50 / bare_p50, "p95": client_p95 / bare_p95},
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
