"""The self-service actions, as plain functions of a Gelato client and the store.

Placing an order moves money, so it happens at most once per form: every reorder or
cancel-and-replace form carries an idempotency key, claimed in the database under a unique
constraint before Gelato is called. A double click, a resubmitted form or a second agent with the
same form finds the claim and is shown the first attempt's result instead of placing another
order. The key also fixes the new order's reference, so after an ambiguous failure (a timeout
after sending) a retry first looks the order up by that reference rather than placing it again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Address, Order, OrderSummary
from portal.store import ActionClaim, Store

_ORDER_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")

REORDER = "reorder"
REPLACE = "replace"
#: Suffix letters of the new order's reference, so a reference tells how the order came about.
_REFERENCE_MARK = {REORDER: "R", REPLACE: "C"}


class ActionInProgress(Exception):
    """Another request holds this form's key and has not finished yet."""


@dataclass(frozen=True)
class Placed:
    """What placing an order came to."""

    order: Order
    #: The original order was canceled in this action (cancel and re-place).
    original_canceled: bool
    #: This form had already placed the order; nothing new was placed now.
    repeated: bool


@dataclass
class PartlyDone(Exception):
    """The original order was canceled but its replacement could not be placed (yet)."""

    cause: errors.GelatoError


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


def new_reference(original: Order, action: str, key: str) -> str:
    return f"{original.order_reference_id}-{_REFERENCE_MARK[action]}{key[:8]}"


def place_once(
    client: GelatoClient,
    store: Store,
    *,
    key: str,
    action: str,
    original: Order,
    address: Address,
    shipment_method_uid: str | None,
    actor: str,
    now: datetime | None = None,
) -> Placed:
    """Place a copy of ``original`` with ``address`` and method, once per ``key``.

    For ``REPLACE`` the original is canceled first and the new order is placed only once the
    cancellation is confirmed; for ``REORDER`` the original is left as it is. Raises
    ``ActionInProgress`` when another request holds the key, the client's errors when Gelato
    refuses or cannot be reached (the key can then be used again: a retry is safe), and
    ``PartlyDone`` when the original is canceled but the new order is not placed.
    """
    now = now or datetime.now(UTC)
    claim = store.actions.claim(key, action=action, order_id=original.id, actor=actor, now=now)
    if not claim.won:
        if claim.state == "done" and claim.result_order_id:
            order = client.get_order(claim.result_order_id)
            return Placed(order, claim.step == "original_canceled", repeated=True)
        raise ActionInProgress

    reference = new_reference(original, action, key)
    canceled = claim.step == "original_canceled"
    try:
        if action == REPLACE and not canceled:
            _cancel_unless_canceled(client, original.id)
            canceled = True
            store.actions.update(key, step="original_canceled")
        order = _existing_order(client, reference, claim) or client.create_order(
            reference,
            customer_reference_id=original.customer_reference_id,
            currency=original.currency,
            items=original.items,
            shipping_address=address,
            shipment_method_uid=shipment_method_uid,
            metadata=_link_metadata(original, action),
        )
    except errors.GelatoError as error:
        # Unreachable means it may have landed: the next attempt looks for it before placing.
        unreachable = isinstance(error, errors.GelatoUnavailable)
        store.actions.update(key, state="uncertain" if unreachable else "failed")
        if canceled:
            raise PartlyDone(error) from error
        raise
    store.actions.update(key, state="done", result_order_id=order.id)
    return Placed(order, canceled, repeated=False)


def cancel_order(client: GelatoClient, order_id: str) -> Order:
    """Cancel, then read the order back so the agent sees Gelato's own word on its status."""
    client.cancel_order(order_id)
    return client.get_order(order_id)


def _cancel_unless_canceled(client: GelatoClient, order_id: str) -> None:
    # A retry after an unconfirmed cancel must not send a second cancel Gelato may refuse.
    if client.get_order(order_id).fulfillment_status != "canceled":
        client.cancel_order(order_id)


def _existing_order(client: GelatoClient, reference: str, claim: ActionClaim) -> Order | None:
    """After an unconfirmed attempt, the order it may have placed."""
    if claim.previous_state != "uncertain":
        return None
    return client.find_created_order(reference)


def _link_metadata(original: Order, action: str) -> dict[str, str]:
    key = "reorderOf" if action == REORDER else "replacesOrder"
    return {key: original.id, f"{key}Reference": original.order_reference_id[:100]}


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
