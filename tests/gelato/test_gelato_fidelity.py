"""The sandbox holds to what Gelato documents: postcodes by country, the documented shipment
methods, search dates as arrays, and item statuses with the moment each was reached. Where a test
relies on one of the sandbox's own readings it names the assumption."""

from dataclasses import replace
from datetime import timedelta

import pytest

from portal.gelato import errors
from portal.gelato.countries import COUNTRIES_WITHOUT_POSTCODES, needs_post_code
from portal.gelato.models import Address, File, Item
from portal.gelato.sandbox import catalog
from portal.gelato.sandbox.catalog import POSTER_A3
from portal.gelato.sandbox.seed import ADDRESSES, SEEDS
from portal.gelato.sandbox.validation import ApiError, check_address

POSTER = Item("line-1", POSTER_A3, 1, files=(File("https://files.example/poster.png"),))
IRISH = Address(
    first_name="Aoife",
    last_name="Byrne",
    address_line1="12 Quay Street",
    city="Galway",
    post_code="",
    country="IE",
    email="aoife@example.ie",
)


def create(gelato, reference, address, **options):
    return gelato.create_order(
        reference,
        customer_reference_id="CUST-1",
        currency="EUR",
        items=[POSTER],
        shipping_address=address,
        **options,
    )


# Postcodes ----------------------------------------------------------------------------------------


def test_the_no_postcode_list_is_odoos_66_countries_ireland_among_them():
    assert len(COUNTRIES_WITHOUT_POSTCODES) == 66
    assert {"IE", "ZA", "QA", "PA", "HK", "AE"} <= COUNTRIES_WITHOUT_POSTCODES
    assert not needs_post_code("ie")
    assert needs_post_code("DE")


@pytest.mark.assumption("A20")
def test_an_irish_address_needs_no_postcode(gelato):
    order = create(gelato, "IE-1", IRISH)
    assert order.shipping_address.country == "IE"
    assert order.shipping_address.post_code == ""


@pytest.mark.assumption("A1", "A20")
def test_a_german_address_without_a_postcode_is_refused(gelato):
    german = replace(IRISH, country="DE", city="Berlin")
    with pytest.raises(errors.InvalidRequest) as caught:
        create(gelato, "DE-1", german)
    assert caught.value.field == "shippingAddress.postCode"


@pytest.mark.parametrize("country", sorted(COUNTRIES_WITHOUT_POSTCODES))
def test_every_country_without_postcodes_is_accepted_without_one(country):
    check_address({**ADDRESSES["IE"], "country": country}, "shippingAddress")


@pytest.mark.parametrize("country", ["DE", "FR", "GB", "NL", "SE", "JP", "BR", "IT", "ES"])
def test_countries_with_postcodes_require_one(country):
    address = {**ADDRESSES["IE"], "country": country, "federalTaxId": "529.982.247-25"}
    with pytest.raises(ApiError) as caught:
        check_address(address, "shippingAddress")
    assert caught.value.field == "shippingAddress.postCode"


# Shipment methods ---------------------------------------------------------------------------------


def test_the_documented_methods_carry_their_documented_names_and_countries(gelato):
    methods = {m.shipment_method_uid: m for m in gelato.list_shipment_methods()}
    assert (methods["dhl_parcel"].name, methods["dhl_parcel"].supported_countries) == (
        "DHL Parcel",
        ("DE",),
    )
    assert (methods["tnt_parcel"].name, methods["tnt_parcel"].supported_countries) == (
        "PostNL Standard",
        ("NL",),
    )
    assert "dhl_parcel" in {m.shipment_method_uid for m in gelato.list_shipment_methods("DE")}
    assert "tnt_parcel" in {m.shipment_method_uid for m in gelato.list_shipment_methods("NL")}
    assert "dhl_parcel" not in {m.shipment_method_uid for m in gelato.list_shipment_methods("FR")}


@pytest.mark.assumption("A1", "A10")
def test_a_documented_method_outside_its_country_is_refused(gelato):
    french = replace(IRISH, country="FR", city="Lyon", post_code="69003")
    with pytest.raises(errors.InvalidRequest) as caught:
        create(gelato, "FR-1", french, shipment_method_uid="dhl_parcel")
    assert caught.value.field == "shipmentMethodUid"
    assert create(gelato, "NL-1", replace(french, country="NL"), shipment_method_uid="tnt_parcel")


def test_every_demo_order_ships_by_a_method_that_serves_its_country():
    for seed in SEEDS:
        for part in seed.parts or (seed,):
            country = ADDRESSES[part.address]["country"]
            assert country in catalog.CARRIERS[part.method].countries, seed.reference


# Search dates -------------------------------------------------------------------------------------


