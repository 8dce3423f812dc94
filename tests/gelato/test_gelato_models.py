"""Parsing Gelato's JSON tolerantly, and turning orders back into create requests."""

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from portal.gelato import GelatoClient, errors
from portal.gelato.models import Address, File, Item, Order, OrderSummary, Quote, Shipment


def test_an_order_with_only_an_id_loads():
    order = Order.from_json({"id": "o-1"})
    assert order.id == "o-1"
    assert order.items == ()
    assert order.shipment is None
    assert order.shipping_address is None
    assert order.connected_order_ids == ()
    assert order.metadata == {}
    assert order.total_incl_vat is None
    assert order.packages == ()
    assert not order.is_split


def test_an_order_without_an_id_is_refused():
    with pytest.raises(ValueError, match="id"):
        Order.from_json({"orderReferenceId": "R"})


def test_nulls_unknown_fields_and_timestamp_styles():
    order = Order.from_json(
        {
            "id": "o-2",
            "orderReferenceId": "R-2",
            "fulfillmentStatus": "some_future_status",
            "createdAt": "2021-01-14T12:30:03+00:00",
            "updatedAt": "2021-01-15T08:00:00+0000",
            "orderedAt": "2021-01-14T12:30:03Z",
            "storeId": None,
            "shipment": None,
            "items": [{"id": "i", "quantity": None, "files": None, "brandNewField": 1}],
            "metadata": [{"key": "a", "value": "1"}, {"value": "no key"}],
            "connectedOrderIds": None,
            "discounts": [{"id": "d"}],
        }
    )
    assert order.fulfillment_status == "some_future_status"
    assert order.created_at == datetime(2021, 1, 14, 12, 30, 3, tzinfo=UTC)
    assert order.updated_at == datetime(2021, 1, 15, 8, 0, tzinfo=UTC)
    assert order.ordered_at == order.created_at
    assert order.store_id is None
    assert order.items[0].quantity == 0
    assert order.items[0].files == ()
    assert order.metadata == {"a": "1"}


def test_unparseable_dates_become_none():
    order = Order.from_json({"id": "o", "createdAt": "yesterday", "updatedAt": ""})
    assert order.created_at is None
    assert order.updated_at is None


@pytest.mark.parametrize("key", ["packageCount", "packagesCount"])
def test_package_count_in_either_spelling(key):
    shipment = Shipment.from_json(
        {
            key: 2,
            "minDeliveryDate": "2024-03-01",
            "maxDeliveryDate": "2024-03-05",
            "packages": [{"trackingCode": "", "trackingUrl": None}],
        }
    )
    assert shipment.package_count == 2
    assert shipment.max_delivery_date == date(2024, 3, 5)
    assert shipment.packages[0].tracking_code is None
    assert shipment.packages[0].tracking_url is None


def test_summary_money_is_decimal_from_a_string():
    row = OrderSummary.from_json({"id": "o", "totalInclVat": "23.40", "itemsCount": "3"})
    assert row.total_incl_vat == Decimal("23.40")
    assert row.items_count == 3
    assert OrderSummary.from_json({"id": "o", "totalInclVat": "n/a"}).total_incl_vat is None


def test_receipt_total_and_delivery_moment():
    order = Order.from_json(
        {
            "id": "o",
            "fulfillmentStatus": "delivered",
            "updatedAt": "2024-05-01T10:00:00+00:00",
            "receipts": [
                {"transactionType": "refund", "totalInclVat": -5},
                {"transactionType": "purchase", "totalInclVat": 31.9},
            ],
        }
    )
    assert order.total_incl_vat == Decimal("31.9")
    assert order.delivered_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    shipped = Order.from_json({"id": "o", "fulfillmentStatus": "shipped", "updatedAt": "2024"})
    assert shipped.delivered_at is None


def test_address_round_trips_into_a_create_request():
    data = {
        "id": "addr-1",
        "orderId": "o-1",
        "firstName": "Ana",
        "lastName": "Souza",
        "companyName": None,
        "addressLine1": "Rua Augusta 1500",
        "addressLine2": "",
        "city": "São Paulo",
        "postCode": "01304-001",
        "state": "SP",
        "country": "BR",
        "email": "ana@example.com.br",
        "phone": None,
        "isBusiness": False,
        "federalTaxId": "529.982.247-25",
    }
    address = Address.from_json(data)
    assert address.id == "addr-1"
    assert address.to_create_json() == {
        "firstName": "Ana",
        "lastName": "Souza",
        "addressLine1": "Rua Augusta 1500",
        "city": "São Paulo",
        "postCode": "01304-001",
        "state": "SP",
        "country": "BR",
        "email": "ana@example.com.br",
        "isBusiness": False,
        "federalTaxId": "529.982.247-25",
    }
    assert address.name == "Ana Souza"


