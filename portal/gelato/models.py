"""Typed views of Gelato's JSON, so the rest of the portal never handles raw dicts.

Parsing is tolerant: every field the contract marks optional (or shows in examples only) may be
absent or null and becomes ``None`` or an empty tuple, and unknown fields are ignored, because
Gelato adds fields without notice. Only an order's ``id`` is required; without it the answer is not
an order. Money is ``Decimal`` (search rows send it as a string, receipts as a number). Statuses
stay plain strings rather than enums: Gelato adds statuses from time to time (``in_production`` and
``on_hold`` arrived in March 2024), and an order in a status the portal does not know yet must
still load and display.

Models are frozen: an ``Order`` is a snapshot of what Gelato said at one moment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from portal.gelato.statuses import PARTIALLY_REFUNDED, REFUNDED, progress

JSON = Mapping[str, Any]


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _int(value: Any) -> int | None:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _datetime(value: Any) -> datetime | None:
    """ISO 8601 with an offset; ``+0000`` (ecommerce examples) and ``Z`` are accepted too."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in _list(value))


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class Address:
    """A shipping address as Gelato takes it on create and returns it on the order."""

    first_name: str
    last_name: str
    address_line1: str
    city: str
    post_code: str
    country: str
    email: str
    address_line2: str | None = None
    company_name: str | None = None
    state: str | None = None
    phone: str | None = None
    is_business: bool | None = None
    federal_tax_id: str | None = None
    state_tax_id: str | None = None
    registration_state_code: str | None = None
    #: Set by Gelato on the order's copy; never sent.
    id: str | None = None

    @classmethod
    def from_json(cls, data: JSON) -> Address:
        return cls(
            first_name=data.get("firstName") or "",
            last_name=data.get("lastName") or "",
            address_line1=data.get("addressLine1") or "",
            city=data.get("city") or "",
            post_code=data.get("postCode") or "",
            country=data.get("country") or "",
            email=data.get("email") or "",
            address_line2=data.get("addressLine2") or None,
            company_name=data.get("companyName") or None,
            state=data.get("state") or None,
            phone=data.get("phone") or None,
            is_business=_bool(data.get("isBusiness")),
            federal_tax_id=data.get("federalTaxId") or None,
            state_tax_id=data.get("stateTaxId") or None,
            registration_state_code=data.get("registrationStateCode") or None,
            id=_text(data.get("id")),
        )

    def to_create_json(self) -> dict[str, Any]:
        """The ``shippingAddress`` (or quote ``recipient``) of a create request."""
        return _drop_none(
            {
                "firstName": self.first_name,
                "lastName": self.last_name,
                "companyName": self.company_name,
                "addressLine1": self.address_line1,
                "addressLine2": self.address_line2,
                "city": self.city,
                "postCode": self.post_code,
                "state": self.state,
                "country": self.country,
                "email": self.email,
                "phone": self.phone,
                "isBusiness": self.is_business,
                "federalTaxId": self.federal_tax_id,
                "stateTaxId": self.state_tax_id,
                "registrationStateCode": self.registration_state_code,
            }
        )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class File:
    """A print file of an item; ``type`` is the print area."""

    url: str | None
    type: str = "default"
    id: str | None = None
    thread_colors: tuple[str, ...] = ()
    is_visible: bool | None = None

    @classmethod
    def from_json(cls, data: JSON) -> File:
        return cls(
            url=_text(data.get("url")),
            type=data.get("type") or "default",
            id=_text(data.get("id")),
            thread_colors=_strings(data.get("threadColors")),
            is_visible=_bool(data.get("isVisible")),
        )

    def to_create_json(self) -> dict[str, Any]:
        return _drop_none(
            {
                "url": self.url,
                "type": self.type,
                "id": self.id,
                "threadColors": list(self.thread_colors) or None,
                "isVisible": self.is_visible,
            }
        )


@dataclass(frozen=True)
class Preview:
    type: str
    url: str

    @classmethod
    def from_json(cls, data: JSON) -> Preview:
        return cls(type=data.get("type") or "", url=data.get("url") or "")


