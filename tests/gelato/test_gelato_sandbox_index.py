"""The sandbox's search index finds exactly what a scan of every order would, in the same order."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from portal.gelato.sandbox import index as index_module
from portal.gelato.sandbox.index import SearchIndex, SearchQuery
from portal.gelato.sandbox.orders import timestamp
from portal.gelato.sandbox.validation import ApiError

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
STATUSES = ("created", "passed", "shipped", "delivered", "draft")
COUNTRIES = ("DE", "NL", "IE")
NAMES = ("Becker", "de Vries", "Byrne", "Nguyen")


def random_order(rng: random.Random, n: int) -> dict:
    created = NOW - timedelta(hours=rng.randrange(0, 2000))
    # A few drafts become orders long after they were created; a few orders share a moment.
    placed = created + timedelta(hours=rng.choice([0, 0, 0, 0, 300]))
    return {
        "id": f"id-{n:04d}",
        "orderReferenceId": f"REF-{n % 37}",
        "orderType": rng.choice(["order", "order", "draft"]),
        "fulfillmentStatus": rng.choice(STATUSES),
        "financialStatus": rng.choice(["pending", "paid"]),
        "channel": rng.choice(["api", "shopify"]),
        "currency": rng.choice(["EUR", "GBP"]),
        "storeId": rng.choice([None, "store-1"]),
        "createdAt": timestamp(created),
        "orderedAt": timestamp(placed) if rng.random() < 0.9 else None,
        "shippingAddress": {
            "country": rng.choice(COUNTRIES),
            "firstName": "Ana",
            "lastName": rng.choice(NAMES),
        },
    }


def scan(orders: dict[str, dict], query: dict) -> list[str]:
    """The search as a plain scan, sorted newest first, ties in the order the book got them."""

    def when(order):
        return datetime.fromisoformat(order["orderedAt"] or order["createdAt"])

    def matches(order):
        address = order["shippingAddress"]
        checks = {
            "ids": order["id"],
            "orderReferenceIds": order["orderReferenceId"],
            "fulfillmentStatuses": order["fulfillmentStatus"],
            "financialStatuses": order["financialStatus"],
            "channels": order["channel"],
            "countries": address["country"],
            "currencies": order["currency"],
            "orderTypes": order["orderType"],
            "storeIds": order["storeId"],
        }
        if any(query.get(key) and value not in query[key] for key, value in checks.items()):
            return False
        if query.get("orderReferenceId") not in (None, order["orderReferenceId"]):
            return False
        if "startDate" in query and when(order) < datetime.fromisoformat(query["startDate"][0]):
            return False
        if "endDate" in query and when(order) > datetime.fromisoformat(query["endDate"][0]):
            return False
        text = query.get("search", "").casefold()
        words = (address["firstName"], address["lastName"], order["orderReferenceId"])
        return not text or any(text in word.casefold() for word in words)

    found = [order for order in orders.values() if matches(order)]
    found.sort(key=lambda order: datetime.fromisoformat(order["createdAt"]), reverse=True)
    offset = query.get("offset", 0)
    return [order["id"] for order in found[offset : offset + query.get("limit", 50)]]


def random_query(rng: random.Random, orders: dict[str, dict]) -> dict:
    query: dict = {"limit": rng.choice([1, 3, 10, 50, 100])}
    if rng.random() < 0.3:
        query["offset"] = rng.randrange(0, 30)
    if rng.random() < 0.4:
        query["fulfillmentStatuses"] = rng.sample(STATUSES, rng.randint(1, 2))
    if rng.random() < 0.3:
        query["countries"] = rng.sample(COUNTRIES, 1)
    if rng.random() < 0.2:
        query["orderReferenceId"] = f"REF-{rng.randrange(40)}"
    if rng.random() < 0.1:
        query["ids"] = [*rng.sample(sorted(orders), 5), "id-unknown"]
    if rng.random() < 0.1:
        query["storeIds"] = ["store-1"]
    if rng.random() < 0.4:
        start = NOW - timedelta(hours=rng.randrange(0, 2400))
        query["startDate"] = [start.isoformat()]
        if rng.random() < 0.7:
            query["endDate"] = [(start + timedelta(hours=rng.randrange(0, 900))).isoformat()]
    elif rng.random() < 0.2:
        query["endDate"] = [(NOW - timedelta(hours=rng.randrange(0, 2400))).isoformat()]
    if rng.random() < 0.2:
        query["search"] = rng.choice(["beck", "VRIES", "ref-1", "nobody"])
    return query


@pytest.mark.parametrize("count_text_above", [1000, 10])
def test_the_index_agrees_with_a_scan_of_every_order(monkeypatch, count_text_above):
    # With a low threshold the text's matches are counted and weighed against other filters.
    monkeypatch.setattr(index_module, "_COUNT_TEXT_ABOVE", count_text_above)
    rng = random.Random(20)
    orders = {}
    index = SearchIndex()
    for n in range(600):
        order = random_order(rng, n)
        orders[order["id"]] = order
        index.add(order)
    for round_ in range(400):
        if round_ % 4 == 0:  # orders change between searches, as they do in a sandbox
            changed = orders[rng.choice(sorted(orders))]
            changed["fulfillmentStatus"] = rng.choice(STATUSES)
            changed["shippingAddress"]["country"] = rng.choice(COUNTRIES)
            index.add(changed)
        if round_ % 50 == 0:
            gone = rng.choice(sorted(orders))
            del orders[gone]
            index.remove(gone)
        query = random_query(rng, orders)
        assert index.find(SearchQuery.from_json(query)) == scan(orders, query), query
    assert len(index) == len(orders)


@pytest.mark.assumption("A7")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"countries": "DE"}, "countries"),
        ({"fulfillmentStatuses": [["shipped"]]}, "fulfillmentStatuses"),
        ({"ids": [1, 2]}, "ids"),
        ({"orderReferenceId": 7}, "orderReferenceId"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
    ],
)
def test_filters_of_the_wrong_shape_are_refused(body, field):
    with pytest.raises(ApiError) as caught:
        SearchQuery.from_json(body)
    assert (caught.value.status, caught.value.field) == (400, field)
