"""What each Gelato order status still allows an agent to do, and what to do when it is too late.

This table is the one place where the help center reads Gelato's rules: the order page, the action
forms, the JSON API and the knowledge base's status glossary all ask it. Gelato's documentation says
"before the order goes to print" for every change, and its API refuses to cancel once an item is
printed; read together and strictly, changes are possible while an order is ``passed`` and
cancellation until then (plus the states that wait for someone to act), never from
``in_production`` on. Where Gelato is silent, an entry says so rather than guess.

Pure data and functions: no Flask, no HTTP, so the docs build and every part of the portal can
import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from portal.knowledge import (
    DAMAGE_REPORT_WINDOW_DAYS,
    ON_HOLD_OR_FAILED,
    STATUS_GLOSSARY,
    WHERE_IS_MY_ORDER,
    Article,
)
from portal.requests.scenarios import ADDRESS_PROBLEM, DAMAGED_PRODUCT, SOMETHING_ELSE


@dataclass(frozen=True)
class Action:
    """A self-service action an agent can take on an order."""

    slug: str
    #: The column heading of the status overview: one or two words.
    short_title: str
    summary: str
    #: The article that explains it; its title is the action's title.
    article: Article
    #: What the audit log calls it; None for an action that only reads and so records nothing.
    audit_name: str | None = None

    @property
    def title(self) -> str:
        return self.article.title

    @property
    def portal_path(self) -> str:
        """The portal's guided form for this action."""
        return f"/portal/actions/{self.slug}/"


CHECK_STATUS = Action(
    "check-status",
    "Check status",
    "Where an order is now, and when it should arrive.",
    Article("actions/check-status.md", "Check order status"),
)
CHECK_TRACKING = Action(
    "check-tracking",
    "Tracking",
    "How an order ships, and the link that follows its parcel.",
    Article("actions/check-tracking.md", "Check shipping method and tracking link"),
)
CHANGE_ADDRESS = Action(
    "change-address",
    "Address",
    "Correct where an order goes, before it goes to print.",
    Article("actions/change-address.md", "Change the shipping address"),
    audit_name="change_address",
)
CHANGE_SHIPPING_METHOD = Action(
    "change-shipping-method",
    "Shipping method",
    "Switch between economy and express, before the order goes to print.",
    Article("actions/change-shipping-method.md", "Change the shipping method"),
    audit_name="change_shipping",
)
CANCEL_ORDER = Action(
    "cancel-order",
    "Cancel",
    "Stop an order before production starts.",
    Article("actions/cancel-order.md", "Cancel an order"),
    audit_name="cancel",
)
REORDER = Action(
    "reorder",
    "Reorder",
    "Send the same items again: after damage, loss, a return or a failed order.",
    Article("actions/reorder.md", "Place a reorder"),
    audit_name="reorder",
)

#: Every action, in the order an agent usually needs them.
ACTIONS = (
    CHECK_STATUS,
    CHECK_TRACKING,
    CHANGE_ADDRESS,
    CHANGE_SHIPPING_METHOD,
    CANCEL_ORDER,
    REORDER,
)
_ACTIONS_BY_SLUG = {action.slug: action for action in ACTIONS}


@dataclass(frozen=True)
class Refusal:
    """Why an action is not possible in a status, and the next best thing to do."""

    reason: str
    next_step: str
    #: The article that helps with the next step, if one does.
    see: Article | None = None


@dataclass(frozen=True)
class Stage:
    """A group of statuses that mean the same thing to the customer."""

    slug: str
    title: str


BEING_CHECKED = Stage("being-checked", "Being checked by Gelato")
BEFORE_PRINT = Stage("before-print", "Accepted, not yet printed")
PRODUCTION = Stage("production", "In production")
ON_ITS_WAY = Stage("on-its-way", "On its way")
ARRIVED_OR_BACK = Stage("arrived-or-back", "Delivered or sent back")
WAITING = Stage("waiting", "Waiting for someone to act")
STOPPED = Stage("stopped", "Stopped")

#: The typical path first, then the side states.
STAGES = (BEING_CHECKED, BEFORE_PRINT, PRODUCTION, ON_ITS_WAY, ARRIVED_OR_BACK, WAITING, STOPPED)


