"""The sandbox's demo: a few orders move along over time, one goes on hold, one is delayed.

``python -m portal.gelato.sandbox --demo --webhook-url URL`` plays ``STEPS`` one after the other,
``interval`` seconds apart, through the same controls as ``/_sandbox/orders/...``, so every step
sends the webhook events Gelato would. It is what a newcomer watches arrive in the portal: the
order timeline filling, an order landing among those that need attention.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from portal.gelato.sandbox.app import Sandbox
from portal.gelato.sandbox.validation import ApiError


@dataclass(frozen=True)
class Step:
    reference: str
    action: str  # advance, hold, fail or delay: a ``Sandbox`` method
    options: dict[str, Any] = field(default_factory=dict)


STEPS = (
    Step("NW-1002", "advance"),  # created -> uploading
    Step(
        "NW-1003",
        "hold",
        {
            "reason": "The print file of the mug is below 150 dpi: upload a sharper file, or "
            "approve it as it is in the Dashboard."
        },
    ),
    Step("NW-1004", "advance"),  # passed -> in_production
    Step("NW-1007", "advance"),  # shipped -> in_transit
    Step("NW-1002", "advance"),  # uploading -> passed
    Step("NW-1008", "delay", {"days": 3}),  # late already, and later still
    Step("NW-1004", "advance"),  # in_production -> printed
    Step("NW-1007", "advance"),  # in_transit -> delivered
    Step("NW-1004", "advance"),  # printed -> shipped, with a tracking code
)


def run(
    sandbox: Sandbox,
    *,
    interval: float,
    stop: threading.Event | None = None,
    say: Callable[[str], None] = print,
) -> int:
    """Play every step, waiting ``interval`` seconds before each; stops early once ``stop`` is
    set. Returns how many steps were played."""
    stop = stop or threading.Event()
    played = 0
    for step in STEPS:
        if stop.wait(interval):
            break
        rows = sandbox.orders_with_reference(step.reference)
        if not rows:
            say(f"demo: {step.reference} is gone; skipped")
            continue
        try:
            order = getattr(sandbox, step.action)(rows[0]["id"], **step.options)
        except ApiError as error:  # someone moved the order by hand meanwhile
            say(f"demo: {step.reference} {step.action} refused: {error.message}")
            continue
        played += 1
        say(f"demo: {step.reference} {step.action} -> {order['fulfillmentStatus']}")
    return played
