"""The sidebar-sized lookup: what a helpdesk ticket has in, a compact summary with links out.

One call, because a helpdesk's sidebar integration makes one request per ticket it shows: the
query is found as the order search finds it, and the first orders are read in full so the
summary carries the verdict, the reply to paste and what can still be done.
"""

from __future__ import annotations

from datetime import date

from flask import url_for

from portal import context
from portal.api import models
from portal.api.blueprint import api
from portal.api.orders import find, order_url
from portal.gelato.models import Order
from portal.orders import rules
from portal.orders.delivery import delivery_verdict, expected_window

#: A sidebar has room for this many orders; ``count`` says how many matched.
SHOWN = 5


@api.get(
    "/lookup",
    answer=models.LookupAnswer,
    tag="Helpdesk",
    query=models.Lookup,
    problems=(502, 503),
)
def lookup(query: models.Lookup):
    """A compact summary of the orders a ticket names, for a helpdesk's sidebar.

    Takes an order reference, a Gelato order id or the customer's name; answers up to five orders
    with status, delivery verdict, the reply to paste, tracking and links to the portal's pages.
    """
    matched_by, found = find(query.q)
    client, today = context.gelato(), date.today()
    shown = []
    for row in found[:SHOWN]:
        order = row if isinstance(row, Order) else client.get_order(row.id)
        verdict = delivery_verdict(order, today)
        address = order.shipping_address
        shown.append(
            models.LookupOrder(
                reference=order.order_reference_id,
                id=order.id,
                status=order.fulfillment_status,
                status_label=rules.status(order.fulfillment_status).label,
                customer_name=address.name if address else "",
                verdict=verdict.title,
                customer_reply=verdict.customer_reply,
                expected=expected_window(order.shipment) or None,
                tracking_url=next((p.tracking_url for p in order.packages if p.tracking_url), None),
                allowed_actions=[a.title for a in rules.allowed_actions(order.fulfillment_status)],
                portal_url=order_url(order.id),
            )
        )
    return models.LookupAnswer(
        query=query.q,
        matched_by=matched_by,
        count=len(found),
        orders=shown,
        search_url=url_for("orders.search", order=query.q, _external=True),
    )
