"""Reading Gelato's events, ordering them, and an order's timeline: plain functions, no Flask."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.attention.events import newer
from portal.attention.timeline import order_timeline
from portal.gelato.webhooks import MalformedEvent, read_event
from portal.store import AuditEntry, StoredEvent
from tests.webhooks.conftest import T0, estimate, item_status, order_status, tracking


@pytest.mark.parametrize(
    ("status", "minutes", "than", "than_minutes", "expected"),
    [
        ("shipped", 2, "printed", 1, True),
        ("printed", 1, "shipped", 2, False),
        # The same moment: further along the typical path wins...
        ("shipped", 1, "printed", 1, True),
        ("printed", 1, "shipped", 1, False),
        # ...and off the path, the later arrival does.
        ("canceled", 1, "created", 1, True),
        ("created", 1, "canceled", 1, True),
        ("on_hold", 1, None, None, True),
    ],
)
def test_the_newest_status_is_the_latest_moment_then_the_furthest_along(
    status, minutes, than, than_minutes, expected
):
    def moment(m):
        return None if m is None else T0 + timedelta(minutes=m)

    assert newer(moment(minutes), status, moment(than_minutes), than) is expected


def test_every_order_event_is_read_with_its_fields():
    hold = read_event(item_status("o-1", "on_hold", 1, "Low resolution.", item="I-2"))
    assert (hold.order_id, hold.item_reference_id, hold.status) == ("o-1", "I-2", "on_hold")
    assert (hold.comment, hold.created) == ("Low resolution.", T0 + timedelta(minutes=1))
    order = read_event(order_status("o-1", "on_hold", "Low resolution."))
    assert (order.status, order.created) == ("on_hold", None)
    code = read_event(tracking("o-1", "JJD01", 2))
    assert (code.tracking_code, code.tracking_url) == ("JJD01", "https://track.example/JJD01")
    later = read_event(estimate("o-1", "2026-03-09", "2026-03-12", 3))
    assert (later.min_delivery_date, later.max_delivery_date) == (
        date(2026, 3, 9),
        date(2026, 3, 12),
    )


def test_timestamps_read_as_gelato_writes_them_and_without_an_offset_as_utc():
    for text in ("2026-03-02T09:01:00+00:00", "2026-03-02T09:01:00Z", "2026-03-02T10:01:00+0100"):
        event = read_event(item_status("o-1", "printed", 0) | {"created": text})
        assert event.created == datetime(2026, 3, 2, 9, 1, tzinfo=UTC)
    naive = read_event(item_status("o-1", "printed", 0) | {"created": "2026-03-02T09:01:00"})
    assert naive.created.tzinfo is UTC


def test_every_problem_of_an_event_is_named_at_once():
    with pytest.raises(MalformedEvent) as caught:
        read_event({"id": 7, "event": "order_item_status_updated", "created": "soon"})
    assert set(caught.value.problems) == {
        "/id",
        "/orderId",
        "/itemReferenceId",
        "/status",
        "/created",
    }


def test_unknown_fields_are_ignored_and_events_about_no_order_carry_none():
    event = read_event(order_status("o-1", "passed") | {"somethingNew": {"a": 1}})
    assert event.status == "passed"
    stock = read_event({"id": "s-1", "event": "store_product_updated", "storeProductId": "p"})
    assert not stock.is_about_an_order


def stored(events):
    """Events as the store hands them back, dated as the receiver would."""
    rows = []
    for number, event in enumerate(events, start=1):
        created = event.get("created")
        at = datetime.fromisoformat(created) if created else T0 + timedelta(minutes=number)
        rows.append(
            StoredEvent(
                number,
                event["id"],
                event["event"],
                event["orderId"],
                event["orderReferenceId"],
                event.get("itemReferenceId"),
                event.get("status") or event.get("fulfillmentStatus"),
                at,
                "created" if created else "arrival",
                at,
                json.dumps(event),
            )
        )
    return rows


def test_the_timeline_tells_one_line_per_change_with_gelatos_reasons_and_the_teams_actions():
    reason = "The print file is below 150 dpi."
    events = stored(
        [
            item_status("o-1", "on_hold", 1, reason, item="A"),
            item_status("o-1", "on_hold", 1, reason, item="B"),
            tracking("o-1", "JJD01", 30, item="A"),
            tracking("o-1", "JJD01", 30, item="B"),
            estimate("o-1", "2026-03-09", "2026-03-12", 20),
            estimate("o-1", "2026-03-10", "2026-03-14", 25),
        ]
    )
    audit = [
        AuditEntry(
            1,
            T0 + timedelta(minutes=10),
            "ana",
            "attention_handled",
            "o-1",
            "NW-1",
            '{"note": "Asked for a new file."}',
            "",
            "succeeded",
        )
    ]
    lines = order_timeline(events, audit, {"attention_handled": "Needs attention: handled"})
    assert [(line.who, line.title) for line in lines] == [
        ("Gelato", "On hold"),
        ("ana", "Needs attention: handled"),
        ("Gelato", "Delivery estimate"),
        ("Gelato", "Delivery estimate"),
        ("Gelato", "Tracking code"),
    ]
    hold, handled, first, second, code = lines
    assert (hold.items, hold.details) == (["A", "B"], [reason])
    assert handled.details == ["Done", "Asked for a new file."]
    assert first.details == ["Expected between 09 Mar and 12 Mar 2026."]
    assert second.details == [
        "Expected between 10 Mar and 14 Mar 2026, later than before (12 Mar 2026)."
    ]
    assert (code.items, code.link) == (["A", "B"], "https://track.example/JJD01")


def test_an_order_status_line_joins_its_items_and_one_dated_by_arrival_says_so():
    events = stored([item_status("o-1", "printed", 1, item="A"), order_status("o-1", "printed")])
    # As the receiver dates it: by its items (assumption A25).
    events[1] = StoredEvent(
        **{**events[1].__dict__, "occurred_at": events[0].occurred_at, "dated_by": "items"}
    )
    [line] = order_timeline(events, [], {})
    assert (line.title, line.items, line.approximate) == ("Printed", ["A"], False)
    [alone] = order_timeline(stored([order_status("o-1", "shipped")]), [], {})
    assert alone.approximate
