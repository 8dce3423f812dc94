"""Every point where this package goes beyond Gelato's documented API (v4), in one place.

Gelato's documentation is silent on these; the client and the sandbox need an answer anyway. Each is
numbered, and code that relies on one cites it as ``(assumption A<n>)``. The values the sandbox
needs live here as constants, so correcting an assumption is a change to this file.

A1  Error bodies. Orders endpoints answer errors with the one documented shape, ``{"code",
    "message"}``. For a 400 the sandbox adds ``field``: the path of the offending request field
    (``shippingAddress.state``, ``items[0].productUid``). The client reads ``code``, ``message``
    and ``field`` when present and needs none of them.
A2  Error codes. Only ``invalid_api_key_provided`` (401) and ``internal_server_error`` (500) are
    documented; the sandbox's other codes are in ``ERROR_CODES`` below.
A3  Success codes. Create answers 200 with the full order (200 or 201 is undocumented); cancel
    and delete-draft answer 200 with ``{}``; patch answers 200 with the full order. The client
    accepts any 2xx and reads no body from cancel or delete.
A4  What cancel refuses. Gelato's cancel endpoint answers 409 once an item is ``printed``, and
    cancelling is allowed only before production. Read together, strictly: the sandbox accepts a
    cancel in ``created``, ``uploading`` and ``passed`` and in the states that wait before
    production (``pending_approval``, ``pending_personalization``, ``digitizing``,
    ``not_connected``, ``on_hold``), and answers 409 from ``in_production`` on, for an order already
    canceled, for a draft (drafts are deleted, not canceled) and for a ``failed`` order (nothing
    to stop); the items decide too, as the 409 for a printed item shows: once any item is
    ``in_production`` or further along, the cancel is refused whatever the order's own status.
    ``CANCELLABLE_STATUSES`` lists what it accepts. The portal's own rules table
    (``portal.orders.rules``) reads the same rule for its pages; a test keeps the two equal.
A5  PATCH and DELETE of a non-draft answer 409; a PATCH that would remove every item answers 400.
A6  Rate limits. 429 carries ``Retry-After`` in seconds. The client also reads HTTP dates and
    decimal seconds (the sandbox sends decimals so tests stay fast). Whether a 429 means the
    request was not processed is undocumented, so the client checks by reference before it
    repeats a create after a 429.
A7  Search. ``orderReferenceId`` matches exactly; ``search`` is a case-insensitive substring of
    first name, last name or reference; rows come newest ``createdAt`` first; ``itemsCount``
    counts item lines, not quantities; ``limit`` outside 1..100 or a negative ``offset`` answers
    400; ``totalInclVat`` is the purchase receipt's total as a two-decimal string. ``startDate``
    and ``endDate`` are typed as arrays of strings (documented) yet described as one date: each is
    sent, and accepted, as a list holding one ISO 8601 timestamp, inclusive, matched against
    ``orderedAt`` or, without it, ``createdAt``; any other shape (a bare string, an empty or
    longer list) answers 400 on the field, as a strict server would.
A8  Quote. The request uses the previous version's fields (``orderReferenceId``,
    ``customerReferenceId``, ``currency``, ``allowMultipleQuotes``, ``recipient``, ``products``).
    The sandbox never splits a quote into several and quotes do not expire.
A9  New orders. Create gives ``fulfillmentStatus`` ``created`` and ``financialStatus``
    ``pending`` (a draft: ``draft``/``draft``); a patched draft becomes ``created``/``pending``; a
    canceled or failed order's ``financialStatus`` becomes ``canceled``. Sandbox orders never
    advance on their own: a newcomer sees the same state until they act, unless the control API
    (assumption A24) or the demo (``--demo``) moves them.
A10 Shipment. Created orders carry ``packageCount`` (seeds use both spellings, as Gelato's
    examples do). ``normal`` and ``standard`` pick the cheapest normal method for the
    destination, ``express`` the cheapest express one, a comma-separated list the cheapest match;
    a uid that does not serve the destination answers 400 on ``shipmentMethodUid``. Gelato
    documents two methods with their names and countries (``dhl_parcel`` "DHL Parcel", DE;
    ``tnt_parcel`` "PostNL Standard", NL) and ``ups_surepost`` by uid alone; every other uid,
    name, destination, price and delivery time of the sandbox's methods is made up.
A11 Products. An unknown ``productUid`` answers 400 on ``items[<n>].productUid``; the sandbox's
    product names and prices are made up.
A12 Delivery date. The order object has no delivered-at field (documented). The moment an item was
    delivered is when it reached ``delivered`` (assumption A21), never the order's ``updatedAt``,
    which moves with any later change; without item times the delivery moment is unknown.
A13 Split orders. ``connectedOrderIds`` lists every part, the order itself included, oldest first.
A14 Ids. New sandbox ids are random UUIDs; seeded ids are UUIDs derived from the order reference,
    so they are the same in every sandbox and can be printed in the README.
A15 Transport. The sandbox speaks plain HTTP on the local machine; Gelato is HTTPS only.
A16 Not found. GET, PATCH, DELETE and cancel of an unknown order answer 404 (documented for
    cancel only).
A17 Ambiguous create. An order found by the reference the client just sent is taken to be the one
    it created. This holds because callers use a fresh ``orderReferenceId`` per create attempt.
A18 Authentication is checked before anything else, a missing key answers like a wrong one, and
    the sandbox's control paths under ``/_sandbox`` need no key.
A19 Shipment methods. The ``country`` filter keeps methods whose ``supportedCountries`` contain
    it (upper-cased); a country with no methods gives an empty list, not an error.
A20 Validation. The sandbox enforces the address rules of the contract (required fields, lengths,
    ``^[A-Z]{2}$`` country, state for US/CA/AU, e-mail shape, Brazil's ``federalTaxId``) but not
    the local-script rule for CN, JP, KR and RU. "Where the country uses postal codes" is read
    as: everywhere except the 66 countries Odoo's Gelato connector sends without a postcode
    (``portal.gelato.countries.COUNTRIES_WITHOUT_POSTCODES``, Ireland among them); Gelato itself
    publishes no list.
A21 Item status times. The time an item reached a status is documented only as the ``created`` of
    its ``order_item_status_updated`` webhook event. Gelato's order examples show an ``eventLog``
    on each item without describing it: the sandbox fills it with one entry per status change of
    the item, oldest first, each with that event's ``status``, ``comment`` (the reason, e.g. for a
    hold) and ``created``, and the client reads it so (``Item.status_history``). A missing or
    differently shaped ``eventLog`` leaves the times unknown, never wrong.
A22 Webhook authentication (not documented). The sandbox sends the shared secret it is given in a
    ``signature`` request header, as Odoo's Gelato connector checks Gelato's calls (it compares
    that header with the secret configured on both sides); without a secret, no such header.
A23 Webhook events. Each change of a sandbox order sends, in this order, one
    ``order_item_status_updated`` per item that changed status, one
    ``order_item_tracking_code_updated`` per item of a new tracked parcel, and one
    ``order_status_updated`` if the order's own status changed; a new order (a draft too) and a
    draft turned order send the first and the last for every item; a delivery estimate moved
    later sends ``order_delivery_estimate_updated``. A delete sends nothing. ``id`` is a random
    UUID per event, resent unchanged by every retry. ``order_status_updated`` carries ``comment``
    (the reason of a hold or a failure, else null) and, per item, ``fulfillments``: one entry per
    parcel holding it (none before shipping); it has no ``created`` (none is documented).
    ``fulfillmentStateProvince`` is null and ``fulfillmentFacilityId`` a made-up id per
    production country; the tracking event uses the field table's ``fulfillment...`` names, not
    the example's ``production...``. Each event is its own POST with ``Content-Type:
    application/json``; each is retried on its own (3 tries, 5 s apart, as documented; the delay
    can be shortened for tests), so one failing event does not hold back the others.
A24 What Gelato does on its own, as the sandbox's control API plays it (none of it is Gelato's
    API). ``advance`` moves items one step along the typical path, or through every step to the
    status named, each step with its events; a waiting order is released to ``passed``
    (``RELEASED_STATUS``; the edge is not documented); ``returned`` follows ``shipped`` or
    ``in_transit``. Items can move alone; an order is as far along as its least advanced item.
    A parcel with its tracking code is made when items reach ``shipped``. ``hold`` and ``fail``
    act only before production (``failed`` sets ``refusalReason`` and ``refusalReasonCode``);
    ``delay`` moves both delivery dates later by whole days.
A25 Webhook event times. Gelato's retries (A23) can deliver an older event after a newer one, so
    a receiver orders events by when the change happened, not by when the call arrived: the
    event's ``created``, read as UTC when it has no offset. ``order_status_updated`` documents no
    ``created``; the help center dates it by the newest ``created`` of the same order's
    ``order_item_status_updated`` events for the same status received before it (an order's status
    follows its items', and its event comes after theirs, A23), and by the moment it arrived when
    none was received. Of two events of the same moment the one further along the typical path is
    the newer when both statuses are on it; otherwise the one received later is.
"""

