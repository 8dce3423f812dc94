"""The errors a Gelato call can end in, each with a message fit to show a support agent.

These are the only exceptions that leave ``portal.gelato``: views catch ``GelatoError`` (or one of
its kinds) and never see httpx. ``message`` is plain English without jargon or secrets; the
``status_code`` and Gelato's own ``code`` are kept for logs and support requests.
"""

#: The setting that holds the API key, named in the message of ``Unauthorized``.
API_KEY_SETTING = "GELATO_API_KEY"


class GelatoError(Exception):
    """Base of every error raised by the Gelato client."""

    default_message = "Gelato could not complete the request."

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

    def __init__(self, order_id: str, **kwargs):
        self.order_id = order_id
        super().__init__(
            f"Gelato has no order with the id {order_id!r}. Check the id; it is Gelato's order "
            "id, not your own order reference.",
            **kwargs,
        )


class NotAllowedInState(GelatoError):
    """The order exists, but its current state does not allow this action."""

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

    def __init__(self, retry_after: float | None = None, **kwargs):
        self.retry_after = retry_after
        when = "shortly" if retry_after is None else f"in {max(1, round(retry_after))} seconds"
        super().__init__(
            f"Gelato is receiving too many requests from this account. Try again {when}.", **kwargs
        )


class GelatoUnavailable(GelatoError):
    """Gelato could not be reached, timed out, or answered with a server error."""

    default_message = (
        "Gelato could not be reached or did not answer in time. Try again in a few minutes."
    )


class UnexpectedResponse(GelatoError):
    """Gelato answered in a way the contract does not describe (unknown status or body)."""

    default_message = "Gelato sent an answer the portal could not read."
