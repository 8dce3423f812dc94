"""The sandbox itself: seed data, fault mechanics, the control API and the standalone server."""

import random
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from portal.gelato.models import Order
from portal.gelato.sandbox import (
    DEMO_API_KEY,
    Fault,
    create_sandbox,
    http_client,
    in_process_client,
)
from portal.gelato.sandbox.__main__ import main as sandbox_command
from portal.gelato.sandbox.faults import FaultPlan
from portal.gelato.sandbox.seed import SEEDS

ROOT = Path(__file__).resolve().parents[2]


def demo_orders(today=None) -> dict[str, list[Order]]:
    """Every demo order by reference, as the client sees it."""
    sandbox = create_sandbox(today)
    with in_process_client(sandbox) as gelato:
        rows = gelato.search_orders(limit=100)
        orders = [gelato.get_order(row.id) for row in rows]
    by_reference: dict[str, list[Order]] = {}
    for order in orders:
        by_reference.setdefault(order.order_reference_id, []).append(order)
    return by_reference


# Seed data ---------------------------------------------------------------------------------------


def test_seed_dates_count_back_from_today():
    today = date(2031, 3, 15)
    orders = demo_orders(today)
    (recent,) = orders["NW-1009"]
    (old,) = orders["NW-1010"]
    assert (today - recent.delivered_at.date()).days == 6
    assert (today - old.delivered_at.date()).days == 45
    (late,) = orders["NW-1008"]
    assert late.fulfillment_status == "in_transit"
    assert late.shipment.max_delivery_date < today


def test_seed_windows_hold_whatever_the_date():
    orders = demo_orders()
    today = date.today()
    assert (today - orders["NW-1009"][0].delivered_at.date()).days <= 30
    assert (today - orders["NW-1010"][0].delivered_at.date()).days > 30


def test_seed_data_is_varied_and_consistent():
    orders = demo_orders()
    every = [order for parts in orders.values() for order in parts]
    assert len({o.shipping_address.country for o in every}) >= 8
    methods = {o.shipment.shipment_method_uid for o in every}
    assert {"ups_express_saver", "fedex_priority_overnight"} & methods
    assert {"dhl_parcel", "ups_surepost", "royal_mail_tracked_48"} <= methods
    assert {o.channel for o in every} == {"api", "ui", "shopify", "etsy"}
    for order in every:
        assert order.items, order.order_reference_id
        assert order.total_incl_vat > 0
        shipped = order.fulfillment_status in ("shipped", "in_transit", "delivered", "returned")
        assert bool(order.packages) == shipped, order.order_reference_id
    tracked = [p for o in every for p in o.packages if p.tracking_code]
    assert tracked
    assert all(p.tracking_url.startswith("https://") for p in tracked)
    untracked = orders["NW-1020"][0]
    assert untracked.packages[0].tracking_url is None


def test_split_order_parts_point_at_each_other():
    parts = demo_orders()["NW-1019"]
    ids = {part.id for part in parts}
    assert len(ids) == 2
    for part in parts:
        assert set(part.connected_order_ids) == ids


def test_seeds_are_the_same_in_every_sandbox():
    first, second = demo_orders(), demo_orders()
    assert {r: [o.id for o in p] for r, p in first.items()} == {
        r: [o.id for o in p] for r, p in second.items()
    }


def test_every_seed_explains_itself():
    assert all(seed.note for seed in SEEDS)


def test_failed_and_on_hold_orders_say_why():
    orders = demo_orders()
    failed = orders["NW-1012"][0]
    assert failed.refusal_reason
    assert failed.refusal_reason_code
    on_hold = orders["NW-1013"][0]
    assert [item.fulfillment_status for item in on_hold.items] == ["on_hold", "passed"]


def test_sandboxes_do_not_share_state():
    first, second = create_sandbox(), create_sandbox()
    with in_process_client(first) as a, in_process_client(second) as b:
        order_id = a.find_orders_by_reference("NW-1002")[0].id
        a.cancel_order(order_id)
        assert a.get_order(order_id).fulfillment_status == "canceled"
        assert b.get_order(order_id).fulfillment_status == "created"


def test_reset_restores_the_seed(gelato, sandbox, demo_id):
    order_id = demo_id("NW-1002")
    gelato.cancel_order(order_id)
    sandbox.fail_with(503, times=None)
    sandbox.reset()
    assert sandbox.faults == []
    assert gelato.get_order(order_id).fulfillment_status == "created"


def test_patch_with_null_files_keeps_the_files(world):
    (draft,) = world.sandbox.orders_with_reference("NW-1001")
    first = draft["items"][0]
    response = world.raw().patch(
        f"/v4/orders/{draft['id']}",
        json={"orderType": "order", "items": [{"id": first["id"], "files": None}]},
    )
    assert response.status_code == 200
    assert [item["files"] for item in response.json()["items"]] == [first["files"]]


# Fault mechanics ---------------------------------------------------------------------------------


def test_faults_match_method_and_glob_and_run_out():
    plan = FaultPlan(random.Random(1))
    plan.add(Fault("status", status=503, times=2, method="post", path="/v4/orders/*:cancel"))
    assert plan.draw("GET", "/v4/orders/a:cancel") == (0.0, None)
    assert plan.draw("POST", "/v4/orders:search") == (0.0, None)
    assert plan.draw("POST", "/v4/orders/a:cancel")[1].status == 503
    assert plan.draw("POST", "/v4/orders/b:cancel")[1].status == 503
    assert plan.draw("POST", "/v4/orders/c:cancel") == (0.0, None)
    assert plan.active() == []


