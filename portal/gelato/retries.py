"""When a call to Gelato is sent again: one driver for every call, and a rule for each kind.

What repeating a call can do decides what is safe after a failed attempt:

- Reads (get, search, shipment methods, quote) are repeated after 429, 502, 503, 504, timeouts
  and connection errors. A 500 is a fault, not a hiccup: not repeated.
- A create is repeated only when it certainly did not reach Gelato (the connection never opened),
  or after a 429 once a look by order reference, just before sending again, shows that it did not
  land (assumption A6). After any other failure it may have landed: the client looks it up by
  reference and never sends it again.
- A cancel may be repeated: cancelling twice cannot cancel anything else. After a failure that may
  have reached Gelato the client first looks whether the order is canceled already.
- Other writes (draft changes) are repeated only when they certainly did not reach Gelato.

Every call has the same budget: at most ``max_attempts`` attempts, and no wait that would end past
``budget`` seconds from the first. Waits grow exponentially with jitter and honour
``Retry-After``. Each attempt is logged on one line on the ``portal.gelato`` logger; headers, and
so the API key, are never logged.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from portal.gelato.responses import retry_after

log = logging.getLogger("portal.gelato")

Result = httpx.Response | httpx.RequestError

#: What one attempt tells (see ``classify``): a definite answer (success or a 4xx other than
#: 429); nothing was sent; Gelato refused to look (429); Gelato may or may not have acted (timeout
#: after sending, dropped connection, 5xx); a failure that makes sending pointless (bad URL).
ANSWER, NOT_SENT, THROTTLED, UNCERTAIN, FATAL = (
    "answer",
    "not sent",
    "throttled",
    "uncertain",
    "fatal",
)

#: Statuses after which a read is worth repeating. A 500 is a fault, not a hiccup: not repeated.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

#: Failures that leave no doubt the request never reached Gelato.
UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

#: Failures that make sending pointless, and before which nothing reached Gelato: a URL httpx
#: cannot use, a request it cannot write, a proxy refusing. Any other failure may hide an answer.
FATAL_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)


def classify(result: Result) -> str:
    """What one attempt says about whether Gelato acted on the request."""
    if isinstance(result, httpx.Response):
        if result.status_code == 429:
            return THROTTLED
        return UNCERTAIN if result.status_code >= 500 else ANSWER
    if isinstance(result, UNSENT_ERRORS):
        return NOT_SENT
    return FATAL if isinstance(result, FATAL_ERRORS) else UNCERTAIN


@dataclass(frozen=True)
class RetryRule:
    """What is safe after a failed attempt of one kind of call.

    ``send_again_after``: the outcomes after which the same request may be sent again;
    ``only_statuses``, if given, narrows that to answers with these statuses. ``look_after``: the
    outcomes after which Gelato may have acted, so the call looks at once whether it did.
    ``look_before_sending_again_after``: the outcomes after which the request is sent again only
    once a look, right before, finds that it did not land.
    """

    send_again_after: frozenset[str]
    only_statuses: frozenset[int] | None = None
    look_after: frozenset[str] = frozenset()
    look_before_sending_again_after: frozenset[str] = frozenset()

    def sends_again(self, kind: str, result: Result) -> bool:
        if kind not in self.send_again_after:
            return False
        if self.only_statuses is None or not isinstance(result, httpx.Response):
            return True
        return result.status_code in self.only_statuses


#: A read changes nothing: repeated after 429, 502, 503, 504 and network failures.
READ = RetryRule(frozenset({NOT_SENT, THROTTLED, UNCERTAIN}), only_statuses=RETRYABLE_STATUSES)
#: A change not safe to make twice (a draft's): repeated only if it never left.
WRITE = RetryRule(frozenset({NOT_SENT}))
#: A create: never placed twice, so looked up by reference whenever it may have landed.
CREATE = RetryRule(
    frozenset({NOT_SENT, THROTTLED}),
    look_after=frozenset({UNCERTAIN}),
    look_before_sending_again_after=frozenset({THROTTLED}),
)
#: A cancel: harmless twice, but the order is looked at first whenever it may have worked.
CANCEL = RetryRule(frozenset({NOT_SENT, THROTTLED, UNCERTAIN}), look_after=frozenset({UNCERTAIN}))


@dataclass(frozen=True)
class Look:
    """How a call finds out whether an attempt landed after all: ``find`` returns the call's
    result if it did (the order a create placed; ``True`` for a cancel), else something false.
    ``step`` names the look in the attempt's log line."""

    step: str
    find: Callable[[], Any]


