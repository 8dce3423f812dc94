"""Placing an order exactly once, as plain Python against the in-process sandbox with faults:
cancel-and-replace resumed after a fault at every step, and several forms for one order."""

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest

from portal.gelato import errors
from portal.orders import placing, rules
from portal.store import Store
from portal.store.actions import NOT_STARTED, ORIGINAL_CANCELED, STALE_CLAIM
from portal.store.tables import order_actions

NEW_LINE = "2 Corrected Street"


@pytest.fixture
def store(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'placing.sqlite3'}")
    store.upgrade()
    yield store
    store.close()


@pytest.fixture
def audit():
    """The audit entries recorded, as (action, outcome, step) in order."""
    entries = []

    def record(action, outcome, **fields):
        entries.append((action, outcome, fields["request"]["step"]))

    record.entries = entries
    return record


@pytest.fixture
def original(gelato, order_id):
    return gelato.get_order(order_id("NW-1004"))  # passed: can be canceled and replaced


def change_address(gelato, store, original, audit, *, key="a" * 32, **options):
    address = original.shipping_address.__class__(
        **{**vars(original.shipping_address), "address_line1": NEW_LINE, "id": None}
    )
    return placing.place_once(
        gelato,
        store,
        key=key,
        action=rules.CHANGE_ADDRESS,
        original=original,
        address=address,
        shipment_method_uid=original.shipment.shipment_method_uid,
        shipment_method_name="Tracked 48",
        actor="ana",
        record=audit,
        **options,
    )


def replacements(sandbox, original, key="a" * 32):
    return sandbox.orders_with_reference(placing.new_reference(original, placing.REPLACE, key))


def test_a_refused_cancel_changes_nothing_and_owes_nothing(gelato, store, sandbox, original, audit):
    sandbox.fail_with(409, method="POST", path=f"/v4/orders/{original.id}:cancel")
    with pytest.raises(errors.NotCancellable):
        change_address(gelato, store, original, audit)
    row = store.actions.get("a" * 32)
    assert (row.state, row.step) == ("failed", NOT_STARTED)
    assert placing.owed_replacements(store) == ()
    assert audit.entries == [("change_address", "refused", "cancel the original")]
    assert gelato.get_order(original.id).fulfillment_status == "passed"

    # The same form, confirmed again once Gelato allows it, does the whole change once.
    placed = change_address(gelato, store, original, audit)
    assert placed.original_canceled
    assert len(replacements(sandbox, original)) == 1


def test_an_unanswered_cancel_is_owed_and_resuming_cancels_once_then_places(
    gelato, store, sandbox, original, audit
):
    sandbox.fail_with(503, times=None, method="POST", path=f"/v4/orders/{original.id}:cancel")
    with pytest.raises(errors.GelatoUnavailable):
        change_address(gelato, store, original, audit)
    [owed] = placing.owed_replacements(store)
    assert not owed.cancel_confirmed
    assert owed.address.address_line1 == NEW_LINE
    sandbox.clear_faults()

    placed = placing.resume(gelato, store, "a" * 32, order_id=original.id, actor="bo", record=audit)
    assert placed.order.shipping_address.address_line1 == NEW_LINE
    assert gelato.get_order(original.id).fulfillment_status == "canceled"
    assert placing.owed_replacements(store) == ()
    assert [entry[1:] for entry in audit.entries] == [
        ("failed", "cancel the original"),
        ("succeeded", "cancel the original"),
        ("succeeded", "place the replacement"),
    ]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status": 503, "times": None}, errors.GelatoUnavailable),
        ({"status": 429, "retry_after": 60, "times": None}, errors.RateLimited),
        ({"status": 422}, errors.InvalidRequest),
    ],
    ids=["gelato-down", "rate-limited", "refused"],
)
def test_after_the_cancel_any_failure_owes_the_replacement_and_one_resume_places_it(
    gelato, store, sandbox, original, audit, fault, error
):
    sandbox.fail_with(fault.pop("status"), method="POST", path="/v4/orders", **fault)
    with pytest.raises(placing.PartlyDone) as partly:
        change_address(gelato, store, original, audit)
    assert isinstance(partly.value.cause, error)
    assert gelato.get_order(original.id).fulfillment_status == "canceled"
    [owed] = placing.owed_replacements(store, order_id=original.id)
    assert (owed.key, owed.cancel_confirmed, owed.actor) == ("a" * 32, True, "ana")
    assert owed.address.address_line1 == NEW_LINE
    assert owed.shipment_method_name == "Tracked 48"
    sandbox.clear_faults()

    # Resumed by a colleague: no eligibility check (the original is canceled now), what was typed.
    placed = placing.resume(gelato, store, "a" * 32, order_id=original.id, actor="bo", record=audit)
    assert placed.original_canceled
    assert placed.order.shipping_address.address_line1 == NEW_LINE
    assert placed.order.metadata["replacesOrder"] == original.id
    again = placing.resume(gelato, store, "a" * 32, order_id=original.id, actor="bo")
    assert again.repeated
    assert again.order.id == placed.order.id
    assert len(replacements(sandbox, original)) == 1
    assert placing.owed_replacements(store) == ()
    assert [entry[1:] for entry in audit.entries] == [
        ("succeeded", "cancel the original"),
        (error.audit_outcome, "place the replacement"),
        ("succeeded", "place the replacement"),
    ]


