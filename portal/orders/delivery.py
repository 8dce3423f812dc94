"""The "where is my order?" verdict, computed from what Gelato says and today's date.

It follows the advice Gelato documents (see the knowledge base's *Where is my order?*): before the
latest estimated delivery date an order is on time; after it, an order still at the print partner
has not been dispatched (Gelato Support's to chase), and a parcel with the carrier is delayed in
shipping (wait while tracking moves, ask Gelato Support once it stops for several days). The
estimate comes from carriers and is not a promise, so no verdict says more than the facts allow,
and no reply to the customer promises what nobody has read yet (the tracking of a late parcel).

Where Gelato Support is the next step, a verdict names the support request to prepare (a
scenario's slug): the delivery problem for a late order, the damage report for a delivered one
within the window Gelato gives from the items' own delivery time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from portal.gelato.models import Order, Shipment
from portal.knowledge import DAMAGE_REPORT_WINDOW_DAYS
from portal.orders import rules

#: Stages in which the parcel has not left the print partner yet.
AT_PRINT_PARTNER = frozenset({rules.BEING_CHECKED, rules.BEFORE_PRINT, rules.PRODUCTION})


#: The support requests a verdict can lead to, by their scenario's slug.
DELIVERY_PROBLEM_REQUEST = "delivery-problem"
DAMAGED_PRODUCT_REQUEST = "damaged-product"


@dataclass(frozen=True)
class Verdict:
    code: str
    title: str
    #: What the agent should know and do.
    advice: str
    contact_gelato: bool
    #: A short answer the agent can paste to the end customer.
    customer_reply: str
    #: The latest estimated delivery date has passed and the order is not delivered.
    late: bool = False
    #: The support request to prepare from here, with the order filled in (a scenario's slug),
    #: and the words of the button that opens it.
    request: str | None = None
    request_label: str = ""


def delivery_verdict(order: Order, today: date) -> Verdict:
    status = order.fulfillment_status
    stage = rules.status(status).stage
    with_carrier = stage == rules.ON_ITS_WAY
    latest = order.shipment.max_delivery_date if order.shipment else None
    window = expected_window(order.shipment)
    tracking = next((p.tracking_url for p in order.packages if p.tracking_url), None)
    track_line = f" You can follow the parcel here: {tracking}" if tracking else ""

    if status == "delivered":
        window_open, window = _damage_window(order, today)
        return Verdict(
            "delivered",
            "Delivered",
            "The carrier reports the order as delivered. If the customer has not received it, "
            "ask them to check with neighbours and their local post office first. As documented "
            "by Gelato, a replacement for a parcel tracked as delivered is at your expense. "
            + window,
            False,
            "Our records show your order was delivered. Could you check with neighbours or at "
            "your local post office? If it is not there, reply and we will help you further."
            + track_line,
            request=DAMAGED_PRODUCT_REQUEST if window_open else None,
            request_label="Report damage",
        )
    if status == "returned":
        return Verdict(
            "returned",
            "Sent back",
            "Delivery failed and the parcel went back to the sender. Confirm the address with "
            "the customer and place a reorder.",
            False,
            "The carrier could not deliver your order and it was returned. Could you confirm "
            "your full delivery address? We will send it again as soon as we have it.",
        )
    if status in ("canceled", "failed"):
        return Verdict(
            "stopped",
            "Will not arrive",
            "This order is "
            + ("canceled" if status == "canceled" else "rejected by Gelato (failed)")
            + ": it will not be produced or delivered. Place a reorder if the customer still "
            "wants the items.",
            False,
            "There was a problem with your order and it could not be sent. We are placing it "
            "again and will share the tracking link as soon as it ships.",
        )
    if stage in AT_PRINT_PARTNER or with_carrier:
        if latest is None:
            return Verdict(
                "no_estimate",
                "No delivery estimate yet",
                "Gelato has not given a delivery estimate for this order yet; it appears once the "
                "order is accepted. Check again later.",
                False,
                "Your order is being prepared. We will send you the tracking link as soon as it "
                "ships.",
            )
        if today <= latest:
            if with_carrier and not tracking:
                advice = (
                    f"The order is on time: expected {window}. It has been handed to the carrier, "
                    "but tracking often shows nothing for the first days."
                )
            elif with_carrier:
                advice = f"The order is on time: expected {window}. Share the tracking link."
            else:
                advice = (
                    f"The order is on time: expected {window}. It has not shipped yet; the "
                    "tracking link appears once it does. No need to contact Gelato."
                )
            if with_carrier:
                reply = f"Good news: your order is on its way and should arrive {window}."
            else:
                reply = (
                    f"Good news: your order is being made as planned and should arrive {window}. "
                    "We will send you the tracking link as soon as it ships."
                )
            return Verdict("on_time", "On time", advice, False, reply + track_line)
        days_late = days_ago(latest, today)
        if not with_carrier:
            return Verdict(
                "not_dispatched",
                "Late: not dispatched",
                f"The latest estimated delivery date ({latest:%d %b %Y}) passed {days_late} and "
                "the order has not left the print partner. Contact Gelato Support with the order "
                "number.",
                True,
                "I am sorry your order is taking longer than expected. I am asking our "
                "production partner about it now and will write to you again as soon as I have "
                "news.",
                late=True,
                request=DELIVERY_PROBLEM_REQUEST,
                request_label="Prepare a request to Gelato Support",
            )
        return Verdict(
            "delayed",
            "Late: delayed in shipping",
            f"The latest estimated delivery date ({latest:%d %b %Y}) passed {days_late} and the "
            "parcel is with the carrier. Open the tracking link: if it was updated recently, ask "
            "the customer to wait a few more days; if it has not moved for several days, "
            "prepare a request to Gelato Support with what the tracking shows.",
            False,
            "I am sorry your parcel is taking longer than expected. It is with the carrier, and "
            "I am checking its tracking now: I will write to you again as soon as I know more."
            + track_line,
            late=True,
            request=DELIVERY_PROBLEM_REQUEST,
            request_label="Prepare a request to Gelato Support",
        )
    return Verdict(
        "waiting",
        "Waiting for action",
        "This order is not moving: it waits for someone to act, as its status above says. Deal "
        "with that first; delivery estimates start once it is accepted.",
        False,
        "Your order needs one more check before it can be produced. We are on it and will "
        "update you shortly.",
    )


def expected_window(shipment: Shipment | None) -> str:
    """Gelato's delivery estimate in words, said alike by the verdict and the order page; empty
    without an estimate."""
    if shipment is None or shipment.max_delivery_date is None:
        return ""
    earliest, latest = shipment.min_delivery_date, shipment.max_delivery_date
    if earliest and earliest != latest:
        return f"between {earliest:%d %b} and {latest:%d %b %Y}"
    return f"by {latest:%d %b %Y}"


def days_ago(day: date, today: date) -> str:
    """How long ago ``day`` was, in words: "today", "1 day ago", "6 days ago"."""
    days = (today - day).days
    if days == 0:
        return "today"
    return f"{days} day ago" if days == 1 else f"{days} days ago"


def _damage_window(order: Order, today: date) -> tuple[bool, str]:
    """Whether a damaged or defective item can still be reported, counted from when the items
    were delivered (never from the order's ``updatedAt``), and that said in one sentence."""
    delivered = order.delivered_at
    if delivered is None:
        return True, (
            f"Gelato takes damage reports for {DAMAGE_REPORT_WINDOW_DAYS} days after delivery; "
            "Gelato has not said when this order arrived, so ask the customer."
        )
    day = delivered.date()
    last = day + timedelta(days=DAMAGE_REPORT_WINDOW_DAYS)
    when = f"It arrived on {day:%d %b %Y} ({days_ago(day, today)})."
    if today <= last:
        return True, f"{when} A damaged or defective item can be reported until {last:%d %b %Y}."
    return False, (
        f"{when} The {DAMAGE_REPORT_WINDOW_DAYS}-day window for reporting damage closed on "
        f"{last:%d %b %Y}."
    )
