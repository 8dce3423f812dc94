"""What each Gelato order status still allows an agent to do, and what to do when it is too late.

This table is the one place where the help center reads Gelato's rules: the order page, the action
forms, the JSON API and the knowledge base's status glossary all ask it. Every meaning, limit,
refusal and next step names its sources (``portal/sources.py``), and a sentence that is our own
practice rather than Gelato's says so in its words too. Gelato documents the address change only
while an order is ``passed``, and its documents differ on the last moment for a cancel (before
production, before print, refused once an item is printed: ``CANCEL_LIMIT``); the table reads them
strictly, so cancellation ends where production begins. Where Gelato is silent, an entry says so
rather than guess.

Pure data and functions: no Flask, no HTTP, so the docs build and every part of the portal can
import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType

from portal.gelato.models import Item, Order
from portal.gelato.statuses import progress
from portal.knowledge import (
    ADDRESS_PROBLEM_ARTICLE,
    CONTACT,
    DAMAGE_REPORT_WINDOW_DAYS,
    DAMAGE_REPORT_WINDOW_SOURCES,
    DAMAGED_PRODUCT_ARTICLE,
    ON_HOLD_OR_FAILED,
    STATUS_GLOSSARY,
    WHERE_IS_MY_ORDER,
    Article,
)
from portal.sources import (
    A4_CANCEL,
    API_CANCEL,
    API_DRAFTS,
    API_PACKAGES,
    API_PLACED_ORDERS,
    API_SHIPMENT_METHODS,
    API_STATUSES,
    GUIDE_CURRENT,
    GUIDE_EARLIER,
    HC_CANCEL_EARLIER,
    HC_CHANGE_ADDRESS,
    HC_CHANGE_OR_CANCEL,
    HC_CHECK_STATUS,
    HC_LATE_ORDER,
    HC_LOST_PARCEL,
    HC_ON_HOLD,
    HC_PRINT_TIMING,
    HC_REORDER,
    HC_REPORT_PROBLEM,
    HC_STATUS_FLOW,
    OUR_PRACTICE,
    Disagreement,
    Reading,
    Sources,
)


@dataclass(frozen=True)
class Action:
    """A self-service action an agent can take on an order, with everything the pages, the audit
    log and the knowledge base need to know about it."""

    slug: str
    #: The column heading of the status overview: one or two words.
    short_title: str
    summary: str
    #: The article that explains it; its title is the action's title.
    article: Article
    #: The Material icon of its card in the knowledge base.
    icon: str
    #: What the audit log calls it; None for an action that only reads and so records nothing.
    audit_name: str | None = None
    #: The portal's view (its Flask endpoint) of this action's form for one order; None for an
    #: action that only reads, which the order's page answers itself.
    endpoint: str | None = None
    #: Where on the order's page a reading action is answered (the id of its section).
    anchor: str = ""
    #: It places a new order, charged like any order.
    places_order: bool = False
    #: It cancels the order and places a corrected copy, since Gelato's API edits no placed
    #: order; the copy goes to the same country.
    replaces_original: bool = False
    #: The agent types the new order's address (a method change keeps the address as it is).
    edits_address: bool = False
    #: Gelato refuses it once any one item has moved on (a cancel is refused as soon as one item
    #: is printed, and a change is a cancel first), so the most advanced item decides it too.
    decided_by_items: bool = False

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
    icon="material-clipboard-search-outline",
    anchor="reply",
)
CHECK_TRACKING = Action(
    "check-tracking",
    "Tracking",
    "How an order ships, and the link that follows its parcel.",
    Article("actions/check-tracking.md", "Check shipping method and tracking link"),
    icon="material-truck-delivery-outline",
    anchor="shipping",
)
CHANGE_ADDRESS = Action(
    "change-address",
    "Address",
    "Correct where an order goes, before it goes to print.",
    Article("actions/change-address.md", "Change the shipping address"),
    icon="material-map-marker-radius-outline",
    audit_name="change_address",
    endpoint="orders.change_address",
    places_order=True,
    replaces_original=True,
    edits_address=True,
    decided_by_items=True,
)
CHANGE_SHIPPING_METHOD = Action(
    "change-shipping-method",
    "Shipping method",
    "Switch between economy and express, before the order goes to print.",
    Article("actions/change-shipping-method.md", "Change the shipping method"),
    icon="material-truck-fast-outline",
    audit_name="change_shipping",
    endpoint="orders.change_shipping_method",
    places_order=True,
    replaces_original=True,
    decided_by_items=True,
)
CANCEL_ORDER = Action(
    "cancel-order",
    "Cancel",
    "Stop an order before production starts.",
    Article("actions/cancel-order.md", "Cancel an order"),
    icon="material-cancel",
    audit_name="cancel",
    endpoint="orders.cancel",
    decided_by_items=True,
)
REORDER = Action(
    "reorder",
    "Reorder",
    "Send the same items again: after damage, a failed delivery or a failed order.",
    Article("actions/reorder.md", "Place a reorder"),
    icon="material-repeat",
    audit_name="reorder",
    endpoint="orders.reorder",
    places_order=True,
    edits_address=True,
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


#: Within this many days of a reorder, another reorder of the same order is placed only when the
#: agent, shown the earlier one (its number, who placed it and when), asks for another: two tabs
#: or two agents answering the same customer must not send two charged replacements unseen.
REPEAT_REORDER_WINDOW_DAYS = 30
REPEAT_REORDER_WINDOW_SOURCES: Sources = (OUR_PRACTICE,)


@dataclass(frozen=True)
class Refusal:
    """Why an action is not possible in a status, and the next best thing to do."""

    reason: str
    next_step: str
    #: The article that helps with the next step, if one does.
    see: Article | None = None
    #: Where the reason comes from: Gelato's documents, or our own practice.
    reason_sources: Sources = ()
    #: Where the next step comes from.
    next_step_sources: Sources = ()

    @property
    def sources(self) -> Sources:
        """The sources of the reason and of the next step, each once: one "Source:" line."""
        return tuple(dict.fromkeys(self.reason_sources + self.next_step_sources))


@dataclass(frozen=True)
class Stage:
    """A group of statuses that mean the same thing to the customer."""

    slug: str
    title: str
    #: Gelato names the statuses; grouping them into stages is ours.
    sources: Sources = ()


_GROUPED = (API_STATUSES, OUR_PRACTICE)

BEING_CHECKED = Stage("being-checked", "Being checked by Gelato", _GROUPED)
BEFORE_PRINT = Stage("before-print", "Accepted, not yet printed", _GROUPED)
PRODUCTION = Stage("production", "In production", _GROUPED)
ON_ITS_WAY = Stage("on-its-way", "On its way", _GROUPED)
ARRIVED_OR_BACK = Stage("arrived-or-back", "Delivered or sent back", _GROUPED)
WAITING = Stage("waiting", "Waiting for someone to act", _GROUPED)
STOPPED = Stage("stopped", "Stopped", _GROUPED)

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
    #: Where the meaning comes from.
    sources: Sources = ()

    @property
    def article_url(self) -> str:
        """This status's entry in the glossary."""
        return f"{STATUS_GLOSSARY.url}#{self.code}"

    def allows(self, action: Action | str) -> bool:
        return _slug(action) not in self.refusals


