"""What the API answers and takes, as pydantic models: they validate the input, shape the JSON and
write the OpenAPI document's schemas, so the three cannot disagree.

The ``*_out`` functions read the domain's own objects (Gelato's orders, the rules table, the
verdict); every word an answer carries comes from there, so the API says what the portal's pages
say.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator
from pydantic_core import PydanticCustomError

from portal.api.problems import Link
from portal.audit_actions import AUDIT_ACTIONS
from portal.gelato.models import Address, Order, OrderSummary, Shipment
from portal.knowledge import WHERE_IS_MY_ORDER, Article
from portal.orders import rules, wizard
from portal.orders.addresses import FIELDS
from portal.orders.delivery import Verdict, expected_window
from portal.sources import Source

#: A query's text: something to look for, not only spaces.
_TEXT = r"\S"


class Query(BaseModel):
    """A query string's parameters: unknown ones are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrderSearch(Query):
    q: str = Field(
        min_length=1,
        max_length=200,
        pattern=_TEXT,
        description="A Gelato order id, your own order reference, or the customer's name.",
    )


class Lookup(Query):
    q: str = Field(
        min_length=1,
        max_length=200,
        pattern=_TEXT,
        description="What the ticket has: an order reference, a Gelato order id or the "
        "customer's name.",
    )


class AuditQuery(Query):
    actor: str | None = Field(default=None, max_length=100, description="Who acted.")
    action: str | None = Field(
        default=None,
        description="An action's name, as `actions` lists them.",
        json_schema_extra=lambda schema: schema.update(enum=list(AUDIT_ACTIONS)),
    )
    outcome: Literal["succeeded", "refused", "failed"] | None = None
    order: str | None = Field(
        default=None, max_length=200, description="A Gelato order id or an order reference."
    )
    since: date | None = Field(default=None, description="From this day on (UTC), included.")
    until: date | None = Field(default=None, description="Up to this day (UTC), included.")
    before: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="The next page: the `next_before` of the page before.",
    )
    limit: int = Field(default=50, ge=1, le=200, description="Entries per page.")

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str | None) -> str | None:
        if value is not None and value not in AUDIT_ACTIONS:
            raise PydanticCustomError(
                "unknown_action", "Unknown action: `actions` in any answer lists them all."
            )
        return value


# Bodies of the calls that act


