"""The sandbox's orders and what Gelato lets one do with them.

Orders are kept as Gelato's own JSON, so what goes out is exactly what was stored; every answer is
JSON text (or, inside the sandbox, a dict parsed from it), so a caller can never change the book by
accident. Every change of an order goes through ``OrderBook._store``, which keeps the search index
and the cached JSON in step. One lock guards the book: the standalone server answers several
requests at once.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.gelato.assumptions import (
    NEW_ORDER_STATUSES,
)
from portal.gelato.sandbox import catalog, lifecycle
from portal.gelato.sandbox.index import SearchIndex, SearchQuery
from portal.gelato.sandbox.lifecycle import status_entry, timestamp
from portal.gelato.sandbox.validation import (
    ApiError,
    check_create,
    check_files,
    check_quote,
    invalid,
    require_object,
)

MakeId = Callable[[str], str]

#: Who bills the merchant in the sandbox.
BILLING_ENTITY = {
    "companyName": "Northwind Prints Ltd",
    "companyNumber": "NW-0451",
    "companyVatNumber": "GB123456789",
    "country": "GB",
    "recipientName": "Accounts, Northwind Prints",
    "addressLine1": "1 Printers Yard",
    "addressLine2": None,
    "city": "London",
    "postCode": "EC1A 1BB",
    "state": None,
    "email": "accounts@northwind-prints.example",
    "phone": "+44 20 7946 0018",
}


def random_ids(name: str) -> str:
    """Ids of orders made at run time (assumption A14)."""
    return str(uuid.uuid4())


def build_order(
    body: dict,
    *,
    make_id: MakeId,
    now: datetime,
    channel: str = "api",
    store_id: str | None = None,
) -> dict:
    """A new order, as Gelato answers a create, from a checked create request."""
    order_id = make_id("order")
    order_type = body.get("orderType", "order")
    fulfillment, financial = NEW_ORDER_STATUSES[order_type]
    address = body["shippingAddress"]
    country = address["country"]
    carrier = catalog.choose_carrier(body.get("shipmentMethodUid"), country)
    if carrier is None:
        raise invalid(
            "shipmentMethodUid",
            f"No shipping price found: no shipment method {body.get('shipmentMethodUid')!r} "
            f"delivers to {country}.",
        )
    items = [
        _item(
            entry, item_id=make_id(f"item:{entry['itemReferenceId']}"), status=fulfillment, now=now
        )
        for entry in body["items"]
    ]
    order = {
        "id": order_id,
        "clientId": make_id("client"),
        "orderType": order_type,
        "orderReferenceId": body["orderReferenceId"],
        "customerReferenceId": body["customerReferenceId"],
        "fulfillmentStatus": fulfillment,
        "financialStatus": financial,
        "currency": body["currency"],
        "channel": channel,
        "storeId": store_id,
        "createdAt": timestamp(now),
        "updatedAt": timestamp(now),
        "orderedAt": None if order_type == "draft" else timestamp(now),
        "refusalReason": None,
        "refusalReasonCode": None,
        "items": items,
        "shipment": _shipment(carrier, items, country, make_id("shipment"), now),
        "shippingAddress": {**address, "id": make_id("address"), "orderId": order_id},
        "billingEntity": {"id": make_id("billing"), **BILLING_ENTITY},
        "receipts": [],
        "connectedOrderIds": [],
        "metadata": list(body.get("metadata") or []),
    }
    if body.get("returnAddress"):
        order["returnAddress"] = {
            **body["returnAddress"],
            "id": make_id("return-address"),
            "orderId": order_id,
        }
    price_order(order, make_id("receipt"))
    return order


def _item(entry: dict, *, item_id: str, status: str, now: datetime) -> dict:
    product = catalog.PRODUCTS[entry["productUid"]]
    item = {
        "id": item_id,
        "itemReferenceId": entry["itemReferenceId"],
        "productUid": entry["productUid"],
        "productName": product.name,
        "quantity": entry["quantity"],
        "fulfillmentStatus": status,
        "eventLog": [status_entry(status, now)],
        "files": _files(entry.get("files") or []),
        "processedFileUrl": None,
        "previews": [
            {
                "type": kind,
                "url": f"https://files.northwind-prints.example/previews/{item_id}/{n}.png",
            }
            for n, kind in enumerate(("preview_default", "preview_thumbnail"))
        ],
        "options": [],
    }
    if entry.get("pageCount"):
        item["pageCount"] = entry["pageCount"]
    return item


def _files(entries: list[dict]) -> list[dict]:
    """Files as an order shows them: a file sent without a print area prints on ``default``."""
    return [{"type": "default", **file} for file in entries]


def _shipment(
    carrier: catalog.Carrier, items: list[dict], country: str, shipment_id: str, now: datetime
) -> dict:
    return {
        "id": shipment_id,
        "shipmentMethodUid": carrier.uid,
        "shipmentMethodName": carrier.name,
        "packageCount": 1,
        **carrier.delivery(now),
        "totalWeight": catalog.parcel_weight(items),
        "fulfillmentCountry": catalog.production_country(country),
        "packages": [],
    }


def price_order(order: dict, receipt_id: str) -> None:
    """Give the order one purchase receipt for its items and shipping."""
    currency = order["currency"]
    country = order["shippingAddress"]["country"]
    lines = []
    products = Decimal("0")
    for item in order["items"]:
        product = catalog.PRODUCTS[item["productUid"]]
        amount = catalog.price(product.price_eur, currency) * item["quantity"]
        products += amount
        lines.append(_receipt_line(receipt_id, item["id"], "product", product.name, amount, order))
    shipment = order["shipment"]
    carrier = catalog.CARRIERS[shipment["shipmentMethodUid"]]
    shipping = catalog.price(carrier.price_eur, currency)
    lines.append(
        _receipt_line(receipt_id, shipment["id"], "shipment", carrier.name, shipping, order)
    )
    products_vat, shipping_vat = catalog.vat(products, country), catalog.vat(shipping, country)
    total = products + shipping
    total_vat = products_vat + shipping_vat
    order["receipts"] = [
        {
            "id": receipt_id,
            "orderId": order["id"],
            "transactionType": "purchase",
            "currency": currency,
            "items": lines,
            "productsPriceInitial": float(products),
            "productsPriceDiscount": 0.0,
            "productsPrice": float(products),
            "productsPriceVat": float(products_vat),
            "productsPriceInclVat": float(products + products_vat),
            "packagingPriceInitial": 0.0,
            "packagingPriceDiscount": 0.0,
            "packagingPrice": 0.0,
            "packagingPriceVat": 0.0,
            "packagingPriceInclVat": 0.0,
            "shippingPriceInitial": float(shipping),
            "shippingPriceDiscount": 0.0,
            "shippingPrice": float(shipping),
            "shippingPriceVat": float(shipping_vat),
            "shippingPriceInclVat": float(shipping + shipping_vat),
            "discount": 0.0,
            "discountVat": 0.0,
            "discountInclVat": 0.0,
            "totalInitial": float(total),
            "total": float(total),
            "totalVat": float(total_vat),
            "totalInclVat": float(total + total_vat),
        }
    ]


def add_refund(order: dict, item_ids: Iterable[str], receipt_id: str, at: datetime) -> None:
    """Give the order a refund receipt for the products of ``item_ids``, as Gelato does when it
    refunds some items (partially refunded) or all of them with the shipping (refunded)."""
    wanted = set(item_ids)
    purchase = next(r for r in order["receipts"] if r["transactionType"] == "purchase")
    every_item = wanted >= {item["id"] for item in order["items"]}
    lines = [
        {**line, "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{receipt_id}/{line['referenceId']}")),
         "receiptId": receipt_id, "createdAt": timestamp(at), "updatedAt": timestamp(at)}
        for line in purchase["items"]
        if line["referenceId"] in wanted or (every_item and line["type"] != "product")
    ]  # fmt: skip
    products = [line for line in lines if line["type"] == "product"]
    shipping = [line for line in lines if line["type"] == "shipment"]

    def total(rows: list[dict], key: str) -> float:
        return round(sum(row[key] for row in rows), 2)

    order["receipts"].append(
        {
            "id": receipt_id,
            "orderId": order["id"],
            "transactionType": "refund",
            "currency": order["currency"],
            "items": lines,
            **{
                f"{name}{part}": 0.0
                for name in ("productsPrice", "packagingPrice", "shippingPrice")
                for part in ("Initial", "Discount", "", "Vat", "InclVat")
            },
            "productsPriceInitial": total(products, "price"),
            "productsPrice": total(products, "price"),
            "productsPriceVat": total(products, "vat"),
            "productsPriceInclVat": total(products, "priceInclVat"),
            "shippingPriceInitial": total(shipping, "price"),
            "shippingPrice": total(shipping, "price"),
            "shippingPriceVat": total(shipping, "vat"),
            "shippingPriceInclVat": total(shipping, "priceInclVat"),
            "discount": 0.0,
            "discountVat": 0.0,
            "discountInclVat": 0.0,
            "totalInitial": total(lines, "price"),
            "total": total(lines, "price"),
            "totalVat": total(lines, "vat"),
            "totalInclVat": total(lines, "priceInclVat"),
        }
    )


def _receipt_line(
    receipt_id: str, reference_id: str, kind: str, title: str, amount: Decimal, order: dict
) -> dict:
    line_vat = catalog.vat(amount, order["shippingAddress"]["country"])
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{receipt_id}/{reference_id}")),
        "receiptId": receipt_id,
        "referenceId": reference_id,
        "type": kind,
        "title": title,
        "currency": order["currency"],
        "priceBase": float(amount),
        "amount": 1,
        "priceInitial": float(amount),
        "discount": 0.0,
        "price": float(amount),
        "vat": float(line_vat),
        "priceInclVat": float(amount + line_vat),
        "createdAt": order["createdAt"],
        "updatedAt": order["createdAt"],
    }


def summary(order: dict) -> dict:
    """The search row of an order (assumption A7 for ``itemsCount`` and ``totalInclVat``)."""
    address = order.get("shippingAddress") or {}
    purchase = next(
        (r for r in order.get("receipts", []) if r.get("transactionType") == "purchase"), None
    )
    return {
        "id": order["id"],
        "orderReferenceId": order["orderReferenceId"],
        "orderType": order["orderType"],
        "channel": order["channel"],
        "fulfillmentStatus": order["fulfillmentStatus"],
        "financialStatus": order["financialStatus"],
        "currency": order["currency"],
        "country": address.get("country"),
        "firstName": address.get("firstName"),
        "lastName": address.get("lastName"),
        "itemsCount": len(order["items"]),
        "totalInclVat": f"{purchase['totalInclVat']:.2f}" if purchase else None,
        "storeId": order["storeId"],
        "connectedOrderIds": list(order["connectedOrderIds"]),
        "createdAt": order["createdAt"],
        "updatedAt": order["updatedAt"],
        "orderedAt": order["orderedAt"],
    }


class OrderBook:
    """All orders of one sandbox.

    Answers are JSON text, serialized once per change of an order and kept until the next one:
    a caller gets a fresh copy to parse, and reading an order costs no copy of the book's own.
    """

    def __init__(
        self,
        orders: Iterable[dict],
        clock: Callable[[], datetime],
        publish: Callable[[list[dict]], None] | None = None,
    ):
        #: Where the webhook events of every change go, once the book's lock is released.
        self.publish = publish or (lambda events: None)
        self._orders: dict[str, dict] = {}
        self._json: dict[str, str] = {}
        self._index = SearchIndex()
        self._clock = clock
        self._lock = threading.RLock()
        for order in orders:
            self._store(order)

    def get(self, order_id: str) -> str:
        """The order as Gelato's JSON."""
        with self._lock:
            return self._text(self._find(order_id))

    def with_reference(self, order_reference_id: str) -> list[dict]:
        """The orders with this reference, newest first, as dicts of their own."""
        with self._lock:
            ids = self._index.with_value("orderReferenceId", order_reference_id)
            return [json.loads(self._text(self._orders[i])) for i in ids]

    def __len__(self) -> int:
        return len(self._orders)

    def search(self, body: Any) -> list[dict]:
        """One page of search rows (assumption A7), found through the index."""
        query = SearchQuery.from_json(body)
        with self._lock:
            return [summary(self._orders[i]) for i in self._index.find(query)]

    def create(self, body: Any) -> str:
        body = check_create(body)
        order = build_order(body, make_id=random_ids, now=self._clock())
        with self._lock:
            self._store(order)
            text = self._text(order)
        self.publish(lifecycle.created(order))
        return text

    def steer(self, order_id: str, move: Callable[[dict, datetime], list[dict]]) -> str:
        """Apply ``move`` (a ``lifecycle`` function) to one order, keep it, send its events;
        the order's JSON after the move."""
        with self._lock:
            order = self._find(order_id)
            changes = move(order, self._clock())
            self._store(order)
            text = self._text(order)
        self.publish(changes)
        return text

    def _store(self, order: dict) -> None:
        """Keep a new order, or a changed one: index it again and forget its old JSON."""
        self._orders[order["id"]] = order
        self._json.pop(order["id"], None)
        self._index.add(order)

    def _text(self, order: dict) -> str:
        text = self._json.get(order["id"])
        if text is None:
            text = self._json[order["id"]] = json.dumps(order, ensure_ascii=False)
        return text

    def cancel(self, order_id: str) -> None:
        """Cancel while Gelato still allows it (assumption A4)."""
        self.steer(order_id, lifecycle.cancel)

    def patch(self, order_id: str, body: Any) -> str:
        """Turn a draft into an order, keeping only the listed items (assumption A5)."""
        body = require_object(body)

        def convert(order: dict, now: datetime) -> list[dict]:
            if order["orderType"] != "draft":
                raise ApiError(409, "Only draft orders can be changed or deleted.")
            if body.get("orderType") != "order":
                raise invalid("orderType", "orderType is required and must be order.")
            items = order["items"]
            if "items" in body:
                items = self._patched_items(order, body["items"])
            fulfillment, financial = NEW_ORDER_STATUSES["order"]
            order["financialStatus"] = financial
            changes = lifecycle.convert_draft(order, items, fulfillment, now)
            price_order(order, order["receipts"][0]["id"])
            return changes

        return self.steer(order_id, convert)

    @staticmethod
    def _patched_items(order: dict, entries: Any) -> list[dict]:
        if not isinstance(entries, list):
            raise invalid("items", "items must be a list.")
        if not entries:
            raise invalid("items", "An order needs at least one item.")
        by_id = {item["id"]: item for item in order["items"]}
        for n, entry in enumerate(entries):
            entry = require_object(entry, f"items[{n}]")
            if entry.get("id") not in by_id:
                raise invalid(f"items[{n}].id", f"items[{n}].id is not an item of this order.")
            check_files(entry.get("files"), f"items[{n}].files")
        # Checked in full first, so a bad entry changes nothing.
        kept = []
        for entry in entries:
            item = by_id[entry["id"]]
            if entry.get("files") is not None:  # null, like no files at all, keeps them
                item["files"] = _files(entry["files"])
            kept.append(item)
        return kept

    def delete(self, order_id: str) -> None:
        with self._lock:
            self._draft(order_id)
            del self._orders[order_id]
            self._json.pop(order_id, None)
            self._index.remove(order_id)

    def quote(self, body: Any) -> dict:
        """Price a would-be order; nothing is stored (assumption A8)."""
        body = check_quote(body)
        now = self._clock()
        country = body["recipient"]["country"]
        currency = body["currency"]
        products = body["products"]
        weight = catalog.parcel_weight(products)
        methods = []
        for carrier in catalog.carriers_for(country):
            if carrier.type == "pallet" and not body["recipient"].get("isBusiness"):
                continue
            methods.append(
                {
                    "name": carrier.name,
                    "shipmentMethodUid": carrier.uid,
                    "price": float(catalog.price(carrier.price_eur, currency)),
                    "currency": currency,
                    **carrier.delivery(now),
                    "type": carrier.type,
                    "isPrivate": carrier.is_private,
                    "isBusiness": carrier.is_business,
                    "totalWeight": weight,
                    "numberOfParcels": 1,
                }
            )
        if not methods:
            raise invalid("recipient.country", f"No shipping price found for {country}.")
        return {
            "orderReferenceId": body["orderReferenceId"],
            "quotes": [
                {
                    "id": str(uuid.uuid4()),
                    "itemReferenceIds": [p["itemReferenceId"] for p in products],
                    "fulfillmentCountry": catalog.production_country(country),
                    "shipmentMethods": methods,
                    "products": [
                        {
                            "itemReferenceId": p["itemReferenceId"],
                            "productUid": p["productUid"],
                            "quantity": p["quantity"],
                            "price": float(
                                catalog.price(catalog.PRODUCTS[p["productUid"]].price_eur, currency)
                                * p["quantity"]
                            ),
                            "currency": currency,
                        }
                        for p in products
                    ],
                }
            ],
        }

    def _find(self, order_id: str) -> dict:
        order = self._orders.get(order_id)
        if order is None:
            raise ApiError(404, f"Order {order_id} was not found.")
        return order

    def _draft(self, order_id: str) -> dict:
        order = self._find(order_id)
        if order["orderType"] != "draft":
            raise ApiError(409, "Only draft orders can be changed or deleted.")
        return order
