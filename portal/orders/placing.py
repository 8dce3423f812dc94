"""Placing an order, exactly once per form: a reorder, or the cancel-and-replace behind a change
of address or shipping method.

Placing an order moves money, so it happens at most once per form: every reorder or
cancel-and-replace form carries an idempotency key, claimed in the database before Gelato is
called. A double click, a resubmitted form or a second agent with the same form finds the claim
and is shown the first attempt's result instead of placing another order. The key also fixes the
new order's reference, so after an ambiguous failure (a timeout after sending) a retry first looks
the order up by that reference rather than placing it again.

A cancel-and-replace is two calls that can fail apart, so it is an operation that can be resumed:
the claim stores what to place (the address or method the agent typed) and each step as it is
done. Once the original is canceled its replacement is owed: whatever fails next (Gelato down or
throttling, an unconfirmed create, the process dying between the two calls), anyone resuming the
key places that replacement once, and no eligibility check stands in the way (the original is
canceled by then, which the rules would refuse). Each step is recorded in the audit log as it
ends.

Two different forms for one order are a different risk: two tabs, or two agents, each placing a
reorder. The claim is taken under a lock on the order, and a reorder within
``rules.REPEAT_REORDER_WINDOW_DAYS`` of another goes through only when the agent was shown that
one and asked for another; a second cancel-and-replace of the same order never starts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Address, Order
from portal.orders import rules
from portal.store import Store
from portal.store.actions import (
    CANCEL_SENT,
    NOT_STARTED,
    ORIGINAL_CANCELED,
    STALE_CLAIM,
    ActionClaim,
    OrderAction,
    PlannedAction,
)

REORDER = "reorder"
REPLACE = "replace"
#: Suffix letters of the new order's reference, so a reference tells how the order came about.
_REFERENCE_MARK = {REORDER: "R", REPLACE: "C"}

#: Records one audit entry: ``record(audit_name, outcome, **fields)``, in the agent's name.
Recorder = Callable[..., object]


def _not_recorded(*args, **fields) -> None:
    """For callers outside the portal's pages (tests, scripts) that keep no audit log."""


class ActionInProgress(Exception):
    """Another request holds this form's key and has not finished yet."""

    #: What it means for the page that meets it, as a Gelato error says it.
    title = "Nothing was placed"
    http_status = 409
    retry_safe = False

    def __init__(self, since: datetime | None = None):
        self.since = since
        message = (
            "This form is already being processed (a double click, or another tab). Wait a "
            "moment, then open the order again to see the result."
        )
        if since is not None:
            message += (
                f" If the request that began it at {since:%H:%M} UTC was interrupted, it can be "
                f"resumed from {since + STALE_CLAIM:%H:%M} UTC."
            )
        self.message = message
        super().__init__(message)


class NothingToResume(Exception):
    """The action was begun before the portal stored what it places: it cannot be finished."""

    title = "Nothing was placed"
    http_status = 409
    retry_safe = False

    def __init__(self):
        super().__init__(
            "This replacement was begun before the portal kept the address and method typed for "
            "it, so it cannot be placed from here: place a reorder of the canceled order with the "
            "corrected details."
        )


@dataclass(frozen=True)
class Placed:
    """What placing an order came to."""

    order: Order
    #: The original order was canceled in this action (cancel and re-place).
    original_canceled: bool
    #: This form had already placed the order; nothing new was placed now.
    repeated: bool
    #: The order it copies.
    original: Order | None = None


@dataclass
class PartlyDone(Exception):
    """The original order was canceled but its replacement could not be placed (yet)."""

    cause: errors.GelatoError
    #: The form's key: resuming it places the replacement.
    key: str = ""

    @property
    def http_status(self) -> int:
        return self.cause.http_status


