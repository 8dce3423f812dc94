import pytest

from portal.gelato.countries import COUNTRIES_WITHOUT_POSTCODES, needs_post_code
from portal.orders.addresses import address_errors, clean_address

GOOD = {
    "first_name": "Anna",
    "last_name": "Schmidt",
    "address_line1": "Torstraße 12",
    "city": "Berlin",
    "post_code": "10119",
    "country": "DE",
    "email": "anna@example.com",
}


def errors_for(**changes):
    return address_errors(clean_address({**GOOD, **changes}))


def test_a_complete_address_passes():
    assert errors_for() == {}


def test_codes_are_trimmed_and_upper_cased():
    cleaned = clean_address({**GOOD, "country": " de ", "post_code": "10119 "})
    assert (cleaned["country"], cleaned["post_code"]) == ("DE", "10119")


@pytest.mark.parametrize("field", ["first_name", "last_name", "address_line1", "city", "email"])
def test_required_fields_are_named(field):
    assert field in errors_for(**{field: ""})


def test_state_is_required_where_gelato_requires_it():
    us = {"country": "US", "post_code": "94103", "city": "San Francisco"}
    assert "state" in errors_for(**us)
    assert errors_for(**us, state="CA") == {}


def test_brazil_needs_a_federal_tax_id():
    assert "federal_tax_id" in errors_for(country="BR", post_code="01310-100", city="São Paulo")


@pytest.mark.parametrize(
    ("country", "good", "bad"),
    [("US", "10001-1234", "1000"), ("GB", "SW1A 1AA", "12345"), ("NL", "1012 AB", "1012")],
)
def test_postcode_shape_is_checked_for_common_countries(country, good, bad):
    extra = {"state": "NY"} if country == "US" else {}
    assert "post_code" not in errors_for(country=country, post_code=good, **extra)
    assert "shape" in errors_for(country=country, post_code=bad, **extra)["post_code"]


def test_countries_without_postcodes_do_not_need_one():
    assert errors_for(country="AE", post_code="", city="Dubai") == {}


def test_an_irish_address_without_a_postcode_is_accepted_as_gelato_accepts_it():
    assert needs_post_code("IE") is False  # the list the sandbox checks too
    assert errors_for(country="IE", post_code="", city="Galway") == {}
    assert "post_code" in errors_for(country="FR", post_code="", city="Lyon")


def test_the_postcode_rule_is_the_gelato_layers_list_for_every_country():
    for country in sorted(COUNTRIES_WITHOUT_POSTCODES):
        assert "post_code" not in errors_for(country=country, post_code="", state="X")


def test_lengths_follow_gelatos_limits():
    message = errors_for(address_line1="x" * 36)["address_line1"]
    assert "36 characters, at most 35" in message


def test_uk_is_corrected_to_gb():
    assert "GB" in errors_for(country="UK")["country"]


def test_email_and_phone_shapes():
    assert "email" in errors_for(email="anna.example.com")
    assert "phone" in errors_for(phone="call me")
    assert errors_for(phone="+49 30 1234567") == {}


def test_local_script_countries_refuse_latin_addresses():
    japan = {"country": "JP", "post_code": "100-0001", "city": "東京都"}
    assert "address_line1" in errors_for(**japan, address_line1="Chiyoda Marunouchi 1-1")
    assert errors_for(**japan, address_line1="千代田区丸の内1-1") == {}