@dataclass(frozen=True)
class Status:
    """One fulfillment status: what it means in plain words and what it still allows.

    An action is allowed unless ``refusals`` says why not, so every action in every status has
    either a yes or a reason.
    """

    code: str
    label: str
    stage: Stage
    meaning: str
    refusals: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    #: Whether the parcel has been handed to the carrier, so a tracking link can exist (when the
    #: shipping method has tracking).
    handed_to_carrier: bool = False
    #: An article that says what to do with an order in this status, beyond the actions.
    see: Article | None = None

    @property
    def article_url(self) -> str:
        """This status's entry in the glossary."""
        return f"{STATUS_GLOSSARY.url}#{self.code}"

    def allows(self, action: Action | str) -> bool:
        return _slug(action) not in self.refusals


def _refusals(**by_action: Refusal) -> MappingProxyType:
    """Key refusals by action slug (``change_address`` for ``change-address``)."""
    mapping = {name.replace("_", "-"): refusal for name, refusal in by_action.items()}
    for slug in mapping:
        if slug not in _ACTIONS_BY_SLUG:
            raise ValueError(f"no action {slug!r}")
    return MappingProxyType(mapping)


# Refusals shared by several statuses, named for the situation they describe.

_STILL_CHECKING_CHANGE = Refusal(
    "Gelato is still checking the order; the Dashboard offers this change once the order is "
    "accepted (passed).",
    "Check again in a few minutes and make the change as soon as the order shows passed: that "
    "window can be short.",
)
_WAITING_CHANGE = Refusal(
    "As documented by Gelato, the Dashboard makes this change only while an order is passed.",
    "Resolve what the order is waiting for, then make the change as soon as it shows passed; or "
    "cancel it now and place a corrected order.",
    STATUS_GLOSSARY,
)
_NOT_YET_PRINTED_REORDER = Refusal(
    "The order has not gone to print yet, so a reorder would only duplicate it, and be charged "
    "a second time.",
    "Change or cancel this order instead.",
)
_PRINTED_ADDRESS = Refusal(
    "The order has gone to print: as documented by Gelato, the address can no longer be changed "
    "through self-service.",
    "If Gelato's shipping team asked you to correct this address, do it from the link in their "
    "email even now, and contact Gelato Support if the Dashboard refuses. Otherwise the only "
    "self-service remedy is a reorder to the right address, charged as a new order.",
    ADDRESS_PROBLEM.article,
)
_PRINTED_METHOD = Refusal(
    "The order has gone to print: as documented by Gelato, the shipping method can no longer be "
    "changed through self-service.",
    "It ships with the method chosen when it was ordered. If the customer must have it sooner, "
    "a reorder with express shipping is the only self-service option, charged as a new order.",
)
_WITH_CARRIER_ADDRESS = Refusal(
    "The parcel is already with the carrier.",
    "Self-service cannot redirect it. If delivery fails and it comes back (returned), confirm the "
    "address with the customer and place a reorder.",
    WHERE_IS_MY_ORDER,
)
_WITH_CARRIER_METHOD = Refusal(
    "The parcel is already on its way with the method chosen at order time.",
    "Nothing to change now: share the tracking link with the customer.",
    WHERE_IS_MY_ORDER,
)
_WITH_CARRIER_CANCEL = Refusal(
    "The parcel is already with the carrier; a shipped order cannot be canceled.",
    "Share the tracking link. If the customer no longer wants the item, your own return policy "
    "applies once it arrives.",
    WHERE_IS_MY_ORDER,
)
_DELIVERED_CHANGE = Refusal(
    "The order has been delivered.",
    "Nothing to change. If the customer says it never arrived, follow Where is my order?",
    WHERE_IS_MY_ORDER,
)
_RETURNED_CHANGE = Refusal(
    "Delivery failed and the parcel went back; this order will not be delivered again.",
    "Confirm the address with the customer and place a reorder with the right details.",
)
_CANCELED_CHANGE = Refusal(
    "The order is canceled: nothing more can be done with it.",
    "If the customer still wants the items, place a reorder with the right details.",
)
_FAILED_CHANGE = Refusal(
    "Gelato rejected the order when it was created, so there is nothing to change.",
    "Fix the cause Gelato names (often the address or a file) and place a reorder; as documented "
    "by Gelato, an order that could not be processed is not charged.",
    ON_HOLD_OR_FAILED,
)
_DRAFT_CHANGE = Refusal(
    "A draft is not a placed order, and Gelato documents no way to change a draft's address or "
    "shipping method.",
    "Delete the draft and create the order again with the right details.",
)

# Whole refusal tables, for statuses that refuse alike.

