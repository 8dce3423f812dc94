"""Placing an order, exactly once per form: a reorder, or the cancel-and-replace behind a change
of address or shipping method.

Placing an order moves money, so it happens at most once per form: every reorder or
cancel-and-replace form carries an idempotency key, claimed in the database under a unique
constraint before Gelato is called. A double click, a resubmitted form or a second agent with the
same form finds the claim and is shown the first attempt's result instead of placing another
order. The key also fixes the new order's reference, so after an ambiguous failure (a timeout
after sending) a retry first looks the order up by that reference rather than placing it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Address, Order
from portal.store import ActionClaim, Store

REORDER = "reorder"
REPLACE = "replace"
#: Suffix letters of the new order's reference, so a reference tells how the order came about.
_REFERENCE_MARK = {REORDER: "R", REPLACE: "C"}
#: The step a cancel-and-replace records once Gelato confirmed the cancellation.
ORIGINAL_CANCELED = "original_canceled"


class ActionInProgress(Exception):
    """Another request holds this form's key and has not finished yet."""

    message = (
        "This form is already being processed (a double click, or another tab). Wait a moment, "
        "then open the order again to see the result."
    )
    #: What it means for the page that meets it, as a Gelato error says it.
    http_status = 409
    retry_safe = False

    def __str__(self) -> str:
        return self.message


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
            return Placed(order, claim.step == ORIGINAL_CANCELED, repeated=True)
        raise ActionInProgress

    reference = new_reference(original, action, key)
    canceled = claim.step == ORIGINAL_CANCELED
    try:
        if action == REPLACE and not canceled:
            _cancel_unless_canceled(client, original.id)
            canceled = True
            store.actions.record_step(key, ORIGINAL_CANCELED)
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
        store.actions.give_up(key, unconfirmed=isinstance(error, errors.GelatoUnavailable))
        if canceled:
            raise PartlyDone(error) from error
        raise
    store.actions.finish(key, order.id)
    return Placed(order, canceled, repeated=False)


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