class Body(BaseModel):
    """A JSON body: unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


#: A shipping address, field by field as the portal's forms (and ``portal.orders.addresses``)
#: name them; each field's limits and rules are checked as the forms check them, with their words.
AddressIn = create_model(
    "AddressIn",
    __base__=Body,
    __doc__="A shipping address, field by field as the portal's forms name them. A field left "
    "out keeps the order's current value; send an empty string to clear an optional one.",
    **{
        name: (str | None, Field(default=None, max_length=1000, description=f"{label}."))
        for name, (label, _limit) in FIELDS.items()
    },
)

_UNDERSTOOD_CHARGE = Field(
    default=False,
    description="true: you know the new order is charged like any order. Until it is true, the "
    "call answers 422 and nothing is placed.",
)
_METHOD_UID = Field(
    default=None,
    min_length=1,
    max_length=100,
    description="The shipping method, as GET /api/v1/orders/{order_id}/shipping-methods lists "
    "them. Left out: the order's own method.",
)


class ReorderIn(Body):
    """A reorder: the same items again, as a new order charged like any order."""

    shipping_address: AddressIn | None = Field(
        default=None, description="Where it goes. Left out: to the order's own address."
    )
    shipment_method_uid: str | None = _METHOD_UID
    understood_charge: bool = _UNDERSTOOD_CHARGE
    place_another: bool = Field(
        default=False,
        description=f"true: place another reorder although this order was reordered within the "
        f"last {rules.REPEAT_REORDER_WINDOW_DAYS} days (the 422 that asks for it names those "
        "reorders). Until then, nothing is placed.",
    )


class ChangeAddressIn(Body):
    """A change of address: the order is canceled and a corrected copy placed in one step."""

    shipping_address: AddressIn = Field(
        description="The corrected address (the country cannot change)."
    )
    shipment_method_uid: str | None = _METHOD_UID
    understood_charge: bool = _UNDERSTOOD_CHARGE


class ChangeShippingMethodIn(Body):
    """A change of shipping method: the order is canceled and a copy placed with the new method."""

    shipment_method_uid: str = Field(
        min_length=1,
        max_length=100,
        description="The new method, as GET /api/v1/orders/{order_id}/shipping-methods lists them.",
    )
    understood_charge: bool = _UNDERSTOOD_CHARGE


# Answers


class SourceOut(BaseModel):
    """Where a rule or a sentence comes from."""

    label: str
    url: str


class StatusOut(BaseModel):
    code: str
    label: str
    stage: str
    meaning: str
    #: The status's entry in the knowledge base's glossary.
    article_url: str
    sources: list[SourceOut]


class ActionOut(BaseModel):
    """One self-service action: allowed now, or refused with the reason and the next step."""

    slug: str
    title: str
    #: Whether the rules table allows the action itself on this order now (read from its items
    #: too, as the order page reads it).
    allowed: bool
    #: Whether this help center can carry it out now: allowed, or, for a change of address or
    #: shipping method, by canceling the order and placing a corrected copy.
    available: bool
    reason: str | None = None
    next_step: str | None = None
    #: The article that explains the action, or, when refused, the one that helps next.
    article: Link
    #: The portal's page that runs the action on this order, and the API's call that does (None
    #: for the actions that only read, which this answer holds, or when it is not available).
    portal_url: str | None = None
    api_url: str | None = None
    sources: list[SourceOut]


class VerdictOut(BaseModel):
    """The "where is my order?" verdict, and a reply the agent can paste to the customer."""

    code: str
    title: str
    advice: str
    contact_gelato: bool
    customer_reply: str
    article: Link


class AddressOut(BaseModel):
    name: str
    company_name: str | None
    address_line1: str
    address_line2: str | None
    city: str
    post_code: str
    state: str | None
    country: str
    email: str
    phone: str | None


class ItemOut(BaseModel):
    item_reference_id: str
    product_uid: str
    product_name: str | None
    quantity: int
    status: str | None
    status_since: datetime | None
    #: Gelato's reason for the item's status, such as why it is on hold.
    status_comment: str | None


class PackageOut(BaseModel):
    tracking_code: str | None
    tracking_url: str | None


class ShipmentOut(BaseModel):
    method_uid: str | None
    method_name: str | None
    min_delivery_date: date | None
    max_delivery_date: date | None
    #: The estimate in words, as the order page says it ("between 3 Mar and 6 Mar 2026").
    expected: str
    packages: list[PackageOut]


class OrderFound(BaseModel):
    """An order found by a search: enough to choose one."""

    id: str
    reference: str
    status: str
    status_label: str
    customer_name: str
    country: str | None
    items_count: int | None
    total_incl_vat: str | None
    currency: str
    created_at: datetime | None
    portal_url: str


class OrderList(BaseModel):
    """The orders the query names: one, several (a split order), or none."""

    query: str
    #: How the query matched: a Gelato id, your reference, or the customer's name.
    matched_by: Literal["id", "reference", "customer"] | None
    orders: list[OrderFound]


class OrderDetail(BaseModel):
    """One order in full: status in plain words, items, address, shipment and tracking, the
    delivery verdict and every action with its answer."""

    id: str
    reference: str
    customer_reference: str
    order_type: str
    status: StatusOut
    financial_status: str
    currency: str
    total_incl_vat: str | None
    created_at: datetime | None
    ordered_at: datetime | None
    updated_at: datetime | None
    items: list[ItemOut]
    shipping_address: AddressOut | None
    shipment: ShipmentOut | None
    #: The other parts when Gelato split the order.
    other_part_ids: list[str]
    verdict: VerdictOut
    actions: list[ActionOut]
    portal_url: str


class LookupOrder(BaseModel):
    """One order, sidebar-sized."""

    reference: str
    id: str
    status: str
    status_label: str
    customer_name: str
    #: The delivery verdict's title, and the reply to paste.
    verdict: str | None
    customer_reply: str | None
    expected: str | None
    tracking_url: str | None
    #: The actions this order still allows, by title.
    allowed_actions: list[str]
    portal_url: str


class LookupAnswer(BaseModel):
    """A compact summary for a helpdesk's sidebar, with links back to the portal."""

    query: str
    matched_by: Literal["id", "reference", "customer"] | None
    #: How many orders matched; ``orders`` holds at most five.
    count: int
    orders: list[LookupOrder]
    #: The portal's search for the same query, to see every match.
    search_url: str


class ActionDone(BaseModel):
    """What the action came to, with the order as Gelato has it now."""

    action: str
    message: str
    #: The canceled order, or the new one (a reorder, a corrected copy).
    order: OrderFound
    #: For a new order: the order it copies.
    original: OrderFound | None = None
    #: The original was canceled in this action (a change of address or shipping method).
    original_canceled: bool = False
    #: This call's order was placed by an earlier call with the same key: nothing new now.
    repeated: bool = False


class ShippingMethodOut(BaseModel):
    shipment_method_uid: str
    name: str
    type: str | None
    price: str | None
    currency: str | None
    min_delivery_days: int | None
    max_delivery_days: int | None
    #: The order ships by this method now.
    current: bool


class ShippingMethods(BaseModel):
    """The shipping methods Gelato offers for the order's items to its address, cheapest first."""

    order_id: str
    methods: list[ShippingMethodOut]


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    action_label: str
    outcome: str
    order_id: str | None
    order_reference: str | None
    #: What was asked, secrets blanked.
    request: dict[str, Any]
    gelato_answer: str


class AuditPage(BaseModel):
    """One page of the audit log, newest first."""

    entries: list[AuditEntryOut]
    #: Pass as ``before`` for the next (older) page; None on the last page.
    next_before: int | None
    #: Every action name the log records, with its label.
    actions: dict[str, str]


class TokenOut(BaseModel):
    id: int
    name: str
    scope: Literal["read", "act"]
    created_at: datetime
    expires_at: datetime | None


