"""Finding orders, canceling one, and pricing a would-be order: plain functions of a Gelato
client. Placing an order, which must happen once, is ``placing``'s."""

from __future__ import annotations

import re

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Address, Order, OrderSummary

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


def cancel_order(client: GelatoClient, order_id: str) -> Order:
    """Cancel, then read the order back so the agent sees Gelato's own word on its status."""
    client.cancel_order(order_id)
    return client.get_order(order_id)


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
