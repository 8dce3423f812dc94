"""The one way the portal talks to Gelato.

``GelatoClient`` wraps one ``httpx.Client``, built once per process and shared by every request, so
connections are pooled and the timeouts, headers and retry rules are set in one place. Each method
returns models and raises only ``portal.gelato.errors``. What is safe to send again, and how each
attempt is logged, is ``portal.gelato.retries``; reading Gelato's answers is
``portal.gelato.responses``.
"""

from __future__ import annotations

import functools
import ssl
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from portal.gelato import errors, responses, retries
from portal.gelato.models import (
    Address,
    Item,
    Order,
    OrderSummary,
    Quote,
    ShipmentMethod,
)

#: Where each Gelato service lives. Tests and the sandbox replace these.
GELATO_BASE_URLS = {
    "order": "https://order.gelatoapis.com",
    "shipment": "https://shipment.gelatoapis.com",
}


def service_urls(url: str) -> dict[str, str]:
    """Every Gelato service at one address, for a stand-in that answers all of Gelato's paths
    (the sandbox does). The services' paths do not overlap (``/v4/orders...``,
    ``/v1/shipment-methods``), so one server can answer them all."""
    url = url.rstrip("/")
    return dict.fromkeys(GELATO_BASE_URLS, url)


#: Connecting should be quick; Gelato may take a while to answer a create or a search.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

#: Enough for a few dozen agents working at once in one process.
DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30)

#: A reference normally matches one order or a few split parts; this stops a runaway paging loop.
MAX_REFERENCE_ROWS = 1000


def _product_version() -> str:
    """The version in pyproject.toml: the portal runs from its checkout, not as an installed
    package, so there is no package metadata to ask."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        with pyproject.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "unknown"


USER_AGENT = f"gelato-help-center/{_product_version()}"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process: building one reads the CA bundle (~50 ms)."""
    return httpx.create_ssl_context()


