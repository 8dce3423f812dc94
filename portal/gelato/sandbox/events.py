"""The webhook events Gelato sends when an order changes, built from the sandbox's orders.

Names and fields are the contract's (gelato-api.md, section 8): every event has a unique ``id`` and
its ``event``; the rest is each event's documented payload. What the documentation leaves open,
the values below fill as assumption A23 says.
"""

from __future__ import annotations

import uuid

#: Where the sandbox pretends each production country's orders are made (assumption A23).
FACILITY_NAMESPACE = uuid.UUID("0f3b8a52-6d1e-4c47-9a2e-7b9f2d61c0aa")

ORDER_STATUS_UPDATED = "order_status_updated"
ORDER_ITEM_STATUS_UPDATED = "order_item_status_updated"
ORDER_ITEM_TRACKING_CODE_UPDATED = "order_item_tracking_code_updated"
ORDER_DELIVERY_ESTIMATE_UPDATED = "order_delivery_estimate_updated"


def _event(name: str, order: dict, **fields) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "event": name,
        "orderId": order["id"],
        "storeId": order["storeId"],
        "orderReferenceId": order["orderReferenceId"],
        **fields,
    }


def _production(order: dict) -> dict:
    """Where the order is made: country, state or province, facility."""
    country = (order.get("shipment") or {}).get("fulfillmentCountry")
    return {
        "fulfillmentCountry": country,
        "fulfillmentStateProvince": None,
        "fulfillmentFacilityId": str(uuid.uuid5(FACILITY_NAMESPACE, country)) if country else None,
    }


def _fulfillments(order: dict, item: dict) -> list[dict]:
    """The item's parcels with their tracking; none before it ships."""
    shipment = order.get("shipment") or {}
    return [
        {
            "trackingCode": package.get("trackingCode"),
            "trackingUrl": package.get("trackingUrl"),
            "shipmentMethodName": shipment.get("shipmentMethodName"),
            "shipmentMethodUid": shipment.get("shipmentMethodUid"),
            **_production(order),
        }
        for package in shipment.get("packages", [])
        if item["id"] in package.get("orderItemIds", [])
    ]


def order_status_updated(order: dict, comment: str | None = None) -> dict:
    """The order's new status, with every item's; ``comment`` says why (a hold, a failure)."""
    return _event(
        ORDER_STATUS_UPDATED,
        order,
        fulfillmentStatus=order["fulfillmentStatus"],
        comment=comment,
        items=[
            {
                "itemReferenceId": item["itemReferenceId"],
                "fulfillmentStatus": item["fulfillmentStatus"],
                "fulfillments": _fulfillments(order, item),
            }
            for item in order["items"]
        ],
    )


def order_item_status_updated(order: dict, item: dict) -> dict:
    """The item's latest status change, as its ``eventLog`` recorded it (assumption A21)."""
    change = item["eventLog"][-1]
    return _event(
        ORDER_ITEM_STATUS_UPDATED,
        order,
        itemReferenceId=item["itemReferenceId"],
        status=change["status"],
        **_production(order),
        comment=change["comment"],
        created=change["created"],
    )


def order_item_tracking_code_updated(order: dict, item: dict, package: dict, at: str) -> dict:
    shipment = order["shipment"]
    return _event(
        ORDER_ITEM_TRACKING_CODE_UPDATED,
        order,
        itemReferenceId=item["itemReferenceId"],
        trackingCode=package["trackingCode"],
        trackingUrl=package["trackingUrl"],
        shipmentMethodName=shipment["shipmentMethodName"],
        shipmentMethodUid=shipment["shipmentMethodUid"],
        **_production(order),
        created=at,
    )


def order_delivery_estimate_updated(order: dict, at: str) -> dict:
    shipment = order["shipment"]
    return _event(
        ORDER_DELIVERY_ESTIMATE_UPDATED,
        order,
        minDeliveryDate=shipment["minDeliveryDate"],
        maxDeliveryDate=shipment["maxDeliveryDate"],
        created=at,
    )
