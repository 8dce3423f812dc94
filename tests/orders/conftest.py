"""What the orders tests share: reading an action form as a browser sends it, finding demo orders
by status, and sending one form many times at once. The app, its sandbox and Gelato client are
the fixtures of ``tests/conftest.py``."""

import re
from concurrent.futures import ThreadPoolExecutor

from portal.orders import service


def form_fields(html):
    """Every input of the page's action form with its value, as a browser would send them."""
    inputs = re.findall(r"<input[^>]*>", html)
    fields = {}
    for tag in inputs:
        if ('type="checkbox"' in tag or 'type="radio"' in tag) and "checked" not in tag:
            continue
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    fields.pop("order", None)  # the order search box above the form
    return fields


def orders_by_status(gelato):
    """The Gelato id of one demo order in each fulfillment status."""
    found = {}
    for order in gelato.search_orders(limit=100):
        found.setdefault(order.fulfillment_status, order.id)
    return found


def reorder_at_once(gelato, store, original, *, key, times=20):
    """Send one reorder form ``times`` times at once, as double clicks and several agents do.

    Each submission's new order id, or None where it found the form already being processed.
    """

    def submit(_):
        try:
            placed = service.place_once(
                gelato,
                store,
                key=key,
                action=service.REORDER,
                original=original,
                address=original.shipping_address,
                shipment_method_uid=None,
                actor="t",
            )
        except service.ActionInProgress:
            return None
        return placed.order.id

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(submit, range(times)))
