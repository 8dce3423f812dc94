"""The errors a Gelato call can end in, each with a message fit to show a support agent.

These are the only exceptions that leave ``portal.gelato``: views catch ``GelatoError`` (or one of
its kinds) and never see httpx. ``message`` is plain English without jargon or secrets; the
``status_code`` and Gelato's own ``code`` are kept for logs and support requests.

Each kind also says, in class attributes, what an error of its kind means for whoever it stops, so
that pages, the JSON API and the audit log read the error instead of testing its class:

- ``http_status``: the status a portal page or API response answers with when this error ends it;
- ``audit_outcome``: ``"refused"`` when Gelato turned this request down for what it asked (an
  unknown order, the order's state, the data sent), ``"failed"`` for anything else (Gelato out
  of reach or slowing the portal down, the key refused, an answer the portal cannot read);
- ``retry_safe``: trying the same thing again later is safe and may succeed (the portal's
  order-placing forms are exactly-once, so trying again never places an order twice).
"""

#: The setting that holds the API key, named in the message of ``Unauthorized``.
API_KEY_SETTING = "GELATO_API_KEY"


class GelatoError(Exception):
    """Base of every error raised by the Gelato client."""

    default_message = "Gelato could not complete the request."

    #: The portal stands in front of Gelato: an upstream answer it cannot use is a 502.
    http_status = 502
    audit_outcome = "failed"
    #: Only the kinds that say so (unavailable, rate limited) may fare better on a later try.
    retry_safe = False

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        code: str | None = None,
        detail: str | None = None,
    ):
        self.message = message or self.default_message
        #: The HTTP status, Gelato's error code and Gelato's own wording, when there was an answer.
        self.status_code = status_code
        self.code = code
        self.detail = detail
        super().__init__(self.message)


class OrderNotFound(GelatoError):
    """Gelato has no order with this id (or the id belongs to another account)."""

    http_status = 404
    audit_outcome = "refused"

    def __init__(self, order_id: str, **kwargs):
        self.order_id = order_id
        super().__init__(
            f"Gelato has no order with the id {order_id!r}. Check the id; it is Gelato's order "
            "id, not your own order reference.",
            **kwargs,
        )


class NotAllowedInState(GelatoError):
    """The order exists, but its current state does not allow this action."""

    http_status = 409
    audit_outcome = "refused"

    default_message = "Gelato does not allow this action in the order's current state."

    def __init__(self, message: str | None = None, *, order_id: str | None = None, **kwargs):
        self.order_id = order_id
        super().__init__(message, **kwargs)


class NotCancellable(NotAllowedInState):
    """Cancel was refused: production has started, or the order is already canceled."""

    default_message = (
        "Gelato no longer allows this order to be canceled: production has started or it is "
        "already canceled. If it is printed but not shipped yet, Gelato Support may still stop "
        "the shipment."
    )


class InvalidRequest(GelatoError):
    """Gelato rejected the data that was sent; ``field`` names the offending field if known."""

    http_status = 422
    audit_outcome = "refused"

    def __init__(self, message: str | None = None, field: str | None = None, **kwargs):
        self.field = field
        text = "Gelato rejected the request"
        if field:
            text += f" (field {field})"
        text += f": {message}" if message else "."
        super().__init__(text, detail=message, **kwargs)


class Unauthorized(GelatoError):
    """Gelato refused the API key; only fixing the setting helps, so the message says which."""

    default_message = (
        f"Gelato refused the API key. Ask your admin to check the {API_KEY_SETTING} setting: it "
        "must be a current API key from the Gelato Dashboard."
    )


class RateLimited(GelatoError):
    """Gelato asked the portal to slow down; ``retry_after`` is in seconds when Gelato said so."""

    #: Gelato will answer again once the portal slows down: the page is unavailable for now.
    http_status = 503
    retry_safe = True

    def __init__(self, retry_after: float | None = None, **kwargs):
        self.retry_after = retry_after
        when = "shortly" if retry_after is None else f"in {max(1, round(retry_after))} seconds"
        super().__init__(
            f"Gelato is receiving too many requests from this account. Try again {when}.", **kwargs
        )


class GelatoUnavailable(GelatoError):
    """Gelato could not be reached, timed out, or answered with a server error."""

    http_status = 503
    retry_safe = True

    default_message = (
        "Gelato could not be reached or did not answer in time. Try again in a few minutes."
    )


class UnexpectedResponse(GelatoError):
    """Gelato answered in a way the contract does not describe (unknown status or body)."""

    default_message = "Gelato sent an answer the portal could not read."
