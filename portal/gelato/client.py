"""The one way the portal talks to Gelato.

``GelatoClient`` wraps one ``httpx.Client``, built once per process and shared by every request, so
connections are pooled and the timeouts, headers and retry rules are set in one place. Each method
returns models and raises only ``portal.gelato.errors``.

Retries follow what repeating a call can do:

- Reads (get, search, shipment methods, quote) are repeated after 429, 502, 503, 504, timeouts
  and connection errors, with exponential backoff and jitter, honouring ``Retry-After``, until
  ``max_attempts`` or the ``retry_budget`` (seconds) runs out.
- A create is repeated only when it certainly did not reach Gelato (the connection never opened)
  or after a 429 once a search shows it did not land. After any other failure it may have landed,
  so the client searches by the order reference it sent and returns that order if it exists;
  otherwise it raises ``GelatoUnavailable`` and leaves the decision to a person.
- A cancel may be repeated: cancelling twice cannot cancel anything else. After a failure that may
  have reached Gelato the client first looks whether the order is canceled already.
- Draft changes are repeated only when they certainly did not reach Gelato.

Each HTTP attempt is logged on one line on the ``portal.gelato`` logger; headers, and so the API
key, are never logged.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import math
import random
import ssl
import time
import tomllib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import httpx

from portal.gelato import errors
from portal.gelato.models import (
    Address,
    Item,
    Order,
    OrderSummary,
    Quote,
    ShipmentMethod,
)

log = logging.getLogger("portal.gelato")

#: Where each Gelato service lives. Tests and the sandbox replace these.
GELATO_BASE_URLS = {
    "order": "https://order.gelatoapis.com",
    "shipment": "https://shipment.gelatoapis.com",
}

#: Connecting should be quick; Gelato may take a while to answer a create or a search.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)

#: Enough for a few dozen agents working at once in one process.
DEFAULT_LIMITS = httpx.Limits(max_connections=20, max_keepalive_connections=10, keepalive_expiry=30)

#: Statuses after which a read is worth repeating. A 500 is a fault, not a hiccup: not repeated.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})

#: Failures that leave no doubt the request never reached Gelato.
UNSENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

#: Failures that make sending pointless, and before which nothing reached Gelato: a URL httpx
#: cannot use, a request it cannot write, a proxy refusing. Any other failure may hide an answer.
FATAL_ERRORS = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.ProxyError)

#: What one attempt tells (see ``_classify``): a definite answer (success or a 4xx other than
#: 429); nothing was sent; Gelato refused to look (429); Gelato may or may not have acted (timeout
#: after sending, dropped connection, 5xx); a failure that makes sending pointless (bad URL).
ANSWER, NOT_SENT, THROTTLED, UNCERTAIN, FATAL = (
    "answer",
    "not sent",
    "throttled",
    "uncertain",
    "fatal",
)

#: A reference normally matches one order or a few split parts; this stops a runaway paging loop.
MAX_REFERENCE_ROWS = 1000

Model = TypeVar("Model")


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


class _Budget:
    """The attempts and the time left for retries of one call."""

    def __init__(self, attempts: int, seconds: float):
        self.attempts = attempts
        self.deadline = time.monotonic() + seconds

    def allows(self, attempt: int, delay: float) -> bool:
        """Whether another attempt may follow ``attempt`` after waiting ``delay`` seconds."""
        return attempt < self.attempts and time.monotonic() + delay <= self.deadline


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
        self.retry_budget = retry_budget
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
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
        return _parse(Order, self._body(response, order_id=order_id))

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

        Gelato gives no total count: a page shorter than ``limit`` is the last one.
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
            "startDate": _timestamp(start_date),
            "endDate": _timestamp(end_date),
        }
        body = {key: value for key, value in body.items() if value is not None}
        body.update(limit=limit, offset=offset)
        response = self._call("POST", "order", "/v4/orders:search", json=body)
        return self._rows(response, "orders", OrderSummary)

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

        path = "/v4/orders"
        budget = _Budget(self.max_attempts, self.retry_budget)
        attempt = 0
        while True:
            attempt += 1
            result, duration = self._attempt("POST", "order", path, json=body)
            kind = _classify(result)
            if kind == ANSWER:
                self._log("POST", path, result, duration, attempt)
                return _parse(Order, self._body(result))

            if kind in (NOT_SENT, THROTTLED):
                # Nothing reached Gelato, or it refused to look (assumption A6): may send again,
                # after a 429 only once a search shows the order did not land after all.
                delay = self._delay(result, attempt)
                if not budget.allows(attempt, delay):
                    self._log("POST", path, result, duration, attempt)
                    raise self._failure(result)
                self._log("POST", path, result, duration, attempt, f"retry in {delay:.2f} s")
                time.sleep(delay)
                if kind == THROTTLED and (existing := self.find_created_order(order_reference_id)):
                    return existing
                continue

            if kind == FATAL:
                self._log("POST", path, result, duration, attempt)
                raise self._failure(result)

            # A timeout after sending, a dropped connection, a 5xx: the order may exist.
            self._log("POST", path, result, duration, attempt, "checking by reference")
            if existing := self.find_created_order(order_reference_id):
                return existing
            raise errors.GelatoUnavailable(
                f"Gelato did not confirm the new order {order_reference_id!r}, and no order with "
                "that reference has appeared at Gelato. Search for the reference again in a few "
                "minutes before trying once more.",
                status_code=getattr(result, "status_code", None),
            )

    def cancel_order(self, order_id: str) -> None:
        """Cancel an order that has not gone into production.

        ``POST order…/v4/orders/{orderId}:cancel``. Raises ``NotCancellable`` when Gelato refuses
        (409). Returns nothing, as the success body is undocumented: get the order to show it.
        """
        path = _order_path(order_id) + ":cancel"
        budget = _Budget(self.max_attempts, self.retry_budget)
        attempt = 0
        may_have_worked = False
        while True:
            attempt += 1
            result, duration = self._attempt("POST", "order", path)
            kind = _classify(result)
            if kind == ANSWER:
                self._log("POST", path, result, duration, attempt)
                if result.is_success:
                    return
                # After an attempt that may have worked, a 409 can mean "already canceled".
                if result.status_code == 409 and may_have_worked and self._is_canceled(order_id):
                    return
                raise self._error(result, order_id=order_id, conflict=errors.NotCancellable)
            if kind == FATAL:
                self._log("POST", path, result, duration, attempt)
                raise self._failure(result)

            delay = self._delay(result, attempt)
            retry = budget.allows(attempt, delay)
            next_step = f"retry in {delay:.2f} s" if retry else None
            if kind == UNCERTAIN:
                may_have_worked = True
                next_step = "checking the order" + (f", then {next_step}" if next_step else "")
            self._log("POST", path, result, duration, attempt, next_step)
            if kind == UNCERTAIN and self._is_canceled(order_id):
                return
            if not retry:
                if isinstance(result, httpx.Response):
                    raise self._error(result, order_id=order_id)
                raise errors.GelatoUnavailable(
                    "Gelato did not confirm the cancellation. Open the order to see whether it "
                    "is canceled before trying again.",
                    detail=type(result).__name__,
                )
            time.sleep(delay)

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
        response = self._call("PATCH", "order", _order_path(order_id), json=body, read=False)
        return _parse(Order, self._body(response, order_id=order_id))

    def delete_draft(self, order_id: str) -> None:
        """Delete a draft. ``DELETE order…/v4/orders/{orderId}``."""
        response = self._call("DELETE", "order", _order_path(order_id), read=False)
        self._body(response, order_id=order_id)

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
        return _parse(Quote, self._body(response))

    # Shipment methods -------------------------------------------------------------------------

    def list_shipment_methods(self, country: str | None = None) -> list[ShipmentMethod]:
        """Carrier services, all or those delivering to ``country`` (ISO alpha-2).

        ``GET shipment…/v1/shipment-methods?country=XX``.
        """
        params = {"country": country.upper()} if country else None
        response = self._call("GET", "shipment", "/v1/shipment-methods", params=params)
        return self._rows(response, "shipmentMethods", ShipmentMethod)

    # Plumbing ---------------------------------------------------------------------------------

    def _attempt(
        self, method: str, service: str, path: str, **kwargs
    ) -> tuple[httpx.Response | httpx.RequestError, float]:
        """Send once; a failure is returned, not raised, for the caller to judge.

        ``RequestError`` covers the network (``TransportError``) and a body that cannot be decoded.
        """
        url = self.base_urls[service] + path
        started = time.perf_counter()
        try:
            result: httpx.Response | httpx.RequestError = self._http.request(method, url, **kwargs)
        except httpx.RequestError as exc:
            result = exc
        return result, time.perf_counter() - started

    def _call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        read: bool = True,
        attempts: int | None = None,
        **kwargs,
    ) -> httpx.Response:
        """Send a request, repeating it as far as is safe, and return Gelato's last answer.

        A ``read`` changes nothing and is repeated after 429, 502, 503, 504 and transient
        network failures; anything else only when it certainly did not reach Gelato.
        """
        shown_path = path + ("?" + urlencode(kwargs["params"]) if kwargs.get("params") else "")
        budget = _Budget(attempts or self.max_attempts, self.retry_budget)
        attempt = 0
        while True:
            attempt += 1
            result, duration = self._attempt(method, service, path, **kwargs)
            kind = _classify(result)
            if read:
                retryable = kind in (NOT_SENT, THROTTLED, UNCERTAIN) and (
                    not isinstance(result, httpx.Response)
                    or result.status_code in RETRYABLE_STATUSES
                )
            else:
                retryable = kind == NOT_SENT
            if retryable:
                delay = self._delay(result, attempt)
                if budget.allows(attempt, delay):
                    next_step = f"retry in {delay:.2f} s"
                    self._log(method, shown_path, result, duration, attempt, next_step)
                    time.sleep(delay)
                    continue
            self._log(method, shown_path, result, duration, attempt)
            if isinstance(result, httpx.RequestError):
                raise self._failure(result)
            return result

    def _is_canceled(self, order_id: str) -> bool:
        """One quick look at the order; any doubt counts as not canceled."""
        try:
            response = self._call("GET", "order", _order_path(order_id), attempts=1)
            order = _parse(Order, self._body(response, order_id=order_id))
        except errors.GelatoError:
            return False
        return order.fulfillment_status == "canceled"

    def _body(self, response: httpx.Response, *, order_id: str | None = None) -> Any:
        if not response.is_success:
            raise self._error(response, order_id=order_id)
        try:
            return response.json()
        except ValueError as exc:
            raise errors.UnexpectedResponse(status_code=response.status_code) from exc

    def _rows(self, response: httpx.Response, key: str, model: type[Model]) -> list[Model]:
        """The rows of a list answer such as ``{"orders": [...]}``; any other shape is unreadable,
        even ``null`` rows, so that only ``errors`` leave the client."""
        data = self._body(response)
        rows = data.get(key) if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise errors.UnexpectedResponse(status_code=response.status_code)
        return [_parse(model, row) for row in rows]

    def _error(
        self,
        response: httpx.Response,
        *,
        order_id: str | None = None,
        conflict: type[errors.NotAllowedInState] = errors.NotAllowedInState,
    ) -> errors.GelatoError:
        """The typed error for an unsuccessful answer, keeping Gelato's own words."""
        status = response.status_code
        code, message, field = _error_body(response)
        details = {"status_code": status, "code": code}
        if status in (401, 403):
            return errors.Unauthorized(detail=message, **details)
        if status == 404 and order_id is not None:
            return errors.OrderNotFound(order_id, detail=message, **details)
        if status == 409:
            return conflict(order_id=order_id, detail=message, **details)
        if status == 429:
            return errors.RateLimited(_retry_after(response), detail=message, **details)
        if status >= 500:
            return errors.GelatoUnavailable(detail=message, **details)
        if status in (400, 422):
            return errors.InvalidRequest(message, field, **details)
        return errors.UnexpectedResponse(
            f"Gelato answered with HTTP {status}, which the portal does not expect here.",
            detail=message,
            **details,
        )

    def _delay(self, result: httpx.Response | httpx.RequestError, attempt: int) -> float:
        """Gelato's ``Retry-After`` if it gave one, else exponential backoff with jitter (so that
        many workers do not retry in step)."""
        retry_after = _retry_after(result)
        if retry_after is not None:
            return retry_after
        cap = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        return cap / 2 + random.uniform(0, cap / 2)

    def _failure(self, result: httpx.Response | httpx.RequestError) -> errors.GelatoError:
        if isinstance(result, httpx.Response):
            return self._error(result)
        return _unavailable(result)

    @staticmethod
    def _log(
        method: str,
        path: str,
        result: httpx.Response | httpx.RequestError,
        duration: float,
        attempt: int,
        next_step: str | None = None,
    ) -> None:
        if isinstance(result, httpx.Response):
            outcome: int | str = result.status_code
            level = logging.INFO if result.status_code < 400 else logging.WARNING
        else:
            outcome = type(result).__name__
            level = logging.WARNING
        log.log(
            level,
            "gelato %s %s -> %s in %.1f ms (attempt %d%s)",
            method,
            path,
            outcome,
            duration * 1000,
            attempt,
            f", {next_step}" if next_step else "",
        )


