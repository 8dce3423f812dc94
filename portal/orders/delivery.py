"""The "where is my order?" verdict, computed from what Gelato says and today's date.

It follows the advice Gelato documents (see the knowledge base's *Where is my order?*): before the
latest estimated delivery date an order is on time; after it, an order still at the print partner
has not been dispatched (Gelato Support's to chase), and a parcel with the carrier is delayed in
shipping (wait while tracking moves, ask Gelato Support once it stops for several days). The
estimate comes from carriers and is not a promise, so no verdict says more than the facts allow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from portal.gelato.models import Order, Shipment
from portal.orders import rules

#: Stages in which the parcel has not left the print partner yet.
AT_PRINT_PARTNER = frozenset({rules.BEING_CHECKED, rules.BEFORE_PRINT, rules.PRODUCTION})


@dataclass(frozen=True)
class Verdict:
    code: str
    title: str
    #: What the agent should know and do.
    advice: str
    contact_gelato: bool
    #: A short answer the agent can paste to the end customer.
    customer_reply: str


def delivery_verdict(order: Order, today: date) -> Verdict:
    status = order.fulfillment_status
    stage = rules.status(status).stage
    with_carrier = stage == rules.ON_ITS_WAY
    latest = order.shipment.max_delivery_date if order.shipment else None
    window = expected_window(order.shipment)
    tracking = next((p.tracking_url for p in order.packages if p.tracking_url), None)
    track_line = f" You can follow the parcel here: {tracking}" if tracking else ""

    if status == "delivered":
        return Verdict(
            "delivered",
            "Delivered",
            "The carrier reports the order as delivered. If the customer has not received it, "
            "ask them to check with neighbours and their local post office first. As documented "
            "by Gelato, a replacement for a parcel tracked as delivered is at your expense.",
            False,
            "Our records show your order was delivered. Could you check with neighbours or at "
            "your local post office? If it is not there, reply and we will help you further."
            + track_line,
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
        days_late = (today - latest).days
        if not with_carrier:
            return Verdict(
                "not_dispatched",
                "Late: not dispatched",
                f"The latest estimated delivery date ({latest:%d %b %Y}) passed {days_late} "
                "day(s) ago and the order has not left the print partner. Contact Gelato Support "
                "with the order number.",
                True,
                "I am sorry your order is taking longer than expected. We have asked our "
                "production partner about it and will get back to you with news shortly.",
            )
        return Verdict(
            "delayed",
            "Late: delayed in shipping",
            f"The latest estimated delivery date ({latest:%d %b %Y}) passed {days_late} day(s) "
            "ago and the parcel is with the carrier. Open the tracking link: if it was updated "
            "recently, ask the customer to wait a few more days; if it has not moved for several "
            "days, contact Gelato Support.",
            False,
            "I am sorry your parcel is taking longer than expected. It is with the carrier and "
            "still moving; it should reach you within the next few days." + track_line,
        )
    return Verdict(
        "waiting",
        "Waiting for action",
        "This order is not moving: it waits for someone to act (see its status). Deal with that "
        "first; delivery estimates start once it is accepted.",
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
