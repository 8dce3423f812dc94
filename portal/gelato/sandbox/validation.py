"""The checks Gelato makes on a create or quote request, answering 400 like Gelato would.

The rules are the contract's (sections 3 and 5); the answer's ``field`` is assumption A1, the few
rules the contract leaves open are assumption A20.
"""

from __future__ import annotations

import re
from typing import Any

from portal.gelato.countries import STATE_REQUIRED, needs_post_code
from portal.gelato.sandbox.catalog import PRODUCTS
from portal.gelato.statuses import ORDER_TYPES, SUPPORTED_CURRENCIES


class ApiError(Exception):
    """An error answer: status, Gelato-style message and, for a 400, the offending field."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


PRINT_AREAS = frozenset(
    {
        "default",
        "front",
        "back",
        "neck-inner",
        "neck-outer",
        "sleeve-left",
        "sleeve-right",
        "inside",
        "chest-left-embroidery",
        "chest-center-embroidery",
        "chest-large-embroidery",
        "sleeve-left-embroidery",
        "sleeve-right-embroidery",
        "wrist-left-embroidery",
        "wrist-right-embroidery",
    }
)

#: Address fields and their maximum lengths (contract, section 5).
ADDRESS_LIMITS = {
    "firstName": 25,
    "lastName": 25,
    "companyName": 60,
    "addressLine1": 35,
    "addressLine2": 35,
    "city": 30,
    "postCode": 15,
    "state": 35,
    "country": 2,
    "email": None,
    "phone": 25,
    "federalTaxId": None,
    "stateTaxId": None,
    "registrationStateCode": None,
}
REQUIRED_ADDRESS_FIELDS = ("firstName", "lastName", "addressLine1", "city", "country", "email")
RETURN_ADDRESS_FIELDS = frozenset(
    {
        "companyName",
        "addressLine1",
        "addressLine2",
        "city",
        "postCode",
        "state",
        "country",
        "email",
        "phone",
    }
)

COUNTRY = re.compile(r"^[A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def invalid(field: str, message: str) -> ApiError:
    return ApiError(400, message, field)


def require_object(value: Any, field: str | None = None) -> dict:
    if not isinstance(value, dict):
        raise ApiError(400, f"{field or 'The request body'} must be a JSON object.", field)
    return value


def is_whole(value: Any, low: int) -> bool:
    """An integer of at least ``low``. JSON's true and false are not numbers, though Python's
    ``bool`` is an ``int``."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= low


def _text(data: dict, key: str, field: str, *, required: bool, limit: int | None) -> None:
    value = data.get(key)
    if value is None or value == "":
        if required:
            raise invalid(field, f"{field} is required.")
        return
    if not isinstance(value, str):
        raise invalid(field, f"{field} must be a string.")
    if limit is not None and len(value) > limit:
        raise invalid(field, f"{field} must be at most {limit} characters long.")


def check_address(data: Any, prefix: str) -> None:
    data = require_object(data, prefix)
    for key, limit in ADDRESS_LIMITS.items():
        _text(data, key, f"{prefix}.{key}", required=key in REQUIRED_ADDRESS_FIELDS, limit=limit)
    country = data["country"]
    if not COUNTRY.match(country):
        raise invalid(
            f"{prefix}.country",
            f"{prefix}.country must be an ISO 3166-1 alpha-2 code such as DE or GB (not UK).",
        )
    if country == "UK":
        raise invalid(f"{prefix}.country", "The United Kingdom is GB, not UK.")
    if not data.get("postCode") and needs_post_code(country):
        raise invalid(f"{prefix}.postCode", f"{prefix}.postCode is required for {country}.")
    if country in STATE_REQUIRED and not data.get("state"):
        raise invalid(f"{prefix}.state", f"{prefix}.state is required for US, CA and AU.")
    if not EMAIL.match(data["email"]):
        raise invalid(f"{prefix}.email", f"{prefix}.email is not an e-mail address.")
    if "isBusiness" in data and not isinstance(data["isBusiness"], bool):
        raise invalid(f"{prefix}.isBusiness", f"{prefix}.isBusiness must be true or false.")
    if country == "BR" and not data.get("federalTaxId"):
        raise invalid(
            f"{prefix}.federalTaxId",
            f"{prefix}.federalTaxId (CPF, or CNPJ for a company) is required for Brazil.",
        )
    for key in ("stateTaxId", "registrationStateCode"):
        if data.get(key) and data.get("isBusiness") is not True:
            raise invalid(f"{prefix}.{key}", f"{prefix}.{key} requires isBusiness to be true.")