_STILL_CHECKING_REFUSALS = _refusals(
    change_address=_STILL_CHECKING_CHANGE,
    change_shipping_method=_STILL_CHECKING_CHANGE,
    reorder=_NOT_YET_PRINTED_REORDER,
)
_WITH_CARRIER_REFUSALS = _refusals(
    change_address=_WITH_CARRIER_ADDRESS,
    change_shipping_method=_WITH_CARRIER_METHOD,
    cancel_order=_WITH_CARRIER_CANCEL,
)
_WAITING_REFUSALS = _refusals(
    change_address=_WAITING_CHANGE,
    change_shipping_method=_WAITING_CHANGE,
    reorder=_NOT_YET_PRINTED_REORDER,
)

_STATUSES = (
    Status(
        "created",
        "Created",
        BEING_CHECKED,
        "Gelato has just received the order; its checks have not started yet.",
        _STILL_CHECKING_REFUSALS,
    ),
    Status(
        "uploading",
        "Being checked",
        BEING_CHECKED,
        "Gelato is checking the order (files, address, products) before accepting it.",
        _STILL_CHECKING_REFUSALS,
    ),
    Status(
        "passed",
        "Accepted",
        BEFORE_PRINT,
        "Gelato accepted the order and is about to hand it to a print partner. This is the last "
        "moment for any change: as documented by Gelato, orders historically go to print around "
        "midnight in the destination country, so the window lasts minutes to hours.",
        _refusals(reorder=_NOT_YET_PRINTED_REORDER),
    ),
    Status(
        "in_production",
        "In production",
        PRODUCTION,
        "A print partner has accepted the order and production has begun.",
        _refusals(
            change_address=_PRINTED_ADDRESS,
            change_shipping_method=_PRINTED_METHOD,
            cancel_order=Refusal(
                "Production has begun: as documented by Gelato, an order can be canceled only "
                "before it goes to print.",
                "Let it complete; if it arrives damaged or defective, report it. If the customer "
                "refuses it, contact Gelato Support with the order number once it is printed "
                "(see Printed).",
                DAMAGED_PRODUCT.article,
            ),
        ),
    ),
    Status(
        "printed",
        "Printed",
        PRODUCTION,
        "The product is printed and waits to be handed to the carrier.",
        _refusals(
            change_address=_PRINTED_ADDRESS,
            change_shipping_method=_PRINTED_METHOD,
            cancel_order=Refusal(
                "The product is printed, so self-service can no longer cancel it.",
                "Contact Gelato Support with the order number before it ships: as documented by "
                "Gelato, it can throw the print away and hold the parcel back. You still pay for "
                "the printing, but get the shipping fee back.",
                SOMETHING_ELSE.article,
            ),
        ),
    ),
    Status(
        "shipped",
        "Shipped",
        ON_ITS_WAY,
        "Handed to the carrier; the tracking link appears on the order's page.",
        _WITH_CARRIER_REFUSALS,
        handed_to_carrier=True,
        see=WHERE_IS_MY_ORDER,
    ),
    Status(
        "in_transit",
        "In transit",
        ON_ITS_WAY,
        "The carrier is delivering the parcel.",
        _WITH_CARRIER_REFUSALS,
        handed_to_carrier=True,
        see=WHERE_IS_MY_ORDER,
    ),
    Status(
        "delivered",
        "Delivered",
        ARRIVED_OR_BACK,
        "The carrier reports the parcel delivered.",
        _refusals(
            change_address=_DELIVERED_CHANGE,
            change_shipping_method=_DELIVERED_CHANGE,
            cancel_order=Refusal(
                "The order has been delivered.",
                f"If it arrived damaged or defective, report it within "
                f"{DAMAGE_REPORT_WINDOW_DAYS} days of delivery.",
                DAMAGED_PRODUCT.article,
            ),
        ),
        handed_to_carrier=True,
        see=WHERE_IS_MY_ORDER,
    ),
    Status(
        "returned",
        "Returned",
        ARRIVED_OR_BACK,
        "Delivery failed and the parcel was sent back to the sender.",
        _refusals(
            change_address=_RETURNED_CHANGE,
            change_shipping_method=_RETURNED_CHANGE,
            cancel_order=Refusal(
                "The parcel has already come back; there is nothing left to cancel.",
                "Confirm the address with the customer and place a reorder if they still want "
                "the items.",
            ),
        ),
        handed_to_carrier=True,
        see=ADDRESS_PROBLEM.article,
    ),
    Status(
        "draft",
        "Draft",
        WAITING,
        "Saved but not placed: nothing is produced until it becomes a real order.",
        _refusals(
            change_address=_DRAFT_CHANGE,
            change_shipping_method=_DRAFT_CHANGE,
            cancel_order=Refusal(
                "A draft is not a placed order, so there is nothing to cancel.",
                "Delete the draft if it is not needed.",
            ),
            reorder=Refusal(
                "A draft has not been placed yet, so there is nothing to reorder.",
                "Place the draft as an order instead.",
            ),
        ),
    ),
    Status(
        "pending_approval",
        "Waiting for approval",
        WAITING,
        "Waits for someone on your team to approve it in the Dashboard; nothing is produced "
        "until then.",
        _WAITING_REFUSALS,
    ),
    Status(
        "pending_personalization",
        "Waiting for personalization",
        WAITING,
        "Waits for the end customer to personalise the item (an Etsy order); nothing is "
        "produced until then.",
        _WAITING_REFUSALS,
    ),
    Status(
        "digitizing",
        "Digitizing",
        WAITING,
        "An embroidery order whose design is being digitized (turned into stitches) before "
        "production.",
        _WAITING_REFUSALS,
    ),
    Status(
        "not_connected",
        "Not connected",
        WAITING,
        "Imported from your store without enough product data: its items must be connected to "
        "Gelato products before anything else can happen.",
        _WAITING_REFUSALS,
    ),
    Status(
        "on_hold",
        "On hold",
        WAITING,
        "Stopped after it was created until you act, for example because an item is "
        "discontinued or out of stock. Gelato emails the reason.",
        _refusals(
            change_address=_WAITING_CHANGE,
            change_shipping_method=_WAITING_CHANGE,
        ),
        see=ON_HOLD_OR_FAILED,
    ),
    Status(
        "canceled",
        "Canceled",
        STOPPED,
        "Canceled: nothing more can be done with this order.",
        _refusals(
            change_address=_CANCELED_CHANGE,
            change_shipping_method=_CANCELED_CHANGE,
            cancel_order=Refusal("The order is already canceled.", "Nothing more to do."),
        ),
    ),
    Status(
        "failed",
        "Failed",
        STOPPED,
        "Gelato rejected the order when it was created, usually because of a file or address "
        "problem (sometimes payment or stock). A failed order is not charged.",
        _refusals(
            change_address=_FAILED_CHANGE,
            change_shipping_method=_FAILED_CHANGE,
            cancel_order=Refusal(
                "Gelato rejected the order, so nothing is in progress to cancel.",
                "If the customer still wants the items, fix the cause and place a reorder.",
                ON_HOLD_OR_FAILED,
            ),
        ),
        see=ON_HOLD_OR_FAILED,
    ),
)

