"""What Gelato's answers mean: models out of the successful ones, typed errors out of the rest.

Everything that reads an ``httpx.Response`` (or the failure to get one) for the client is here, so
that only ``portal.gelato.errors`` and models leave the package, whatever Gelato sent.
"""

from __future__ import annotations

import email.utils
import math
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from portal.gelato import errors

Model = TypeVar("Model")


def body(response: httpx.Response, *, order_id: str | None = None) -> Any:
    """The JSON of a successful answer; the typed error of any other."""
    if not response.is_success:
        raise error(response, order_id=order_id)
    try:
        return response.json()
    except ValueError as exc:
        raise errors.UnexpectedResponse(status_code=response.status_code) from exc


def rows(response: httpx.Response, key: str, model: type[Model]) -> list[Model]:
    """The rows of a list answer such as ``{"orders": [...]}``; any other shape is unreadable,
    even ``null`` rows, so that only ``errors`` leave the client."""
    data = body(response)
    found = data.get(key) if isinstance(data, dict) else None
    if not isinstance(found, list):
        raise errors.UnexpectedResponse(status_code=response.status_code)
    return [parse(model, row) for row in found]


def parse(model: type[Model], data: Any) -> Model:
    try:
        return model.from_json(data)  # type: ignore[attr-defined]
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise errors.UnexpectedResponse() from exc


def error(
    response: httpx.Response,
    *,
    order_id: str | None = None,
    conflict: type[errors.NotAllowedInState] = errors.NotAllowedInState,
) -> errors.GelatoError:
    """The typed error for an unsuccessful answer, keeping Gelato's own words.

    A 404 means a missing order only where ``order_id`` names one; ``conflict`` is the kind a 409
    becomes (``NotCancellable`` for a cancel).
    """
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
        return errors.RateLimited(retry_after(response), detail=message, **details)
    if status >= 500:
        return errors.GelatoUnavailable(detail=message, **details)
    if status in (400, 422):
        return errors.InvalidRequest(message, field, **details)
    return errors.UnexpectedResponse(
        f"Gelato answered with HTTP {status}, which the portal does not expect here.",
        detail=message,
        **details,
    )


def unavailable(exc: httpx.RequestError) -> errors.GelatoUnavailable:
    """The error for a call that got no answer at all."""
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


def retry_after(result: httpx.Response | httpx.RequestError) -> float | None:
    """Seconds from ``Retry-After``: a number (decimals accepted) or an HTTP date."""
    if not isinstance(result, httpx.Response):
        return None
    value = result.headers.get("Retry-After", "").strip()
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
