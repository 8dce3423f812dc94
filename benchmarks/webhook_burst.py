"""A burst of Gelato webhook events against the receiver, under the production server.

The help center runs as the README's production command does (granian, 2 workers, 4 blocking
threads each), on a fresh SQLite file and, when PostgreSQL's programs are installed, on a
throwaway PostgreSQL server on 127.0.0.1 (or the one ``--postgres-url`` names; its tables are
dropped). Clients post 1,000 distinct events, 16 at a time, for 50 orders as Gelato sends them
(each item's status, tracking codes, the order's status), then post a share of them again, as
Gelato's retries do. It prints events per second, the answer times, and what the database holds:
every event must be stored, and each once.

    .venv/bin/python benchmarks/webhook_burst.py [--events 1000] [--concurrency 16]
        [--repeats 100] [--workers 2] [--sqlite-only] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from portal.store import Store  # noqa: E402
from portal.store.tables import order_events  # noqa: E402

SECRET = "benchmark-webhook-secret-" + secrets.token_hex(8)
RECEIVER = "/api/webhooks/gelato"
STATUSES = ("created", "uploading", "passed", "in_production", "printed", "shipped")
START_TIMEOUT = 60.0


def burst(count: int, seed: int = 7) -> list[dict]:
    """``count`` distinct events for orders of two items each, moving along the typical path:
    each step an event per item, a tracking code per item once shipped, then the order's own."""
    rng = random.Random(seed)
    started = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    events: list[dict] = []
    number = 0
    while len(events) < count:
        order = {
            "orderId": str(uuid.UUID(int=rng.getrandbits(128))),
            "storeId": None,
            "orderReferenceId": f"BENCH-{number:05d}",
        }
        items = [f"BENCH-{number:05d}-{n}" for n in (1, 2)]
        for step, status in enumerate(STATUSES):
            at = (started + timedelta(minutes=10 * step + number)).isoformat()
            for item in items:
                events.append(
                    {
                        **order,
                        "event": "order_item_status_updated",
                        "itemReferenceId": item,
                        "status": status,
                        "comment": None,
                        "created": at,
                    }
                )
                if status == "shipped":
                    code = f"JJD{number:08d}"
                    events.append(
                        {
                            **order,
                            "event": "order_item_tracking_code_updated",
                            "itemReferenceId": item,
                            "trackingCode": code,
                            "trackingUrl": f"https://track.example/{code}",
                            "shipmentMethodName": "DHL Parcel",
                            "created": at,
                        }
                    )
            events.append(
                {
                    **order,
                    "event": "order_status_updated",
                    "fulfillmentStatus": status,
                    "comment": None,
                    "items": [{"itemReferenceId": i, "fulfillmentStatus": status} for i in items],
                }
            )
        number += 1
    for event in events:
        event["id"] = str(uuid.UUID(int=rng.getrandbits(128)))
    return events[:count]


class Poster:
    """Posts events ``concurrency`` at a time, each on one of as many kept-alive connections,
    the same ones for every burst: a retry comes over a warm connection, as Gelato's would."""

    def __init__(self, url: str, concurrency: int):
        self.concurrency = concurrency
        self.idle: queue.SimpleQueue[httpx.Client] = queue.SimpleQueue()
        self.clients = [
            httpx.Client(base_url=url, timeout=30, headers={"signature": SECRET})
            for _ in range(concurrency)
        ]
        for client in self.clients:
            self.idle.put(client)

    def post(self, event: dict) -> tuple[float, str]:
        client = self.idle.get()
        try:
            began = time.perf_counter()
            answer = client.post(RECEIVER, json=event)
            took = (time.perf_counter() - began) * 1000
        finally:
            self.idle.put(client)
        if answer.status_code != 200:
            return took, str(answer.status_code)
        return took, answer.json().get("outcome", "?")

    def all(self, events: list[dict]) -> tuple[float, list[float], dict[str, int]]:
        """Post every event; the wall time, each answer's time in ms, the answers by outcome."""
        began = time.perf_counter()
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            results = list(pool.map(self.post, events))
        wall = time.perf_counter() - began
        outcomes: dict[str, int] = {}
        for _, outcome in results:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return wall, [took for took, _ in results], outcomes

    def close(self) -> None:
        for client in self.clients:
            client.close()


def stored(database_url: str) -> tuple[int, int]:
    """How many events the database holds, and how many distinct event ids among them."""
    store = Store.from_url(database_url)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(func.count()).select_from(order_events)).scalar()
            distinct = connection.execute(
                select(func.count(order_events.c.event_id.distinct()))
            ).scalar()
    finally:
        store.close()
    return rows, distinct


