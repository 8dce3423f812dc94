"""Gelato reports a hold; an agent sees it counted in the header and listed on the portal home,
finds it in "Needs attention", takes it, marks it handled, and reads the hold and what the team did
on the order's timeline, in Chromium, with axe-core's checks on the pages it passes."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import expect

from portal.gelato.sandbox import create_sandbox
from tests.browser.conftest import WEBHOOK_SECRET
from tests.browser.test_browser_accessibility import check, check_both_palettes

REASON = "The print file of the poster is below 150 dpi."
#: The held order: one no other browser test acts on, since its sandbox reports every change
#: (a cancel, say) to the help center, and a newer status leaves an older hold in the past.
HELD = "NW-1006"


def report_hold(help_center, reference: str, reason: str, created: str | None = None) -> str:
    """``reference`` put on hold (at ``created``, else now), as Gelato's webhooks would report it
    to the running help center; its Gelato id."""
    [order] = create_sandbox().orders_with_reference(reference)
    common = {"orderId": order["id"], "storeId": None, "orderReferenceId": reference}
    events = [
        {
            **common,
            "event": "order_item_status_updated",
            "itemReferenceId": f"{reference}-1",
            "status": "on_hold",
            "comment": reason,
            "created": created or datetime.now(UTC).isoformat(),
        },
        {**common, "event": "order_status_updated", "fulfillmentStatus": "on_hold"},
    ]
    for event in events:
        answer = httpx.post(
            help_center("/api/webhooks/gelato"),
            json={"id": str(uuid.uuid4()), **event},
            headers={"signature": WEBHOOK_SECRET},
        )
        assert answer.status_code == 200, answer.text
    return order["id"]


@pytest.fixture(scope="module")
def held_order(help_center) -> str:
    """The held order's Gelato id, reported on hold once for the module's tests."""
    return report_hold(help_center, HELD, REASON)


def attention_link(page):
    """The header's link to the queue, with its count."""
    return page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name=re.compile(r"^Needs attention")
    )


def test_the_queue_with_an_entry_passes_axe(agent, help_center, held_order):
    agent.goto(help_center("/portal/attention/"))
    expect(agent.get_by_role("heading", name=f"{HELD} · Went on hold")).to_be_visible()
    check_both_palettes(agent)


def test_every_page_counts_what_waits_and_the_home_lists_it(agent, help_center, held_order):
    agent.goto(help_center("/portal/attention/"))
    waiting = agent.locator("section.portal-attention").count()
    assert waiting >= 1
    for path in ("/portal/", "/portal/orders/", "/portal/requests/"):
        agent.goto(help_center(path))
        expect(attention_link(agent)).to_have_text(f"Needs attention ({waiting})")

    agent.goto(help_center("/portal/"))
    listed = agent.locator(".portal-attention-list li", has_text=HELD)
    expect(listed).to_contain_text("Went on hold")
    expect(listed).to_contain_text(REASON)
    expect(listed.get_by_role("link", name="On hold or failed")).to_be_visible()
    listed.get_by_role("link", name=f"{HELD} · Went on hold").click()
    expect(agent).to_have_url(re.compile(r"/portal/attention/#entry-\d+$"))
    check(agent, "light")


def test_an_agent_takes_a_hold_and_marks_it_handled(agent, help_center, held_order):
    agent.goto(help_center("/portal/"))
    agent.get_by_role("link", name="Needs attention").click()
    entry = agent.locator("section.portal-attention", has_text=HELD)
    expect(entry).to_contain_text(REASON)
    expect(entry.get_by_role("link", name="Cancel an order")).to_have_attribute(
        "href", f"/portal/orders/{held_order}/cancel"
    )

    entry.get_by_role("button", name="Take it").click()
    expect(agent.get_by_role("status").first).to_contain_text("It is yours now.")
    entry = agent.locator("section.portal-attention", has_text=HELD)
    expect(entry).to_contain_text("is on it")

    entry.get_by_role("button", name="Mark as handled").click()
    entry = agent.locator("section.portal-attention", has_text=HELD)
    expect(entry.locator(".portal-field__error")).to_contain_text("Say what you did")
    check(agent, "light")

    entry.get_by_label("What you did").fill("Asked the customer for a sharper photo.")
    entry.get_by_role("button", name="Mark as handled").click()
    expect(agent.get_by_role("status").first).to_contain_text("Marked as handled.")
    expect(agent.get_by_role("table")).to_contain_text("Asked the customer for a sharper photo.")


def test_the_order_page_tells_the_hold_and_what_the_team_did(agent, help_center):
    reason = "The embroidery file has too many colours for digitizing."
    order = report_hold(help_center, "NW-1017", reason, created="2026-03-02T09:00:00+00:00")
    agent.goto(help_center("/portal/attention/"))
    entry = agent.locator("section.portal-attention", has_text="NW-1017")
    entry.get_by_role("button", name="Take it").click()
    entry = agent.locator("section.portal-attention", has_text="NW-1017")
    entry.get_by_label("What you did").fill("Sent a file with six colours.")
    entry.get_by_role("button", name="Mark as handled").click()
    expect(agent.get_by_role("status").first).to_contain_text("Marked as handled.")

    agent.get_by_role("link", name="NW-1017").first.click()
    expect(agent).to_have_url(help_center(f"/portal/orders/{order}/"))
    timeline = agent.locator("ol.portal-timeline > li")
    expect(timeline).to_have_count(3)
    expect(timeline.nth(0)).to_contain_text("02 Mar 2026, 09:00 UTC · Gelato: On hold")
    expect(timeline.nth(0)).to_contain_text(reason)
    expect(timeline.nth(1)).to_contain_text("Needs attention: taken")
    expect(timeline.nth(2)).to_contain_text("Needs attention: handled")
    expect(timeline.nth(2)).to_contain_text("Sent a file with six colours.")
    # The team's lines look different from Gelato's.
    expect(timeline.nth(1)).to_have_class(re.compile(r"portal-timeline__moment--team"))
    check(agent, "light")
