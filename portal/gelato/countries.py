"""What Gelato's address rules depend on, country by country.

Gelato's own words are in the contract (gelato-api.md, section 5): a postcode is required "where the
country uses postal codes", a state for the United States, Canada and Australia. Which countries
have no postcodes Gelato does not list; the list below is the one Odoo's official Gelato connector
sends orders by (``odoo/odoo``, ``addons/sale_gelato/const.py``, ``COUNTRIES_WITHOUT_POSTCODES``):
a public client that talks to the live API, so the best evidence there is of what Gelato accepts
(assumption A20). Kept here, in the Gelato layer, so that the sandbox and the portal's address
forms read one list.
"""

from __future__ import annotations

#: ISO 3166-1 alpha-2 codes of the countries whose addresses need no ``postCode``: the 66 of
#: Odoo's Gelato connector (``addons/sale_gelato/const.py``), in its order. ``AN`` (Netherlands
#: Antilles) is a retired code, kept as the source has it.
# fmt: off
COUNTRIES_WITHOUT_POSTCODES = frozenset({
    "AO", "AG", "AW", "BS", "BZ", "BJ", "BW", "BF", "BI", "CM", "CF", "KM",
    "CG", "CD", "CK", "CI", "DJ", "DM", "GQ", "ER", "FJ", "TF", "GM", "GH",
    "GD", "GN", "GY", "HK", "IE", "JM", "KE", "KI", "MO", "MW", "ML", "MR",
    "MU", "MS", "NR", "AN", "NU", "KP", "PA", "QA", "RW", "KN", "LC", "ST",
    "SC", "SL", "SB", "SO", "ZA", "SR", "SY", "TZ", "TL", "TK", "TO", "TT",
    "TV", "UG", "AE", "VU", "YE", "ZW",
})
# fmt: on

#: Where Gelato requires ``state`` (contract, section 5).
STATE_REQUIRED = frozenset({"US", "CA", "AU"})

#: Where addresses must be written in the local script (contract, section 5); the sandbox does
#: not check it (assumption A20).
LOCAL_SCRIPT_REQUIRED = frozenset({"CN", "JP", "KR", "RU"})


def needs_post_code(country: str) -> bool:
    """Whether an address in ``country`` must carry a postcode."""
    return country.upper() not in COUNTRIES_WITHOUT_POSTCODES
