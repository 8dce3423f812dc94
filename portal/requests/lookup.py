"""Order numbers in a request, checked with Gelato once and remembered with the draft.

Gelato acts at once on a request whose numbers are right, and asks back when one is wrong, so each
number the agent types is looked up. What Gelato answered is kept with the draft (as JSON), so the
completeness check, the preview and the email work from it without calling Gelato again, and a
number is looked up again only when it changes or when Gelato could not be reached last time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from portal.gelato import errors
from portal.gelato.client import GelatoClient
from portal.gelato.models import Order
from portal.orders import service
from portal.orders.addresses import FIELDS
from portal.requests.text import answer_text

FOUND = "found"
NOT_FOUND = "not_found"
#: A reference that names several orders: Gelato split the order into parts.
SEVERAL = "several"
UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class OrderFacts:
    """What Gelato said about the number ``query``, in JSON-friendly values."""

    query: str
    outcome: str
    id: str = ""
    reference: str = ""
    status: str = ""
    order_type: str = ""
    #: ISO timestamps and dates. ``delivered_on`` is the day the last of its delivered items
    #: arrived (``Order.delivered_at``: the items' own status times, never ``updatedAt``).
    created_at: str = ""
    delivered_on: str = ""
    estimated_delivery: str = ""
    #: Each delivered item, as ``[name, ISO date]``: items of one order may arrive apart.
    item_deliveries: list[list[str]] = field(default_factory=list)
    #: The shipping address, field by field as the address forms name them.
    address: dict[str, str] = field(default_factory=dict)
    #: For SEVERAL: (id, status) of each part.
    parts: list[list[str]] = field(default_factory=list)
    #: For UNAVAILABLE: what went wrong, in words for the agent.
    message: str = ""

    @property
    def found(self) -> bool:
        return self.outcome == FOUND

    @property
    def created(self) -> datetime | None:
        return datetime.fromisoformat(self.created_at) if self.created_at else None

    @property
    def delivered(self) -> date | None:
        return date.fromisoformat(self.delivered_on) if self.delivered_on else None

    @property
    def number(self) -> str:
        """The number people know the order by: the merchant's reference, else Gelato's id."""
        return self.reference or self.id

    def label(self) -> str:
        """The order as the email names it: reference and Gelato's id."""
        if not self.found:
            return self.query
        if self.reference and self.reference != self.id:
            return f"{self.reference} (Gelato order id {self.id})"
        return self.id

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping) -> OrderFacts:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})

    @classmethod
    def from_order(cls, query: str, order: Order) -> OrderFacts:
        address = order.shipping_address
        shipment = order.shipment
        estimate = shipment.max_delivery_date if shipment else None
        return cls(
            query=query,
            outcome=FOUND,
            id=order.id,
            reference=order.order_reference_id,
            status=order.fulfillment_status,
            order_type=order.order_type,
            created_at=order.created_at.isoformat() if order.created_at else "",
            delivered_on=order.delivered_at.date().isoformat() if order.delivered_at else "",
            estimated_delivery=estimate.isoformat() if estimate else "",
            item_deliveries=[
                [item.product_name or item.item_reference_id, item.delivered_at.date().isoformat()]
                for item in order.items
                if item.delivered_at is not None
            ],
            address={name: getattr(address, name) or "" for name in FIELDS} if address else {},
        )


def original(orders: Mapping[str, OrderFacts]) -> OrderFacts | None:
    """The request's own order, when Gelato found it: what its other answers are compared with."""
    facts = orders.get("order_number")
    return facts if facts is not None and facts.found else None


def look_up(client: GelatoClient, query: str) -> OrderFacts:
    """One number: Gelato's order id or the merchant's reference."""
    try:
        found = service.find_orders(client, query)
        if len(found) > 1:
            parts = [[order.id, order.fulfillment_status] for order in found]
            return OrderFacts(query=query, outcome=SEVERAL, parts=parts)
        if not found:
            return OrderFacts(query=query, outcome=NOT_FOUND)
        order = found[0] if isinstance(found[0], Order) else client.get_order(found[0].id)
    except errors.OrderNotFound:
        return OrderFacts(query=query, outcome=NOT_FOUND)
    except errors.GelatoError as error:
        return OrderFacts(query=query, outcome=UNAVAILABLE, message=str(error))
    return OrderFacts.from_order(query, order)


def names_one_order(client: GelatoClient, query: str) -> bool:
    """Whether ``query`` names exactly one order: a split order's reference names several."""
    try:
        return len(service.find_orders(client, query)) == 1
    except errors.GelatoError:
        return False


def look_up_orders(
    client: GelatoClient,
    keys: Iterable[str],
    answers: Mapping[str, object],
    known: Mapping[str, OrderFacts],
) -> dict[str, OrderFacts]:
    """Facts for the order number under each of ``keys`` in ``answers``; the ones already known
    are not asked again."""
    facts: dict[str, OrderFacts] = {}
    for key in keys:
        query = answer_text(answers, key)
        if not query:
            continue
        previous = known.get(key)
        if previous and previous.query == query and previous.outcome != UNAVAILABLE:
            facts[key] = previous
        else:
            facts[key] = look_up(client, query)
    return facts