@dataclass(frozen=True)
class Window:
    """Until when an action is possible, in one sentence, and where that limit comes from. The
    statuses' refusals apply it one status at a time."""

    rule: str
    sources: Sources
    #: Where Gelato's own documents differ on this limit, and which reading the rules follow.
    disagreement: Disagreement | None = None


def _refusals(**by_action: Refusal) -> MappingProxyType:
    """Key refusals by action slug (``change_address`` for ``change-address``)."""
    mapping = {name.replace("_", "-"): refusal for name, refusal in by_action.items()}
    for slug in mapping:
        if slug not in _ACTIONS_BY_SLUG:
            raise ValueError(f"no action {slug!r}")
    return MappingProxyType(mapping)


#: The one question on which Gelato's documents visibly differ for the self-service actions.
CANCEL_LIMIT = Disagreement(
    slug="cancel-limit",
    question="Until when can an order be canceled?",
    readings=(
        Reading(
            API_STATUSES,
            "An order can be canceled through the API only before it moves into production "
            "(in_production).",
        ),
        Reading(
            API_CANCEL,
            "A printed or shipped order cannot be canceled, and the call is refused (409) as soon "
            "as one item of the order is printed. Read alone, this leaves in_production open.",
        ),
        Reading(
            HC_CHANGE_OR_CANCEL,
            "An order can be changed or canceled only before it is sent for printing: once its "
            "status is past passed, neither is possible, and the Cancel button disappears.",
        ),
        Reading(
            HC_CANCEL_EARLIER,
            "An order can be canceled only before it is printed, that is while it is uploading or "
            "passed.",
        ),
    ),
    followed=(
        "An order can be canceled while it is created, uploading or passed, or while it waits in "
        "one of the side states (pending approval, pending personalization, digitizing, not "
        "connected, on hold); not from in_production on."
    ),
    why=(
        "It is the strictest of the readings: no Gelato document says a cancel still works once "
        "production has begun, and the help center says that past passed it is too late. A wrong "
        "yes would have an agent promise the customer a cancellation that Gelato then refuses; a "
        "wrong no costs a question to Gelato Support. Gelato says nothing about the side states: "
        "nothing has been produced in them, so this help center allows the cancel there "
        "(assumption A4)."
    ),
)

