"""The sandbox as a WSGI application: Gelato's paths, JSON, status codes and error bodies.

One ``Sandbox`` holds its own orders, faults and call log, so every test or demo gets a world of
its own. Besides Gelato's paths it answers a small control API under ``/_sandbox`` (no key
needed, never part of Gelato) so a sandbox running as its own server can be steered over HTTP:

=====================================  ======================================================
``GET /_sandbox``                      what this sandbox is: date, order count, faults,
                                       webhook target, demo orders
``GET /_sandbox/faults``               faults in force
``POST /_sandbox/faults``              add one, e.g. ``{"kind": "status", "status": 503,
                                       "times": 2}``
``DELETE /_sandbox/faults``            remove all faults and wake hung calls
``POST /_sandbox/reset``               back to the seed orders, no faults, empty call log, no
                                       webhook target
``GET /_sandbox/calls``                the Gelato calls received: method, path, outcome
``PUT /_sandbox/webhooks``             send webhook events to ``{"url": ..., "secret": ...,
                                       "retryDelay": 5}`` (secret and delay optional)
``GET /_sandbox/webhooks``             the target (never its secret) and each event sent:
                                       id, event, order, every try's answer, outcome
``DELETE /_sandbox/webhooks``          stop sending; events not yet delivered are dropped
``POST /_sandbox/orders/{id}/advance`` move the order one step along Gelato's typical path,
                                       or to ``{"to": "shipped"}`` through every step;
                                       ``"itemReferenceIds": [...]`` moves those items only
``POST /_sandbox/orders/{id}/hold``    put it on hold: ``{"reason": "Out of stock"}``
``POST /_sandbox/orders/{id}/fail``    fail it: ``{"reason": "...", "code": "..."}``
``POST /_sandbox/orders/{id}/delay``   move its delivery estimate later: ``{"days": 3}``
=====================================  ======================================================

The order controls play what Gelato does on its own (assumption A24); each answers with the
order as it is after, and sends the webhook events Gelato would (assumption A23) to the target
set with ``PUT /_sandbox/webhooks``: 3 tries, ``retryDelay`` seconds apart, any 2xx received.
"""

from __future__ import annotations

import contextlib
import functools
import json
import random
import re
import socket
import threading
import time as clock_time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fnmatch import fnmatchcase
from typing import Any

from werkzeug.wrappers import Request, Response

from portal.gelato.assumptions import CREATE_STATUS, ERROR_CODES, WEBHOOK_RETRY_DELAY
from portal.gelato.sandbox import catalog, lifecycle
from portal.gelato.sandbox.faults import Fault, FaultPlan
from portal.gelato.sandbox.orders import OrderBook
from portal.gelato.sandbox.seed import SEEDS, seed_orders
from portal.gelato.sandbox.validation import ApiError
from portal.gelato.sandbox.webhooks import Target, WebhookSender

#: The one key the sandbox accepts. It is public on purpose: it opens nothing but the sandbox.
DEMO_API_KEY = "gelato-sandbox-demo-key"

CONTROL_PREFIX = "/_sandbox"

#: The control paths that move one order, under ``CONTROL_PREFIX``.
ORDER_CONTROL = re.compile(r"/orders/(?P<order_id>[^/]+)/(?P<action>advance|hold|fail|delay)")

#: How many calls ``calls`` remembers, newest kept.
MAX_CALLS_KEPT = 10_000

#: Set by the in-process transport: the caller's read timeout, so a hang can time out in-process.
READ_TIMEOUT_KEY = "gelato_sandbox.read_timeout"

_ORDER_ID = r"(?P<order_id>[^/]+)"
ROUTES = (
    (re.compile(r"/v4/orders"), {"POST": "create"}),
    (re.compile(r"/v4/orders:search"), {"POST": "search"}),
    (re.compile(r"/v4/orders:quote"), {"POST": "quote"}),
    (re.compile(rf"/v4/orders/{_ORDER_ID}:cancel"), {"POST": "cancel"}),
    (re.compile(rf"/v4/orders/{_ORDER_ID}"), {"GET": "get", "PATCH": "patch", "DELETE": "delete"}),
    (re.compile(r"/v1/shipment-methods"), {"GET": "shipment_methods"}),
)


class ConnectionDropped(ConnectionError):
    """Raised to close the connection without a reply.

    A ``ConnectionError``, so the werkzeug server treats it as the dropped connection it is; the
    in-process transport turns it into httpx's ``RemoteProtocolError``.
    """


class ResponseTimedOut(Exception):
    """In-process only: the reply was held past the caller's read timeout."""