def test_latency_adds_up_and_the_oldest_other_fault_wins():
    plan = FaultPlan(random.Random(1))
    plan.add(Fault("latency", seconds=0.1, times=None))
    plan.add(Fault("latency", seconds=0.2, times=None, path="/v1/*"))
    first = plan.add(Fault("drop"))
    plan.add(Fault("status", status=500))
    latency, fault = plan.draw("GET", "/v1/shipment-methods")
    assert latency == pytest.approx(0.3)
    assert fault is first
    assert plan.draw("GET", "/v4/orders/x")[1].kind == "status"
    assert plan.draw("GET", "/v4/orders/x") == (pytest.approx(0.1), None)


def test_a_share_of_calls_is_repeatable_with_a_seed():
    def outcomes(seed):
        plan = FaultPlan(random.Random(seed))
        plan.add(Fault("status", status=503, times=None, share=0.5))
        return [plan.draw("GET", "/x")[1] is not None for _ in range(200)]

    assert outcomes(3) == outcomes(3)
    assert 60 < sum(outcomes(3)) < 140


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "explode"},
        {"kind": "status"},
        {"kind": "status", "status": 200},
        {"kind": "hang"},
        {"kind": "drop", "times": 0},
        {"kind": "drop", "share": 1.5},
        {"kind": "drop", "colour": "red"},
    ],
)
def test_nonsense_faults_are_refused(fields):
    with pytest.raises(ValueError):  # noqa: PT011 (each case has its own message)
        Fault.from_json(fields)


# Control API -------------------------------------------------------------------------------------


def test_control_api_injects_and_clears_faults(world, demo_id):
    order_id = demo_id("NW-1004")
    control = world.raw(api_key=None)  # the control API needs no key
    raw = world.raw()

    response = control.post(
        "/_sandbox/faults",
        json={"kind": "status", "status": 503, "times": 1, "path": "/v4/orders/*", "retryAfter": 2},
    )
    assert response.status_code == 201
    assert response.json()["fault"]["status"] == 503

    failed = raw.get(f"/v4/orders/{order_id}")
    assert failed.status_code == 503
    assert failed.headers["Retry-After"] == "2"
    assert failed.json() == {"code": "service_unavailable", "message": "Injected by the sandbox."}
    assert raw.get(f"/v4/orders/{order_id}").status_code == 200

    control.post("/_sandbox/faults", json={"kind": "status", "status": 500, "times": None})
    assert [f["status"] for f in control.get("/_sandbox/faults").json()["faults"]] == [500]
    assert control.delete("/_sandbox/faults").json() == {"faults": []}
    assert raw.get(f"/v4/orders/{order_id}").status_code == 200

    calls = control.get("/_sandbox/calls").json()["calls"]
    assert [c["outcome"] for c in calls if c["path"] == f"/v4/orders/{order_id}"] == [503, 200, 200]


def test_control_api_reset_and_description(world, demo_id):
    order_id = demo_id("NW-1002")
    control = world.raw(api_key=None)
    world.raw().post(f"/v4/orders/{order_id}:cancel")
    assert control.post("/_sandbox/reset").status_code == 200
    assert world.raw().get(f"/v4/orders/{order_id}").json()["fulfillmentStatus"] == "created"

    description = control.get("/_sandbox").json()
    assert description["sandbox"] is True
    demo = {entry["orderReferenceId"]: entry for entry in description["demoOrders"]}
    assert demo["NW-1002"]["ids"] == [order_id]
    assert len(demo["NW-1019"]["ids"]) == 2


def test_control_api_refuses_bad_faults_and_unknown_paths(world):
    control = world.raw(api_key=None)
    response = control.post("/_sandbox/faults", json={"kind": "status"})
    assert response.status_code == 400
    assert "status" in response.json()["message"]
    assert control.post("/_sandbox/faults", content=b"{").status_code == 400
    assert control.get("/_sandbox/nothing").status_code == 404


# The standalone server ---------------------------------------------------------------------------


def test_python_m_sandbox_serves_over_http():
    process = subprocess.Popen(
        [sys.executable, "-m", "portal.gelato.sandbox", "--port", "0", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        assert first_line.startswith("Gelato sandbox on http://127.0.0.1:"), (
            first_line + process.stderr.read()
        )
        url = first_line.split(" on ", 1)[1].strip()
        with http_client(url, timeout=5.0) as gelato:
            (row,) = gelato.find_orders_by_reference("NW-1006")
            assert gelato.get_order(row.id).fulfillment_status == "printed"
            response = httpx.post(
                url + "/_sandbox/faults", json={"kind": "status", "status": 503, "times": 1}
            )
            assert response.status_code == 201
            raw = httpx.get(f"{url}/v4/orders/{row.id}", headers={"X-API-KEY": DEMO_API_KEY})
            assert raw.status_code == 503
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_sandbox_command_lists_demo_orders(capsys):
    assert sandbox_command(["--list", "--today", "2030-01-01"]) == 0
    out = capsys.readouterr().out
    for seed in SEEDS:
        assert seed.reference in out
    assert out.count("\n") == len(SEEDS) + sum(max(1, len(seed.parts)) for seed in SEEDS)


def test_in_process_sandbox_runs_on_a_fixed_clock():
    sandbox = create_sandbox(date(2030, 1, 1))
    with in_process_client(sandbox) as gelato:
        (row,) = gelato.find_orders_by_reference("NW-1002")
        created = gelato.get_order(row.id).created_at
    assert date(2030, 1, 1) - timedelta(days=1) <= created.date() <= date(2030, 1, 1)
