"""Parsing Gelato's JSON tolerantly, and turning orders back into create requests."""

from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from portal.gelato import GelatoClient, errors
from portal.gelato.models import (
    Address,
    File,
    Item,
    Order,
    OrderSummary,
    Quote,
    Shipment,
    StatusChange,
)


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


def test_receipt_totals_purchase_and_refunds():
    order = Order.from_json(
        {
            "id": "o",
            "financialStatus": "partially_refunded",
            "receipts": [
                {"transactionType": "refund", "totalInclVat": 5},
                {"transactionType": "purchase", "totalInclVat": 31.9},
                {"transactionType": "refund", "totalInclVat": "2.50"},
            ],
        }
    )
    assert order.total_incl_vat == Decimal("31.9")
    assert order.refunded_incl_vat == Decimal("7.50")
    assert order.is_partially_refunded
    assert not order.is_refunded
    assert Order.from_json({"id": "o", "financialStatus": "refunded"}).is_refunded
    assert Order.from_json({"id": "o"}).refunded_incl_vat is None


def _item(reference, status, *log):
    return {
        "itemReferenceId": reference,
        "fulfillmentStatus": status,
        "eventLog": [
            {"status": s, "created": when, **({"comment": c} if c else {})} for s, when, c in log
        ],
    }


DELIVERED_ORDER = {
    "id": "o",
    "fulfillmentStatus": "delivered",
    # Touched long after the delivery (a refund, say): this must not move the delivery date.
    "updatedAt": "2024-06-20T09:00:00+00:00",
    "items": [
        _item(
            "poster",
            "delivered",
            ("created", "2024-04-20T10:00:00+00:00", None),
            ("shipped", "2024-04-24T10:00:00+00:00", None),
            ("delivered", "2024-04-28T15:30:00+00:00", None),
        ),
        _item(
            "mug",
            "delivered",
            ("delivered", "2024-05-01T10:00:00+00:00", None),  # out of order on purpose
            ("created", "2024-04-20T10:00:00+00:00", None),
        ),
    ],
}


def test_each_item_knows_when_it_reached_its_status():
    poster, mug = Order.from_json(DELIVERED_ORDER).items
    assert [change.status for change in mug.status_history] == ["created", "delivered"]
    assert poster.status_since == datetime(2024, 4, 28, 15, 30, tzinfo=UTC)
    assert poster.delivered_at == datetime(2024, 4, 28, 15, 30, tzinfo=UTC)
    assert mug.delivered_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_the_order_is_delivered_when_its_last_item_was_not_when_it_last_changed():
    order = Order.from_json(DELIVERED_ORDER)
    assert order.delivered_at == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert order.updated_at == datetime(2024, 6, 20, 9, tzinfo=UTC)


def test_without_item_times_the_delivery_moment_is_unknown_not_guessed():
    order = Order.from_json(
        {
            "id": "o",
            "fulfillmentStatus": "delivered",
            "updatedAt": "2024-05-01T10:00:00+00:00",
            "items": [{"itemReferenceId": "a", "fulfillmentStatus": "delivered"}],
        }
    )
    assert order.delivered_at is None
    assert order.items[0].status_since is None
    shipped = Order.from_json(
        {
            "id": "o",
            "fulfillmentStatus": "shipped",
            "items": [_item("a", "shipped", ("shipped", "2024-05-01T10:00:00+00:00", None))],
        }
    )
    assert shipped.delivered_at is None
    assert shipped.items[0].delivered_at is None


def test_a_malformed_event_log_leaves_the_times_unknown():
    item = Item.from_json(
        {
            "fulfillmentStatus": "on_hold",
            "eventLog": [
                "not an entry",
                {"created": "2024-05-01T10:00:00+00:00"},
                {"status": "on_hold", "created": "last tuesday"},
                {"status": "on_hold"},
            ],
        }
    )
    assert item.status_history == ()
    assert item.status_since is None
    assert Item.from_json({"eventLog": {"status": "x"}}).status_history == ()


def test_the_current_status_carries_gelatos_comment():
    item = Item.from_json(
        _item(
            "mug",
            "on_hold",
            ("created", "2024-05-01T10:00:00+00:00", None),
            ("on_hold", "2024-05-02T10:00:00+00:00", "Out of stock"),
        )
    )
    assert item.status_comment == "Out of stock"
    assert item.status_since == datetime(2024, 5, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("statuses", "most_advanced"),
    [
        (["passed", "printed", "created"], "printed"),
        (["on_hold", "passed"], "passed"),
        (["in_transit", "delivered"], "delivered"),
        (["delivered", "returned"], "returned"),
        (["canceled", "canceled"], "canceled"),
        (["on_hold", "some_future_status"], "on_hold"),  # none on the path: the first item
    ],
)
def test_the_most_advanced_item_decides(statuses, most_advanced):
    order = Order.from_json(
        {
            "id": "o",
            "fulfillmentStatus": statuses[0],
            "items": [
                {"itemReferenceId": str(n), "fulfillmentStatus": s} for n, s in enumerate(statuses)
            ],
        }
    )
    assert order.most_advanced_item_status == most_advanced
    assert order.most_advanced_item.fulfillment_status == most_advanced
    assert Order.from_json({"id": "o"}).most_advanced_item_status is None


def test_a_failed_order_says_why():
    order = Order.from_json(
        {
            "id": "o",
            "fulfillmentStatus": "failed",
            "refusalReason": "The address could not be validated.",
            "refusalReasonCode": "address_validation_failed",
        }
    )
    assert order.refusal_reason == "The address could not be validated."
    assert order.refusal_reason_code == "address_validation_failed"


def test_a_status_change_reads_the_same_from_the_order_and_from_a_webhook():
    event = {
        "id": "ev-1",
        "event": "order_item_status_updated",
        "orderId": "o",
        "itemReferenceId": "mug",
        "status": "on_hold",
        "comment": "Out of stock",
        "created": "2024-05-02T10:00:00+00:00",
    }
    logged = {
        "status": "on_hold",
        "comment": "Out of stock",
        "created": "2024-05-02T10:00:00+00:00",
    }
    assert StatusChange.from_json(event) == StatusChange.from_json(logged)


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