#: Every fulfillment status Gelato documents, by code, in the order of the glossary.
STATUSES = MappingProxyType({status.code: status for status in _STATUSES})


def status(code: str) -> Status:
    """The rules for ``code``; a status Gelato added after this table was written gets a safe
    stand-in that allows looking only, because a wrong "yes" costs more than a missing one."""
    try:
        return STATUSES[code]
    except KeyError:
        unknown = Refusal(
            f"This help center does not know the status {code!r} yet.",
            "Open the order in the Gelato Dashboard, which shows what is still possible.",
            STATUS_GLOSSARY,
        )
        return Status(
            code,
            code.replace("_", " ").capitalize(),
            WAITING,
            "A status this help center does not know yet.",
            _refusals(
                change_address=unknown,
                change_shipping_method=unknown,
                cancel_order=unknown,
                reorder=unknown,
            ),
        )


def action(slug: str) -> Action:
    """The action named by ``slug``; KeyError if there is none."""
    return _ACTIONS_BY_SLUG[slug]


def allowed_actions(code: str) -> tuple[Action, ...]:
    """The actions an order in status ``code`` still allows, in the usual order."""
    rules = status(code)
    return tuple(a for a in ACTIONS if rules.allows(a))


def is_allowed(action: Action | str, code: str) -> bool:
    return status(code).allows(action)


def can_cancel_and_replace(code: str, order_type: str) -> bool:
    """Whether the portal can still change an order's address or shipping method itself.

    Gelato's API edits no placed order, so the portal cancels it and places a corrected copy: that
    takes an order Gelato still cancels, and a draft was never placed.
    """
    return is_allowed(CANCEL_ORDER, code) and order_type != "draft"


def why_not(action: Action | str, code: str) -> Refusal | None:
    """Why ``action`` is impossible in status ``code``, and what to do instead; None if it is
    possible."""
    return status(code).refusals.get(_slug(action))


def statuses_allowing(action: Action | str) -> tuple[Status, ...]:
    """The documented statuses in which ``action`` is possible, in glossary order."""
    return tuple(s for s in STATUSES.values() if s.allows(action))


def _slug(action: Action | str) -> str:
    slug = action.slug if isinstance(action, Action) else action
    if slug not in _ACTIONS_BY_SLUG:
        raise KeyError(slug)
    return slug