@dataclass(frozen=True)
class EarlierAction:
    """Another reorder or cancel-and-replace of the same order, as the agent is shown it."""

    key: str
    action: rules.Action
    actor: str
    at: datetime
    #: The order it placed, once Gelato confirmed it.
    order_id: str | None
    order_reference: str | None

    @property
    def placed(self) -> bool:
        return self.order_id is not None


class AlreadyReordered(Exception):
    """The order was reordered within the window, and the agent did not ask for another one
    after seeing that reorder (or a new one appeared since: a second tab, a colleague)."""

    title = "Nothing was placed"
    http_status = 409
    retry_safe = False

    def __init__(self, earlier: tuple[EarlierAction, ...]):
        self.earlier = earlier
        super().__init__(
            "This order was reordered already. Nothing was placed: check the reorder shown, and "
            "tick “Place another one” only if the customer needs a second one."
        )


class ChangeUnderWay(Exception):
    """Another cancel-and-replace of the same order has begun; this one never starts."""

    title = "Nothing was placed"
    http_status = 409
    retry_safe = False

    def __init__(self, other: EarlierAction):
        self.other = other
        super().__init__(
            f"Another change of this order was begun by {other.actor} at {other.at:%H:%M} UTC. "
            "Nothing was done now: finish that one instead."
        )


@dataclass(frozen=True)
class Owed:
    """A replacement owed: the original is canceled (or its cancel was sent and not confirmed)
    and its corrected copy is not placed yet."""

    key: str
    action: rules.Action
    order_id: str
    order_reference: str
    actor: str
    started_at: datetime
    #: Gelato confirmed the cancel; False while it was sent without an answer.
    cancel_confirmed: bool
    #: What the replacement will be: the address and method the agent confirmed.
    address: Address | None
    shipment_method_name: str
    #: A request is placing it right now (or died doing so less than ``STALE_CLAIM`` ago).
    in_progress: bool


def placed_message(placed: Placed) -> str:
    """What placing came to, in one sentence."""
    new = placed.order.order_reference_id
    old = placed.original.order_reference_id if placed.original else "the original"
    if placed.repeated:
        return f"This form had already placed order {new}; nothing new was placed."
    if placed.original_canceled:
        return (
            f"Gelato canceled order {old} and accepted its replacement {new}, with the corrected "
            "details."
        )
    return f"Gelato accepted the reorder {new} of order {old}."


def new_reference(original: Order, action: str, key: str) -> str:
    return f"{original.order_reference_id}-{_REFERENCE_MARK[action]}{key[:8]}"


def kind_of(action: rules.Action) -> str:
    return REPLACE if action.replaces_original else REORDER


def place_once(
    client: GelatoClient,
    store: Store,
    *,
    key: str,
    action: rules.Action,
    original: Order,
    address: Address,
    shipment_method_uid: str | None,
    shipment_method_name: str = "",
    actor: str,
    record: Recorder = _not_recorded,
    acknowledged: Collection[str] = (),
    now: datetime | None = None,
) -> Placed:
    """Place a copy of ``original`` with ``address`` and method, once per ``key``.

    For a cancel-and-replace the original is canceled first and the new order is placed only
    once the cancellation is confirmed; a reorder leaves the original as it is. ``acknowledged``
    are the keys of the earlier reorders the agent was shown and asked to place another beside.

    Raises ``ActionInProgress`` when another request holds the key, ``AlreadyReordered`` or
    ``ChangeUnderWay`` when another form acted on the same order, the client's errors when Gelato
    refuses or cannot be reached before anything changed (the key can be used again: a retry is
    safe), and ``PartlyDone`` when the original is canceled but the new order is not placed.
    """
    now = now or datetime.now(UTC)
    kind = kind_of(action)
    plan = PlannedAction(
        action=kind,
        slug=action.slug,
        order_id=original.id,
        order_reference=original.order_reference_id,
        shipping_address=json.dumps(address.to_create_json(), sort_keys=True),
        shipment_method_uid=shipment_method_uid,
        shipment_method_name=shipment_method_name,
    )
    since = now - timedelta(days=rules.REPEAT_REORDER_WINDOW_DAYS) if kind == REORDER else None
    claim = store.actions.claim(
        key, plan, actor=actor, now=now, others_since=since, acknowledged=acknowledged
    )
    if claim.blocked_by:
        earlier = tuple(_earlier(row) for row in claim.blocked_by)
        if kind == REORDER:
            raise AlreadyReordered(earlier)
        raise ChangeUnderWay(earlier[-1])
    return _carry_out(client, store, claim, original, record=record)


