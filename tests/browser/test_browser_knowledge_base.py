"""An agent finds an article by searching, and tells the team whether it helped."""

from __future__ import annotations

from playwright.sync_api import expect


def test_search_finds_an_article_and_opens_it(visitor, help_center):
    visitor.goto(help_center("/"))
    search = visitor.get_by_role("textbox", name="Search")
    search.click()
    search.fill("cancel an orde")
    search.press("r")  # the theme searches as a key is released
    title = visitor.get_by_role("heading", name="Cancel an order", exact=True)
    visitor.locator(".md-search-result__link", has=title).click()
    # The article opens with the words searched for highlighted.
    expect(visitor).to_have_url(help_center("/actions/cancel-order/?h=cancel+order"))
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Cancel an order")
    expect(visitor.locator("article mark").first).to_be_visible()


def test_a_no_with_a_comment_reaches_the_admin_feedback_page(visitor, agent, help_center):
    visitor.goto(help_center("/actions/change-address/"))
    visitor.get_by_role("button", name="This page could be better").click()
    comment = visitor.get_by_role("textbox", name="What was missing or wrong? (optional)")
    comment.fill("The Dashboard steps for a split order are missing.")
    with visitor.expect_response(help_center("/api/feedback")) as answer:
        visitor.get_by_role("button", name="Send").click()
    assert answer.value.ok
    expect(visitor.get_by_text("Your support lead reads every answer.")).to_be_visible()

    agent.goto(help_center("/portal/admin/feedback"))
    row = agent.get_by_role("row", name="split order are missing")
    expect(row).to_contain_text("/actions/change-address/")
    expect(row.get_by_role("cell", name="no", exact=True)).to_be_visible()


def test_checklist_boxes_are_named_by_their_item_and_tick_from_the_text(visitor, help_center):
    visitor.goto(help_center("/support/damaged-product/"))
    box = visitor.get_by_role("checkbox", name="Photos of the item")
    expect(box).not_to_be_checked()
    visitor.get_by_text("Clear photos in which the damage or defect can be seen.").click()
    expect(box).to_be_checked()
