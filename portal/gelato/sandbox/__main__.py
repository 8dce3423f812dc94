"""Run a sandbox as its own server: ``python -m portal.gelato.sandbox --port 8765``.

The first line printed is the address, so a script that started it with ``--port 0`` can read the
port it got. ``--webhook-url`` (with ``--webhook-secret``) sends Gelato's webhook events there;
``--demo`` moves a few demo orders along over time, so they have something to send.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from datetime import date

from portal.gelato.assumptions import WEBHOOK_RETRY_DELAY
from portal.gelato.sandbox import DEMO_API_KEY, SandboxServer, Target, create_sandbox, demo
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
    parser.add_argument("--webhook-url", help="where to POST Gelato's webhook events")
    parser.add_argument(
        "--webhook-secret", help="sent in the signature header of every event (assumption A22)"
    )
    parser.add_argument(
        "--webhook-retry-delay",
        type=float,
        default=WEBHOOK_RETRY_DELAY,
        help="seconds between the tries of an event not yet received (Gelato: 5)",
    )
    parser.add_argument(
        "--demo", action="store_true", help="move a few demo orders along, one step at a time"
    )
    parser.add_argument(
        "--demo-interval", type=float, default=20.0, help="seconds between the demo's steps"
    )
    args = parser.parse_args(argv)

    webhooks = None
    if args.webhook_url:
        try:
            webhooks = Target(args.webhook_url, args.webhook_secret, args.webhook_retry_delay)
        except ValueError as error:
            parser.error(str(error))
    sandbox = create_sandbox(
        args.today, api_key=args.api_key, random_seed=args.random_seed, webhooks=webhooks
    )
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
    if webhooks:
        print(f"Webhook events to {webhooks.url}", flush=True)
    stop = threading.Event()
    if args.demo:
        threading.Thread(
            target=demo.run,
            kwargs={
                "sandbox": sandbox,
                "interval": args.demo_interval,
                "stop": stop,
                "say": lambda line: print(line, flush=True),
            },
            name="gelato-sandbox-demo",
            daemon=True,
        ).start()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
        server.serve_forever()
    stop.set()
    sandbox.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