def resume(
    client: GelatoClient,
    store: Store,
    key: str,
    *,
    order_id: str,
    actor: str,
    record: Recorder = _not_recorded,
    now: datetime | None = None,
) -> Placed:
    """Finish the action begun under ``key`` on ``order_id`` with what it stored: no eligibility
    check, since an action begun is finished, not judged again. KeyError when no such action
    exists; otherwise as ``place_once``."""
    row = store.actions.get(key)
    if row is None or row.order_id != order_id:
        raise KeyError(key)
    if row.shipping_address is None:
        raise NothingToResume
    claim = store.actions.take_over(key, actor=actor, now=now or datetime.now(UTC))
    original = client.get_order(claim.row.order_id)
    return _carry_out(client, store, claim, original, record=record, resumed=True)


def begun(store: Store, key: str) -> bool:
    """Whether the form with this key did, or may have done, something at Gelato: then its
    confirm resumes it instead of checking the order again."""
    row = store.actions.get(key)
    return row is not None and row.begun


def earlier_reorders(store: Store, order: Order, now: datetime | None = None):
    """The reorders of ``order`` begun within the window, oldest first."""
    since = (now or datetime.now(UTC)) - timedelta(days=rules.REPEAT_REORDER_WINDOW_DAYS)
    rows = store.actions.begun_for(order.id, action=REORDER, since=since)
    return tuple(_earlier(row) for row in rows)


def owed_replacements(
    store: Store, *, order_id: str | None = None, now: datetime | None = None
) -> tuple[Owed, ...]:
    """Every replacement owed (of one order, if given), oldest first."""
    now = now or datetime.now(UTC)
    return tuple(_owed(row, now) for row in store.actions.owed(order_id=order_id))


# ----------------------------------------------------------------------------------------------


def _carry_out(
    client: GelatoClient,
    store: Store,
    claim: ActionClaim,
    original: Order,
    *,
    record: Recorder,
    resumed: bool = False,
) -> Placed:
    row = claim.row
    if not claim.won:
        if row.state == "done" and row.result_order_id:
            order = client.get_order(row.result_order_id)
            return Placed(order, row.step == ORIGINAL_CANCELED, repeated=True, original=original)
        raise ActionInProgress(row.updated_at)

    action = rules.action(row.slug) if row.slug else _untold(row)
    audit = {"order_id": original.id, "order_reference": original.order_reference_id}
    canceled = row.step == ORIGINAL_CANCELED
    if row.action == REPLACE and not canceled:
        _cancel_step(client, store, row, action, audit, record)
        canceled = True

    address = Address.from_json(json.loads(row.shipping_address))
    asked = {
        "step": "place the replacement" if row.action == REPLACE else "place the reorder",
        "action": row.action,
        "shippingAddress": address.to_create_json(),
        "shipmentMethodUid": row.shipment_method_uid,
        "idempotencyKey": row.key,
        "resumed": resumed,
    }
    reference = new_reference(original, row.action, row.key)
    try:
        found = _existing_order(client, reference, claim)
        order = found or client.create_order(
            reference,
            customer_reference_id=original.customer_reference_id,
            currency=original.currency,
            items=original.items,
            shipping_address=address,
            shipment_method_uid=row.shipment_method_uid,
            metadata=_link_metadata(original, row.action),
        )
    except errors.GelatoError as error:
        # Unreachable means it may have landed: the next attempt looks for it before placing.
        store.actions.give_up(row.key, unconfirmed=isinstance(error, errors.GelatoUnavailable))
        record(action.audit_name, error.audit_outcome, request=asked, gelato_answer=error, **audit)
        if canceled:
            raise PartlyDone(error, row.key) from error
        raise
    store.actions.finish(
        row.key, result_order_id=order.id, result_reference=order.order_reference_id
    )
    answer = {"newOrderId": order.id, "originalCanceled": canceled}
    if found is not None:
        answer["foundByReference"] = True
    record(action.audit_name, "succeeded", request=asked, gelato_answer=answer, **audit)
    return Placed(order, canceled, repeated=False, original=original)