@dataclass(frozen=True)
class StatusChange:
    """One moment an item reached a status, and Gelato's reason when it gave one.

    Gelato documents the moment only as the ``created`` of the ``order_item_status_updated``
    webhook event (its ``comment`` is the reason, e.g. why an item is on hold). The same three
    fields are read from the entries of an item's ``eventLog`` (assumption A21), so a change is the
    same whether the order said it or a webhook did.
    """

    status: str
    at: datetime | None
    comment: str | None = None

    @classmethod
    def from_json(cls, data: JSON) -> StatusChange:
        """An ``eventLog`` entry or an ``order_item_status_updated`` event."""
        return cls(
            status=_text(data.get("status")) or "",
            at=_datetime(data.get("created")),
            comment=data.get("comment") or None,
        )


def _history(value: Any) -> tuple[StatusChange, ...]:
    """An item's status changes, oldest first; entries without a status are not changes."""
    changes = [
        StatusChange.from_json(entry)
        for entry in _list(value)
        if isinstance(entry, dict) and entry.get("status")
    ]
    timed = [change for change in changes if change.at is not None]
    return tuple(sorted(timed, key=lambda change: change.at))


@dataclass(frozen=True)
class Item:
    """An order line. Build one with the first five fields to create an order."""

    item_reference_id: str
    product_uid: str
    quantity: int
    files: tuple[File, ...] = ()
    page_count: int | None = None
    #: The fields below are set by Gelato and never sent on create.
    id: str | None = None
    fulfillment_status: str | None = None
    product_name: str | None = None
    processed_file_url: str | None = None
    previews: tuple[Preview, ...] = ()
    #: When the item reached each status, oldest first (assumption A21); empty when Gelato sent
    #: no times, never guessed from the order's ``updatedAt``.
    status_history: tuple[StatusChange, ...] = ()

    @classmethod
    def from_json(cls, data: JSON) -> Item:
        return cls(
            item_reference_id=data.get("itemReferenceId") or "",
            product_uid=data.get("productUid") or "",
            quantity=_int(data.get("quantity")) or 0,
            files=tuple(File.from_json(f) for f in _list(data.get("files"))),
            page_count=_int(data.get("pageCount")),
            id=_text(data.get("id")),
            fulfillment_status=_text(data.get("fulfillmentStatus")),
            product_name=_text(data.get("productName")),
            processed_file_url=_text(data.get("processedFileUrl")),
            previews=tuple(Preview.from_json(p) for p in _list(data.get("previews"))),
            status_history=_history(data.get("eventLog")),
        )

    @property
    def status_change(self) -> StatusChange | None:
        """The change that brought the item into its current status, if Gelato told when."""
        for change in reversed(self.status_history):
            if change.status == self.fulfillment_status:
                return change
        return None

    @property
    def status_since(self) -> datetime | None:
        """When the item reached its current status."""
        change = self.status_change
        return change.at if change else None

    @property
    def status_comment(self) -> str | None:
        """Gelato's reason for the current status (why it is on hold, why it failed), if any."""
        change = self.status_change
        return change.comment if change else None

    @property
    def delivered_at(self) -> datetime | None:
        """When a delivered item was delivered: the moment it reached ``delivered``. It does not
        move when the order changes later (a refund, a new estimate)."""
        return self.status_since if self.fulfillment_status == "delivered" else None

    def to_create_json(self) -> dict[str, Any]:
        """The item as a create (or quote ``products``) entry, e.g. to reorder it."""
        return _drop_none(
            {
                "itemReferenceId": self.item_reference_id,
                "productUid": self.product_uid,
                "quantity": self.quantity,
                "files": [f.to_create_json() for f in self.files] or None,
                "pageCount": self.page_count,
            }
        )


@dataclass(frozen=True)
class Package:
    """One parcel; tracking fields are empty until the parcel is shipped."""

    id: str | None
    tracking_code: str | None
    tracking_url: str | None
    order_item_ids: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: JSON) -> Package:
        return cls(
            id=_text(data.get("id")),
            tracking_code=data.get("trackingCode") or None,
            tracking_url=data.get("trackingUrl") or None,
            order_item_ids=_strings(data.get("orderItemIds")),
        )