#: (assumption A3)
CREATE_STATUS = 200

#: (assumption A4) Fulfillment statuses from which Gelato's cancel endpoint, as the sandbox plays
#: it, cancels an order; from any other it answers 409.
CANCELLABLE_STATUSES = frozenset(
    # Before production, as Gelato documents it:
    {"created", "uploading", "passed"}
    # Waiting before production, by inference:
    | {"pending_approval", "pending_personalization", "digitizing", "not_connected", "on_hold"}
)

#: (assumption A9) (fulfillmentStatus, financialStatus) of a new order, by orderType.
NEW_ORDER_STATUSES = {"order": ("created", "pending"), "draft": ("draft", "draft")}

#: (assumption A9)
CANCELED_FINANCIAL_STATUS = "canceled"
FAILED_FINANCIAL_STATUS = "canceled"

#: (assumption A24) Where a waiting order goes when the sandbox releases it.
RELEASED_STATUS = "passed"

#: (assumption A23) Gelato's documented retry behaviour: tries, and seconds between them.
WEBHOOK_TRIES = 3
WEBHOOK_RETRY_DELAY = 5.0

#: (assumption A22) The request header that carries the shared webhook secret.
WEBHOOK_SECRET_HEADER = "signature"  # noqa: S105 (a header name, not a secret)

#: (assumption A2) The ``code`` of each error the sandbox sends.
ERROR_CODES = {
    400: "invalid_request",
    401: "invalid_api_key_provided",
    404: "not_found",
    405: "method_not_allowed",
    409: "not_allowed_in_current_state",
    429: "too_many_requests",
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
}

#: (assumption A7)
SEARCH_MAX_LIMIT = 100
SEARCH_DEFAULT_LIMIT = 50