def test_an_ambiguous_create_is_found_by_its_reference_not_placed_twice(
    gelato, store, sandbox, original, audit
):
    # The create lands but its answer is lost, and the look that follows fails too.
    sandbox.fail_with(500, method="POST", path="/v4/orders", after_processing=True)
    sandbox.fail_with(500, method="POST", path="/v4/orders:search")
    with pytest.raises(placing.PartlyDone) as partly:
        change_address(gelato, store, original, audit)
    assert isinstance(partly.value.cause, errors.GelatoUnavailable)
    assert store.actions.get("a" * 32).state == "uncertain"
    assert len(replacements(sandbox, original)) == 1  # it did land

    placed = placing.resume(gelato, store, "a" * 32, order_id=original.id, actor="ana")
    assert placed.order.id == replacements(sandbox, original)[0]["id"]
    assert sandbox.calls_to("POST", "/v4/orders") == 1
    assert len(replacements(sandbox, original)) == 1


class WorkerDied(BaseException):
    """The process ends mid-call: no except clause of the portal's runs."""


@pytest.mark.parametrize("landed", [False, True], ids=["before-the-create", "after-the-create"])
def test_a_worker_dying_between_the_steps_leaves_the_replacement_owed_and_it_is_placed_once(
    gelato, store, sandbox, original, audit, monkeypatch, landed
):
    real_create = gelato.create_order

    def create_and_die(*args, **kwargs):
        if landed:
            real_create(*args, **kwargs)
        raise WorkerDied

    monkeypatch.setattr(gelato, "create_order", create_and_die)
    with pytest.raises(WorkerDied):
        change_address(gelato, store, original, audit)
    monkeypatch.undo()
    row = store.actions.get("a" * 32)
    assert (row.state, row.step) == ("running", ORIGINAL_CANCELED)
    [owed] = placing.owed_replacements(store)
    assert owed.in_progress

    # Another worker, at once: the dead one might still be alive, so it waits its turn...
    with pytest.raises(placing.ActionInProgress) as busy:
        placing.resume(gelato, store, "a" * 32, order_id=original.id, actor="bo")
    assert "can be resumed from" in str(busy.value)
    # ...and once its claim has run out, it finishes the change once, whether the create landed.
    later = datetime.now(UTC) + STALE_CLAIM + timedelta(seconds=1)
    placed = placing.resume(gelato, store, "a" * 32, order_id=original.id, actor="bo", now=later)
    assert placed.order.shipping_address.address_line1 == NEW_LINE
    assert len(replacements(sandbox, original)) == 1
    assert sandbox.calls_to("POST", "/v4/orders") == 1


def test_what_to_place_is_stored_with_the_claim(gelato, store, sandbox, original, audit):
    sandbox.fail_with(503, times=None, method="POST", path="/v4/orders")
    with pytest.raises(placing.PartlyDone):
        change_address(gelato, store, original, audit)
    row = store.actions.get("a" * 32)
    assert json.loads(row.shipping_address)["addressLine1"] == NEW_LINE
    assert (row.slug, row.order_reference) == ("change-address", "NW-1004")
    assert row.shipment_method_uid == original.shipment.shipment_method_uid


def test_a_second_change_of_the_same_order_never_starts(gelato, store, sandbox, original, audit):
    sandbox.fail_with(503, times=None, method="POST", path="/v4/orders")
    with pytest.raises(placing.PartlyDone):
        change_address(gelato, store, original, audit)
    with pytest.raises(placing.ChangeUnderWay) as other:
        change_address(gelato, store, original, audit, key="b" * 32)
    assert other.value.other.key == "a" * 32
    assert store.actions.get("b" * 32) is None


