"""A local stand-in for Gelato, faithful enough for newcomers, demos and tests.

It answers the same paths, JSON, status codes and error bodies as Gelato for every call the
client makes, keeps its own orders (a cancel really cancels, a reorder really creates an order
that later lookups find) and starts with demo orders in every fulfillment status. Where Gelato's
documentation is silent it follows ``portal.gelato.assumptions``.

Two ways to run it:

- in-process, the default when no ``GELATO_API_KEY`` is set: ``in_process_client()``;
- as its own server, for tests over real HTTP: ``python -m portal.gelato.sandbox --port 8765``,
  or ``start_server()`` from Python; then ``http_client(url)``.

When an order changes (a create, a cancel, a draft placed, or a control of ``/_sandbox`` moving it
along, holding it, failing it, delaying it) the sandbox POSTs the webhook events Gelato would to
the target it was given (``webhooks=Target(url, secret)``, ``--webhook-url``, or
``PUT /_sandbox/webhooks``), with Gelato's retries, from a background thread.

The sandbox accepts one key, ``DEMO_API_KEY``, and answers 401 to any other. Each sandbox keeps its
state in memory: with several worker processes, run one standalone server and point every worker
at it, or each worker sees its own demo world.
"""

from __future__ import annotations

from datetime import date

from portal.gelato.client import GelatoClient
from portal.gelato.client import service_urls as base_urls
from portal.gelato.sandbox.app import DEMO_API_KEY, Call, Sandbox
from portal.gelato.sandbox.faults import Fault
from portal.gelato.sandbox.server import SandboxServer
from portal.gelato.sandbox.transport import SandboxTransport
from portal.gelato.sandbox.webhooks import Target

__all__ = [
    "DEMO_API_KEY",
    "IN_PROCESS_URL",
    "Call",
    "Fault",
    "Sandbox",
    "SandboxServer",
    "SandboxTransport",
    "Target",
    "base_urls",
    "create_sandbox",
    "http_client",
    "in_process_client",
    "start_server",
]

#: The address an in-process client uses. ``.invalid`` never resolves, so a client that lost its
#: sandbox transport fails loudly instead of reaching anything real.
IN_PROCESS_URL = "http://gelato-sandbox.invalid"


def create_sandbox(
    today: date | None = None,
    *,
    api_key: str = DEMO_API_KEY,
    random_seed: int | None = None,
    webhooks: Target | None = None,
) -> Sandbox:
    """A new sandbox with its own state. Seed dates count back from ``today`` (default: now);
    ``random_seed`` makes share-of-calls faults repeatable; ``webhooks`` is where it sends
    Gelato's webhook events (none by default)."""
    return Sandbox(today=today, api_key=api_key, random_seed=random_seed, webhooks=webhooks)


def in_process_client(
    sandbox: Sandbox | None = None, *, api_key: str | None = None, **client_options
) -> GelatoClient:
    """A client whose requests go straight into ``sandbox`` (a new one if not given)."""
    if sandbox is None:
        sandbox = create_sandbox()
    client_options.setdefault("base_urls", base_urls(IN_PROCESS_URL))
    return GelatoClient(
        api_key or sandbox.api_key,
        transport=SandboxTransport(sandbox),
        is_sandbox=True,
        **client_options,
    )


def http_client(url: str, *, api_key: str = DEMO_API_KEY, **client_options) -> GelatoClient:
    """A client of a sandbox served at ``url`` (e.g. ``http://127.0.0.1:8765``)."""
    client_options.setdefault("base_urls", base_urls(url))
    return GelatoClient(api_key, is_sandbox=True, **client_options)


def start_server(
    sandbox: Sandbox | None = None, *, host: str = "127.0.0.1", port: int = 0, quiet: bool = True
) -> SandboxServer:
    """Serve ``sandbox`` (a new one if not given) over HTTP from a background thread.

    Port 0 picks a free port; read it from ``server.url``. Close the server when done.
    """
    if sandbox is None:
        sandbox = create_sandbox()
    return SandboxServer(sandbox, host=host, port=port, quiet=quiet).start()