@dataclass(frozen=True)
class Shipment:
    """How the order travels. Delivery days count production plus delivery."""

    id: str | None
    shipment_method_uid: str | None
    shipment_method_name: str | None
    package_count: int | None = None
    min_delivery_days: int | None = None
    max_delivery_days: int | None = None
    min_delivery_date: date | None = None
    max_delivery_date: date | None = None
    total_weight: int | None = None
    fulfillment_country: str | None = None
    packages: tuple[Package, ...] = ()

    @classmethod
    def from_json(cls, data: JSON) -> Shipment:
        # Gelato's examples spell the count both ways.
        count = data.get("packageCount", data.get("packagesCount"))
        return cls(
            id=_text(data.get("id")),
            shipment_method_uid=_text(data.get("shipmentMethodUid")),
            shipment_method_name=_text(data.get("shipmentMethodName")),
            package_count=_int(count),
            min_delivery_days=_int(data.get("minDeliveryDays")),
            max_delivery_days=_int(data.get("maxDeliveryDays")),
            min_delivery_date=_date(data.get("minDeliveryDate")),
            max_delivery_date=_date(data.get("maxDeliveryDate")),
            total_weight=_int(data.get("totalWeight")),
            fulfillment_country=_text(data.get("fulfillmentCountry")),
            packages=tuple(Package.from_json(p) for p in _list(data.get("packages"))),
        )


@dataclass(frozen=True)
class Receipt:
    """The totals of one purchase or refund; line items are left out."""

    id: str | None
    transaction_type: str | None
    currency: str | None
    total: Decimal | None = None
    total_vat: Decimal | None = None
    total_incl_vat: Decimal | None = None
    shipping_price_incl_vat: Decimal | None = None

    @classmethod
    def from_json(cls, data: JSON) -> Receipt:
        return cls(
            id=_text(data.get("id")),
            transaction_type=_text(data.get("transactionType")),
            currency=_text(data.get("currency")),
            total=_decimal(data.get("total")),
            total_vat=_decimal(data.get("totalVat")),
            total_incl_vat=_decimal(data.get("totalInclVat")),
            shipping_price_incl_vat=_decimal(data.get("shippingPriceInclVat")),
        )


