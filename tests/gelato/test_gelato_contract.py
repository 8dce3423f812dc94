"""The contract suite: every case runs in-process and over real HTTP (the ``world`` fixture)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from portal.gelato import errors
from portal.gelato.models import Address, File, Item, Order
from portal.gelato.sandbox import DEMO_API_KEY
from portal.gelato.sandbox.catalog import MUG, POSTER_A3
from portal.orders import rules

ADDRESS = Address(
    first_name="Grace",
    last_name="Hopper",
    address_line1="1 Harbor Way",
    city="Arlington",
    post_code="22201",
    state="VA",
    country="US",
    email="grace@example.com",
)
POSTER = Item("line-1", POSTER_A3, 2, files=(File("https://files.example/poster.png"),))


def create(gelato, reference, **overrides):
    options = {
        "customer_reference_id": "CUST-1",
        "currency": "USD",
        "items": [POSTER],
        "shipping_address": ADDRESS,
        **overrides,
    }
    return gelato.create_order(reference, **options)


def test_client_says_it_talks_to_the_sandbox(gelato):
    assert gelato.is_sandbox is True


# Reading orders ---------------------------------------------------------------------------------


def test_demo_orders_cover_every_fulfillment_status(gelato):
    rows = gelato.search_orders(limit=100)
    assert {row.fulfillment_status for row in rows} == set(rules.STATUSES)


def test_get_order_returns_a_typed_order(gelato, demo_id):
    order = gelato.get_order(demo_id("NW-1007"))
    assert isinstance(order, Order)
    assert order.order_reference_id == "NW-1007"
    assert order.fulfillment_status == "shipped"
    assert order.shipping_address.country == "US"
    assert order.shipping_address.state == "NY"
    assert [item.product_uid for item in order.items] == [
        MUG,
        "flat_product_pf_500x700-mm_pt_200-gsm-80lb-enhanced-matte_cl_4-0_ver",
    ]
    assert order.shipment.shipment_method_uid == "fedex_priority_overnight"
    assert order.shipment.min_delivery_date <= order.shipment.max_delivery_date
    (package,) = order.packages
    assert package.tracking_code
    assert package.tracking_url.startswith("https://www.fedex.com/")
    assert package.tracking_code in package.tracking_url
    assert order.total_incl_vat > 0
    assert order.created_at.tzinfo is not None


def test_orders_not_yet_shipped_have_no_packages(gelato, demo_id):
    assert gelato.get_order(demo_id("NW-1004")).packages == ()


def test_package_count_is_read_under_both_spellings(gelato, demo_id):
    assert gelato.get_order(demo_id("NW-1008")).shipment.package_count == 1  # packagesCount
    assert gelato.get_order(demo_id("NW-1007")).shipment.package_count == 1  # packageCount


def test_unknown_order_is_order_not_found(gelato):
    with pytest.raises(errors.OrderNotFound) as caught:
        gelato.get_order("00000000-0000-0000-0000-000000000000")
    assert caught.value.status_code == 404
    assert "00000000-0000-0000-0000-000000000000" in caught.value.message


@pytest.mark.parametrize("order_id", ["", "  ", "a/b", "../v4/orders"])
def test_an_id_that_is_no_id_is_not_found_without_a_call(gelato, sandbox, order_id):
    with pytest.raises(errors.OrderNotFound):
        gelato.get_order(order_id)
    assert sandbox.calls == []


def test_an_id_cannot_reach_another_endpoint(gelato, sandbox, demo_id):
    target = demo_id("NW-1002")
    with pytest.raises(errors.OrderNotFound):
        gelato.get_order(target + ":cancel")
    assert gelato.get_order(target).fulfillment_status == "created"


@pytest.mark.assumption("A13")
def test_split_order_lookup_returns_every_part(gelato):
    rows = gelato.find_orders_by_reference("NW-1019")
    assert len(rows) == 2
    assert {row.fulfillment_status for row in rows} == {"shipped", "in_production"}
    ids = {row.id for row in rows}
    for row in rows:
        assert set(row.connected_order_ids) == ids
    part = gelato.get_order(rows[0].id)
    assert part.is_split
    assert set(part.other_part_ids) == ids - {part.id}


def test_search_row_fields(gelato):
    (row,) = gelato.find_orders_by_reference("NW-1009")
    assert row.fulfillment_status == "delivered"
    assert (row.first_name, row.last_name, row.country) == ("Lukas", "Becker", "DE")
    assert row.items_count == 2
    assert row.currency == "EUR"
    assert isinstance(row.total_incl_vat, Decimal)
    assert row.total_incl_vat == gelato.get_order(row.id).total_incl_vat


@pytest.mark.assumption("A7")
def test_search_filters(gelato):
    rows = gelato.search_orders(fulfillment_statuses=["delivered"])
    assert {row.order_reference_id for row in rows} == {"NW-1009", "NW-1010", "NW-1021"}
    rows = gelato.search_orders(countries=["GB"], channels=["shopify"])
    assert [row.order_reference_id for row in rows] == ["NW-1017"]
    rows = gelato.search_orders(search="hopper")
    assert rows == []
    rows = gelato.search_orders(search="LINDQVIST")
    assert [row.order_reference_id for row in rows] == ["NW-1006"]
    rows = gelato.search_orders(order_types=["draft"])
    assert [row.order_reference_id for row in rows] == ["NW-1001"]


@pytest.mark.assumption("A7")
def test_search_by_date_range(gelato, sandbox):
    now = sandbox.clock()
    rows = gelato.search_orders(start_date=now - timedelta(days=50), end_date=now, limit=100)
    references = {row.order_reference_id for row in rows}
    assert "NW-1009" in references
    assert "NW-1010" not in references  # placed 55 days ago


@pytest.mark.assumption("A7")
def test_search_pages_by_offset(gelato):
    everything = gelato.search_orders(limit=100)
    pages = [gelato.search_orders(limit=7, offset=offset) for offset in range(0, 28, 7)]
    assert [len(page) for page in pages] == [7, 7, 7, 2]
    assert [row.id for page in pages for row in page] == [row.id for row in everything]


def test_reference_lookup_pages_through_many_orders(gelato, sandbox):
    for _ in range(5):
        create(gelato, "MANY-1")
    before = sandbox.calls_to("POST", "/v4/orders:search")
    rows = gelato.find_orders_by_reference("MANY-1", page_size=2)
    assert len(rows) == 5
    assert len({row.id for row in rows}) == 5
    assert sandbox.calls_to("POST", "/v4/orders:search") - before == 3  # 2 + 2 + 1


@pytest.mark.assumption("A7")
def test_search_limit_above_100_is_invalid(gelato):
    with pytest.raises(errors.InvalidRequest) as caught:
        gelato.search_orders(limit=101)
    assert caught.value.field == "limit"


# Shipment methods -------------------------------------------------------------------------------


@pytest.mark.assumption("A10", "A19")
def test_shipment_methods_for_a_country(gelato):
    methods = gelato.list_shipment_methods("us")
    uids = {m.shipment_method_uid for m in methods}
    assert {"ups_surepost", "fedex_priority_overnight"} <= uids
    assert {m.type for m in methods} == {"normal", "express"}
    assert all("US" in m.supported_countries for m in methods)


@pytest.mark.assumption("A10", "A19")
def test_shipment_methods_all_and_none(gelato):
    everything = gelato.list_shipment_methods()
    assert {"dhl_parcel", "tnt_parcel", "ups_surepost"} <= {
        m.shipment_method_uid for m in everything
    }
    assert any(m.has_tracking is False for m in everything)
    assert gelato.list_shipment_methods("AQ") == []


# Creating, reordering, drafts --------------------------------------------------------------------


@pytest.mark.assumption("A9", "A10")
def test_created_order_is_found_by_later_lookups(gelato):
    order = create(gelato, "NEW-1", shipment_method_uid="express", metadata={"ticket": "T-42"})
    assert order.fulfillment_status == "created"
    assert order.financial_status == "pending"
    assert order.channel == "api"
    assert order.shipment.shipment_method_uid == "ups_express_saver"
    assert order.metadata == {"ticket": "T-42"}
    assert gelato.get_order(order.id) == order
    assert [row.id for row in gelato.find_orders_by_reference("NEW-1")] == [order.id]


@pytest.mark.assumption("A10")
def test_generic_method_picks_the_cheapest_normal_one(gelato):
    assert create(gelato, "NEW-2").shipment.shipment_method_uid == "ups_surepost"
    order = create(gelato, "NEW-3", shipment_method_uid="standard")
    assert order.shipment.shipment_method_uid == "ups_surepost"


def test_reorder_a_delivered_order_from_its_own_items_and_address(gelato, demo_id):
    original = gelato.get_order(demo_id("NW-1009"))
    reorder = gelato.create_order(
        "NW-1009-R1",
        customer_reference_id=original.customer_reference_id,
        currency=original.currency,
        items=original.items,
        shipping_address=original.shipping_address,
        shipment_method_uid=original.shipment.shipment_method_uid,
    )
    assert reorder.id != original.id
    assert reorder.shipping_address.to_create_json() == original.shipping_address.to_create_json()
    assert [i.to_create_json() for i in reorder.items] == [
        i.to_create_json() for i in original.items
    ]
    assert gelato.get_order(original.id).fulfillment_status == "delivered"
    assert [r.id for r in gelato.find_orders_by_reference("NW-1009-R1")] == [reorder.id]


@pytest.mark.assumption("A9")
def test_draft_becomes_an_order_keeping_chosen_items(gelato):
    draft = create(
        gelato,
        "DRAFT-1",
        order_type="draft",
        items=[POSTER, Item("line-2", MUG, 1, files=(File("https://files.example/mug.png"),))],
    )
    assert (draft.order_type, draft.fulfillment_status) == ("draft", "draft")
    assert draft.ordered_at is None
    mug = draft.items[1]
    new_file = File("https://files.example/mug-v2.png")
    order = gelato.update_draft(draft.id, items=[replace(mug, files=(new_file,))])
    assert (order.order_type, order.fulfillment_status) == ("order", "created")
    assert [item.id for item in order.items] == [mug.id]
    assert order.items[0].files[0].url == "https://files.example/mug-v2.png"
    assert order.ordered_at is not None
    assert order.total_incl_vat < draft.total_incl_vat


@pytest.mark.assumption("A5")
def test_only_drafts_can_be_updated_or_deleted(gelato, demo_id):
    placed = demo_id("NW-1002")
    with pytest.raises(errors.NotAllowedInState):
        gelato.update_draft(placed)
    with pytest.raises(errors.NotAllowedInState):
        gelato.delete_draft(placed)
    assert gelato.get_order(placed).fulfillment_status == "created"


@pytest.mark.assumption("A1", "A5")
def test_update_draft_with_an_unknown_item_changes_nothing(gelato, demo_id):
    draft_id = demo_id("NW-1001")
    before = gelato.get_order(draft_id)
    stranger = Item("x", MUG, 1, id="not-an-item")
    with pytest.raises(errors.InvalidRequest) as caught:
        gelato.update_draft(draft_id, items=[before.items[0], stranger])
    assert caught.value.field == "items[1].id"
    assert gelato.get_order(draft_id) == before


def test_delete_draft(gelato, demo_id):
    draft_id = demo_id("NW-1001")
    gelato.delete_draft(draft_id)
    with pytest.raises(errors.OrderNotFound):
        gelato.get_order(draft_id)


# Invalid requests --------------------------------------------------------------------------------


def _address(**changes) -> Address:
    return replace(ADDRESS, **changes)


@pytest.mark.assumption("A1", "A10", "A11")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"shipping_address": _address(state=None)}, "shippingAddress.state"),
        ({"shipping_address": _address(country="UK", state=None)}, "shippingAddress.country"),
        ({"shipping_address": _address(email="not-an-email")}, "shippingAddress.email"),
        ({"shipping_address": _address(first_name="x" * 26)}, "shippingAddress.firstName"),
        (
            {"shipping_address": _address(country="BR", state="SP"), "currency": "BRL"},
            "shippingAddress.federalTaxId",
        ),
        ({"items": [Item("a", "no_such_product", 1)]}, "items[0].productUid"),
        ({"items": [Item("a", MUG, 0)]}, "items[0].quantity"),
        ({"items": [Item("a", MUG, 1), Item("a", MUG, 1)]}, "items[1].itemReferenceId"),
        ({"items": []}, "items"),
        ({"currency": "XYZ"}, "currency"),
        ({"shipment_method_uid": "royal_mail_tracked_48"}, "shipmentMethodUid"),
        ({"metadata": {"k": "v" * 101}}, "metadata[0].value"),
    ],
)
def test_invalid_create_names_the_field_and_creates_nothing(gelato, sandbox, overrides, field):
    with pytest.raises(errors.InvalidRequest) as caught:
        create(gelato, "BAD-1", **overrides)
    assert caught.value.field == field
    assert caught.value.status_code == 400
    assert field in caught.value.message
    assert sandbox.orders_with_reference("BAD-1") == []


@pytest.mark.assumption("A18")
def test_wrong_api_key_is_unauthorized_and_names_the_setting(world):
    gelato = world.connect(api_key="wrong-key")
    with pytest.raises(errors.Unauthorized) as caught:
        gelato.list_shipment_methods()
    assert "GELATO_API_KEY" in caught.value.message
    assert caught.value.code == "invalid_api_key_provided"
    assert world.sandbox.calls_to("GET", "/v1/shipment-methods") == 1  # not retried


# Cancel ------------------------------------------------------------------------------------------


@pytest.mark.assumption("A4", "A9")
@pytest.mark.parametrize(
    "reference",
    ["NW-1002", "NW-1003", "NW-1004", "NW-1013", "NW-1015", "NW-1016", "NW-1017", "NW-1018"],
)
def test_cancel_before_production(gelato, demo_id, reference):
    order_id = demo_id(reference)
    assert gelato.cancel_order(order_id) is None
    order = gelato.get_order(order_id)
    assert order.fulfillment_status == "canceled"
    assert order.financial_status == "canceled"
    assert {item.fulfillment_status for item in order.items} == {"canceled"}


@pytest.mark.assumption("A4")
@pytest.mark.parametrize(
    "reference", ["NW-1005", "NW-1006", "NW-1007", "NW-1009", "NW-1011", "NW-1012", "NW-1001"]
)
def test_cancel_refused_from_production_on(gelato, demo_id, reference):
    order_id = demo_id(reference)
    before = gelato.get_order(order_id)
    with pytest.raises(errors.NotCancellable) as caught:
        gelato.cancel_order(order_id)
    assert isinstance(caught.value, errors.NotAllowedInState)
    assert caught.value.status_code == 409
    assert gelato.get_order(order_id) == before


@pytest.mark.assumption("A16")
def test_cancel_unknown_order(gelato):
    with pytest.raises(errors.OrderNotFound):
        gelato.cancel_order("00000000-0000-0000-0000-000000000000")


def test_cancel_one_part_of_a_split_order_leaves_the_other(gelato, sandbox):
    rows = gelato.find_orders_by_reference("NW-1019")
    producing = next(row for row in rows if row.fulfillment_status == "in_production")
    with pytest.raises(errors.NotCancellable):
        gelato.cancel_order(producing.id)


# Quote -------------------------------------------------------------------------------------------


@pytest.mark.assumption("A8")
def test_quote_prices_without_creating(gelato, sandbox):
    count = len(sandbox.orders)
    quote = gelato.quote(
        "QUOTE-1",
        customer_reference_id="CUST-1",
        currency="USD",
        recipient=ADDRESS,
        products=[POSTER],
    )
    assert quote.order_reference_id == "QUOTE-1"
    assert not quote.would_split
    (option,) = quote.quotes
    assert option.item_reference_ids == ("line-1",)
    assert {m.type for m in option.shipment_methods} == {"normal", "express"}
    assert all(m.currency == "USD" and m.price > 0 for m in option.shipment_methods)
    assert option.products[0].quantity == 2
    assert option.products[0].price > 0
    assert len(sandbox.orders) == count


@pytest.mark.assumption("A1", "A8")
def test_quote_rejects_a_bad_recipient(gelato):
    with pytest.raises(errors.InvalidRequest) as caught:
        gelato.quote(
            "QUOTE-2",
            customer_reference_id="CUST-1",
            currency="USD",
            recipient=_address(state=None),
            products=[POSTER],
        )
    assert caught.value.field == "recipient.state"


# The wire format itself --------------------------------------------------------------------------


@pytest.mark.assumption("A1", "A2", "A3", "A5", "A16")
def test_paths_status_codes_and_error_bodies(world, demo_id):
    raw = world.raw()
    order_id = demo_id("NW-1002")

    response = raw.get(f"/v4/orders/{order_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["id"] == order_id
    assert {"orderReferenceId", "fulfillmentStatus", "shipment", "connectedOrderIds"} <= set(body)

    response = raw.post("/v4/orders:search", json={"orderReferenceId": "NW-1002"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["orders"]] == [order_id]

    assert raw.post(f"/v4/orders/{order_id}:cancel").status_code == 200
    response = raw.post(f"/v4/orders/{order_id}:cancel")
    assert response.status_code == 409
    assert set(response.json()) == {"code", "message"}

    response = raw.get("/v4/orders/unknown")
    assert response.status_code == 404
    assert set(response.json()) == {"code", "message"}

    response = raw.post("/v4/orders", json={"orderReferenceId": "X"})
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message", "field"}

    response = raw.post("/v4/orders", content=b"{not json", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"

    assert raw.put(f"/v4/orders/{order_id}", json={}).status_code == 405
    assert raw.get("/v4/nothing-here").status_code == 404


@pytest.mark.assumption("A2", "A18")
@pytest.mark.parametrize("key", [None, "wrong-key"])
def test_missing_or_wrong_key_gets_gelatos_401(world, key):
    response = world.raw(api_key=key).get("/v1/shipment-methods")
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_api_key_provided",
        "message": "Invalid API key provided.",
    }
    assert DEMO_API_KEY not in response.text
