"""What makes a shipping address acceptable to Gelato, checked before anything is sent.

The limits are Gelato's (gelato-api.md, section 5), and which countries need a postcode, a state
or the local script is read from ``portal.gelato.countries``, the list the sandbox checks too: an
Irish address without a postcode is accepted here as Gelato accepts it. The postcode shapes are the
national formats of the countries merchants ship to most, so a typo is caught here rather than by
the carrier. A country without a pattern here is checked for presence and length only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from portal.gelato.countries import LOCAL_SCRIPT_REQUIRED, STATE_REQUIRED, needs_post_code
from portal.gelato.models import Address

#: Field name (as the forms and Gelato's JSON use it, snake_case here) -> (label, max length).
FIELDS = {
    "first_name": ("First name", 25),
    "last_name": ("Last name", 25),
    "company_name": ("Company", 60),
    "address_line1": ("Address line 1", 35),
    "address_line2": ("Address line 2", 35),
    "city": ("City", 30),
    "post_code": ("Postcode", 15),
    "state": ("State or province code", 35),
    "country": ("Country code", 2),
    "email": ("Email", 254),
    "phone": ("Phone", 25),
    "federal_tax_id": ("Federal tax id (CPF or CNPJ)", 20),
}
REQUIRED = ("first_name", "last_name", "address_line1", "city", "post_code", "country", "email")
#: In the countries whose addresses must be written in the local script (``LOCAL_SCRIPT_REQUIRED``),
#: at most this many Latin letters a line.
MAX_LATIN_IN_LOCAL_SCRIPT = 10

POSTCODE_PATTERNS = {
    "AT": r"\d{4}",
    "AU": r"\d{4}",
    "BE": r"\d{4}",
    "BR": r"\d{5}-?\d{3}",
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "CH": r"\d{4}",
    "DE": r"\d{5}",
    "DK": r"\d{4}",
    "ES": r"\d{5}",
    "FI": r"\d{5}",
    "FR": r"\d{5}",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "IT": r"\d{5}",
    "JP": r"\d{3}-?\d{4}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "NO": r"\d{4}",
    "NZ": r"\d{4}",
    "PL": r"\d{2}-\d{3}",
    "SE": r"\d{3} ?\d{2}",
    "US": r"\d{5}(?:-\d{4})?",
}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_PHONE = re.compile(r"\+?[0-9][0-9 ()./-]{3,24}")  # E.123: digits, spaces, an optional leading +
_COUNTRY = re.compile(r"[A-Z]{2}")
_LATIN = re.compile(r"[A-Za-z]")


def clean_address(data: Mapping[str, str | None]) -> dict[str, str]:
    """Trim every field and upper-case the codes, the way Gelato expects them."""
    cleaned = {name: (data.get(name) or "").strip() for name in FIELDS}
    for name in ("country", "state", "post_code"):
        cleaned[name] = cleaned[name].upper()
    return cleaned


def address_errors(address: Mapping[str, str]) -> dict[str, str]:
    """Every problem of a cleaned address, as {field: message}; empty when Gelato will accept it."""
    errors: dict[str, str] = {}
    country = address.get("country", "")

    for name in REQUIRED:
        if name == "post_code" and not needs_post_code(country):
            continue
        if not address.get(name):
            errors[name] = f"{FIELDS[name][0]} is required."
    if country in STATE_REQUIRED and not address.get("state"):
        errors["state"] = f"A state or province code is required for {country} (e.g. CA, NSW, ON)."
    if country == "BR" and not address.get("federal_tax_id"):
        errors["federal_tax_id"] = "Brazil requires the recipient's CPF (or the company's CNPJ)."

    for name, (label, limit) in FIELDS.items():
        value = address.get(name, "")
        if len(value) > limit and name not in errors:
            errors[name] = f"{label} is too long: {len(value)} characters, at most {limit}."

    if country and "country" not in errors and not _COUNTRY.fullmatch(country):
        errors["country"] = "Use the two-letter ISO code, e.g. DE, US or GB."
    if country == "UK":
        errors["country"] = "The United Kingdom's code is GB, not UK."

    post_code = address.get("post_code", "")
    pattern = POSTCODE_PATTERNS.get(country)
    if post_code and pattern and "post_code" not in errors and not re.fullmatch(pattern, post_code):
        errors["post_code"] = f"{post_code!r} is not a postcode of the shape used in {country}."

    email = address.get("email", "")
    if email and "email" not in errors and not _EMAIL.fullmatch(email):
        errors["email"] = "This does not look like an email address."
    phone = address.get("phone", "")
    if phone and "phone" not in errors and not _PHONE.fullmatch(phone):
        errors["phone"] = "Use digits, spaces and an optional leading +, e.g. +49 30 1234567."

    if country in LOCAL_SCRIPT_REQUIRED:
        for name in ("address_line1", "address_line2", "city"):
            latin = len(_LATIN.findall(address.get(name, "")))
            if latin > MAX_LATIN_IN_LOCAL_SCRIPT and name not in errors:
                errors[name] = (
                    f"Addresses in {country} must be written in the local script "
                    f"(this line has {latin} Latin letters; at most {MAX_LATIN_IN_LOCAL_SCRIPT})."
                )
    return errors


def problems_with(
    address: Mapping[str, str], *, fixed_country: str | None = None
) -> dict[str, str]:
    """``address_errors``, and for a corrected copy of an order (``fixed_country``) the one rule
    of its own: the parcel still goes to the same country."""
    problems = address_errors(address)
    if fixed_country and address.get("country") != fixed_country:
        problems["country"] = (
            f"The country cannot change ({fixed_country}). A parcel to another country needs a "
            "new order: place a reorder instead."
        )
    return problems


def to_address(address: Mapping[str, str], original: Address | None = None) -> Address:
    """The cleaned fields as the address to send; Gelato's own fields of ``original`` (such as
    Brazil's company ids), which no form shows, carried over."""
    return Address(
        first_name=address["first_name"],
        last_name=address["last_name"],
        address_line1=address["address_line1"],
        city=address["city"],
        post_code=address["post_code"],
        country=address["country"],
        email=address["email"],
        address_line2=address["address_line2"] or None,
        company_name=address["company_name"] or None,
        state=address["state"] or None,
        phone=address["phone"] or None,
        federal_tax_id=address["federal_tax_id"] or None,
        is_business=original.is_business if original else None,
        state_tax_id=original.state_tax_id if original else None,
        registration_state_code=original.registration_state_code if original else None,
    )


def fields_of(address: Address | None) -> dict[str, str]:
    """An address as the form's fields, to start editing from."""
    return {name: (getattr(address, name) or "") if address else "" for name in FIELDS}