def test_item_create_json_leaves_out_what_gelato_sets():
    item = Item.from_json(
        {
            "id": "item-1",
            "itemReferenceId": "ref-1",
            "productUid": "photobook",
            "quantity": 2,
            "pageCount": 32,
            "fulfillmentStatus": "printed",
            "processedFileUrl": "https://files.example/p.pdf",
            "files": [{"type": "front", "url": "https://files.example/a.png"}],
            "previews": [{"type": "preview_default", "url": "https://files.example/pv.png"}],
        }
    )
    assert item.to_create_json() == {
        "itemReferenceId": "ref-1",
        "productUid": "photobook",
        "quantity": 2,
        "files": [{"url": "https://files.example/a.png", "type": "front"}],
        "pageCount": 32,
    }
    embroidery = File(None, "chest-left-embroidery", id="emb-1", thread_colors=("#000000",))
    assert embroidery.to_create_json() == {
        "type": "chest-left-embroidery",
        "id": "emb-1",
        "threadColors": ["#000000"],
    }


def test_quote_with_two_parts_would_split():
    quote = Quote.from_json(
        {
            "orderReferenceId": "Q",
            "quotes": [
                {"id": "a", "shipmentMethods": [{"price": 4.5}], "products": []},
                {"id": "b", "shipmentMethods": [], "products": []},
            ],
        }
    )
    assert quote.would_split
    assert quote.quotes[0].shipment_methods[0].price == Decimal("4.5")


def _answering(*responses: httpx.Response) -> GelatoClient:
    queue = list(responses)
    transport = httpx.MockTransport(lambda request: queue.pop(0))
    return GelatoClient("key", transport=transport, backoff=0.5, max_backoff=0.5)


@pytest.mark.parametrize(
    "response",
    [
        httpx.Response(200, text="<html>not json</html>"),
        httpx.Response(200, json=["not", "an", "order"]),
        httpx.Response(200, json={"orderReferenceId": "no id"}),
    ],
)
def test_an_unreadable_success_is_unexpected_response(response):
    with _answering(response) as gelato, pytest.raises(errors.UnexpectedResponse):
        gelato.get_order("o-1")


@pytest.mark.parametrize("body", [{}, {"orders": None}, {"orders": "o-1"}, ["o-1"]])
def test_a_search_answer_without_a_list_of_rows_is_unexpected_response(body):
    gelato = _answering(httpx.Response(200, json=body))
    with gelato, pytest.raises(errors.UnexpectedResponse):
        gelato.search_orders()


def test_an_error_body_that_is_not_json_still_maps_by_status():
    gelato = _answering(httpx.Response(400, text="Bad Request"))
    with gelato, pytest.raises(errors.InvalidRequest) as caught:
        gelato.update_draft("o-1")
    assert caught.value.field is None
    assert caught.value.message == "Gelato rejected the request."


def test_a_404_outside_an_order_path_is_unexpected():
    gelato = _answering(httpx.Response(404, json={"message": "nothing here"}))
    with gelato, pytest.raises(errors.UnexpectedResponse) as caught:
        gelato.list_shipment_methods()
    assert caught.value.detail == "nothing here"


def test_retry_after_as_an_http_date(gelato_log):
    past = "Wed, 21 Oct 2015 07:28:00 GMT"
    ok = httpx.Response(200, json={"shipmentMethods": []})
    with _answering(httpx.Response(503, headers={"Retry-After": past}), ok) as gelato:
        assert gelato.list_shipment_methods() == []
    assert "retry in 0.00 s" in gelato_log.text  # not the 0.25-0.5 s backoff


@pytest.mark.parametrize("status", [401, 403])
def test_refused_keys_are_unauthorized(status):
    gelato = _answering(httpx.Response(status, json={"code": "x"}))
    with gelato, pytest.raises(errors.Unauthorized):
        gelato.list_shipment_methods()