@dataclass(frozen=True)
class Call:
    """One Gelato call the sandbox received, and how it ended."""

    method: str
    path: str
    outcome: int | str  # a status code, "dropped" or "timed out"

    def to_json(self) -> dict:
        return {"method": self.method, "path": self.path, "outcome": self.outcome}


def _clock_from(today: date | None) -> Callable[[], datetime]:
    """Real time, or time running from noon (UTC) of a fixed ``today``."""
    if today is None:
        return lambda: datetime.now(UTC)
    start = datetime.combine(today, time(12, 0), UTC)
    started = clock_time.monotonic()
    return lambda: start + timedelta(seconds=clock_time.monotonic() - started)


def _fields(body: Any, *, required: set[str] = frozenset(), optional: set[str] = frozenset()):
    """A control request's body: a JSON object with the required fields and no unknown ones."""
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    unknown = set(body) - required - optional
    if unknown:
        raise ApiError(400, f"Unknown fields: {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    missing = sorted(required - set(body))
    if missing:
        raise ApiError(400, f"{missing[0]} is required.", missing[0])
    return body


def json_response(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(
        json.dumps(body, ensure_ascii=False),
        status=status,
        headers=headers,
        mimetype="application/json",
    )


def text_response(text: str, status: int = 200) -> Response:
    """JSON already serialized (the order book keeps its orders' JSON)."""
    return Response(text, status=status, mimetype="application/json")


def error_response(status: int, message: str, field: str | None = None, **headers) -> Response:
    """Gelato's error shape (assumption A1), with the codes of assumption A2."""
    body = {"code": ERROR_CODES.get(status, "error"), "message": message}
    if field:
        body["field"] = field
    return json_response(body, status, headers or None)


class Sandbox:
    """A stand-in for Gelato's order and shipment services, as a WSGI app."""

    def __init__(
        self,
        *,
        today: date | None = None,
        api_key: str = DEMO_API_KEY,
        random_seed: int | None = None,
        webhooks: Target | None = None,
    ):
        self.api_key = api_key
        self.clock = _clock_from(today)
        self._random_seed = random_seed
        self._release = threading.Event()
        # Bounded, so that a demo running for weeks does not grow without end.
        self._calls: deque[Call] = deque(maxlen=MAX_CALLS_KEPT)
        self._calls_lock = threading.Lock()
        self._in_flight = 0
        self._idle = threading.Condition()
        self.webhooks = WebhookSender()
        self.reset()
        self.webhooks.configure(webhooks)

    def close(self) -> None:
        """Stop sending webhooks and wake hung calls: the sandbox is done."""
        self.webhooks.close()
        self.release()

    # Steering, for tests and demos --------------------------------------------------------------
    # The shortcuts take ``Fault``'s other fields as keywords: ``method``, ``path`` (a glob),
    # ``times``, ``share``, ``retry_after``, ``after_processing``.

    def add_fault(self, fault: Fault) -> Fault:
        return self._faults.add(fault)

    def add_latency(self, seconds: float, *, times: int | None = None, **options: Any) -> Fault:
        """Delay matching calls by ``seconds`` (every call, until cleared, unless ``times``)."""
        return self.add_fault(Fault("latency", seconds=seconds, times=times, **options))

    def fail_with(self, status: int, **options: Any) -> Fault:
        """Answer ``status`` to the next ``times`` matching calls (``None``: all of them)."""
        return self.add_fault(Fault("status", status=status, **options))

    def hang(self, seconds: float = 30.0, **options: Any) -> Fault:
        """Hold matching calls for ``seconds`` without a reply."""
        return self.add_fault(Fault("hang", seconds=seconds, **options))

    def drop_connection(self, **options: Any) -> Fault:
        """Close the connection of matching calls without a reply."""
        return self.add_fault(Fault("drop", **options))

    @property
    def faults(self) -> list[Fault]:
        return self._faults.active()

    def clear_faults(self) -> None:
        """Remove every fault and wake calls that are hanging."""
        self._faults.clear()
        self.release()

    def release(self) -> None:
        """Wake every hanging or delayed call now (e.g. before a server shuts down)."""
        released, self._release = self._release, threading.Event()
        released.set()

    def reset(self) -> None:
        """Back to the seed orders, with no faults, an empty call log and no webhook target."""
        # A new plan, not a cleared one, so that share-of-calls faults repeat from the start.
        self._faults = FaultPlan(random.Random(self._random_seed))
        self.release()
        with self._calls_lock:
            self._calls.clear()
        self.webhooks.configure(None)
        self.webhooks.forget()
        # The book asks the sandbox for the time, so a test may set ``clock`` to a clock of its own.
        self.orders = OrderBook(seed_orders(self.clock()), lambda: self.clock(), self.webhooks.send)

    # What Gelato does on its own (assumption A24): each returns the order as it is after. ----

    def advance(
        self, order_id: str, *, to: str | None = None, item_references: list[str] | None = None
    ) -> dict:
        """Move the order (or the named items) one step along, or through every step to ``to``."""
        move = functools.partial(lifecycle.advance, to=to, item_references=item_references)
        return json.loads(self.orders.steer(order_id, move))

    def hold(self, order_id: str, reason: str) -> dict:
        move = functools.partial(lifecycle.hold, reason=reason)
        return json.loads(self.orders.steer(order_id, move))

    def fail(self, order_id: str, reason: str, code: str | None = None) -> dict:
        move = functools.partial(lifecycle.fail, reason=reason, code=code)
        return json.loads(self.orders.steer(order_id, move))

    def delay(self, order_id: str, days: int = 3) -> dict:
        """Move the delivery estimate ``days`` later."""
        move = functools.partial(lifecycle.delay, days=days)
        return json.loads(self.orders.steer(order_id, move))

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no Gelato call is in progress (after ``release()``); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)

    @property
    def calls(self) -> list[Call]:
        with self._calls_lock:
            return list(self._calls)

    def calls_to(self, method: str, path: str) -> int:
        """How many calls matched ``method`` and the glob ``path``."""
        return sum(1 for c in self.calls if c.method == method and fnmatchcase(c.path, path))

    def orders_with_reference(self, order_reference_id: str) -> list[dict]:
        """The stored orders with this reference, seen from the inside (no API call)."""
        return self.orders.with_reference(order_reference_id)

    # WSGI -------------------------------------------------------------------------------------

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            return self._control(request)(environ, start_response)
        with self._idle:
            self._in_flight += 1
        try:
            response = self._serve(request, environ)
            self._record(request, response.status_code)
        except ConnectionDropped:
            self._record(request, "dropped")  # before the client can notice the drop
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                with contextlib.suppress(OSError):  # the peer may have gone already
                    sock.shutdown(socket.SHUT_RDWR)
            raise
        except ResponseTimedOut:
            self._record(request, "timed out")
            raise
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()
        return response(environ, start_response)

    def _record(self, request: Request, outcome: int | str) -> None:
        with self._calls_lock:
            self._calls.append(Call(request.method, request.path, outcome))

    def _serve(self, request: Request, environ: dict) -> Response:
        latency, fault = self._faults.draw(request.method, request.path)
        if latency and self._hold(latency, environ):
            # In-process, the caller gave up before the reply: the call still takes effect, as it
            # would on a slow server, but the caller sees a timeout.
            self._handle(request)
            raise ResponseTimedOut()
        if fault is None:
            return self._handle(request)
        if not fault.after_processing:
            return self._inject(fault, environ, None)
        return self._inject(fault, environ, self._handle(request))

    def _inject(self, fault: Fault, environ: dict, response: Response | None) -> Response:
        """Apply ``fault``; ``response`` is the real reply if the call was handled already."""
        if fault.kind == "status":
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            return error_response(fault.status, "Injected by the sandbox.", **headers)
        if fault.kind == "hang":
            if self._hold(fault.seconds, environ):
                raise ResponseTimedOut()
            if response is not None:
                return response
        # A drop, or a hang before processing: the call ends without a reply.
        raise ConnectionDropped()

    def _hold(self, seconds: float, environ: dict) -> bool:
        """Wait ``seconds`` before replying (``release()`` ends it early). In-process no socket
        tells the sandbox that its caller gave up, so the wait stops at the caller's read timeout
        and answers True."""
        read_timeout = environ.get(READ_TIMEOUT_KEY)
        if read_timeout is not None and seconds >= read_timeout:
            self._release.wait(read_timeout)
            return True
        self._release.wait(seconds)
        return False

    def _handle(self, request: Request) -> Response:
        """Gelato's own behaviour: authenticate (assumption A18), route, answer."""
        if request.headers.get("X-API-KEY") != self.api_key:
            return error_response(401, "Invalid API key provided.")
        allowed = False
        for pattern, methods in ROUTES:
            match = pattern.fullmatch(request.path)
            if match is None:
                continue
            allowed = True
            handler = methods.get(request.method)
            if handler is not None:
                try:
                    return getattr(self, "_" + handler)(request, **match.groupdict())
                except ApiError as error:
                    return error_response(error.status, error.message, error.field)
        if allowed:
            return error_response(405, f"{request.method} is not allowed on {request.path}.")
        return error_response(404, f"No endpoint at {request.path}.")

    @staticmethod
    def _body(request: Request) -> Any:
        data = request.get_data()
        if not data:
            return None
        try:
            return json.loads(data)
        except ValueError:
            raise ApiError(400, "The request body is not valid JSON.") from None

    def _create(self, request: Request) -> Response:
        return text_response(self.orders.create(self._body(request)), CREATE_STATUS)

    def _search(self, request: Request) -> Response:
        return json_response({"orders": self.orders.search(self._body(request))})

    def _quote(self, request: Request) -> Response:
        return json_response(self.orders.quote(self._body(request)))

    def _get(self, request: Request, order_id: str) -> Response:
        return text_response(self.orders.get(order_id))

    def _cancel(self, request: Request, order_id: str) -> Response:
        self.orders.cancel(order_id)
        return json_response({})

    def _patch(self, request: Request, order_id: str) -> Response:
        return text_response(self.orders.patch(order_id, self._body(request)))

    def _delete(self, request: Request, order_id: str) -> Response:
        self.orders.delete(order_id)
        return json_response({})

    def _shipment_methods(self, request: Request) -> Response:
        country = request.args.get("country", "").strip().upper()
        carriers = catalog.carriers_for(country) if country else catalog.CARRIERS.values()
        return json_response({"shipmentMethods": [c.to_json() for c in carriers]})

    # Control API --------------------------------------------------------------------------------

    def _control(self, request: Request) -> Response:
        route = (request.method, request.path[len(CONTROL_PREFIX) :] or "/")
        try:
            if route == ("GET", "/"):
                return json_response(self.describe())
            if route == ("GET", "/faults"):
                return json_response({"faults": [f.to_json() for f in self.faults]})
            if route == ("POST", "/faults"):
                fault = self.add_fault(Fault.from_json(self._body(request)))
                return json_response({"fault": fault.to_json()}, 201)
            if route == ("DELETE", "/faults"):
                self.clear_faults()
                return json_response({"faults": []})
            if route == ("POST", "/reset"):
                self.reset()
                return json_response({"orders": len(self.orders)})
            if route == ("GET", "/calls"):
                return json_response({"calls": [c.to_json() for c in self.calls]})
            if route[1] == "/webhooks":
                return self._control_webhooks(request)
            match = ORDER_CONTROL.fullmatch(route[1])
            if match and request.method == "POST":
                return self._control_order(request, **match.groupdict())
        except ApiError as error:
            return error_response(error.status, error.message, error.field)
        except ValueError as error:
            return error_response(400, str(error))
        return error_response(404, f"No sandbox control endpoint {request.method} {request.path}.")

    def _control_webhooks(self, request: Request) -> Response:
        if request.method == "PUT":
            body = _fields(self._body(request), required={"url"}, optional={"secret", "retryDelay"})
            target = Target(
                url=body["url"],
                secret=body.get("secret") or None,
                retry_delay=float(body.get("retryDelay", WEBHOOK_RETRY_DELAY)),
            )
            self.webhooks.configure(target)
        elif request.method == "DELETE":
            self.webhooks.configure(None)
        elif request.method != "GET":
            return error_response(405, f"{request.method} is not allowed on {request.path}.")
        target = self.webhooks.target
        return json_response(
            {
                "target": target.to_json() if target else None,
                "deliveries": [d.to_json() for d in self.webhooks.deliveries],
            }
        )

    def _control_order(self, request: Request, order_id: str, action: str) -> Response:
        """``POST /_sandbox/orders/{id}/{action}``: what Gelato does on its own (A24)."""
        body = self._body(request) or {}
        if action == "advance":
            body = _fields(body, optional={"to", "itemReferenceIds"})
            order = self.advance(
                order_id, to=body.get("to"), item_references=body.get("itemReferenceIds")
            )
        elif action == "hold":
            order = self.hold(order_id, _fields(body, required={"reason"})["reason"])
        elif action == "fail":
            body = _fields(body, required={"reason"}, optional={"code"})
            order = self.fail(order_id, body["reason"], body.get("code"))
        else:
            order = self.delay(order_id, _fields(body, optional={"days"}).get("days", 3))
        return json_response(order)

    def describe(self) -> dict:
        """What ``GET /_sandbox`` shows: the clock, the faults and the demo orders to try."""
        demo = []
        for seed in SEEDS:
            rows = self.orders_with_reference(seed.reference)
            demo.append(
                {
                    "orderReferenceId": seed.reference,
                    "ids": [row["id"] for row in rows],
                    "fulfillmentStatuses": [row["fulfillmentStatus"] for row in rows],
                    "note": seed.note,
                }
            )
        return {
            "sandbox": True,
            "now": self.clock().isoformat(),
            "orders": len(self.orders),
            "faults": [f.to_json() for f in self.faults],
            "webhooks": self.webhooks.target.to_json() if self.webhooks.target else None,
            "demoOrders": demo,
        }
