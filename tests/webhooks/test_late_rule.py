"""An order page decides from what it read whether its order is late without an entry, and asks
the database only then: that shortcut must say what the queue's own query says, in every case."""

from datetime import UTC, date, datetime, timedelta
from itertools import product

from sqlalchemy import insert

from portal.attention.queue import DONE_STATUSES, is_late_without_entry
from portal.store import Store
from portal.store.attention import HANDLED, LATE, open_key
from portal.store.tables import attention_entries

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 9, tzinfo=UTC)

LATEST = [None, TODAY - timedelta(days=6), TODAY - timedelta(days=1), TODAY, TODAY + timedelta(1)]
STATUSES = [None, "in_transit", "delivered", "canceled"]
#: The order's entries before the page: none, a late one for its date or an earlier one (open or
#: handled), another reason's.
ENTRIES = [
    (),
    ((LATE, 0, "open"),),
    ((LATE, 0, HANDLED),),
    ((LATE, -3, "open"),),
    ((LATE, -3, HANDLED),),
    ((LATE, -3, HANDLED), (LATE, 0, HANDLED)),
    (("on_hold", None, "open"),),
]


def test_the_order_pages_shortcut_agrees_with_the_queues_query(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.upgrade()
    cases = dict(enumerate(product(LATEST, STATUSES, ENTRIES)))
    with store.events.transaction() as transaction:
        for case, (latest, status, entries) in cases.items():
            transaction.state(f"order-{case}", f"NW-{case}", NOW, by_event=True)
            transaction.update_state(f"order-{case}", status=status, max_delivery_date=latest)
            for kind, days, state in entries:
                due = latest + timedelta(days=days) if latest and days is not None else None
                row = {"order_id": f"order-{case}", "order_reference": f"NW-{case}", "kind": kind}
                row.update(reason="", since=NOW, due_date=due, state=state, created_at=NOW)
                row["open_key"] = None if state == HANDLED else open_key(f"order-{case}", kind)
                transaction.connection.execute(insert(attention_entries).values(**row))
    disagreements = []
    for case, (latest, status, entries) in cases.items():
        order_id = f"order-{case}"
        by_query = bool(store.attention.late_without_entry(TODAY, DONE_STATUSES, order_id))
        state, found = store.events.state(order_id), store.attention.for_order(order_id)
        if is_late_without_entry(state, found, TODAY) != by_query:
            disagreements.append((latest, status, entries, by_query))
    store.close()
    assert disagreements == []
