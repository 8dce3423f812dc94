"""How the admin's list pages (the audit log and the article feedback) scale with their rows.

For each size (10,000, 100,000 and 1,000,000 rows by default) the script makes a temporary SQLite
database, lets the app create its schema, seeds the audit log and the feedback with that many rows
each in one bulk insert (spread over a year, thirty agents, every action and outcome, seventeen
pages), signs an admin in and times each page through the app, the way a browser's request is
served: sign-in check, queries and rendering. Every filter below returns a full page at every
size, except the rare ones, which return the same handful of rows at every size; only the size of
the tables differs. The figures are medians of ``--repeat`` requests after two warm-up rounds;
rounds take the sizes in turn, so that the machine's changing load falls on each alike.

    .venv/bin/python benchmarks/list_pages.py [--sizes 10000,100000,1000000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from portal import agents, create_app  # noqa: E402
from portal.feedback import feedback_pages  # noqa: E402

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
SPAN = timedelta(days=365)
ACTORS = [f"agent-{n:02d}" for n in range(30)]
#: (action, share in thousandths), roughly as a team's month reads.
ACTIONS = [
    ("sign_in", 400),
    ("cancel", 150),
    ("change_address", 120),
    ("reorder", 120),
    ("change_shipping_method", 60),
    ("request_sent", 100),
    ("request_downloaded", 50),
]
OUTCOMES = [("succeeded", 850), ("refused", 100), ("failed", 50)]
RARE_ACTOR = "auditor"  # ten entries at every size
RARE_PAGE = "/reference/sources/"  # ten answers at every size
ADMIN = ("bench-admin", "bench-admin-password")
SECRET_KEY = secrets.token_urlsafe(48)


def pick(choices: list[tuple[str, int]], n: int) -> str:
    """A deterministic weighted choice for row ``n``."""
    point = (n * 2654435761) % 1000
    for value, share in choices:
        if point < share:
            return value
        point -= share
    return choices[-1][0]


def stamp(moment: datetime) -> str:
    """How SQLAlchemy stores a DateTime in SQLite."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def seed(database: Path, rows: int) -> dict:
    """``rows`` audit entries and ``rows`` feedback answers, oldest first; returns values the
    filters below use."""
    pages = sorted(feedback_pages(ROOT / "site") - {RARE_PAGE})
    rare_every = rows // 10
    step = SPAN / rows

    def audit_rows():
        for n in range(rows):
            at = stamp(NOW - SPAN + step * n)
            action = pick(ACTIONS, n)
            actor = RARE_ACTOR if n % rare_every == rare_every // 2 else ACTORS[(n * 7919) % 30]
            order = f"o-{(n * 104729) % max(rows // 5, 1):07d}" if action != "sign_in" else None
            reference = f"NW-{order[2:]}" if order else None
            request = json.dumps({"orderId": order, "address": f"10.0.{n % 256}.{n % 97}"})
            answer = json.dumps({"status": 200, "fulfillmentStatus": "canceled"})
            yield (at, actor, action, order, reference, request, answer, pick(OUTCOMES, n))

    def feedback_rows():
        for n in range(rows):
            page = RARE_PAGE if n % rare_every == rare_every // 3 else pages[(n * 31) % len(pages)]
            helpful = (n * 2654435761) % 10 < 7
            comment = "" if helpful else f"Missing a step ({n})"
            yield (page, helpful, comment, stamp(NOW - SPAN + step * n))

    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -200000")
    # Whatever indexes the schema has are built once, after the rows are in: far faster than
    # updating them a row at a time.
    indexes = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('audit_log', 'page_feedback')"
    ).fetchall()
    connection.execute("BEGIN")
    for name, _ in indexes:
        connection.execute(f'DROP INDEX "{name}"')
    connection.executemany(
        "INSERT INTO audit_log (at, actor, action, order_id, order_reference, request, "
        "gelato_answer, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        audit_rows(),
    )
    connection.executemany(
        "INSERT INTO page_feedback (page, helpful, comment, created_at) VALUES (?, ?, ?, ?)",
        feedback_rows(),
    )
    for _, sql in indexes:
        connection.execute(sql)
    connection.execute("COMMIT")
    middle = connection.execute("SELECT id FROM audit_log WHERE id = ?", (rows // 2,)).fetchone()
    an_order = connection.execute(
        "SELECT order_id FROM audit_log WHERE order_id IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    connection.close()
    return {"middle_id": middle[0], "order": an_order}


def pages_to_time(values: dict) -> list[tuple[str, str]]:
    week_ago = (NOW - timedelta(days=7)).date().isoformat()
    half_year_ago = (NOW - timedelta(days=180)).date().isoformat()
    audit = "/portal/admin/audit"
    feedback = "/portal/admin/feedback"
    return [
        ("audit: first page", audit),
        ("audit: older page (middle)", f"{audit}?before={values['middle_id']}"),
        ("audit: actor", f"{audit}?actor=agent-07"),
        ("audit: actor, rare", f"{audit}?actor={RARE_ACTOR}"),
        ("audit: action", f"{audit}?action=cancel"),
        ("audit: outcome failed", f"{audit}?outcome=failed"),
        ("audit: outcome refused", f"{audit}?outcome=refused"),
        ("audit: actor + outcome", f"{audit}?actor=agent-07&outcome=refused"),
        ("audit: order", f"{audit}?order={values['order']}"),
        ("audit: since a week ago", f"{audit}?since={week_ago}"),
        ("audit: until half a year ago", f"{audit}?until={half_year_ago}"),
        ("feedback: first page", feedback),
        ("feedback: page", f"{feedback}?page=/contact/"),
        ("feedback: page, rare", f"{feedback}?page={RARE_PAGE}"),
        ("feedback: not helpful", f"{feedback}?helpful=no"),
        ("feedback: page + not helpful", f"{feedback}?page=/contact/&helpful=no"),
    ]


def signed_in_admin(folder: Path, rows: int):
    """An app on a new database of ``rows`` rows each, and a test client signed in as admin."""
    database = folder / "helpcenter.sqlite3"
    environ = {
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": SECRET_KEY,
        "LOG_LEVEL": "WARNING",
    }
    create_app(environ).extensions["store"].close()  # the schema, at the newest migration
    started = time.perf_counter()
    values = seed(database, rows)
    seconds = time.perf_counter() - started
    print(f"  seeded {rows:,} audit entries and {rows:,} answers in {seconds:.1f} s")
    app = create_app(environ)
    agents.create_agent(app.extensions["store"], *ADMIN, "admin", actor="benchmark")
    client = app.test_client()
    page = client.get("/portal/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed_in = client.post(
        "/portal/sign-in", data={"csrf_token": token, "name": ADMIN[0], "password": ADMIN[1]}
    )
    assert signed_in.status_code == 302, "the benchmark's admin could not sign in"
    return app, client, values


def timed(client, url: str) -> float:
    start = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (url, response.status_code)
    response.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeat", type=int, default=15)
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="list-pages-") as folder:
        served = {}
        for rows in sizes:
            print(f"{rows:,} rows each:")
            path = Path(folder) / str(rows)
            path.mkdir()
            served[rows] = signed_in_admin(path, rows)
        # Rounds go through the sizes in turn, so that a change in the machine's load falls on
        # every size alike.
        results: dict[int, dict[str, float]] = {rows: {} for rows in sizes}
        for label, _ in pages_to_time(served[sizes[0]][2]):
            urls = {rows: dict(pages_to_time(served[rows][2]))[label] for rows in sizes}
            durations: dict[int, list[float]] = {rows: [] for rows in sizes}
            for round_number in range(arguments.repeat + 2):
                for rows in sizes:
                    elapsed = timed(served[rows][1], urls[rows])
                    if round_number >= 2:  # two warm-up rounds
                        durations[rows].append(elapsed)
            for rows in sizes:
                results[rows][label] = statistics.median(durations[rows]) * 1000
        for app, _, _ in served.values():
            app.extensions["store"].close()
    header = "".join(f"{f'{size:,} rows':>15}" for size in sizes)
    ratio_title = f"{sizes[-1]:,} / {sizes[0]:,}"
    print(f"\nmedian ms per page{' ' * 14}{header}{ratio_title:>20}")
    for label in results[sizes[0]]:
        figures = "".join(f"{results[size][label]:>15.1f}" for size in sizes)
        ratio = results[sizes[-1]][label] / results[sizes[0]][label]
        print(f"{label:<32}{figures}{ratio:>19.2f}x")


if __name__ == "__main__":
    main()
