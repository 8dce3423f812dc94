"""Orders: find them, and read one in full with its verdict and what each action allows.

The answers are built from what the order page uses (the client, the rules table, the delivery
verdict), so the API and the page say the same about the same order.
"""

from __future__ import annotations

import re
from datetime import date

from flask import g, url_for

from portal import context
from portal.api import models
from portal.api.blueprint import api
from portal.api.operations import PATH_VALUE
from portal.api.problems import ApiProblem
from portal.gelato.models import Order, OrderSummary
from portal.orders import rules, service
from portal.orders.delivery import delivery_verdict

#: The order-changing actions' calls in this API, by action (``portal.api.actions``).
ACTION_CALLS = {
    "cancel-order": "api.cancel_order",
    "change-address": "api.change_address",
    "change-shipping-method": "api.change_shipping_method",
    "reorder": "api.reorder",
}
#: Gelato's free-text search matches one name field at a time; a page is plenty for a name.
CUSTOMER_ROWS = 50


def find(query: str) -> tuple[str | None, list[Order | OrderSummary]]:
    """The orders ``query`` names, and how it named them: a Gelato order id or your reference
    (as the portal's search finds them), else the customer's name.

    Gelato's ``search`` matches a substring of the first name, the last name or the reference, one
    at a time; so the longest word is searched, and the rows kept are those whose name holds every
    word of the query.
    """
    found = service.find_orders(context.gelato(), query)
    if found:
        return ("id" if isinstance(found[0], Order) else "reference"), found
    words = query.casefold().split()
    rows = context.gelato().search_orders(search=max(words, key=len), limit=CUSTOMER_ROWS)
    named = [
        row
        for row in rows
        if all(word in f"{row.first_name or ''} {row.last_name or ''}".casefold() for word in words)
    ]
    return ("customer" if named else None), named


def order_url(order_id: str) -> str:
    return url_for("orders.order_page", order_id=order_id, _external=True)


@api.get(
    "/orders",
    answer=models.OrderList,
    tag="Orders",
    query=models.OrderSearch,
    problems=(502, 503),
)
def find_orders(query: models.OrderSearch):
    """Find orders by Gelato id, your own reference, or the customer's name.

    A Gelato id names one order; a reference can name several (Gelato split the order); a
    customer's name can match several orders.
    """
    matched_by, found = find(query.q)
    return models.OrderList(
        query=query.q,
        matched_by=matched_by,
        orders=[models.found_out(order, order_url(order.id)) for order in found],
    )


@api.get(
    "/orders/<order_id>",
    answer=models.OrderDetail,
    tag="Orders",
    parameters={"order_id": "Gelato's order id (find it with GET /api/v1/orders)."},
    problems=(502, 503),
)
def get_order(order_id: str):
    """One order in full, with the "where is my order?" verdict and each action's answer.

    Each of the six self-service actions is allowed, or refused with the reason, the next step and
    the article that helps, exactly as the order page shows them; with the call that carries it
    out where it is available.
    """
    order = load(order_id)
    return models.order_out(
        order,
        delivery_verdict(order, date.today()),
        portal_url=order_url(order.id),
        action_urls={
            action.slug: url_for(action.endpoint, order_id=order.id, _external=True)
            for action in rules.ACTIONS
            if action.endpoint
        },
        api_urls={
            slug: url_for(endpoint, order_id=order.id, _external=True)
            for slug, endpoint in ACTION_CALLS.items()
        },
    )


def load(order_id: str) -> Order:
    """The order a path names, noted for the call's audit entry; 404 when Gelato has none."""
    if not re.fullmatch(PATH_VALUE, order_id):
        raise ApiProblem(404, f"Gelato has no order with the id {order_id!r}.")
    order = context.gelato().get_order(order_id)  # OrderNotFound answers 404
    g.api_order_id, g.api_order_reference = order.id, order.order_reference_id
    return order