@dataclass(frozen=True)
class Order:
    """A full order, as create, get and patch return it."""

    id: str
    order_reference_id: str
    customer_reference_id: str
    order_type: str
    fulfillment_status: str
    financial_status: str
    currency: str
    channel: str | None = None
    store_id: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    ordered_at: datetime | None = None
    items: tuple[Item, ...] = ()
    shipping_address: Address | None = None
    shipment: Shipment | None = None
    connected_order_ids: tuple[str, ...] = ()
    metadata: Mapping[str, str] = field(default_factory=dict)
    receipts: tuple[Receipt, ...] = ()
    refusal_reason: str | None = None
    refusal_reason_code: str | None = None

    @classmethod
    def from_json(cls, data: JSON) -> Order:
        if not data.get("id"):
            raise ValueError("an order without an id")
        address = data.get("shippingAddress")
        shipment = data.get("shipment")
        return cls(
            id=str(data["id"]),
            order_reference_id=data.get("orderReferenceId") or "",
            customer_reference_id=data.get("customerReferenceId") or "",
            order_type=data.get("orderType") or "order",
            fulfillment_status=data.get("fulfillmentStatus") or "",
            financial_status=data.get("financialStatus") or "",
            currency=data.get("currency") or "",
            channel=_text(data.get("channel")),
            store_id=_text(data.get("storeId")),
            created_at=_datetime(data.get("createdAt")),
            updated_at=_datetime(data.get("updatedAt")),
            ordered_at=_datetime(data.get("orderedAt")),
            items=tuple(Item.from_json(i) for i in _list(data.get("items"))),
            shipping_address=Address.from_json(address) if isinstance(address, dict) else None,
            shipment=Shipment.from_json(shipment) if isinstance(shipment, dict) else None,
            connected_order_ids=_strings(data.get("connectedOrderIds")),
            metadata={
                str(entry.get("key")): str(entry.get("value"))
                for entry in _list(data.get("metadata"))
                if isinstance(entry, dict) and entry.get("key") is not None
            },
            receipts=tuple(Receipt.from_json(r) for r in _list(data.get("receipts"))),
            refusal_reason=_text(data.get("refusalReason")),
            refusal_reason_code=_text(data.get("refusalReasonCode")),
        )

    @property
    def is_draft(self) -> bool:
        return self.order_type == "draft"

    @property
    def is_split(self) -> bool:
        """Gelato split one request into several orders; ``other_part_ids`` names the rest."""
        return bool(self.other_part_ids)

    @property
    def other_part_ids(self) -> tuple[str, ...]:
        return tuple(i for i in self.connected_order_ids if i != self.id)

    @property
    def total_incl_vat(self) -> Decimal | None:
        """What the merchant paid: the first purchase receipt's total, if Gelato sent one."""
        for receipt in self.receipts:
            if receipt.transaction_type == "purchase":
                return receipt.total_incl_vat
        return None

    @property
    def is_refunded(self) -> bool:
        """Gelato refunded the whole order (``financialStatus`` ``refunded``)."""
        return self.financial_status == REFUNDED

    @property
    def is_partially_refunded(self) -> bool:
        return self.financial_status == PARTIALLY_REFUNDED

    @property
    def refunded_incl_vat(self) -> Decimal | None:
        """What Gelato paid back: the refund receipts' totals added up; ``None`` without one."""
        refunds = [
            receipt.total_incl_vat
            for receipt in self.receipts
            if receipt.transaction_type == "refund" and receipt.total_incl_vat is not None
        ]
        return sum(refunds, Decimal("0")) if refunds else None

    @property
    def most_advanced_item(self) -> Item | None:
        """The item furthest along Gelato's typical path (the first of equals): the one that
        decides what can still be done, e.g. no cancel once any item is printed. Without any item
        on the path (all waiting, failed or canceled), the first item."""
        if not self.items:
            return None
        return max(self.items, key=lambda item: progress(item.fulfillment_status))

    @property
    def most_advanced_item_status(self) -> str | None:
        item = self.most_advanced_item
        return item.fulfillment_status if item else None

    @property
    def delivered_at(self) -> datetime | None:
        """When the order's delivered items arrived (the last of them), from the items' own
        status times (assumption A21). ``None`` when no item says it was delivered, or Gelato
        did not say when: never the order's ``updatedAt``, which moves with any later change."""
        times = [item.delivered_at for item in self.items if item.delivered_at is not None]
        return max(times) if times else None

    @property
    def packages(self) -> tuple[Package, ...]:
        return self.shipment.packages if self.shipment else ()


@dataclass(frozen=True)
class OrderSummary:
    """A search row: enough to list orders; get the order for address, items and shipment."""

    id: str
    order_reference_id: str
    order_type: str
    fulfillment_status: str
    financial_status: str
    currency: str
    channel: str | None = None
    country: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    items_count: int | None = None
    total_incl_vat: Decimal | None = None
    store_id: str | None = None
    connected_order_ids: tuple[str, ...] = ()
    created_at: datetime | None = None
    updated_at: datetime | None = None
    ordered_at: datetime | None = None

    @classmethod
    def from_json(cls, data: JSON) -> OrderSummary:
        if not data.get("id"):
            raise ValueError("a search row without an id")
        return cls(
            id=str(data["id"]),
            order_reference_id=data.get("orderReferenceId") or "",
            order_type=data.get("orderType") or "order",
            fulfillment_status=data.get("fulfillmentStatus") or "",
            financial_status=data.get("financialStatus") or "",
            currency=data.get("currency") or "",
            channel=_text(data.get("channel")),
            country=_text(data.get("country")),
            first_name=_text(data.get("firstName")),
            last_name=_text(data.get("lastName")),
            items_count=_int(data.get("itemsCount")),
            total_incl_vat=_decimal(data.get("totalInclVat")),
            store_id=_text(data.get("storeId")),
            connected_order_ids=_strings(data.get("connectedOrderIds")),
            created_at=_datetime(data.get("createdAt")),
            updated_at=_datetime(data.get("updatedAt")),
            ordered_at=_datetime(data.get("orderedAt")),
        )