def _order_path(order_id: str) -> str:
    """The order's path, with the id quoted so it cannot reach another endpoint."""
    clean = (order_id or "").strip()
    if not clean or "/" in clean:
        raise errors.OrderNotFound(order_id)
    return "/v4/orders/" + quote(clean, safe="")


def _timestamp(value: datetime | str | None) -> str | None:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _classify(result: httpx.Response | httpx.RequestError) -> str:
    """What one attempt says about whether Gelato acted on the request."""
    if isinstance(result, httpx.Response):
        if result.status_code == 429:
            return THROTTLED
        return UNCERTAIN if result.status_code >= 500 else ANSWER
    if isinstance(result, UNSENT_ERRORS):
        return NOT_SENT
    return FATAL if isinstance(result, FATAL_ERRORS) else UNCERTAIN


def _parse(model: type[Model], data: Any) -> Model:
    try:
        return model.from_json(data)  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise errors.UnexpectedResponse() from exc


def _error_body(response: httpx.Response) -> tuple[str | None, str | None, str | None]:
    """Gelato's ``code``, ``message`` and ``field``, whichever are there (assumption A1)."""
    try:
        data = response.json()
    except ValueError:
        return None, None, None
    if not isinstance(data, dict):
        return None, None, None

    def text(key: str) -> str | None:
        value = data.get(key)
        return str(value) if value not in (None, "") else None

    return text("code"), text("message"), text("field")


def _retry_after(response: httpx.Response | httpx.RequestError) -> float | None:
    """Seconds from ``Retry-After``: a number (decimals accepted) or an HTTP date."""
    if not isinstance(response, httpx.Response):
        return None
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _unavailable(exc: httpx.RequestError) -> errors.GelatoUnavailable:
    if isinstance(exc, httpx.ConnectError):
        message = (
            "The portal could not connect to Gelato. Try again in a few minutes; if it keeps "
            "happening, the server running the portal may have lost its internet connection."
        )
    elif isinstance(exc, httpx.TimeoutException):
        message = "Gelato did not answer in time. Try again in a few minutes."
    else:
        message = None
    return errors.GelatoUnavailable(message, detail=type(exc).__name__)