#: Every place where Gelato's documents differ, in the order of the actions.
DISAGREEMENTS = (CANCEL_LIMIT,)


# Refusals shared by several statuses, named for the situation they describe.

_NOT_PASSED_YET_ADDRESS = Refusal(
    "Gelato has not accepted the order yet, and the Gelato help center allows an address change "
    "only once the order is passed.",
    "Check again in a few minutes and change the address as soon as the order shows passed: "
    "that status can last only minutes.",
    reason_sources=(API_STATUSES, HC_CHANGE_ADDRESS),
    next_step_sources=(HC_CHANGE_ADDRESS, HC_CHANGE_OR_CANCEL),
)
_NOT_PASSED_YET_METHOD = Refusal(
    "Gelato has not accepted the order yet. Gelato documents no limit for this change; our "
    "practice applies the one it documents for the address: only once the order is passed.",
    "Check again in a few minutes and change the method as soon as the order shows passed: "
    "that status can last only minutes.",
    reason_sources=(API_STATUSES, HC_CHANGE_ADDRESS, OUR_PRACTICE),
    next_step_sources=(OUR_PRACTICE, HC_CHANGE_OR_CANCEL),
)
_WAITING_ADDRESS = Refusal(
    "The Gelato help center allows an address change only while the order is passed.",
    "Resolve what the order is waiting for, then change the address as soon as it shows passed; "
    "or cancel it now and place a corrected order.",
    STATUS_GLOSSARY,
    reason_sources=(HC_CHANGE_ADDRESS,),
    next_step_sources=(HC_CHANGE_ADDRESS, OUR_PRACTICE),
)
_WAITING_METHOD = Refusal(
    "Gelato documents no limit for this change; our practice applies the one it documents for "
    "the address: only while the order is passed.",
    "Resolve what the order is waiting for, then change the method as soon as it shows passed; "
    "or cancel it now and place a corrected order.",
    STATUS_GLOSSARY,
    reason_sources=(HC_CHANGE_ADDRESS, OUR_PRACTICE),
    next_step_sources=(OUR_PRACTICE,),
)
_NOT_YET_PRINTED_REORDER = Refusal(
    "Our practice, not a Gelato limit: the order has not gone to print yet, so a reorder would "
    "duplicate it and be charged as a second order.",
    "Change or cancel this order instead, as far as its status allows.",
    reason_sources=(OUR_PRACTICE, HC_REORDER),
    next_step_sources=(OUR_PRACTICE,),
)
_PRINTED_ADDRESS = Refusal(
    "Production has begun, and the Gelato help center allows an address change only while an "
    "order is passed.",
    "If Gelato's shipping team asked you to correct this address, do it from the link in their "
    "email even now, and contact Gelato Support if the Dashboard refuses. Otherwise the only "
    "self-service remedy is a reorder to the right address, charged as a new order.",
    ADDRESS_PROBLEM_ARTICLE,
    reason_sources=(HC_CHANGE_ADDRESS,),
    next_step_sources=(HC_CHANGE_ADDRESS, GUIDE_CURRENT, HC_REORDER),
)
_PRINTED_METHOD = Refusal(
    "Production has begun. Gelato documents no limit for this change; our practice applies the "
    "one it documents for the address: only while the order is passed.",
    "It ships with the method chosen when it was ordered. If the customer must have it sooner, "
    "a reorder with express shipping is the only self-service option, charged as a new order.",
    reason_sources=(HC_CHANGE_ADDRESS, OUR_PRACTICE),
    next_step_sources=(API_PLACED_ORDERS, HC_REORDER),
)
_WITH_CARRIER_ADDRESS = Refusal(
    "The parcel is already with the carrier, and self-service changes end once an order is past "
    "passed.",
    "Self-service cannot redirect it. If delivery fails and it comes back (returned), confirm the "
    "address with the customer and place a reorder.",
    WHERE_IS_MY_ORDER,
    reason_sources=(API_STATUSES, HC_CHANGE_OR_CANCEL),
    next_step_sources=(HC_CHANGE_OR_CANCEL, OUR_PRACTICE),
)
_WITH_CARRIER_METHOD = Refusal(
    "The parcel is already on its way, with the method chosen when the order was placed.",
    "Nothing to change now: share the tracking link with the customer.",
    WHERE_IS_MY_ORDER,
    reason_sources=(API_STATUSES, API_PLACED_ORDERS),
    next_step_sources=(HC_LATE_ORDER, OUR_PRACTICE),
)
_WITH_CARRIER_CANCEL = Refusal(
    "The parcel is already with the carrier, and a shipped order cannot be canceled.",
    "Share the tracking link. If the customer no longer wants the item, your own return policy "
    "applies once it arrives.",
    WHERE_IS_MY_ORDER,
    reason_sources=(API_CANCEL, HC_CHANGE_OR_CANCEL),
    next_step_sources=(OUR_PRACTICE,),
)
_DELIVERED_CHANGE = Refusal(
    "The carrier reports the order delivered.",
    "Nothing to change. If the customer says it never arrived, follow Where is my order?",
    WHERE_IS_MY_ORDER,
    reason_sources=(API_STATUSES,),
    next_step_sources=(HC_LOST_PARCEL,),
)
_RETURNED_CHANGE = Refusal(
    "Delivery failed and the parcel was sent back to the sender.",
    "Confirm the address with the customer and place a reorder with the right details.",
    reason_sources=(API_STATUSES,),
    next_step_sources=(OUR_PRACTICE, HC_REORDER),
)
_CANCELED_CHANGE = Refusal(
    "The order is canceled, and nothing more can be done with it.",
    "If the customer still wants the items, place a reorder with the right details.",
    reason_sources=(API_STATUSES,),
    next_step_sources=(HC_REORDER, OUR_PRACTICE),
)
_FAILED_CHANGE = Refusal(
    "Gelato rejected the order when it was created, so there is nothing to change.",
    "Fix the cause Gelato names (usually a file or the address) and place a reorder; as "
    "documented by Gelato, an order that could not be processed is not charged.",
    ON_HOLD_OR_FAILED,
    reason_sources=(API_STATUSES,),
    next_step_sources=(HC_ON_HOLD,),
)
_DRAFT_CHANGE = Refusal(
    "A draft is not a placed order, and the Gelato API offers no way to change the address or "
    "the shipping method of a draft.",
    "Delete the draft and create the order again with the right details.",
    reason_sources=(API_DRAFTS,),
    next_step_sources=(API_DRAFTS,),
)

