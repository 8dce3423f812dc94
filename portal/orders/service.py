"""Finding orders, canceling one, and pricing a would-be order: plain functions of a Gelato
client. Placing an order, which must happen once, is ``placing``'s."""

from __future__ import annotations

import re
from collections.abc import Callable

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Address, Order, OrderSummary
from portal.orders import rules

_ORDER_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def looks_like_order_id(text: str) -> bool:
    return bool(_ORDER_ID.fullmatch(text.strip()))


def find_orders(client: GelatoClient, query: str) -> list[Order | OrderSummary]:
    """The orders an agent means by ``query``: a Gelato order id or the merchant's reference.

    A reference can name several orders when Gelato split one order into parts. An id-shaped
    query that Gelato does not know is tried as a reference too, since references are free text.
    """
    query = query.strip()
    if looks_like_order_id(query):
        try:
            return [client.get_order(query)]
        except errors.OrderNotFound:
            pass
    return list(client.find_orders_by_reference(query))


class NotAllowed(Exception):
    """The rules table refuses the action on this order now; ``decision`` says why and what to
    do instead."""

    title = "Not possible now"
    http_status = 409
    retry_safe = False

    def __init__(self, action: rules.Action, decision: rules.Decision):
        self.action = action
        self.decision = decision
        super().__init__(decision.refusal.reason)


def cancel_order(client: GelatoClient, order_id: str) -> Order:
    """Cancel, then read the order back so the agent sees Gelato's own word on its status."""
    client.cancel_order(order_id)
    return client.get_order(order_id)


def cancel(client: GelatoClient, order: Order, *, record: Callable[..., object]) -> Order:
    """Cancel ``order`` as an agent asked: if the rules allow it now (by its items too), and
    recorded in the audit log however Gelato answers. ``record(audit_name, outcome, **fields)``
    records in the agent's name, as ``placing.Recorder`` does.

    Raises NotAllowed when the rules refuse it (nothing is sent, nothing recorded), and the
    client's errors when Gelato refuses or cannot be reached.
    """
    action = rules.CANCEL_ORDER
    decision = rules.decide(action, order)
    if not decision.allowed:
        raise NotAllowed(action, decision)
    asked = {"order_id": order.id}
    audit = {"order_id": order.id, "order_reference": order.order_reference_id}
    try:
        updated = cancel_order(client, order.id)
    except errors.GelatoError as error:
        record(action.audit_name, error.audit_outcome, request=asked, gelato_answer=error, **audit)
        raise
    record(
        action.audit_name,
        "succeeded",
        request=asked,
        gelato_answer={"fulfillmentStatus": updated.fulfillment_status},
        **audit,
    )
    return updated


def shipping_options(client: GelatoClient, order: Order, address: Address) -> list:
    """The shipping methods Gelato offers for these items to this address, cheapest first.

    A quote prices the would-be order without creating anything, and gives each method's
    delivery window. When Gelato would split the order, only methods every part offers are listed.
    """
    quote = client.quote(
        f"{order.order_reference_id}-quote",
        customer_reference_id=order.customer_reference_id,
        currency=order.currency,
        recipient=address,
        products=order.items,
    )
    if not quote.quotes:
        return []
    common = set.intersection(
        *({m.shipment_method_uid for m in part.shipment_methods} for part in quote.quotes)
    )
    methods = [m for m in quote.quotes[0].shipment_methods if m.shipment_method_uid in common]
    return sorted(methods, key=lambda m: (m.price is None, m.price or 0))