@dataclass(frozen=True)
class Ending:
    """How a call ended: its last attempt's result and outcome, whether an attempt may have acted
    without saying so, and what a look found (if one found the call's effect)."""

    result: Result
    kind: str
    may_have_acted: bool
    found: Any = None


@dataclass(frozen=True)
class RetrySettings:
    """How persistently one client repeats a call: ``max_attempts`` attempts within ``budget``
    seconds, waiting ``backoff`` seconds at first and doubling up to ``max_backoff``."""

    max_attempts: int
    budget: float
    backoff: float
    max_backoff: float

    def delay(self, result: Result, attempt: int) -> float:
        """Gelato's ``Retry-After`` if it gave one, else exponential backoff with jitter (so that
        many workers do not retry in step)."""
        seconds = retry_after(result)
        if seconds is not None:
            return seconds
        cap = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return cap / 2 + random.uniform(0, cap / 2)


class Budget:
    """The attempts and the time left for retries of one call."""

    def __init__(self, attempts: int, seconds: float):
        self.attempts = attempts
        self.deadline = time.monotonic() + seconds

    def allows(self, attempt: int, delay: float) -> bool:
        """Whether another attempt may follow ``attempt`` after waiting ``delay`` seconds."""
        return attempt < self.attempts and time.monotonic() + delay <= self.deadline


def send(
    request: Callable[[], httpx.Response],
    rule: RetryRule,
    settings: RetrySettings,
    *,
    method: str,
    path: str,
    look: Look | None = None,
    attempts: int | None = None,
) -> Ending:
    """Send ``request`` and repeat it as far as ``rule`` makes it safe, within the budget.

    Never raises for what Gelato did or did not answer: the caller reads the ``Ending`` into a
    model or an error. ``method`` and ``path`` are for the log line; ``attempts`` replaces the
    settings' ``max_attempts`` for this call.
    """
    budget = Budget(attempts or settings.max_attempts, settings.budget)
    may_have_acted = False
    attempt = 0
    while True:
        attempt += 1
        result, duration = _attempt(request)
        kind = classify(result)
        may_have_acted = may_have_acted or kind == UNCERTAIN
        send_again = rule.sends_again(kind, result)
        delay = settings.delay(result, attempt) if send_again else 0.0
        send_again = send_again and budget.allows(attempt, delay)
        look_now = look if look is not None and kind in rule.look_after else None
        steps = [look_now.step] if look_now else []
        if send_again:
            steps.append(f"retry in {delay:.2f} s")
        log_attempt(method, path, result, duration, attempt, ", then ".join(steps) or None)

        if look_now and (found := look_now.find()):
            return Ending(result, kind, may_have_acted, found)
        if not send_again:
            return Ending(result, kind, may_have_acted)
        time.sleep(delay)
        if look and kind in rule.look_before_sending_again_after and (found := look.find()):
            return Ending(result, kind, may_have_acted, found)


def _attempt(request: Callable[[], httpx.Response]) -> tuple[Result, float]:
    """Send once; a failure is returned, not raised, for the driver to judge.

    ``RequestError`` covers the network (``TransportError``) and a body that cannot be decoded.
    """
    started = time.perf_counter()
    try:
        result: Result = request()
    except httpx.RequestError as exc:
        result = exc
    return result, time.perf_counter() - started


def log_attempt(
    method: str,
    path: str,
    result: Result,
    duration: float,
    attempt: int,
    next_step: str | None = None,
) -> None:
    """One line per attempt: a success at INFO, anything else at WARNING."""
    if isinstance(result, httpx.Response):
        outcome: int | str = result.status_code
        level = logging.INFO if result.status_code < 400 else logging.WARNING
    else:
        outcome = type(result).__name__
        level = logging.WARNING
    log.log(
        level,
        "gelato %s %s -> %s in %.1f ms (attempt %d%s)",
        method,
        path,
        outcome,
        duration * 1000,
        attempt,
        f", {next_step}" if next_step else "",
    )
