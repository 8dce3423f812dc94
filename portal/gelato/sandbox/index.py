"""What the sandbox's search filters use, kept up to date as orders change, so that a search costs
about the same with twenty orders as with twenty thousand.

Each filter Gelato documents for ``POST /v4/orders:search`` that names values (statuses, countries,
references, ...) has a bucket per value, and every bucket, like the list of all orders, is kept
sorted the way results come back: newest ``createdAt`` first (assumption A7). A search walks the
smallest source of candidates (one filter's buckets merged, the orders placed within the date range,
the given ids, or all orders), checks the other filters on facts read once per order change, and
stops as soon as it has the page it was asked for. The free-text ``search`` (a substring of names
and references) has no buckets: it is found in one string of every order's words, at C speed.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from portal.gelato.assumptions import SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT
from portal.gelato.sandbox.validation import invalid, is_whole, require_object

#: The search's list filters and the order field each matches (contract, section 3).
LIST_FILTERS = {
    "orderReferenceIds": "orderReferenceId",
    "fulfillmentStatuses": "fulfillmentStatus",
    "financialStatuses": "financialStatus",
    "channels": "channel",
    "countries": "country",
    "currencies": "currency",
    "orderTypes": "orderType",
    "storeIds": "storeId",
}
#: The fields with buckets: the list filters' and the exact ``orderReferenceId``'s.
INDEXED_FIELDS = tuple(dict.fromkeys(LIST_FILTERS.values()))

#: Where results come from: newest first, then the order in which the sandbox learned of them.
Key = tuple[float, int, str]  # (-createdAt as a timestamp, sequence number, order id)


@dataclass(frozen=True)
class SearchQuery:
    """A checked search request; a 400 names the first field of the wrong shape."""

    limit: int
    offset: int
    ids: frozenset[str] | None
    reference: str | None
    values: dict[str, frozenset[str]]  # order field -> the values wanted
    start: float | None
    end: float | None
    text: str

    @classmethod
    def from_json(cls, body: Any) -> SearchQuery:
        query = require_object(body if body is not None else {})
        values = {}
        for key, field in LIST_FILTERS.items():
            wanted = _strings(query, key)
            if wanted:  # an empty list filters nothing, as an absent one
                values[field] = wanted
        reference = query.get("orderReferenceId")
        if reference is not None and not isinstance(reference, str):
            raise invalid("orderReferenceId", "orderReferenceId must be a string.")
        return cls(
            limit=_whole(query, "limit", SEARCH_DEFAULT_LIMIT, 1, SEARCH_MAX_LIMIT),
            offset=_whole(query, "offset", 0, 0, None),
            ids=_strings(query, "ids") or None,
            reference=reference or None,
            values=values,
            start=_moment(query, "startDate"),
            end=_moment(query, "endDate"),
            text=str(query.get("search") or "").casefold(),
        )


@dataclass(frozen=True)
class _Facts:
    """What the filters read of one order, parsed once per change of the order."""

    key: Key
    placed: float  # orderedAt or, without it, createdAt, as a timestamp (assumption A7)
    fields: dict[str, Any]
    words: tuple[str, ...]  # first name, last name, reference, casefolded


class SearchIndex:
    """The buckets and sorted lists of one order book; the book's lock guards it."""

    def __init__(self):
        self._facts: dict[str, _Facts] = {}
        self._newest_first: list[Key] = []
        self._by_placed: list[tuple[float, str]] = []
        self._buckets: dict[str, dict[Any, list[Key]]] = {f: {} for f in INDEXED_FIELDS}
        self._sequence = itertools.count()
        self._words: _WordColumn | None = None  # built at the first text search after a change

    def __len__(self) -> int:
        return len(self._facts)

    def add(self, order: dict) -> None:
        """Index a new order, or an order again after it changed (it keeps its place)."""
        order_id = order["id"]
        old = self._facts.get(order_id)
        if old is not None:
            self.remove(order_id)
        address = order.get("shippingAddress") or {}
        created = _timestamp(order["createdAt"])
        sequence = old.key[1] if old else next(self._sequence)
        facts = _Facts(
            key=(-created, sequence, order_id),
            placed=_timestamp(order["orderedAt"]) if order.get("orderedAt") else created,
            fields={
                **{field: order.get(field) for field in INDEXED_FIELDS},
                "country": address.get("country"),
            },
            words=tuple(
                str(value or "").casefold()
                for value in (
                    address.get("firstName"),
                    address.get("lastName"),
                    order["orderReferenceId"],
                )
            ),
        )
        self._facts[order_id] = facts
        self._words = None
        bisect.insort(self._newest_first, facts.key)
        bisect.insort(self._by_placed, (facts.placed, order_id))
        for field, value in facts.fields.items():
            bisect.insort(self._buckets[field].setdefault(value, []), facts.key)

    def remove(self, order_id: str) -> None:
        facts = self._facts.pop(order_id)
        self._words = None
        _discard(self._newest_first, facts.key)
        _discard(self._by_placed, (facts.placed, order_id))
        for field, value in facts.fields.items():
            bucket = self._buckets[field][value]
            _discard(bucket, facts.key)
            if not bucket:
                del self._buckets[field][value]

    def with_value(self, field: str, value: Any) -> list[str]:
        """The ids of the orders whose ``field`` is ``value``, newest first."""
        return [key[2] for key in self._buckets[field].get(value, ())]

    def find(self, query: SearchQuery) -> list[str]:
        """The ids of one page of matching orders, newest first."""
        wanted = query.offset + query.limit
        found = []
        for key in self._candidates(query):
            if self._matches(self._facts[key[2]], query):
                found.append(key[2])
                if len(found) == wanted:
                    break
        return found[query.offset :]

    def _candidates(self, query: SearchQuery) -> Iterable[Key]:
        """The smallest sorted source that holds every match: (size, how to walk it) each."""
        sources: list[tuple[int, Callable[[], Iterable[Key]]]] = [
            (len(self._newest_first), lambda: self._newest_first)
        ]
        if query.ids is not None:
            keys = sorted(self._facts[i].key for i in query.ids if i in self._facts)
            sources.append((len(keys), lambda: keys))
        if query.reference is not None:
            bucket = self._buckets["orderReferenceId"].get(query.reference, [])
            sources.append((len(bucket), lambda: bucket))
        for field, values in query.values.items():
            buckets = [self._buckets[field][v] for v in values if v in self._buckets[field]]
            sources.append((sum(map(len, buckets)), lambda b=buckets: heapq.merge(*b)))
        if query.start is not None or query.end is not None:
            sources.append(self._placed_within(query.start, query.end))
        if query.text and not _SEPARATORS & set(query.text):
            # Skipping an order in the text walk costs far less than checking it in Python:
            # with no other filter walk the text; count its matches only to weigh them against
            # another filter's many candidates.
            fewest = min((size for size, _ in sources[1:]), default=None)
            if fewest is None or fewest > _COUNT_TEXT_ABOVE:
                if self._words is None:
                    self._words = _WordColumn(self._newest_first, self._facts)
                walk = self._words.walk(query.text)
                size = 0 if fewest is None else self._words.column.count(query.text)
                sources.append((size, walk))
        _, walk = min(sources, key=lambda source: source[0])
        return walk()

    def _placed_within(
        self, start: float | None, end: float | None
    ) -> tuple[int, Callable[[], Iterable[Key]]]:
        """The orders placed from ``start`` to ``end``, newest first, without sorting them: an
        order is placed when it is created or later (a draft is placed when it becomes an order),
        so none created after ``end`` can match, and once as many matches were seen as the range
        holds, none is left."""
        placed = self._by_placed
        low = 0 if start is None else bisect.bisect_left(placed, (start,))
        high = len(placed) if end is None else bisect.bisect_right(placed, (end, "\uffff"))
        count = max(0, high - low)

        def walk() -> Iterator[Key]:
            keys = self._newest_first
            first = 0 if end is None else bisect.bisect_left(keys, (-end,))
            left = count
            for position in range(first, len(keys)):
                if left == 0:
                    return
                key = keys[position]
                when = self._facts[key[2]].placed
                if (start is None or when >= start) and (end is None or when <= end):
                    left -= 1
                    yield key

        return count, walk

    @staticmethod
    def _matches(facts: _Facts, query: SearchQuery) -> bool:
        fields = facts.fields
        return (
            (query.ids is None or facts.key[2] in query.ids)
            and (query.reference is None or fields["orderReferenceId"] == query.reference)
            and all(fields[field] in values for field, values in query.values.items())
            and (query.start is None or facts.placed >= query.start)
            and (query.end is None or facts.placed <= query.end)
            and (not query.text or any(query.text in word for word in facts.words))
        )