@pytest.mark.assumption("A7")
def test_the_client_sends_search_dates_as_arrays(gelato, sandbox):
    # The sandbox refuses any other shape, so a client sending one string would fail here.
    now = sandbox.clock()
    rows = gelato.search_orders(start_date=now - timedelta(days=7), end_date=now, limit=100)
    assert "NW-1002" in {row.order_reference_id for row in rows}
    assert "NW-1009" not in {row.order_reference_id for row in rows}  # placed 12 days ago


@pytest.mark.assumption("A1", "A7")
@pytest.mark.parametrize(
    "value",
    [
        "2024-05-01T00:00:00+00:00",
        [],
        ["2024-05-01T00:00:00+00:00", "2024-06-01T00:00:00+00:00"],
        [20240501],
        ["last tuesday"],
        {"from": "2024-05-01"},
    ],
)
@pytest.mark.parametrize("field", ["startDate", "endDate"])
def test_the_sandbox_refuses_search_dates_of_another_shape(world, field, value):
    response = world.raw().post("/v4/orders:search", json={field: value})
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert "array" in response.json()["message"]


@pytest.mark.assumption("A7")
def test_a_one_date_array_is_accepted_on_the_wire(world):
    response = world.raw().post(
        "/v4/orders:search", json={"startDate": ["2000-01-01T00:00:00Z"], "limit": 1}
    )
    assert response.status_code == 200
    assert len(response.json()["orders"]) == 1


# Item statuses and their moments ------------------------------------------------------------------


@pytest.mark.assumption("A21")
def test_delivered_items_know_when_they_were_delivered(gelato, demo_id, sandbox):
    order = gelato.get_order(demo_id("NW-1009"))
    today = sandbox.clock().date()
    assert {item.fulfillment_status for item in order.items} == {"delivered"}
    assert all((today - item.delivered_at.date()).days == 6 for item in order.items)
    assert order.delivered_at == max(item.delivered_at for item in order.items)
    poster = order.items[0]
    assert [c.status for c in poster.status_history] == [
        "created",
        "uploading",
        "passed",
        "in_production",
        "printed",
        "shipped",
        "in_transit",
        "delivered",
    ]
    assert [c.at for c in poster.status_history] == sorted(c.at for c in poster.status_history)


@pytest.mark.assumption("A21")
def test_a_later_change_to_the_order_does_not_move_its_delivery(gelato, demo_id, sandbox):
    order = gelato.get_order(demo_id("NW-1021"))
    today = sandbox.clock().date()
    assert (today - order.updated_at.date()).days == 2  # the refund
    assert (today - order.delivered_at.date()).days == 9


@pytest.mark.assumption("A4", "A21")
def test_a_cancel_logs_each_items_new_status_and_when(gelato, demo_id, sandbox):
    order_id = demo_id("NW-1002")
    before = sandbox.clock()
    gelato.cancel_order(order_id)
    (item,) = gelato.get_order(order_id).items
    assert [c.status for c in item.status_history] == ["created", "canceled"]
    assert item.status_since >= before.replace(microsecond=0)


@pytest.mark.assumption("A9", "A21")
def test_a_new_order_starts_its_items_history(gelato, sandbox):
    order = create(gelato, "NEW-IE", IRISH)
    (item,) = order.items
    assert [(c.status, c.comment) for c in item.status_history] == [("created", None)]
    assert item.status_since == order.created_at


@pytest.mark.assumption("A21")
def test_held_and_failed_items_carry_gelatos_reason(gelato, demo_id):
    held = gelato.get_order(demo_id("NW-1013"))
    mug, cards = held.items
    assert mug.fulfillment_status == "on_hold"
    assert "out of stock" in mug.status_comment
    assert cards.status_comment is None
    assert held.most_advanced_item_status == "passed"
    failed = gelato.get_order(demo_id("NW-1012"))
    assert failed.refusal_reason_code == "address_validation_failed"
    assert failed.items[0].status_comment == failed.refusal_reason


def test_refunds_show_in_the_financial_status_and_receipts(gelato, demo_id):
    partly = gelato.get_order(demo_id("NW-1021"))
    assert partly.is_partially_refunded
    assert 0 < partly.refunded_incl_vat < partly.total_incl_vat
    whole = gelato.get_order(demo_id("NW-1022"))
    assert whole.is_refunded
    assert whole.refunded_incl_vat == whole.total_incl_vat


def test_the_split_orders_parts_each_say_how_far_they_are(gelato):
    rows = gelato.find_orders_by_reference("NW-1019")
    parts = {gelato.get_order(row.id).most_advanced_item_status for row in rows}
    assert parts == {"shipped", "in_production"}
