"""Sending the sandbox's webhook events the way Gelato sends its own.

Gelato POSTs each event as JSON to the URL configured in its Dashboard; any 2xx answer counts as
received, and while none comes it tries 3 times, 5 seconds apart (contract, section 8). The
sandbox does the same from one background thread, so the API call that changed an order never
waits for the receiver: events are queued and each is tried on its own schedule (assumption A23).
The delay between tries can be shortened so tests stay fast. A secret, if set, travels in the
``signature`` header (assumption A22).
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from portal.gelato.assumptions import WEBHOOK_RETRY_DELAY, WEBHOOK_SECRET_HEADER, WEBHOOK_TRIES

#: How many deliveries ``deliveries`` remembers, newest kept.
MAX_DELIVERIES_KEPT = 1000

#: How long one try may take before it counts as failed.
TRY_TIMEOUT = 10.0


@dataclass(frozen=True)
class Target:
    """Where events go: the receiver's URL, the shared secret, the delay between tries."""

    url: str
    secret: str | None = field(default=None, repr=False)
    retry_delay: float = WEBHOOK_RETRY_DELAY

    def __post_init__(self):
        parsed = httpx.URL(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise ValueError(f"the webhook URL must be an http(s) URL, not {self.url!r}")
        if not 0 <= self.retry_delay <= 60:
            raise ValueError("retryDelay must be from 0 to 60 seconds")
        if self.secret is not None and not isinstance(self.secret, str):
            raise ValueError("secret must be a string")

    def to_json(self) -> dict:
        """What the control API shows: never the secret itself."""
        return {
            "url": self.url,
            "secretSet": bool(self.secret),
            "retryDelay": self.retry_delay,
            "tries": WEBHOOK_TRIES,
        }


@dataclass
class Delivery:
    """One event on its way: each try's outcome (a status code or an error's name)."""

    event: dict
    tries: list[int | str] = field(default_factory=list)
    outcome: str = "pending"  # then "delivered" or "failed"

    def to_json(self) -> dict:
        return {
            "id": self.event["id"],
            "event": self.event["event"],
            "orderId": self.event.get("orderId"),
            "tries": list(self.tries),
            "outcome": self.outcome,
        }


class WebhookSender:
    """Delivers queued events to one target from a background thread; thread-safe."""

    def __init__(self, target: Target | None = None):
        self._target = target
        self._queue: list[tuple[float, int, Delivery]] = []  # (due, order, delivery)
        self._order = itertools.count()
        self._deliveries: deque[Delivery] = deque(maxlen=MAX_DELIVERIES_KEPT)
        self._busy = 0
        self._closed = False
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._http: httpx.Client | None = None  # made by the thread: TLS set-up costs ~50 ms

    @property
    def target(self) -> Target | None:
        return self._target

    def configure(self, target: Target | None) -> None:
        """Send from now on to ``target``; ``None`` stops sending and drops what is queued."""
        with self._changed:
            self._target = target
            if target is None:
                for _, _, delivery in self._queue:
                    delivery.outcome = "dropped"
                self._queue.clear()
            self._changed.notify_all()

    def send(self, events: list[dict]) -> None:
        """Queue ``events`` for delivery, in order; nothing is queued while no target is set."""
        if not events:
            return
        with self._changed:
            if self._target is None or self._closed:
                return
            now = time.monotonic()
            for event in events:
                delivery = Delivery(event)
                self._deliveries.append(delivery)
                heapq.heappush(self._queue, (now, next(self._order), delivery))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="gelato-sandbox-webhooks", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    @property
    def deliveries(self) -> list[Delivery]:
        with self._changed:
            return list(self._deliveries)

    def forget(self) -> None:
        """Empty the delivery log (what ``reset`` does after stopping)."""
        with self._changed:
            self._deliveries.clear()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued event was delivered or gave up; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._queue and not self._busy, timeout)

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._queue.clear()
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=TRY_TIMEOUT + 1)

    def _run(self) -> None:
        self._http = httpx.Client(timeout=TRY_TIMEOUT, follow_redirects=False)
        try:
            self._deliver()
        finally:
            self._http.close()

    def _deliver(self) -> None:
        while True:
            with self._changed:
                while not self._closed:
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    if wait is not None and wait <= 0:
                        break
                    self._changed.wait(wait)
                if self._closed:
                    return
                _, _, delivery = heapq.heappop(self._queue)
                target = self._target
                self._busy += 1
            try:
                outcome = self._try(target, delivery.event)
            finally:
                with self._changed:
                    self._busy -= 1
                    self._settle(delivery, outcome, target)
                    self._changed.notify_all()

    def _try(self, target: Target, event: dict) -> int | str:
        headers = {"Content-Type": "application/json", "User-Agent": "gelato-sandbox-webhooks"}
        if target.secret:
            headers[WEBHOOK_SECRET_HEADER] = target.secret
        try:
            response = self._http.post(target.url, json=event, headers=headers)
        except httpx.HTTPError as exc:
            return type(exc).__name__
        return response.status_code

    def _settle(self, delivery: Delivery, outcome: Any, target: Target) -> None:
        """Record one try; queue the next while tries remain and the target still stands."""
        delivery.tries.append(outcome)
        if isinstance(outcome, int) and 200 <= outcome < 300:
            delivery.outcome = "delivered"
        elif len(delivery.tries) < WEBHOOK_TRIES and self._target is target:
            due = time.monotonic() + target.retry_delay
            heapq.heappush(self._queue, (due, next(self._order), delivery))
        else:
            delivery.outcome = "failed"
