"""Enumerations of Gelato's order API (v4) that the sandbox checks requests against, spelled
exactly as Gelato does.

Fulfillment statuses are not enumerated here: the sandbox needs only the ones it sets and the ones
cancel accepts (assumptions A9 and A4); the portal's rules table lists them all, with what each
allows.
"""

ORDER_TYPES = ("order", "draft")

#: ISO 4217 codes Gelato accepts as an order's billing currency.
# fmt: off
SUPPORTED_CURRENCIES = frozenset({
    "EUR", "USD", "JPY", "BGN", "CZK", "DKK", "GBP", "HUF", "PLN", "RON", "SEK", "CHF", "ISK",
    "NOK", "HRK", "RUB", "TRY", "AUD", "BRL", "CAD", "CNY", "HKD", "IDR", "ILS", "INR", "KRW",
    "MXN", "MYR", "NZD", "PHP", "SGD", "THB", "ZAR", "CLP", "AED",
})
# fmt: on