def _cancel_step(
    client: GelatoClient,
    store: Store,
    row: OrderAction,
    action: rules.Action,
    audit: dict,
    record: Recorder,
) -> None:
    """Cancel the original, unless an earlier attempt did. The step is stored before the call
    (it may land unanswered) and once Gelato confirmed it."""
    asked = {"step": "cancel the original", "action": REPLACE, "idempotencyKey": row.key}
    sent_before, sent_now = row.step == CANCEL_SENT, False
    try:
        # A retry after an unconfirmed cancel must not send a second cancel Gelato may refuse.
        already = client.get_order(row.order_id).fulfillment_status == "canceled"
        if not already:
            store.actions.record_step(row.key, CANCEL_SENT)
            sent_now = True
            client.cancel_order(row.order_id)
    except errors.GelatoError as error:
        # Canceled perhaps, if a cancel went unanswered; else nothing changed, nothing is owed.
        maybe = (sent_now and isinstance(error, errors.GelatoUnavailable)) or (
            sent_before and not sent_now
        )
        store.actions.give_up(
            row.key, unconfirmed=maybe, step=CANCEL_SENT if maybe else NOT_STARTED
        )
        record(action.audit_name, error.audit_outcome, request=asked, gelato_answer=error, **audit)
        raise
    store.actions.record_step(row.key, ORIGINAL_CANCELED)
    answer = {"fulfillmentStatus": "canceled"}
    if already:
        answer["alreadyCanceled"] = True
    record(action.audit_name, "succeeded", request=asked, gelato_answer=answer, **audit)


def _existing_order(client: GelatoClient, reference: str, claim: ActionClaim) -> Order | None:
    """After an unconfirmed attempt, the order it may have placed."""
    if claim.previous_state != "uncertain":
        return None
    return client.find_created_order(reference)


def _link_metadata(original: Order, action: str) -> dict[str, str]:
    key = "reorderOf" if action == REORDER else "replacesOrder"
    return {key: original.id, f"{key}Reference": original.order_reference_id[:100]}


def _untold(row: OrderAction) -> rules.Action:
    """The rules action of a row stored before rows named it."""
    return rules.REORDER if row.action == REORDER else rules.CHANGE_ADDRESS


def _earlier(row: OrderAction) -> EarlierAction:
    return EarlierAction(
        key=row.key,
        action=rules.action(row.slug) if row.slug else _untold(row),
        actor=row.actor,
        at=row.created_at,
        order_id=row.result_order_id if row.state == "done" else None,
        order_reference=row.result_reference if row.state == "done" else None,
    )


def _owed(row: OrderAction, now: datetime) -> Owed:
    return Owed(
        key=row.key,
        action=rules.action(row.slug) if row.slug else _untold(row),
        order_id=row.order_id,
        order_reference=row.order_reference or row.order_id,
        actor=row.actor,
        started_at=row.created_at,
        cancel_confirmed=row.step == ORIGINAL_CANCELED,
        address=Address.from_json(json.loads(row.shipping_address))
        if row.shipping_address
        else None,
        shipment_method_name=row.shipment_method_name or row.shipment_method_uid or "",
        in_progress=row.state == "running" and not row.is_stale(now),
    )