class Me(BaseModel):
    """Who the token acts for: a call to check that an integration is wired up."""

    agent: str
    role: Literal["agent", "admin"]
    token: TokenOut
    calls_per_minute: int


class OpenApiDocument(BaseModel):
    """This API's OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


# Reading the domain's objects


def _link(article: Article) -> Link:
    return Link(title=article.title, url=article.url)


def _sources(found: tuple[Source, ...]) -> list[SourceOut]:
    return [SourceOut(label=source.label, url=source.href) for source in found]


def _money(value) -> str | None:
    return None if value is None else str(value)


def status_out(code: str) -> StatusOut:
    status = rules.status(code)
    return StatusOut(
        code=status.code,
        label=status.label,
        stage=status.stage.title,
        meaning=status.meaning,
        article_url=status.article_url,
        sources=_sources(status.sources),
    )


def action_out(
    action: rules.Action, order: Order, portal_url: str | None, api_url: str | None
) -> ActionOut:
    decision = rules.decide(action, order)
    available = (
        wizard.ChangeOptions(action, order).portal if action.replaces_original else decision.allowed
    )
    links = {
        "portal_url": portal_url if available else None,
        "api_url": api_url if available else None,
    }
    refusal = decision.refusal
    if refusal is None:
        return ActionOut(
            slug=action.slug,
            title=action.title,
            allowed=True,
            available=available,
            article=_link(action.article),
            sources=_sources(rules.window(action).sources),
            **links,
        )
    return ActionOut(
        slug=action.slug,
        title=action.title,
        allowed=False,
        available=available,
        reason=refusal.reason,
        next_step=refusal.next_step,
        article=_link(refusal.see or action.article),
        sources=_sources(decision.sources),
        **links,
    )


def verdict_out(verdict: Verdict) -> VerdictOut:
    return VerdictOut(
        code=verdict.code,
        title=verdict.title,
        advice=verdict.advice,
        contact_gelato=verdict.contact_gelato,
        customer_reply=verdict.customer_reply,
        article=_link(WHERE_IS_MY_ORDER),
    )


def address_out(address: Address | None) -> AddressOut | None:
    if address is None:
        return None
    return AddressOut(
        name=address.name,
        company_name=address.company_name,
        address_line1=address.address_line1,
        address_line2=address.address_line2,
        city=address.city,
        post_code=address.post_code,
        state=address.state,
        country=address.country,
        email=address.email,
        phone=address.phone,
    )


def shipment_out(shipment: Shipment | None) -> ShipmentOut | None:
    if shipment is None:
        return None
    return ShipmentOut(
        method_uid=shipment.shipment_method_uid,
        method_name=shipment.shipment_method_name,
        min_delivery_date=shipment.min_delivery_date,
        max_delivery_date=shipment.max_delivery_date,
        expected=expected_window(shipment),
        packages=[
            PackageOut(tracking_code=p.tracking_code, tracking_url=p.tracking_url)
            for p in shipment.packages
        ],
    )


def found_out(order: Order | OrderSummary, portal_url: str) -> OrderFound:
    if isinstance(order, Order):
        address = order.shipping_address
        name, country = (address.name, address.country) if address else ("", None)
        items_count = sum(item.quantity for item in order.items)
    else:
        name = f"{order.first_name or ''} {order.last_name or ''}".strip()
        country, items_count = order.country, order.items_count
    return OrderFound(
        id=order.id,
        reference=order.order_reference_id,
        status=order.fulfillment_status,
        status_label=rules.status(order.fulfillment_status).label,
        customer_name=name,
        country=country,
        items_count=items_count,
        total_incl_vat=_money(order.total_incl_vat),
        currency=order.currency,
        created_at=order.created_at,
        portal_url=portal_url,
    )


def order_out(
    order: Order,
    verdict: Verdict,
    *,
    portal_url: str,
    action_urls: dict[str, str],
    api_urls: dict[str, str],
) -> OrderDetail:
    code = order.fulfillment_status
    return OrderDetail(
        id=order.id,
        reference=order.order_reference_id,
        customer_reference=order.customer_reference_id,
        order_type=order.order_type,
        status=status_out(code),
        financial_status=order.financial_status,
        currency=order.currency,
        total_incl_vat=_money(order.total_incl_vat),
        created_at=order.created_at,
        ordered_at=order.ordered_at,
        updated_at=order.updated_at,
        items=[
            ItemOut(
                item_reference_id=item.item_reference_id,
                product_uid=item.product_uid,
                product_name=item.product_name,
                quantity=item.quantity,
                status=item.fulfillment_status,
                status_since=item.status_since,
                status_comment=item.status_comment,
            )
            for item in order.items
        ],
        shipping_address=address_out(order.shipping_address),
        shipment=shipment_out(order.shipment),
        other_part_ids=list(order.other_part_ids),
        verdict=verdict_out(verdict),
        actions=[
            action_out(a, order, action_urls.get(a.slug), api_urls.get(a.slug))
            for a in rules.ACTIONS
        ],
        portal_url=portal_url,
    )