def reorder(gelato, store, original, key, **options):
    return placing.place_once(
        gelato,
        store,
        key=key,
        action=rules.REORDER,
        original=original,
        address=original.shipping_address,
        shipment_method_uid=None,
        actor=options.pop("actor", "ana"),
        **options,
    )


def test_a_second_reorder_within_the_window_needs_the_first_acknowledged(gelato, store, order_id):
    original = gelato.get_order(order_id("NW-1009"))
    first = reorder(gelato, store, original, "c" * 32)
    [earlier] = placing.earlier_reorders(store, original)
    assert (earlier.order_id, earlier.actor) == (first.order.id, "ana")
    assert earlier.order_reference == first.order.order_reference_id

    with pytest.raises(placing.AlreadyReordered) as refused:
        reorder(gelato, store, original, "d" * 32, actor="bo")
    assert [e.key for e in refused.value.earlier] == ["c" * 32]
    assert store.actions.get("d" * 32) is None
    second = reorder(gelato, store, original, "d" * 32, actor="bo", acknowledged=["c" * 32])
    assert second.order.id != first.order.id

    # Past the window, the earlier reorders no longer ask for a confirmation.
    later = datetime.now(UTC) + timedelta(days=rules.REPEAT_REORDER_WINDOW_DAYS, seconds=1)
    assert placing.earlier_reorders(store, original, now=later) == ()
    reorder(gelato, store, original, "e" * 32, now=later)


def test_a_reorder_gelato_refused_is_no_earlier_reorder(gelato, store, sandbox, order_id):
    original = gelato.get_order(order_id("NW-1009"))
    sandbox.fail_with(422, method="POST", path="/v4/orders")
    with pytest.raises(errors.InvalidRequest):
        reorder(gelato, store, original, "c" * 32)
    assert placing.earlier_reorders(store, original) == ()
    reorder(gelato, store, original, "d" * 32)


@pytest.mark.parametrize("action", [rules.REORDER, rules.CHANGE_ADDRESS], ids=lambda a: a.slug)
def test_two_forms_for_one_order_sent_at_once_place_one_order(
    gelato, store, sandbox, order_id, action
):
    original = gelato.get_order(order_id("NW-1009" if action is rules.REORDER else "NW-1004"))
    sandbox.add_latency(0.1, method="POST", path="/v4/orders")  # widen the race window
    start = threading.Barrier(2)
    outcomes = {}

    def send(key):
        start.wait()
        try:
            outcomes[key] = placing.place_once(
                gelato,
                store,
                key=key,
                action=action,
                original=original,
                address=original.shipping_address,
                shipment_method_uid=original.shipment.shipment_method_uid,
                actor=key[:1],
            )
        except (placing.AlreadyReordered, placing.ChangeUnderWay) as refused:
            outcomes[key] = refused

    tabs = [threading.Thread(target=send, args=(key * 32,)) for key in "fg"]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join()
    placed = [o for o in outcomes.values() if isinstance(o, placing.Placed)]
    refused = [o for o in outcomes.values() if not isinstance(o, placing.Placed)]
    assert len(placed) == 1
    assert len(refused) == 1
    assert sandbox.calls_to("POST", "/v4/orders") == 1


def test_an_old_claim_without_a_plan_cannot_be_resumed(store, gelato, original):
    now = datetime.now(UTC)
    with store.engine.begin() as connection:
        connection.execute(
            order_actions.insert().values(
                key="h" * 32,
                action="replace",
                order_id=original.id,
                actor="ana",
                state="uncertain",
                step=ORIGINAL_CANCELED,
                created_at=now,
                updated_at=now,
            )
        )
    [owed] = placing.owed_replacements(store)
    assert owed.address is None
    with pytest.raises(placing.NothingToResume):
        placing.resume(gelato, store, "h" * 32, order_id=original.id, actor="ana")


def test_resuming_an_unknown_key_or_another_orders_key_is_refused(
    store, gelato, sandbox, original, audit, order_id
):
    with pytest.raises(KeyError):
        placing.resume(gelato, store, "z" * 32, order_id=original.id, actor="ana")
    sandbox.fail_with(503, times=None, method="POST", path="/v4/orders")
    with pytest.raises(placing.PartlyDone):
        change_address(gelato, store, original, audit)
    with pytest.raises(KeyError):
        placing.resume(gelato, store, "a" * 32, order_id=order_id("NW-1002"), actor="ana")
