"""Run a sandbox as its own server: ``python -m portal.gelato.sandbox --port 8765``.

The first line printed is the address, so a script that started it with ``--port 0`` can read the
port it got.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from datetime import date

from portal.gelato.sandbox import DEMO_API_KEY, SandboxServer, create_sandbox
from portal.gelato.sandbox.app import CONTROL_PREFIX


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m portal.gelato.sandbox",
        description="Serve a local Gelato sandbox with demo orders over HTTP.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on; keep it local: the control API needs no key",
    )
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument(
        "--today", type=date.fromisoformat, help="date the demo orders count back from"
    )
    parser.add_argument("--api-key", default=DEMO_API_KEY, help="the one key to accept")
    parser.add_argument("--random-seed", type=int, help="makes share-of-calls faults repeatable")
    parser.add_argument("--quiet", action="store_true", help="no log line per request")
    parser.add_argument("--list", action="store_true", help="print the demo orders and exit")
    args = parser.parse_args(argv)

    sandbox = create_sandbox(args.today, api_key=args.api_key, random_seed=args.random_seed)
    if args.list:
        for entry in sandbox.describe()["demoOrders"]:
            statuses = ", ".join(entry["fulfillmentStatuses"])
            print(f"{entry['orderReferenceId']}  {statuses:<24} {entry['note']}")
            for order_id in entry["ids"]:
                print(f"          {order_id}")
        return 0

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"Warning: listening on {args.host}; anyone who can reach it can steer the sandbox.",
            file=sys.stderr,
        )
    server = SandboxServer(sandbox, host=args.host, port=args.port, quiet=args.quiet)
    print(f"Gelato sandbox on {server.url}", flush=True)
    print(f"API key: {args.api_key}   control API: {server.url}{CONTROL_PREFIX}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