def run(name: str, database_url: str, args: argparse.Namespace, tmp: Path) -> bool:
    events = burst(args.events)
    repeats = random.Random(11).sample(events, min(args.repeats, len(events)))
    with serve(database_url, tmp, args) as url:
        poster = Poster(url, args.concurrency)
        try:
            poster.all(
                [{"id": f"warm-up-{n}", "event": "store_product_updated"} for n in range(64)]
            )
            wall, times, outcomes = poster.all(events)
            _, again_times, again = poster.all(repeats)
        finally:
            poster.close()
    rows, distinct = stored(database_url)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    print(f"\n{name}: {len(events)} events, {args.concurrency} at a time, {args.workers} workers")
    print(f"  {len(times) / wall:8.0f} events/s   ({wall:.2f} s in all)")
    print(f"  answer p50 {cuts[49]:6.1f} ms   p95 {cuts[94]:6.1f} ms   max {max(times):6.1f} ms")
    print(f"  answers: {outcomes}")
    again_cuts = statistics.quantiles(again_times, n=100, method="inclusive")
    print(f"  {len(repeats)} sent again as Gelato's retries would: {again} "
          f"(p50 {again_cuts[49]:.1f} ms, p95 {again_cuts[94]:.1f} ms)")  # fmt: skip
    all_once = rows == distinct == len(events)
    print(f"  stored: {rows} rows, {distinct} distinct events of {len(events)} sent: "
          f"{'all, once each' if all_once else 'MISMATCH'}")  # fmt: skip
    return all_once


@contextmanager
def serve(database_url: str, tmp: Path, args: argparse.Namespace) -> Iterator[str]:
    """The help center under granian, on a free port, with ``database_url``."""
    port = free_port()
    env = dict(os.environ)
    env.pop("GELATO_API_KEY", None)  # sandbox mode: never the real Gelato API
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=database_url,
        GELATO_WEBHOOK_SECRET=SECRET,
        LOG_LEVEL="WARNING",
    )
    granian = str(ROOT / ".venv" / "bin" / "granian")
    if not Path(granian).exists():
        granian = shutil.which("granian") or "granian"
    command = [
        granian, "--interface", "wsgi", "--workers", str(args.workers),
        "--blocking-threads", str(args.blocking_threads), "--host", "127.0.0.1",
        "--port", str(port), "app:app",
    ]  # fmt: skip
    log_path = tmp / f"granian-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"The app did not start. Its log ends:\n{log_path.read_text()[-2000:]}")
            with suppress(httpx.HTTPError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                process.wait(10)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


@contextmanager
def throwaway_postgres(tmp: Path) -> Iterator[str | None]:
    """A PostgreSQL server on 127.0.0.1 for this run, or None where it is not installed."""
    found = shutil.which("initdb")
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    bin_dir = Path(found).resolve().parent if found else versions[-1].parent if versions else None
    if bin_dir is None:
        yield None
        return
    home = Path(tempfile.mkdtemp(prefix="webhook-burst-pg-"))
    as_user = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(home, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def run_pg(*command):
        subprocess.run([*as_user, *command], check=True, capture_output=True)

    run_pg(str(bin_dir / "initdb"), "-D", str(home / "data"), "--auth=trust", "-U", "postgres")
    run_pg(str(bin_dir / "pg_ctl"), "-D", str(home / "data"), "-w", "-l", str(home / "log"),
           "-o", f"-h 127.0.0.1 -p {port} -k {home}", "start")  # fmt: skip
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run_pg(str(bin_dir / "pg_ctl"), "-D", str(home / "data"), "-m", "immediate", "stop")
        shutil.rmtree(home, ignore_errors=True)


def empty_postgres(url: str) -> None:
    store = Store.from_url(url)
    with store.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000, help="distinct events in the burst")
    parser.add_argument("--concurrency", type=int, default=16, help="events posted at a time")
    parser.add_argument("--repeats", type=int, default=100, help="events sent a second time")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes")
    parser.add_argument("--blocking-threads", type=int, default=4, help="granian, per worker")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument("--postgres-url", help="a PostgreSQL database to empty and use")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="webhook-burst-") as folder:
        tmp = Path(folder)
        ok = run("SQLite", f"sqlite:///{tmp / 'burst.sqlite3'}", args, tmp)
        if args.sqlite_only:
            return 0 if ok else 1
        if args.postgres_url:
            empty_postgres(args.postgres_url)
            ok = run("PostgreSQL", args.postgres_url, args, tmp) and ok
        else:
            with throwaway_postgres(tmp) as url:
                if url is None:
                    print("\nPostgreSQL: not installed here; skipped.")
                else:
                    ok = run("PostgreSQL", url, args, tmp) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
