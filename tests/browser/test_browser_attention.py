"""Gelato reports a hold; an agent finds it in "Needs attention", takes it, reads it on the order's
timeline and marks it handled, in Chromium, with axe-core's checks on the pages it passes."""

from __future__ import annotations

import uuid

import httpx
import pytest
from playwright.sync_api import expect

from portal.config import SANDBOX_WEBHOOK_SECRET
from portal.gelato.sandbox import create_sandbox
from tests.browser.conftest import PALETTES
from tests.browser.test_browser_accessibility import check

REASON = "The print file of the mug is below 150 dpi."


@pytest.fixture(scope="module")
def held_order(help_center) -> str:
    """NW-1003 on hold, as Gelato's webhooks would report it to the running help center."""
    [order] = create_sandbox().orders_with_reference("NW-1003")
    common = {"orderId": order["id"], "storeId": None, "orderReferenceId": "NW-1003"}
    events = [
        {
            **common,
            "event": "order_item_status_updated",
            "itemReferenceId": "NW-1003-1",
            "status": "on_hold",
            "comment": REASON,
            "created": "2026-03-02T09:00:00+00:00",
        },
        {**common, "event": "order_status_updated", "fulfillmentStatus": "on_hold"},
    ]
    for event in events:
        answer = httpx.post(
            help_center("/api/webhooks/gelato"),
            json={"id": str(uuid.uuid4()), **event},
            headers={"signature": SANDBOX_WEBHOOK_SECRET},
        )
        assert answer.status_code == 200, answer.text
    return order["id"]


@pytest.mark.parametrize("palette", list(PALETTES), indirect=True)
def test_the_queue_with_an_entry_passes_axe(agent, help_center, palette, held_order):
    agent.goto(help_center("/portal/attention/"))
    expect(agent.get_by_role("heading", name="NW-1003 · Went on hold")).to_be_visible()
    check(agent, palette)


def test_an_agent_takes_a_hold_and_marks_it_handled(agent, help_center, held_order):
    agent.goto(help_center("/portal/"))
    agent.get_by_role("link", name="Needs attention").click()
    entry = agent.locator("section.portal-attention", has_text="NW-1003")
    expect(entry).to_contain_text(REASON)
    expect(entry.get_by_role("link", name="Cancel an order")).to_have_attribute(
        "href", f"/portal/orders/{held_order}/cancel"
    )

    entry.get_by_role("button", name="Take it").click()
    expect(agent.get_by_role("status").first).to_contain_text("It is yours now.")
    entry = agent.locator("section.portal-attention", has_text="NW-1003")
    expect(entry).to_contain_text("is on it")

    entry.get_by_role("button", name="Mark as handled").click()
    entry = agent.locator("section.portal-attention", has_text="NW-1003")
    expect(entry.locator(".portal-field__error")).to_contain_text("Say what you did")
    check(agent, "light")

    entry.get_by_label("What you did").fill("Asked the customer for a sharper photo.")
    entry.get_by_role("button", name="Mark as handled").click()
    expect(agent.get_by_role("status").first).to_contain_text("Marked as handled.")
    expect(agent.get_by_role("table")).to_contain_text("Asked the customer for a sharper photo.")
