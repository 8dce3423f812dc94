"""How the sandbox's search and order reads scale with the number of orders it holds.

Two in-process sandboxes are seeded by this script, one with 20 orders and one with 20,000 (spread
over a year, five statuses, four countries, six customers), and searched alike through the
in-process client, the way tests and demos reach the sandbox. Every query returns the same number
of rows from both, so only the size of the book differs. Rounds alternate between the two books so
that drift (CPU frequency, other load) hits both alike; the figures are medians.

Also printed: one ``get_order`` through the in-process client, the Gelato call of every order page.

    .venv/bin/python benchmarks/sandbox_search.py [--small 20] [--large 20000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from werkzeug.test import EnvironBuilder  # noqa: E402

from portal.gelato.sandbox import create_sandbox, in_process_client  # noqa: E402
from portal.gelato.sandbox.catalog import MUG, POSTER_A3  # noqa: E402
from portal.gelato.sandbox.orders import OrderBook, build_order, random_ids, timestamp  # noqa: E402

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
STATUSES = ("created", "passed", "printed", "shipped", "delivered")
COUNTRIES = ("DE", "FR", "NL", "IE")
NAMES = (("Lukas", "Becker"), ("Camille", "Dubois"), ("Sanne", "de Vries"), ("Aoife", "Byrne"),
         ("Jana", "Richter"), ("Elin", "Lindqvist"))  # fmt: skip


def seeded_orders(count: int) -> list[dict]:
    """``count`` orders, the newest placed just now, the oldest a year ago."""
    orders = []
    for n in range(count):
        first, last = NAMES[n % len(NAMES)]
        placed = NOW - timedelta(days=365 * n / count)
        body = {
            "orderReferenceId": f"BENCH-{n:06d}",
            "customerReferenceId": f"CUST-{n % 97}",
            "currency": "EUR",
            "items": [
                {"itemReferenceId": "a", "productUid": POSTER_A3, "quantity": 1},
                {"itemReferenceId": "b", "productUid": MUG, "quantity": 2},
            ],
            "shippingAddress": {
                "firstName": first,
                "lastName": last,
                "addressLine1": "Hauptstraße 1",
                "city": "Berlin",
                "postCode": "10115",
                "country": COUNTRIES[n % len(COUNTRIES)],
                "email": "customer@example.com",
            },
        }
        order = build_order(body, make_id=random_ids, now=placed)
        order["fulfillmentStatus"] = STATUSES[n % len(STATUSES)]
        order["updatedAt"] = timestamp(placed)
        orders.append(order)
    return orders


def queries(count: int) -> dict[str, dict]:
    """The searches timed, each returning the same rows count from a book of any size >= 20."""
    return {
        "by reference (the portal's lookup)": {"orderReferenceId": f"BENCH-{count // 2:06d}"},
        "newest 10, no filter": {"limit": 10},
        "one status, 3 rows": {"fulfillmentStatuses": ["shipped"], "limit": 3},
        "status and country, 1 row": {
            "fulfillmentStatuses": ["delivered"],
            "countries": ["NL"],
            "limit": 1,
        },
        "date range, 3 rows": {
            "startDate": (NOW - timedelta(days=200)).isoformat(),
            "endDate": (NOW - timedelta(days=80)).isoformat(),
            "limit": 3,
        },
        "name text, 3 rows (1 order in 6)": {"search": "becker", "limit": 3},
        "name text, no match (all read)": {"search": "nobody", "limit": 3},
    }


def client_call(gelato, query: dict):
    """The query through ``GelatoClient.search_orders`` (dates as datetimes, as callers pass)."""
    options = {
        "order_reference_id": query.get("orderReferenceId"),
        "fulfillment_statuses": query.get("fulfillmentStatuses"),
        "countries": query.get("countries"),
        "search": query.get("search"),
        "limit": query.get("limit", 50),
    }
    for key, name in (("startDate", "start_date"), ("endDate", "end_date")):
        if key in query:
            options[name] = datetime.fromisoformat(query[key])
    return lambda: gelato.search_orders(**options)


def sandbox_answer(sandbox, order_id: str):
    """The sandbox alone answering ``GET /v4/orders/{id}``: no client, no transport."""
    environ = EnvironBuilder(
        path=f"/v4/orders/{order_id}", headers={"X-API-KEY": sandbox.api_key}
    ).get_environ()

    def run() -> None:
        b"".join(sandbox(dict(environ), lambda status, headers, exc_info=None: None))

    return run


def median_ms(run, calls: int) -> float:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=20, help="orders in the small book")
    parser.add_argument("--large", type=int, default=20_000, help="orders in the large book")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds")
    parser.add_argument("--calls", type=int, default=40, help="timed calls per query per round")
    args = parser.parse_args()

    books = {}
    for size in (args.small, args.large):
        started = time.perf_counter()
        sandbox = create_sandbox(NOW.date())
        sandbox.orders = OrderBook(seeded_orders(size), sandbox.clock)
        gelato = in_process_client(sandbox)
        order_id = gelato.find_orders_by_reference(f"BENCH-{size // 2:06d}")[0].id
        runs = {name: client_call(gelato, q) for name, q in queries(size).items()}
        runs["get_order (an order page's call)"] = lambda g=gelato, i=order_id: g.get_order(i)
        runs["  of which the sandbox's answer"] = sandbox_answer(sandbox, order_id)
        books[size] = (gelato, runs)
        print(f"seeded {size:>6} orders in {time.perf_counter() - started:.1f} s")

    small_runs, large_runs = books[args.small][1], books[args.large][1]
    for name in queries(args.small):
        rows = len(small_runs[name]()), len(large_runs[name]())
        assert rows[0] == rows[1], f"{name}: {rows[0]} rows from the small book, {rows[1]} large"

    figures: dict[int, dict[str, list[float]]] = {
        size: {n: [] for n in small_runs} for size in books
    }
    for _ in range(args.rounds):
        for size, (_, runs) in books.items():
            for name, run in runs.items():
                run()  # warm
                figures[size][name].append(median_ms(run, args.calls))

    print(f"\nmedian ms per call, in-process client, {args.rounds} rounds of {args.calls} calls")
    print(f"{'':38}{args.small:>10}{args.large:>10}{'ratio':>8}")
    for name in small_runs:
        small = statistics.median(figures[args.small][name])
        large = statistics.median(figures[args.large][name])
        print(f"{name:38}{small:10.3f}{large:10.3f}{large / small:7.2f}x")
    for gelato, _ in books.values():
        gelato.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
