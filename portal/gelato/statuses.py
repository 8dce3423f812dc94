"""The enumerations of Gelato's order API (v4), spelled exactly as Gelato sends them.

Kept as plain strings rather than enums: Gelato adds statuses from time to time (``in_production``
and ``on_hold`` arrived in March 2024), and an order in a status this list does not know yet must
still load and display.
"""

#: Every fulfillment status of the contract, the typical path first, then the side states.
FULFILLMENT_STATUSES = (
    "created",
    "uploading",
    "passed",
    "in_production",
    "printed",
    "shipped",
    "in_transit",
    "delivered",
    "draft",
    "failed",
    "canceled",
    "pending_approval",
    "pending_personalization",
    "digitizing",
    "not_connected",
    "on_hold",
    "returned",
)

#: The documented typical path, in order.
TYPICAL_PATH = FULFILLMENT_STATUSES[:8]

FINANCIAL_STATUSES = (
    "draft",
    "pending",
    "invoiced",
    "to_be_invoiced",
    "paid",
    "canceled",
    "partially_refunded",
    "refunded",
    "refused",
)

ORDER_TYPES = ("order", "draft")

CHANNELS = ("ui", "api", "shopify", "etsy")

#: Shipment method types of the shipment service.
SHIPMENT_METHOD_TYPES = ("normal", "express", "pallet")

#: Generic choices Gelato accepts as ``shipmentMethodUid`` on create.
GENERIC_SHIPMENT_METHODS = ("normal", "standard", "express")

#: ISO 4217 codes Gelato accepts as an order's billing currency.
# fmt: off
SUPPORTED_CURRENCIES = frozenset({
    "EUR", "USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK",
    "NOK", "HRK", "RUB", "TRY", "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW",
    "MXN", "MYR", "NZD", "PHP", "SGD", "THB", "ZAR", "CLP", "AED",
})
# fmt: on
