"""The support lead reads who did what in the audit log, and exports it."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import expect


def test_an_action_is_in_the_audit_log_and_its_csv(agent, help_center, tmp_path):
    agent.goto(help_center("/portal/orders/?order=NW-1003"))
    agent.locator(".portal-actions").get_by_role("link", name="Cancel").click()
    agent.get_by_role("button", name="Cancel this order at Gelato").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Order canceled")

    agent.get_by_role("link", name="Admin").click()
    agent.get_by_role("link", name="Audit log").click()
    agent.get_by_label("Order id or reference").fill("NW-1003")
    agent.get_by_label("Action", exact=True).select_option(label="Cancel an order")
    agent.get_by_role("button", name="Filter").click()
    rows = agent.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Cancel an order")
    expect(rows).to_contain_text("succeeded")
    expect(rows).to_contain_text("demo")

    with agent.expect_download() as download:
        agent.get_by_role("link", name="Export as CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    entries = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert [(e["action"], e["order_reference"], e["outcome"]) for e in entries] == [
        ("cancel", "NW-1003", "succeeded")
    ]
    assert entries[0]["actor"] == "demo"