def check_items(items: Any, prefix: str) -> None:
    if not isinstance(items, list) or not items:
        raise invalid(prefix, f"{prefix} must list at least one item.")
    seen: set[str] = set()
    for n, item in enumerate(items):
        field = f"{prefix}[{n}]"
        item = require_object(item, field)
        _text(item, "itemReferenceId", f"{field}.itemReferenceId", required=True, limit=None)
        if item["itemReferenceId"] in seen:
            raise invalid(
                f"{field}.itemReferenceId",
                f"{field}.itemReferenceId must be unique within the order.",
            )
        seen.add(item["itemReferenceId"])
        _text(item, "productUid", f"{field}.productUid", required=True, limit=None)
        if item["productUid"] not in PRODUCTS:
            raise invalid(f"{field}.productUid", f"Product {item['productUid']!r} was not found.")
        if not is_whole(item.get("quantity"), 1):
            raise invalid(f"{field}.quantity", f"{field}.quantity must be 1 or more.")
        if item.get("pageCount") is not None and not is_whole(item["pageCount"], 1):
            raise invalid(f"{field}.pageCount", f"{field}.pageCount must be a whole number.")
        check_files(item.get("files"), f"{field}.files")


def check_files(files: Any, prefix: str) -> None:
    if files is None:
        return
    if not isinstance(files, list):
        raise invalid(prefix, f"{prefix} must be a list.")
    for n, file in enumerate(files):
        field = f"{prefix}[{n}]"
        file = require_object(file, field)
        if not file.get("url") and not file.get("id"):
            raise invalid(f"{field}.url", f"{field}.url is required.")
        area = file.get("type", "default")
        if area not in PRINT_AREAS:
            raise invalid(f"{field}.type", f"{field}.type {area!r} is not a known print area.")
        colors = file.get("threadColors")
        if colors is not None and (not isinstance(colors, list) or len(colors) > 6):
            raise invalid(f"{field}.threadColors", f"{field}.threadColors allows 6 colours.")


def check_references(body: dict) -> None:
    _text(body, "orderReferenceId", "orderReferenceId", required=True, limit=None)
    _text(body, "customerReferenceId", "customerReferenceId", required=True, limit=None)
    currency = body.get("currency")
    if currency not in SUPPORTED_CURRENCIES:
        raise invalid("currency", f"Currency {currency!r} is not supported.")


def check_create(body: Any) -> dict:
    body = require_object(body)
    order_type = body.get("orderType", "order")
    if order_type not in ORDER_TYPES:
        raise invalid("orderType", "orderType must be order or draft.")
    check_references(body)
    check_items(body.get("items"), "items")
    check_address(body.get("shippingAddress"), "shippingAddress")
    uid = body.get("shipmentMethodUid")
    if uid is not None and not isinstance(uid, str):
        raise invalid("shipmentMethodUid", "shipmentMethodUid must be a string.")
    if body.get("returnAddress") is not None:
        check_return_address(body["returnAddress"])
    if body.get("metadata") is not None:
        check_metadata(body["metadata"])
    return body


def check_return_address(data: Any) -> None:
    data = require_object(data, "returnAddress")
    for key, value in data.items():
        field = f"returnAddress.{key}"
        if key not in RETURN_ADDRESS_FIELDS:
            raise invalid(field, f"{field} is not a return address field.")
        _text(data, key, field, required=False, limit=ADDRESS_LIMITS.get(key))
        if key == "country" and value and not COUNTRY.match(value):
            raise invalid(field, f"{field} must be an ISO 3166-1 alpha-2 code.")


def check_metadata(entries: Any) -> None:
    if not isinstance(entries, list) or len(entries) > 20:
        raise invalid("metadata", "metadata must be a list of at most 20 entries.")
    for n, entry in enumerate(entries):
        field = f"metadata[{n}]"
        entry = require_object(entry, field)
        _text(entry, "key", f"{field}.key", required=True, limit=100)
        _text(entry, "value", f"{field}.value", required=True, limit=100)


def check_quote(body: Any) -> dict:
    body = require_object(body)
    check_references(body)
    check_address(body.get("recipient"), "recipient")
    check_items(body.get("products"), "products")
    if "allowMultipleQuotes" in body and not isinstance(body["allowMultipleQuotes"], bool):
        raise invalid("allowMultipleQuotes", "allowMultipleQuotes must be true or false.")
    return body
