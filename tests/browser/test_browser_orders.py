"""An agent signs in, finds the order a customer asks about, and acts on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect


@pytest.fixture
def new_agent(agent, help_center):
    """An agent account created by the admin on the admin pages: name and password."""
    name, password = "noor", "noor-password-0123"
    agent.goto(help_center("/portal/admin/agents"))
    form = agent.locator("form", has=agent.get_by_role("button", name="Create account"))
    form.get_by_label("Name").fill(name)
    form.get_by_label("Role").select_option("agent")
    form.get_by_label("Password").fill(password)
    form.get_by_label("Once more").fill(password)
    form.get_by_role("button", name="Create account").click()
    expect(agent.get_by_role("cell", name=name, exact=True)).to_be_visible()
    return name, password


def test_sign_in_leads_to_the_page_asked_for_and_sign_out_ends_it(
    fresh_browser, help_center, new_agent
):
    name, password = new_agent
    page = fresh_browser.new_page()
    page.goto(help_center("/portal/orders/?order=NW-1008"))
    expect(page.get_by_role("heading", name="Sign in to the portal")).to_be_visible()

    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The name or the password is wrong")
    expect(page.get_by_label("Name")).to_have_value(name)  # kept, only the password is typed again

    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Order NW-1008")
    expect(page.get_by_role("navigation", name="Your account")).to_contain_text(name)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto(help_center("/portal/"))
    expect(page.get_by_role("heading", name="Sign in to the portal")).to_be_visible()


def test_a_split_order_lists_its_parts_and_each_opens(agent, help_center):
    agent.goto(help_center("/portal/"))
    agent.get_by_label("Gelato order id or your order reference").fill("NW-1019")
    agent.get_by_role("button", name="Find order").click()
    expect(agent.get_by_text("2 orders carry the reference “NW-1019”")).to_be_visible()
    agent.get_by_role("link", name="Open").first.click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Order NW-1019")
    expect(agent.get_by_role("heading", name="Other parts of this order")).to_be_visible()


def test_cancel_is_refused_once_production_started(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1005"))
    cancel = agent.locator(".portal-actions li", has_text="Cancel")
    expect(cancel.get_by_text("Cancel", exact=True)).to_have_attribute("aria-disabled", "true")
    expect(cancel).to_contain_text("Not possible now:")
    expect(cancel.get_by_role("link", name="Cancel")).to_have_count(0)


def test_an_order_not_yet_in_production_is_canceled(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1002"))
    agent.locator(".portal-actions").get_by_role("link", name="Cancel").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Cancel order NW-1002")
    agent.get_by_role("button", name="Cancel this order at Gelato").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Order canceled")
    result = agent.locator(".admonition.success")
    expect(result).to_contain_text("Gelato canceled order NW-1002.")
    expect(result).to_contain_text("(canceled)")