# Whole refusal tables, for statuses that refuse alike.

_STILL_CHECKING_REFUSALS = _refusals(
    change_address=_NOT_PASSED_YET_ADDRESS,
    change_shipping_method=_NOT_PASSED_YET_METHOD,
    reorder=_NOT_YET_PRINTED_REORDER,
)
_WITH_CARRIER_REFUSALS = _refusals(
    change_address=_WITH_CARRIER_ADDRESS,
    change_shipping_method=_WITH_CARRIER_METHOD,
    cancel_order=_WITH_CARRIER_CANCEL,
)
_WAITING_REFUSALS = _refusals(
    change_address=_WAITING_ADDRESS,
    change_shipping_method=_WAITING_METHOD,
    reorder=_NOT_YET_PRINTED_REORDER,
)

_STATUSES = (
    Status(
        "created",
        "Created",
        BEING_CHECKED,
        "The order has just been created at Gelato: the first status of every order.",
        _STILL_CHECKING_REFUSALS,
        sources=(API_STATUSES,),
    ),
    Status(
        "uploading",
        "Being checked",
        BEING_CHECKED,
        "Gelato is pre-processing and checking the order, before it accepts it (passed) or "
        "rejects it (failed).",
        _STILL_CHECKING_REFUSALS,
        sources=(API_STATUSES, HC_STATUS_FLOW),
    ),
    Status(
        "passed",
        "Accepted",
        BEFORE_PRINT,
        "Gelato accepted the order and will soon send it to a print partner. As documented by "
        "Gelato, that has historically happened around midnight in the destination country, and "
        "the order is usually printed the next morning, so this status can last minutes or "
        "hours. It is the last status in which the address can be changed.",
        _refusals(reorder=_NOT_YET_PRINTED_REORDER),
        sources=(API_STATUSES, HC_PRINT_TIMING, HC_CHANGE_OR_CANCEL, HC_CHANGE_ADDRESS),
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
                "Production has begun, and the Gelato API allows a cancel only before the order "
                "moves into production. Other Gelato documents draw the line at printing; this "
                "help center follows the stricter reading.",
                "Let it complete; if it arrives damaged or defective, report it. If the customer "
                "no longer wants it, contact Gelato Support with the order number: once it is "
                "printed and until it ships, Gelato can still discard it and stop the shipment.",
                DAMAGED_PRODUCT_ARTICLE,
                reason_sources=(API_STATUSES, API_CANCEL, HC_CHANGE_OR_CANCEL, A4_CANCEL),
                next_step_sources=(HC_REPORT_PROBLEM, HC_CANCEL_EARLIER),
            ),
        ),
        sources=(API_STATUSES,),
    ),
    Status(
        "printed",
        "Printed",
        PRODUCTION,
        "The print partner has printed the order; it has not been handed to the carrier yet.",
        _refusals(
            change_address=_PRINTED_ADDRESS,
            change_shipping_method=_PRINTED_METHOD,
            cancel_order=Refusal(
                "The order is printed, and a printed order cannot be canceled through "
                "self-service.",
                "Contact Gelato Support with the order number before it ships: as documented by "
                "Gelato, it can discard the print and stop the shipment. You still pay for the "
                "printing, but get the shipping fee back.",
                CONTACT,
                reason_sources=(API_CANCEL, HC_CANCEL_EARLIER),
                next_step_sources=(HC_CANCEL_EARLIER,),
            ),
        ),
        sources=(API_STATUSES, HC_STATUS_FLOW),
    ),
    Status(
        "shipped",
        "Shipped",
        ON_ITS_WAY,
        "Handed to the carrier. When the shipping method has tracking, the tracking link is on "
        "the order's page from now on.",
        _WITH_CARRIER_REFUSALS,
        handed_to_carrier=True,
        see=WHERE_IS_MY_ORDER,
        sources=(API_STATUSES, HC_STATUS_FLOW, API_SHIPMENT_METHODS),
    ),
    Status(
        "in_transit",
        "In transit",
        ON_ITS_WAY,
        "The carrier is delivering the parcel.",
        _WITH_CARRIER_REFUSALS,
        handed_to_carrier=True,
        see=WHERE_IS_MY_ORDER,
        sources=(API_STATUSES,),
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
                "The carrier reports the order delivered.",
                f"If it arrived damaged or defective, report it within "
                f"{DAMAGE_REPORT_WINDOW_DAYS} days of delivery.",
                DAMAGED_PRODUCT_ARTICLE,
                reason_sources=(API_STATUSES,),
                next_step_sources=DAMAGE_REPORT_WINDOW_SOURCES,
            ),
        ),
        handed_to_carrier=True,
        see=WHERE_IS_MY_ORDER,
        sources=(API_STATUSES,),
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
                "The parcel has already come back to the sender; there is nothing left to cancel.",
                "Confirm the address with the customer and place a reorder if they still want "
                "the items.",
                reason_sources=(API_STATUSES, A4_CANCEL),
                next_step_sources=(OUR_PRACTICE,),
            ),
        ),
        handed_to_carrier=True,
        see=ADDRESS_PROBLEM_ARTICLE,
        sources=(API_STATUSES,),
    ),
    Status(
        "draft",
        "Draft",
        WAITING,
        "An order not meant for fulfilment yet: nothing is produced until it is turned into a "
        "regular order (in the Dashboard or through the API), and it can be deleted instead.",
        _refusals(
            change_address=_DRAFT_CHANGE,
            change_shipping_method=_DRAFT_CHANGE,
            cancel_order=Refusal(
                "A draft is not a placed order: it is deleted, not canceled.",
                "Delete the draft if it is not needed.",
                reason_sources=(API_DRAFTS, A4_CANCEL),
                next_step_sources=(API_DRAFTS,),
            ),
            reorder=Refusal(
                "A draft has not been placed yet, so this help center offers no reorder of it.",
                "Turn the draft into a regular order instead, in the Dashboard or through the API.",
                reason_sources=(OUR_PRACTICE,),
                next_step_sources=(API_STATUSES, API_DRAFTS),
            ),
        ),
        sources=(API_STATUSES, API_DRAFTS),
    ),
    Status(
        "pending_approval",
        "Waiting for approval",
        WAITING,
        "Waits for approval in the Gelato Dashboard; it is not produced until it is approved.",
        _WAITING_REFUSALS,
        sources=(API_STATUSES,),
    ),
    Status(
        "pending_personalization",
        "Waiting for personalization",
        WAITING,
        "Waits for the end customer to personalize the item, in Gelato's flow for Etsy orders.",
        _WAITING_REFUSALS,
        sources=(API_STATUSES,),
    ),
    Status(
        "digitizing",
        "Digitizing",
        WAITING,
        "An embroidery order waiting for its design to be digitized.",
        _WAITING_REFUSALS,
        sources=(API_STATUSES,),
    ),
    Status(
        "not_connected",
        "Not connected",
        WAITING,
        "Imported from your store without enough product data: its items must be connected to "
        "Gelato products first.",
        _WAITING_REFUSALS,
        sources=(API_STATUSES,),
    ),
    Status(
        "on_hold",
        "On hold",
        WAITING,
        "Stopped after it was created until you act, for example because an item is "
        "discontinued or out of stock. Gelato's email \u201con hold - action required\u201d names "
        "the order and the reason.",
        _refusals(
            change_address=_WAITING_ADDRESS,
            change_shipping_method=_WAITING_METHOD,
        ),
        see=ON_HOLD_OR_FAILED,
        sources=(API_STATUSES, HC_ON_HOLD),
    ),
    Status(
        "canceled",
        "Canceled",
        STOPPED,
        "Canceled: nothing more can be done with this order.",
        _refusals(
            change_address=_CANCELED_CHANGE,
            change_shipping_method=_CANCELED_CHANGE,
            cancel_order=Refusal(
                "The order is already canceled.",
                "Nothing more to do.",
                reason_sources=(API_STATUSES,),
                next_step_sources=(API_STATUSES,),
            ),
        ),
        sources=(API_STATUSES,),
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
                "Gelato rejected the order when it was created, so nothing is in progress to "
                "cancel.",
                "If the customer still wants the items, fix the cause and place a reorder.",
                ON_HOLD_OR_FAILED,
                reason_sources=(API_STATUSES, A4_CANCEL),
                next_step_sources=(HC_ON_HOLD,),
            ),
        ),
        see=ON_HOLD_OR_FAILED,
        sources=(API_STATUSES, HC_STATUS_FLOW),
    ),
)