@dataclass(frozen=True)
class ShipmentMethod:
    """A carrier service of the shipment service; ``type`` is normal, express or pallet."""

    shipment_method_uid: str
    name: str
    type: str
    is_business: bool | None = None
    is_private: bool | None = None
    has_tracking: bool | None = None
    supported_countries: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: JSON) -> ShipmentMethod:
        return cls(
            shipment_method_uid=data.get("shipmentMethodUid") or "",
            name=data.get("name") or "",
            type=data.get("type") or "",
            is_business=_bool(data.get("isBusiness")),
            is_private=_bool(data.get("isPrivate")),
            has_tracking=_bool(data.get("hasTracking")),
            supported_countries=_strings(data.get("supportedCountries")),
        )


@dataclass(frozen=True)
class QuotedShipmentMethod:
    name: str
    shipment_method_uid: str
    price: Decimal | None
    currency: str | None
    type: str | None = None
    min_delivery_days: int | None = None
    max_delivery_days: int | None = None
    min_delivery_date: date | None = None
    max_delivery_date: date | None = None
    is_private: bool | None = None
    is_business: bool | None = None
    total_weight: int | None = None
    number_of_parcels: int | None = None
    inco_terms: str | None = None

    @classmethod
    def from_json(cls, data: JSON) -> QuotedShipmentMethod:
        return cls(
            name=data.get("name") or "",
            shipment_method_uid=data.get("shipmentMethodUid") or "",
            price=_decimal(data.get("price")),
            currency=_text(data.get("currency")),
            type=_text(data.get("type")),
            min_delivery_days=_int(data.get("minDeliveryDays")),
            max_delivery_days=_int(data.get("maxDeliveryDays")),
            min_delivery_date=_date(data.get("minDeliveryDate")),
            max_delivery_date=_date(data.get("maxDeliveryDate")),
            is_private=_bool(data.get("isPrivate")),
            is_business=_bool(data.get("isBusiness")),
            total_weight=_int(data.get("totalWeight")),
            number_of_parcels=_int(data.get("numberOfParcels")),
            inco_terms=_text(data.get("incoTerms")),
        )


@dataclass(frozen=True)
class QuotedProduct:
    item_reference_id: str
    product_uid: str
    quantity: int
    price: Decimal | None
    currency: str | None

    @classmethod
    def from_json(cls, data: JSON) -> QuotedProduct:
        return cls(
            item_reference_id=data.get("itemReferenceId") or "",
            product_uid=data.get("productUid") or "",
            quantity=_int(data.get("quantity")) or 0,
            price=_decimal(data.get("price")),
            currency=_text(data.get("currency")),
        )


@dataclass(frozen=True)
class QuotedOrder:
    """One would-be order of a quote; several of them mean Gelato would split the order."""

    id: str
    item_reference_ids: tuple[str, ...]
    fulfillment_country: str | None
    shipment_methods: tuple[QuotedShipmentMethod, ...]
    products: tuple[QuotedProduct, ...]

    @classmethod
    def from_json(cls, data: JSON) -> QuotedOrder:
        return cls(
            id=_text(data.get("id")) or "",
            item_reference_ids=_strings(data.get("itemReferenceIds")),
            fulfillment_country=_text(data.get("fulfillmentCountry")),
            shipment_methods=tuple(
                QuotedShipmentMethod.from_json(m) for m in _list(data.get("shipmentMethods"))
            ),
            products=tuple(QuotedProduct.from_json(p) for p in _list(data.get("products"))),
        )


@dataclass(frozen=True)
class Quote:
    """The answer to a quote request: prices and shipment options, nothing created."""

    order_reference_id: str
    quotes: tuple[QuotedOrder, ...]

    @classmethod
    def from_json(cls, data: JSON) -> Quote:
        return cls(
            order_reference_id=data.get("orderReferenceId") or "",
            quotes=tuple(QuotedOrder.from_json(q) for q in _list(data.get("quotes"))),
        )

    @property
    def would_split(self) -> bool:
        return len(self.quotes) > 1
