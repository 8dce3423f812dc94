"""Fixtures for the Gelato client and sandbox.

``world`` is the heart of the suite: the same test runs once against an in-process sandbox
(``httpx`` calls the WSGI app directly) and once against a sandbox served over real HTTP on
127.0.0.1. ``gelato`` is a ``GelatoClient`` of that world (``client``, as in the rest of the suite,
would be Flask's test client); ``world.connect()`` builds others. Clients get tiny backoffs
through their constructor, so retries cost milliseconds.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from portal.gelato import GelatoClient, assumptions
from portal.gelato.client import _tls_context
from portal.gelato.sandbox import (
    DEMO_API_KEY,
    IN_PROCESS_URL,
    Sandbox,
    SandboxServer,
    SandboxTransport,
    create_sandbox,
    http_client,
    in_process_client,
    start_server,
)

#: The numbers of the assumptions in ``portal.gelato.assumptions`` (``A1`` to ``A<n>``).
ASSUMPTIONS = frozenset(re.findall(r"^(A\d+) ", assumptions.__doc__, flags=re.MULTILINE))


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "assumption(*numbers): the test holds the sandbox or the client to a numbered assumption "
        "of portal.gelato.assumptions (where Gelato documents nothing), not to Gelato's docs",
    )


def pytest_collection_modifyitems(items):
    """A test that names an assumption must name one that exists."""
    for item in items:
        for mark in item.iter_markers("assumption"):
            unknown = set(mark.args) - ASSUMPTIONS
            if unknown or not mark.args:
                raise pytest.UsageError(
                    f"{item.nodeid} names no assumption or an unknown one: {sorted(unknown)}"
                )


#: Client options for tests: retries in milliseconds, yet every code path the same.
FAST = {"timeout": 2.0, "retry_budget": 3.0, "backoff": 0.01, "max_backoff": 0.04}


@dataclass
class World:
    """One sandbox and the way to reach it; ``connect`` builds clients closed after the test."""

    mode: str
    sandbox: Sandbox
    url: str
    _make: Callable[..., GelatoClient]
    _opened: list = field(default_factory=list)

    def connect(self, **options) -> GelatoClient:
        client = self._make(**{**FAST, **options})
        self._opened.append(client)
        return client

    def raw(self, api_key: str | None = DEMO_API_KEY) -> httpx.Client:
        """A bare httpx client at the sandbox, for checking the wire format itself."""
        headers = {"X-API-KEY": api_key} if api_key else {}
        if self.mode == "in-process":
            client = httpx.Client(
                base_url=self.url, transport=SandboxTransport(self.sandbox), headers=headers
            )
        else:
            # The client's own TLS context: a new httpx client would read the CA bundle again.
            client = httpx.Client(
                base_url=self.url, headers=headers, timeout=5.0, verify=_tls_context()
            )
        self._opened.append(client)
        return client

    def close(self) -> None:
        self.sandbox.clear_faults()  # wakes any call still hanging in the server
        assert self.sandbox.wait_idle(), "a sandbox call did not finish"
        self.sandbox.webhooks.configure(None)
        if self.mode == "in-process":
            self.sandbox.close()
        for client in self._opened:
            client.close()


@pytest.fixture(scope="session")
def http_server() -> Iterator[SandboxServer]:
    server = start_server(create_sandbox(random_seed=7))
    yield server
    server.close()


@pytest.fixture(params=["in-process", "http"])
def world(request) -> Iterator[World]:
    if request.param == "in-process":
        sandbox = create_sandbox(random_seed=7)
        world = World(
            "in-process",
            sandbox,
            IN_PROCESS_URL,
            lambda **options: in_process_client(sandbox, **options),
        )
    else:
        server = request.getfixturevalue("http_server")
        server.sandbox.reset()
        world = World(
            "http",
            server.sandbox,
            server.url,
            lambda **options: http_client(server.url, **options),
        )
    yield world
    world.close()


@pytest.fixture
def gelato(world) -> GelatoClient:
    """A fast-retrying ``GelatoClient`` of ``world``'s sandbox."""
    return world.connect()


@pytest.fixture
def sandbox(world) -> Sandbox:
    return world.sandbox


@pytest.fixture
def gelato_log(caplog) -> pytest.LogCaptureFixture:
    """Everything logged, at every level, by every logger (httpx and httpcore included)."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def attempts(gelato_log) -> Callable[[str, str], list[str]]:
    """``attempts(method, path)``: the client's log lines for attempts at exactly that call."""

    def lines(method: str, path: str) -> list[str]:
        prefix = f"gelato {method} {path} -> "
        return [
            record.getMessage()
            for record in gelato_log.records
            if record.name == "portal.gelato" and record.getMessage().startswith(prefix)
        ]

    return lines


@pytest.fixture
def demo_id(gelato) -> Callable[[str], str]:
    """``demo_id(reference)``: a demo order's Gelato id, found as an agent would, by reference."""

    def find(reference: str) -> str:
        rows = gelato.find_orders_by_reference(reference)
        assert len(rows) == 1, f"{reference} has {len(rows)} orders"
        return rows[0].id

    return find


@pytest.fixture
def order_path(demo_id) -> str:
    """Path of one demo order (NW-1004, passed), looked up before any fault is injected."""
    return f"/v4/orders/{demo_id('NW-1004')}"


class WebhookReceiver:
    """A webhook receiver on 127.0.0.1 that keeps every request it gets. It answers 204, or the
    statuses queued in ``answers`` first; while ``gate`` is clear it holds every request."""

    def __init__(self):
        self.requests: list[tuple[dict[str, str], dict, float]] = []  # headers, body, when
        self.answers: deque[int] = deque()
        self.gate = threading.Event()
        self.gate.set()
        self._arrived = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.gate.wait(10)
                with receiver._arrived:
                    receiver.requests.append(
                        (
                            {k.lower(): v for k, v in self.headers.items()},
                            json.loads(body),
                            time.monotonic(),
                        )
                    )
                    status = receiver.answers.popleft() if receiver.answers else 204
                    receiver._arrived.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}/gelato/webhooks"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def events(self) -> list[dict]:
        with self._arrived:
            return [body for _, body, _ in self.requests]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict]:
        """The events once at least ``count`` requests arrived (fails the test otherwise)."""
        with self._arrived:
            arrived = self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)
        assert arrived, f"{len(self.requests)} of {count} webhook requests arrived"
        return self.events

    def close(self) -> None:
        self.gate.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()