#: Every fulfillment status Gelato documents, by code, in the order of the glossary.
STATUSES = MappingProxyType({status.code: status for status in _STATUSES})

#: Until when each action is possible, by action slug.
WINDOWS = MappingProxyType(
    {
        CHECK_STATUS.slug: Window(
            "In every status: the order's page shows its status, its estimated delivery date and, "
            "once it has shipped, its tracking link.",
            (GUIDE_EARLIER, HC_CHECK_STATUS, HC_LATE_ORDER),
        ),
        CHECK_TRACKING.slug: Window(
            "In every status. A tracking link exists once the parcel has been handed to the "
            "carrier, and only when the shipping method has tracking.",
            (GUIDE_EARLIER, HC_CHECK_STATUS, API_SHIPMENT_METHODS, API_PACKAGES),
        ),
        CHANGE_ADDRESS.slug: Window(
            "Only while the order is passed; from in_production on, a new order is needed. The "
            "exception: an address Gelato itself asked you to correct may be corrected even once "
            "the order is printed.",
            (HC_CHANGE_ADDRESS,),
        ),
        CHANGE_SHIPPING_METHOD.slug: Window(
            "Our practice: only while the order is passed, the limit Gelato documents for the "
            "address. Gelato lists this change among the Dashboard's self-service actions but "
            "documents neither its steps nor its limit.",
            (GUIDE_EARLIER, HC_CHANGE_ADDRESS, OUR_PRACTICE),
        ),
        CANCEL_ORDER.slug: Window(
            "Only before production begins: while the order is created, uploading or passed, or "
            "waits in a side state; not from in_production on. Gelato's documents differ on the "
            "exact limit, and the rules follow the strictest reading.",
            (API_STATUSES, API_CANCEL, HC_CHANGE_OR_CANCEL, HC_CANCEL_EARLIER, A4_CANCEL),
            CANCEL_LIMIT,
        ),
        REORDER.slug: Window(
            "Gelato sets no status limit on a reorder. Our practice offers it only once the order "
            "can no longer be changed or canceled, or has stopped (on hold, failed, canceled): "
            "before that, changing or canceling the order itself avoids paying twice.",
            (HC_REORDER, OUR_PRACTICE),
        ),
    }
)


