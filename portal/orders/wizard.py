"""The three steps of the forms that place an order: edit, review side by side, confirm.

A reorder and the cancel-and-replace behind a change of address or shipping method share this
shape. Every step re-sends every field, so a refused check, an expired page or an unreachable
Gelato shows the same form again with everything the agent typed. Plain Python, testable without
Flask: the web layer reads its form into a ``Submission``, calls ``take_step`` and renders the
``Step`` it gets back.
"""

from __future__ import annotations

from collections.abc import Mapping
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

#: The page a step ends on: the portal cannot do it now, a replacement of this order is owed
#: (finish that first), the form, the review, the new order.
CLOSED = "closed"
OWED = "owed"
EDIT = "edit"
REVIEWING = "reviewing"
PLACED = "placed"


class ChangeOptions:
    """Which ways of doing an action are open for an order, by the rules table.

    ``portal``: this portal can do it now (a reorder; or cancel and re-place while the order can
    still be canceled). ``dashboard``: Gelato's Dashboard offers the change itself. ``support``:
    only Gelato Support can help (past production, or Gelato asked for the correction).
    """

    support_article = ADDRESS_PROBLEM_ARTICLE

    def __init__(self, action: rules.Action, order: Order):
        #: Whether the action itself is possible (and if not, why), read from the items too.
        self.decision = decision = rules.decide(action, order)
        self.refusal = decision.refusal
        self.dashboard = decision.allowed
        deciding = decision.item.fulfillment_status if decision.item else order.fulfillment_status
        if action.replaces_original:
            self.portal = rules.can_replace(order)
            self.support = not self.portal and rules.status(deciding).stage == rules.PRODUCTION
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
    #: "Place another one", ticked beside the earlier reorders whose keys are ``acknowledged``.
    place_another: bool = False
    acknowledged: tuple[str, ...] = ()


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
    #: Why Gelato (or another request or form) did not let it happen.
    error: Exception | None = None
    #: The original is canceled but its replacement is not placed yet.
    original_canceled: bool = False
    placed: placing.Placed | None = None
    #: Replacements of this order still owed, and its reorders within the window.
    owed: tuple[placing.Owed, ...] = ()
    earlier: tuple[placing.EarlierAction, ...] = ()

    @property
    def http_status(self) -> int:
        return self.error.http_status if self.error else 200

    @property
    def key(self) -> str:
        """The key of this form's own owed replacement, once it canceled the original."""
        return self.error.key if isinstance(self.error, placing.PartlyDone) else ""


def take_step(
    client: GelatoClient,
    store: Store,
    *,
    action: rules.Action,
    order: Order,
    submission: Submission | None,
    actor: str,
    record: placing.Recorder,
) -> Step:
    """Check what was sent and go one step on: back to the form with each problem beside its
    field, on to the review, or, confirmed, place the order. ``submission`` is None when the
    form is only being shown.

    A form confirmed again after it began (the original canceled, a create unconfirmed) is
    finished whatever the order's status is now: its own cancel is why the rules would refuse.
    """
    options = ChangeOptions(action, order)
    resuming = (
        submission is not None
        and submission.asked == CONFIRM
        and placing.begun(store, submission.key)
    )
    owed = placing.owed_replacements(store, order_id=order.id)
    page = {
        "action": action,
        "order": order,
        "options": options,
        "owed": owed,
        "earlier": () if action.replaces_original else placing.earlier_reorders(store, order),
    }
    if not resuming:
        if owed and action.replaces_original:
            return Step(OWED, **page)
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
    # Confirmed, the method is the one the agent reviewed: never another one in its place.
    switched = (
        submission is not None
        and submission.asked == CONFIRM
        and method is not None
        and method.shipment_method_uid != asked_uid
    )
    if submission is not None and (method is None or switched):
        problems["shipment_method"] = METHOD_PROBLEM

    if submission is None or submission.asked == BACK or problems:
        return Step(EDIT, **page, problems=problems)
    review = {**page, "new_address": new_address, "method": method}
    if submission.asked != CONFIRM:
        return Step(REVIEWING, **review)
    if not resuming:
        if any(earlier.key not in submission.acknowledged for earlier in review["earlier"]):
            # A reorder placed since this form was shown: the same refusal as when it lands
            # while this one is being placed, whichever of the two moments it came in.
            refused = placing.AlreadyReordered(review["earlier"])
            return Step(REVIEWING, **review, error=refused, problems=_another_one())
        problems = _unconfirmed(submission, review["earlier"])
        if problems:
            return Step(REVIEWING, **review, problems=problems)
    return _place(client, store, submission, review, actor=actor, record=record)


def _unconfirmed(submission: Submission, earlier) -> dict[str, str]:
    """What the agent must tick before anything is placed."""
    problems = {}
    if not submission.understood_charge:
        problems["understood_charge"] = "Tick this to confirm you know the new order is charged."
    if earlier and not submission.place_another:
        problems["place_another"] = ANOTHER_ONE_PROBLEM
    return problems


def _another_one() -> dict[str, str]:
    return {"place_another": ANOTHER_ONE_PROBLEM}


METHOD_PROBLEM = "Choose one of the shipping methods listed."
ANOTHER_ONE_PROBLEM = (
    "This order was reordered already: its reorder is listed at the top of this page. Tick this "
    "to place another one; otherwise nothing is placed."
)


def _place(
    client: GelatoClient,
    store: Store,
    submission: Submission,
    review: dict,
    *,
    actor: str,
    record: placing.Recorder,
) -> Step:
    method = review["method"]
    try:
        placed = placing.place_once(
            client,
            store,
            key=submission.key,
            action=review["action"],
            original=review["order"],
            address=review["new_address"],
            shipment_method_uid=method.shipment_method_uid,
            shipment_method_name=method.name,
            actor=actor,
            record=record,
            acknowledged=submission.acknowledged if submission.place_another else (),
        )
    except placing.AlreadyReordered as refused:
        # Another reorder appeared since the form was shown: show it, place nothing.
        review = {**review, "earlier": refused.earlier}
        return Step(REVIEWING, **review, error=refused, problems=_another_one())
    except placing.PartlyDone as partly:
        return Step(REVIEWING, **_owed_now(store, review), error=partly, original_canceled=True)
    except (placing.ActionInProgress, placing.ChangeUnderWay, errors.GelatoError) as error:
        # A cancel sent without an answer leaves a replacement owed too.
        return Step(REVIEWING, **_owed_now(store, review), error=error)
    return Step(PLACED, **{**review, "owed": ()}, placed=placed)


def _owed_now(store: Store, review: dict) -> dict:
    return {**review, "owed": placing.owed_replacements(store, order_id=review["order"].id)}


def _offered(
    methods: tuple[QuotedShipmentMethod, ...], asked_uid: str | None, order: Order
) -> QuotedShipmentMethod | None:
    """The method the agent chose if it is offered; else the order's own, else the first."""
    by_uid = {method.shipment_method_uid: method for method in methods}
    if asked_uid in by_uid:
        return by_uid[asked_uid]
    current = order.shipment.shipment_method_uid if order.shipment else None
    return by_uid.get(current) or (methods[0] if methods else None)