#: What joins the words of one order, and the orders, in a ``_WordColumn``.
_WORD_END, _ORDER_END = "\x00", "\x01"
_SEPARATORS = frozenset(_WORD_END + _ORDER_END)
#: Another filter with more candidates than this is weighed against the text's matches.
_COUNT_TEXT_ABOVE = 1000


class _WordColumn:
    """Every order's words in one string, newest order first, so that the free-text ``search``
    is one ``str.find`` over all orders at C speed instead of a Python loop over each."""

    def __init__(self, keys: list[Key], facts: dict[str, _Facts]):
        self.keys = list(keys)
        self.starts = []
        parts = []
        position = 0
        for key in self.keys:
            text = _WORD_END.join(facts[key[2]].words) + _ORDER_END
            self.starts.append(position)
            parts.append(text)
            position += len(text)
        self.column = "".join(parts)

    def walk(self, text: str) -> Callable[[], Iterator[Key]]:
        """A walk over the orders whose words hold ``text``, newest first; ``text`` holds no
        separator, so no match spans two words."""

        def walk() -> Iterator[Key]:
            position = self.column.find(text)
            while position != -1:
                n = bisect.bisect_right(self.starts, position) - 1
                yield self.keys[n]
                if n + 1 == len(self.starts):
                    return
                position = self.column.find(text, self.starts[n + 1])

        return walk


def _discard(keys: list, key: Any) -> None:
    position = bisect.bisect_left(keys, key)
    if position < len(keys) and keys[position] == key:
        del keys[position]


def _timestamp(text: str) -> float:
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _strings(query: dict, key: str) -> frozenset[str] | None:
    """A list filter: an array of strings (contract, section 3)."""
    value = query.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid(key, f"{key} must be an array of strings.")
    return frozenset(value)


def _moment(query: dict, field: str) -> float | None:
    """A search date: an array holding one ISO 8601 timestamp (assumption A7)."""
    value = query.get(field)
    if value is None:
        return None
    shape = f'{field} must be an array holding one ISO 8601 date, e.g. ["2024-05-01T00:00:00Z"].'
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], str):
        raise invalid(field, shape)
    try:
        return _timestamp(value[0])
    except ValueError:
        raise invalid(field, shape) from None


def _whole(query: dict, key: str, default: int, low: int, high: int | None) -> int:
    value = query.get(key, default)
    if not is_whole(value, low):
        raise invalid(key, f"{key} must be a whole number, at least {low}.")
    if high is not None and value > high:
        raise invalid(key, f"{key} must be at most {high}.")
    return value