#: Status codes that the rules' sentences name as words, so that a page can link them to their
#: entry in the glossary ("as soon as it shows passed", "comes back (returned)"). The codes that
#: are also plain English verbs in those sentences (failed, created, canceled, delivered,
#: shipped) are left out: "delivery failed" is not the failed status.
_NAMED_IN_SENTENCES = frozenset(
    {"passed", "printed", "uploading", "digitizing", "returned", "in_production", "in_transit"}
    | {"pending_approval", "pending_personalization", "not_connected", "on_hold"}
)
_STATUS_WORD = re.compile(r"\b(" + "|".join(sorted(_NAMED_IN_SENTENCES)) + r")\b")


def status_mentions(text: str) -> tuple[tuple[str, Status | None], ...]:
    """``text`` in pieces, each with the status it names (None for the words between), so that a
    page can link every status a rule's sentence refers to."""
    pieces: list[tuple[str, Status | None]] = []
    at = 0
    for match in _STATUS_WORD.finditer(text):
        if match.start() > at:
            pieces.append((text[at : match.start()], None))
        pieces.append((match.group(0), STATUSES[match.group(0)]))
        at = match.end()
    if at < len(text):
        pieces.append((text[at:], None))
    return tuple(pieces)


def status(code: str) -> Status:
    """The rules for ``code``; a status Gelato added after this table was written gets a safe
    stand-in that allows looking only, because a wrong "yes" costs more than a missing one."""
    try:
        return STATUSES[code]
    except KeyError:
        unknown = Refusal(
            f"This help center does not know the status {code!r} yet.",
            "Open the order in the Gelato Dashboard and check which actions it still offers.",
            STATUS_GLOSSARY,
            reason_sources=(OUR_PRACTICE,),
            next_step_sources=(OUR_PRACTICE,),
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
            sources=(OUR_PRACTICE,),
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


#: Why the most advanced item decides a cancel and the changes: Gelato refuses a cancel as soon as
#: one item is printed; that an item in production counts as well, and that a change (a cancel
#: first) follows the cancel, is this help center's reading.
DECIDED_BY_ITEMS_SOURCES: Sources = (API_CANCEL, OUR_PRACTICE)


@dataclass(frozen=True)
class Decision:
    """Whether an action is possible on one order now, and if not, why."""

    refusal: Refusal | None
    #: The item whose status refused it, where the order's own status would have allowed it: an
    #: order is as far along as its least advanced item, and one printed item is enough for
    #: Gelato to refuse a cancel.
    item: Item | None = None

    @property
    def allowed(self) -> bool:
        return self.refusal is None

    @property
    def sources(self) -> Sources:
        """The refusal's sources, and those of reading it from an item."""
        if self.refusal is None:
            return ()
        extra = DECIDED_BY_ITEMS_SOURCES if self.item else ()
        return tuple(dict.fromkeys(self.refusal.sources + extra))


def decide(action: Action | str, order: Order) -> Decision:
    """Whether ``action`` is possible on ``order``: by its own status, and for an action Gelato
    refuses once one item has moved on, by its most advanced item as well. An item further along
    can only close a door, never open one (an order on hold stays on hold)."""
    refusal = why_not(action, order.fulfillment_status)
    item = order.most_advanced_item
    if refusal is not None or not _action(action).decided_by_items or item is None:
        return Decision(refusal)
    if progress(item.fulfillment_status) <= progress(order.fulfillment_status):
        return Decision(None)
    by_item = why_not(action, item.fulfillment_status or "")
    return Decision(by_item, item if by_item else None)


def can_replace(order: Order) -> bool:
    """``can_cancel_and_replace`` for one order, read from its most advanced item too."""
    return decide(CANCEL_ORDER, order).allowed and order.order_type != "draft"


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


def window(action: Action | str) -> Window:
    """Until when ``action`` is possible, and where that limit comes from."""
    return WINDOWS[_slug(action)]


def statuses_allowing(action: Action | str) -> tuple[Status, ...]:
    """The documented statuses in which ``action`` is possible, in glossary order."""
    return tuple(s for s in STATUSES.values() if s.allows(action))


def _action(action: Action | str) -> Action:
    return _ACTIONS_BY_SLUG[_slug(action)]


def _slug(action: Action | str) -> str:
    slug = action.slug if isinstance(action, Action) else action
    if slug not in _ACTIONS_BY_SLUG:
        raise KeyError(slug)
    return slug
