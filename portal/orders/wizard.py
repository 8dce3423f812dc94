"""The three steps of the forms that place an order: edit, review side by side, confirm.

A reorder and the cancel-and-replace behind a change of address or shipping method share this
shape. Every step re-sends every field, so a refused check, an expired page or an unreachable
Gelato shows the same form again with everything the agent typed. Plain Python, testable without
Flask: the web layer reads its form into a ``Submission``, calls ``take_step`` and renders the
``Step`` it gets back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Address, Order, QuotedShipmentMethod
from portal.knowledge import ADDRESS_PROBLEM_ARTICLE
from portal.orders import placing, rules, service
from portal.orders.addresses import clean_address, problems_with, to_address
from portal.store import Store

#: What the agent asked for, by the button they pressed.
REVIEW = "review"
CONFIRM = "confirm"
BACK = "back"

#: The page a step ends on: the portal cannot do it now, the form, the review, the new order.
CLOSED = "closed"
EDIT = "edit"
REVIEWING = "reviewing"
PLACED = "placed"

#: Records one audit entry: ``record(audit_name, outcome, **fields)``, in the agent's name.
Recorder = Callable[..., object]


class ChangeOptions:
    """Which ways of doing an action are open for an order, by the rules table.

    ``portal``: this portal can do it now (a reorder; or cancel and re-place while the order can
    still be canceled). ``dashboard``: Gelato's Dashboard offers the change itself. ``support``:
    only Gelato Support can help (past production, or Gelato asked for the correction).
    """

    support_article = ADDRESS_PROBLEM_ARTICLE

    def __init__(self, action: rules.Action, order: Order):
        code = order.fulfillment_status
        self.refusal = rules.why_not(action, code)
        self.dashboard = self.refusal is None
        if action.replaces_original:
            self.portal = rules.can_cancel_and_replace(code, order.order_type)
            self.support = not self.portal and rules.status(code).stage == rules.PRODUCTION
        else:
            self.portal = self.dashboard
            self.support = False


@dataclass(frozen=True)
class Submission:
    """What the agent sent from one of the pages: every field, each time."""

    #: The form's idempotency key: one order at most per key.
    key: str
    #: The address fields as typed.
    address: Mapping[str, str]
    shipment_method_uid: str
    #: ``REVIEW``, ``CONFIRM`` or ``BACK``.
    asked: str
    understood_charge: bool


@dataclass(frozen=True)
class Step:
    """Where a submission leads: the page to show, and everything it shows."""

    page: str
    action: rules.Action
    order: Order
    options: ChangeOptions
    #: The address fields as the form shows them now (cleaned), or None to leave them as they are.
    address: Mapping[str, str] | None = None
    #: The shipping methods offered, and the one the form shows chosen.
    methods: tuple[QuotedShipmentMethod, ...] = ()
    method_uid: str | None = None
    #: What is wrong, by field name (an address field, ``shipment_method``, ``understood_charge``).
    problems: Mapping[str, str] = field(default_factory=dict)
    #: What the review compares with the order as it is.
    new_address: Address | None = None
    method: QuotedShipmentMethod | None = None
    #: Why Gelato (or another request holding the form) did not let it happen.
    error: errors.GelatoError | placing.ActionInProgress | None = None
    #: The original is canceled but its replacement is not placed yet.
    original_canceled: bool = False
    placed: placing.Placed | None = None

    @property
    def http_status(self) -> int:
        return self.error.http_status if self.error else 200

    @property
    def message(self) -> str:
        """What placing came to, in one sentence."""
        if self.placed is None:
            return ""
        new = self.placed.order.order_reference_id
        if self.placed.repeated:
            return f"This form had already placed order {new}; nothing new was placed."
        if self.action.replaces_original:
            return (
                f"Gelato canceled order {self.order.order_reference_id} and accepted its "
                f"replacement {new}, with the corrected details."
            )
        return f"Gelato accepted the reorder {new} of order {self.order.order_reference_id}."


def take_step(
    client: GelatoClient,
    store: Store,
    *,
    action: rules.Action,
    order: Order,
    submission: Submission | None,
    actor: str,
    record: Recorder,
) -> Step:
    """Check what was sent and go one step on: back to the form with each problem beside its
    field, on to the review, or, confirmed, place the order. ``submission`` is None when the
    form is only being shown."""
    options = ChangeOptions(action, order)
    page = {"action": action, "order": order, "options": options}
    if not options.portal:
        return Step(CLOSED, **page)

    address, problems, new_address = None, {}, None
    if submission is not None:
        address = clean_address(submission.address)
        fixed_country = order.shipping_address.country if action.replaces_original else None
        problems = problems_with(address, fixed_country=fixed_country)
        if not problems:
            new_address = to_address(address, order.shipping_address)
    page["address"] = address
    try:
        methods = tuple(
            service.shipping_options(client, order, new_address or order.shipping_address)
        )
    except errors.GelatoError as error:
        return Step(EDIT, **page, problems=problems, error=error)
    asked_uid = submission.shipment_method_uid if submission else None
    method = _offered(methods, asked_uid, order)
    page.update(methods=methods, method_uid=method.shipment_method_uid if method else asked_uid)
    if submission is not None and method is None:
        problems["shipment_method"] = "Choose one of the shipping methods listed."

    if submission is None or submission.asked == BACK or problems:
        return Step(EDIT, **page, problems=problems)
    review = {**page, "new_address": new_address, "method": method}
    if submission.asked != CONFIRM:
        return Step(REVIEWING, **review)
    if not submission.understood_charge:
        problems = {"understood_charge": "Tick this to confirm you know the new order is charged."}
        return Step(REVIEWING, **review, problems=problems)
    return _place(client, store, submission.key, review, actor=actor, record=record)


def _place(
    client: GelatoClient, store: Store, key: str, review: dict, *, actor: str, record: Recorder
) -> Step:
    action, order = review["action"], review["order"]
    kind = placing.REPLACE if action.replaces_original else placing.REORDER
    address, method_uid = review["new_address"], review["method"].shipment_method_uid
    asked = {
        "action": kind,
        "shippingAddress": address.to_create_json(),
        "shipmentMethodUid": method_uid,
        "idempotencyKey": key,
    }
    audit = {"order_id": order.id, "order_reference": order.order_reference_id, "request": asked}
    try:
        placed = placing.place_once(
            client,
            store,
            key=key,
            action=kind,
            original=order,
            address=address,
            shipment_method_uid=method_uid,
            actor=actor,
        )
    except placing.ActionInProgress as busy:
        return Step(REVIEWING, **review, error=busy)
    except placing.PartlyDone as partly:
        record(action.audit_name, "failed", gelato_answer=partly.cause, **audit)
        return Step(REVIEWING, **review, error=partly.cause, original_canceled=True)
    except errors.GelatoError as error:
        record(action.audit_name, error.audit_outcome, gelato_answer=error, **audit)
        return Step(REVIEWING, **review, error=error)
    if not placed.repeated:
        answer = {"newOrderId": placed.order.id, "originalCanceled": placed.original_canceled}
        record(action.audit_name, "succeeded", gelato_answer=answer, **audit)
    return Step(PLACED, **review, placed=placed)


def _offered(
    methods: tuple[QuotedShipmentMethod, ...], asked_uid: str | None, order: Order
) -> QuotedShipmentMethod | None:
    """The method the agent chose if it is offered; else the order's own, else the first."""
    by_uid = {method.shipment_method_uid: method for method in methods}
    if asked_uid in by_uid:
        return by_uid[asked_uid]
    current = order.shipment.shipment_method_uid if order.shipment else None
    return by_uid.get(current) or (methods[0] if methods else None)