class GelatoClient:
    """A client for Gelato's order and shipment services.

    ``timeout`` is an ``httpx.Timeout`` or a number of seconds for every phase. ``retry_budget``
    bounds the time spent on repeated attempts of one call (a last attempt may still run up to its
    timeout); ``backoff`` is the first delay between attempts, doubled each time up to
    ``max_backoff``. ``transport`` replaces the network, e.g. with the sandbox's in-process
    transport. ``is_sandbox`` tells the pages to say they are showing demo data.
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_urls: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        retry_budget: float = 10.0,
        max_attempts: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 8.0,
        limits: httpx.Limits = DEFAULT_LIMITS,
        user_agent: str = USER_AGENT,
        is_sandbox: bool = False,
    ):
        if not api_key:
            raise ValueError(f"A Gelato API key is required ({errors.API_KEY_SETTING}).")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1.")
        self.base_urls = {**GELATO_BASE_URLS, **(base_urls or {})}
        for service, url in self.base_urls.items():
            parsed = httpx.URL(url)
            if parsed.scheme not in ("http", "https") or not parsed.host:
                raise ValueError(f"The {service} base URL must be an http(s) URL, not {url!r}.")
        self.is_sandbox = is_sandbox
        self.retry_settings = retries.RetrySettings(
            max_attempts=max_attempts, budget=retry_budget, backoff=backoff, max_backoff=max_backoff
        )
        self._http = httpx.Client(
            transport=transport,
            # Only a transport httpx builds itself uses TLS: a given one (the in-process sandbox's)
            # does not, so the CA bundle is not read for it.
            verify=_tls_context() if transport is None else True,
            timeout=timeout,
            limits=limits,
            headers={
                "X-API-KEY": api_key,
                "User-Agent": user_agent,
                "Accept": "application/json",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GelatoClient:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<GelatoClient {self.base_urls['order']} sandbox={self.is_sandbox}>"

    # Orders ---------------------------------------------------------------------------------

    def get_order(self, order_id: str) -> Order:
        """One order in full. ``GET order…/v4/orders/{orderId}``."""
        response = self._call("GET", "order", _order_path(order_id))
        return responses.parse(Order, responses.body(response, order_id=order_id))

    def search_orders(
        self,
        *,
        ids: Sequence[str] | None = None,
        order_reference_id: str | None = None,
        order_reference_ids: Sequence[str] | None = None,
        search: str | None = None,
        fulfillment_statuses: Sequence[str] | None = None,
        financial_statuses: Sequence[str] | None = None,
        channels: Sequence[str] | None = None,
        countries: Sequence[str] | None = None,
        currencies: Sequence[str] | None = None,
        order_types: Sequence[str] | None = None,
        store_ids: Sequence[str] | None = None,
        start_date: datetime | str | None = None,
        end_date: datetime | str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[OrderSummary]:
        """One page of orders matching every given filter. ``POST order…/v4/orders:search``.

        ``start_date`` and ``end_date`` bound when orders were placed, both inclusive. Gelato gives
        no total count: a page shorter than ``limit`` is the last one.
        """
        body = {
            "ids": ids,
            "orderReferenceId": order_reference_id,
            "orderReferenceIds": order_reference_ids,
            "search": search,
            "fulfillmentStatuses": fulfillment_statuses,
            "financialStatuses": financial_statuses,
            "channels": channels,
            "countries": countries,
            "currencies": currencies,
            "orderTypes": order_types,
            "storeIds": store_ids,
            "startDate": _date_filter(start_date),
            "endDate": _date_filter(end_date),
        }
        body = {key: value for key, value in body.items() if value is not None}
        body.update(limit=limit, offset=offset)
        response = self._call("POST", "order", "/v4/orders:search", json=body)
        return responses.rows(response, "orders", OrderSummary)

    def find_orders_by_reference(
        self, order_reference_id: str, *, page_size: int = 100
    ) -> list[OrderSummary]:
        """Every order carrying this reference of yours: one, or several for a split order.

        Pages through ``POST order…/v4/orders:search`` by offset.
        """
        rows: list[OrderSummary] = []
        while len(rows) < MAX_REFERENCE_ROWS:
            page = self.search_orders(
                order_reference_id=order_reference_id, limit=page_size, offset=len(rows)
            )
            rows.extend(page)
            if len(page) < page_size:
                break
        return rows

    def find_created_order(self, order_reference_id: str) -> Order | None:
        """The order a create may have placed, looked up by the reference it carried (search by
        reference, then get the newest match). For callers that, like ``create_order`` itself,
        must know whether an unconfirmed create landed before they try again."""
        try:
            rows = self.find_orders_by_reference(order_reference_id)
        except errors.GelatoError as exc:
            raise errors.GelatoUnavailable(
                f"Gelato did not confirm the new order {order_reference_id!r}, and checking "
                "whether it exists failed too. Search for the reference before trying again."
            ) from exc
        if not rows:
            return None
        newest = max(rows, key=lambda row: row.created_at or datetime.min.replace(tzinfo=UTC))
        try:
            return self.get_order(newest.id)
        except errors.GelatoError as exc:
            raise errors.GelatoUnavailable(
                f"The order {order_reference_id!r} was placed (Gelato id {newest.id}), but Gelato "
                "did not answer when asked for it. Do not place it again; open it later."
            ) from exc

    def create_order(
        self,
        order_reference_id: str,
        *,
        customer_reference_id: str,
        currency: str,
        items: Sequence[Item],
        shipping_address: Address,
        shipment_method_uid: str | None = None,
        order_type: str = "order",
        return_address: Mapping[str, str] | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> Order:
        """Place an order (or a draft). ``POST order…/v4/orders``.

        ``order_reference_id`` must be new for every attempt to place an order (a reorder gets a
        fresh one): after an ambiguous failure the client looks the order up by it, and an older
        order with the same reference would be taken for this one (assumption A17). For a split
        order the returned order is one of its parts; ``connected_order_ids`` names them all.
        """
        body: dict[str, Any] = {
            "orderType": order_type,
            "orderReferenceId": order_reference_id,
            "customerReferenceId": customer_reference_id,
            "currency": currency,
            "items": [item.to_create_json() for item in items],
            "shippingAddress": shipping_address.to_create_json(),
        }
        if shipment_method_uid:
            body["shipmentMethodUid"] = shipment_method_uid
        if return_address:
            body["returnAddress"] = dict(return_address)
        if metadata:
            body["metadata"] = [{"key": k, "value": v} for k, v in metadata.items()]

        look = retries.Look(
            "checking by reference", lambda: self.find_created_order(order_reference_id)
        )
        ending = self._send("POST", "order", "/v4/orders", retries.CREATE, look=look, json=body)
        if ending.found:
            return ending.found
        if ending.kind == retries.UNCERTAIN:
            # A timeout after sending, a dropped connection, a 5xx, and no order has appeared.
            raise errors.GelatoUnavailable(
                f"Gelato did not confirm the new order {order_reference_id!r}, and no order with "
                "that reference has appeared at Gelato. Search for the reference again in a few "
                "minutes before trying once more.",
                status_code=getattr(ending.result, "status_code", None),
            )
        return responses.parse(Order, responses.body(_answer(ending)))

    def cancel_order(self, order_id: str) -> None:
        """Cancel an order that has not gone into production.

        ``POST order…/v4/orders/{orderId}:cancel``. Raises ``NotCancellable`` when Gelato refuses
        (409). Returns nothing, as the success body is undocumented: get the order to show it.
        """
        path = _order_path(order_id) + ":cancel"
        look = retries.Look("checking the order", lambda: self._is_canceled(order_id))
        ending = self._send("POST", "order", path, retries.CANCEL, look=look)
        if ending.found:
            return
        if isinstance(ending.result, httpx.RequestError) and ending.kind != retries.FATAL:
            raise errors.GelatoUnavailable(
                "Gelato did not confirm the cancellation. Open the order to see whether it "
                "is canceled before trying again.",
                detail=type(ending.result).__name__,
            )
        response = _answer(ending)
        if response.is_success:
            return
        # After an attempt that may have worked, a 409 can mean "already canceled".
        if response.status_code == 409 and ending.may_have_acted and self._is_canceled(order_id):
            return
        raise responses.error(response, order_id=order_id, conflict=errors.NotCancellable)

    def update_draft(
        self, order_id: str, *, order_type: str = "order", items: Sequence[Item] | None = None
    ) -> Order:
        """Turn a draft into an order, keeping only ``items`` if given (matched by ``id``, with
        their files). ``PATCH order…/v4/orders/{orderId}``.

        Only drafts can be changed: anything else raises ``NotAllowedInState``.
        """
        body: dict[str, Any] = {"orderType": order_type}
        if items is not None:
            body["items"] = []
            for item in items:
                entry: dict[str, Any] = {"id": item.id}
                if item.files:
                    entry["files"] = [file.to_create_json() for file in item.files]
                body["items"].append(entry)
        response = self._call("PATCH", "order", _order_path(order_id), retries.WRITE, json=body)
        return responses.parse(Order, responses.body(response, order_id=order_id))

    def delete_draft(self, order_id: str) -> None:
        """Delete a draft. ``DELETE order…/v4/orders/{orderId}``."""
        response = self._call("DELETE", "order", _order_path(order_id), retries.WRITE)
        responses.body(response, order_id=order_id)

    def quote(
        self,
        order_reference_id: str,
        *,
        customer_reference_id: str,
        currency: str,
        recipient: Address,
        products: Sequence[Item],
        allow_multiple_quotes: bool = False,
    ) -> Quote:
        """Prices and shipment options of a would-be order, creating nothing.

        ``POST order…/v4/orders:quote``; the request fields follow assumption A8. It changes
        nothing, so it is retried like a read.
        """
        body = {
            "orderReferenceId": order_reference_id,
            "customerReferenceId": customer_reference_id,
            "currency": currency,
            "allowMultipleQuotes": allow_multiple_quotes,
            "recipient": recipient.to_create_json(),
            "products": [item.to_create_json() for item in products],
        }
        response = self._call("POST", "order", "/v4/orders:quote", json=body)
        return responses.parse(Quote, responses.body(response))

    # Shipment methods -------------------------------------------------------------------------

    def list_shipment_methods(self, country: str | None = None) -> list[ShipmentMethod]:
        """Carrier services, all or those delivering to ``country`` (ISO alpha-2).

        ``GET shipment…/v1/shipment-methods?country=XX``.
        """
        params = {"country": country.upper()} if country else None
        response = self._call("GET", "shipment", "/v1/shipment-methods", params=params)
        return responses.rows(response, "shipmentMethods", ShipmentMethod)

    # Plumbing ---------------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        service: str,
        path: str,
        rule: retries.RetryRule = retries.READ,
        *,
        attempts: int | None = None,
        **kwargs,
    ) -> httpx.Response:
        """Gelato's last answer to a request sent as often as ``rule`` makes safe."""
        return _answer(self._send(method, service, path, rule, attempts=attempts, **kwargs))

    def _send(
        self,
        method: str,
        service: str,
        path: str,
        rule: retries.RetryRule,
        *,
        look: retries.Look | None = None,
        attempts: int | None = None,
        **kwargs,
    ) -> retries.Ending:
        """How a request sent through the retry driver ended; ``kwargs`` go to httpx."""
        url = self.base_urls[service] + path
        shown_path = path + ("?" + urlencode(kwargs["params"]) if kwargs.get("params") else "")
        return retries.send(
            lambda: self._http.request(method, url, **kwargs),
            rule,
            self.retry_settings,
            method=method,
            path=shown_path,
            look=look,
            attempts=attempts,
        )

    def _is_canceled(self, order_id: str) -> bool:
        """One quick look at the order; any doubt counts as not canceled."""
        try:
            response = self._call("GET", "order", _order_path(order_id), attempts=1)
            order = responses.parse(Order, responses.body(response, order_id=order_id))
        except errors.GelatoError:
            return False
        return order.fulfillment_status == "canceled"


def _answer(ending: retries.Ending) -> httpx.Response:
    """Gelato's last answer to a call, or the error for a call that got none."""
    if isinstance(ending.result, httpx.RequestError):
        raise responses.unavailable(ending.result)
    return ending.result


def _order_path(order_id: str) -> str:
    """The order's path, with the id quoted so it cannot reach another endpoint."""
    clean = (order_id or "").strip()
    if not clean or "/" in clean:
        raise errors.OrderNotFound(order_id)
    return "/v4/orders/" + quote(clean, safe="")


def _date_filter(value: datetime | str | None) -> list[str] | None:
    """A search date as Gelato types it: an array of strings, here holding one (assumption A7)."""
    if value is None:
        return None
    return [value.isoformat() if isinstance(value, datetime) else value]
