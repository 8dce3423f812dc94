"""What an agent reads on an order's page and where its buttons lead: a late order's warning and
its request, a delivered order's damage report, items and references in plain words, and a second
reorder from another tab."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def status_box(page):
    return page.locator(".portal-status")


def test_a_late_order_warns_and_its_request_opens_with_the_order_filled_in(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1008"))
    box = status_box(agent)
    expect(box).to_have_class(re.compile(r"\bwarning\b"))
    expect(box).to_contain_text("Late: delayed in shipping")
    expect(box).to_contain_text(f"passed {help_center.days_ago(6)}")
    expect(agent.locator("body")).not_to_contain_text("day(s)")
    reply = agent.get_by_role("textbox", name="Reply to your customer")
    expect(reply).to_contain_text("checking its tracking")
    expect(reply).not_to_contain_text("within the next few days")

    box.get_by_role("link", name="Prepare a request to Gelato Support").click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text("Late, stuck or lost order")
    expect(agent.locator("input[value='NW-1008']").first).to_be_visible()


def test_a_delivered_order_offers_a_damage_report_with_the_order(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1009"))
    box = status_box(agent)
    expect(box).to_contain_text(help_center.days_ago(6))
    expect(box).to_contain_text("can be reported until")
    box.get_by_role("link", name="Report damage").click()
    expect(agent.get_by_role("heading", level=1)).to_contain_text("Damaged or defective product")
    expect(agent.locator("input[value='NW-1009']").first).to_be_visible()


def test_past_the_damage_window_no_report_is_offered(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1010"))
    box = status_box(agent)
    expect(box).to_contain_text("window for reporting damage closed on")
    expect(box.get_by_role("link", name="Report damage")).to_have_count(0)


def test_item_statuses_are_plain_words_that_lead_to_the_glossary(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1013"))
    items = agent.locator("table", has=agent.get_by_role("columnheader", name="Product"))
    held = items.get_by_role("row", name=re.compile("Ceramic Mug"))
    expect(held).to_contain_text("On hold since")
    expect(held).to_contain_text("out of stock")
    expect(items).not_to_contain_text("on_hold")
    held.get_by_role("link", name="On hold").click()
    expect(agent).to_have_url(re.compile(r"/reference/statuses/#on_hold$"))


def test_a_status_a_next_step_names_is_a_link(agent, help_center):
    agent.goto(help_center("/portal/orders/?order=NW-1007"))  # shipped
    address = agent.locator(".portal-actions li").filter(
        has=agent.get_by_text("Address", exact=True)
    )
    expect(address).to_contain_text("Source:")
    address.get_by_role("link", name="returned", exact=True).click()
    expect(agent).to_have_url(re.compile(r"/reference/statuses/#returned$"))


def test_a_second_reorder_from_another_tab_shows_the_first_and_needs_an_explicit_yes(
    contexts, help_center
):
    context = contexts.get("light", signed_in=True)
    tabs = [context.new_page(), context.new_page()]
    try:
        for tab in tabs:
            tab.goto(help_center("/portal/orders/?order=NW-1014"))
            tab.locator(".portal-actions").get_by_role("link", name="Reorder", exact=True).click()
            tab.get_by_role("button", name="Review").click()
            tab.get_by_label("I understand that the new order is charged").check()
        first, second = tabs
        first.get_by_role("button", name="Confirm").click()
        expect(first.locator(".admonition.success")).to_contain_text("Gelato accepted the reorder")

        second.get_by_role("button", name="Confirm").click()
        earlier = second.locator(".portal-earlier")
        expect(earlier).to_contain_text("This order was reordered already")
        expect(earlier).to_contain_text("NW-1014-R")
        expect(earlier).to_contain_text("placed by demo")
        expect(second.locator(".admonition.success")).to_have_count(0)

        second.get_by_label("I understand that the new order is charged").check()
        second.get_by_label("Place another one").check()
        second.get_by_role("button", name="Confirm").click()
        expect(second.locator(".admonition.success")).to_contain_text("Gelato accepted the reorder")
    finally:
        for tab in tabs:
            tab.close()
