"""Enumerations of Gelato's order API (v4), spelled exactly as Gelato does, and the order in which
an order's statuses follow one another.

Only the statuses the gelato layer itself needs are named here: the documented typical path (to
tell which of an order's items is furthest along) and the ones the sandbox sets. The portal's
rules table lists every status, with what each allows.
"""

ORDER_TYPES = ("order", "draft")

#: The documented typical path of an order and of each of its items (contract, section 2).
TYPICAL_PATH = (
    "created",
    "uploading",
    "passed",
    "in_production",
    "printed",
    "shipped",
    "in_transit",
    "delivered",
)

#: Side states in which an order waits, before production, for someone to act (contract,
#: section 2).
WAITING_STATUSES = frozenset(
    {"pending_approval", "pending_personalization", "digitizing", "not_connected", "on_hold"}
)

#: ``returned`` follows a failed delivery: it comes after the parcel was shipped, so it ranks
#: after every status of the typical path (our reading: Gelato gives no ranking).
_RANK = {status: n for n, status in enumerate((*TYPICAL_PATH, "returned"), start=1)}


def progress(status: str | None) -> int:
    """How far along its way an order or item in ``status`` is: 1 for ``created`` up to
    ``delivered``, then ``returned``; 0 for a status off the path (waiting, draft, failed,
    canceled, or one the portal does not know yet)."""
    return _RANK.get(status or "", 0)


#: Financial statuses that mean money went back to the merchant (contract, section 2).
REFUNDED = "refunded"
PARTIALLY_REFUNDED = "partially_refunded"

#: ISO 4217 codes Gelato accepts as an order's billing currency.
# fmt: off
SUPPORTED_CURRENCIES = frozenset({
    "EUR", "USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK",
    "NOK", "HRK", "RUB", "TRY", "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW",
    "MXN", "MYR", "NZD", "PHP", "SGD", "THB", "ZAR", "CLP", "AED",
})
# fmt: on
