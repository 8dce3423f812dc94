"""What an agent meets on the request pages day to day, in a real browser: the last words typed
before leaving are kept, so is what the help center could not save at once, the corrected address
starts from the order's, the list tells requests apart and can be cleared, a file keeps one
name, and the email is signed with the agent's display name."""

from __future__ import annotations

import email
import re
import time
from email import policy

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_browser_accessibility import serious_violations
from tests.browser.test_browser_requests import png

DRAFT_URL = re.compile(r".*/portal/requests/\d+/$")


def eventually(page: Page, url: str, check, seconds: float = 15.0) -> None:
    """Open ``url`` until ``check(page)`` holds: a beacon may land just after a page is read."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if check(page):
            return
        assert time.monotonic() < deadline, f"{url} never showed what was expected"
        time.sleep(0.3)


def new_something_else(agent: Page, help_center, subject: str) -> str:
    """A saved draft of "Something else" with ``subject``; its address."""
    agent.goto(help_center("/portal/requests/new/something-else/"))
    agent.get_by_label("Subject").fill(subject)
    expect(agent).to_have_url(DRAFT_URL)  # saved while typing: it has its own address now
    return agent.url


def test_words_typed_just_before_leaving_a_new_form_are_kept(agent, help_center):
    agent.goto(help_center("/portal/requests/new/something-else/"))
    agent.get_by_label("Subject").fill("Typed and gone at once")
    # No time for the pause before the autosave: the agent leaves straight away.
    agent.goto(help_center("/portal/requests/"))

    def listed(page):
        return page.get_by_role("link", name=re.compile("Typed and gone at once")).count() == 1

    eventually(agent, help_center("/portal/requests/"), listed)


def test_words_typed_just_before_leaving_a_draft_are_kept(agent, help_center):
    draft = new_something_else(agent, help_center, "Leaving in a hurry")
    agent.get_by_label("What you need").fill("The last sentence, typed a moment before leaving.")
    agent.get_by_role("link", name="← Requests to Gelato Support").click()

    def kept(page):
        value = page.get_by_label("What you need").input_value()
        return value == "The last sentence, typed a moment before leaving."

    eventually(agent, draft, kept)


def test_what_the_help_center_cannot_save_at_once_is_kept_and_saved_later(agent, help_center):
    draft = new_something_else(agent, help_center, "Database busy")
    busy = {"on": True}

    def answer(route):
        if busy["on"] and route.request.method == "POST":
            route.fulfill(status=503, content_type="text/html", body="<p>Busy, try again</p>")
        else:
            route.continue_()

    agent.route(DRAFT_URL, answer)
    try:
        agent.get_by_label("What you need").fill("Typed while the help center answered 503.")
        expect(agent.get_by_text("Not saved yet: the help center is not answering")).to_be_visible()
        # Even a reload while it still fails loses nothing: the browser's copy comes back.
        agent.reload()
        expect(agent.get_by_label("What you need")).to_have_value(
            "Typed while the help center answered 503."
        )
        expect(agent.get_by_text("had not reached the help center yet")).to_be_visible()
        busy["on"] = False  # the database is back: the next try saves it
        expect(agent.get_by_text("saved at")).to_be_visible()
    finally:
        agent.unroute(DRAFT_URL)
    agent.goto(draft)
    expect(agent.get_by_label("What you need")).to_have_value(
        "Typed while the help center answered 503."
    )
    expect(agent.get_by_text("had not reached the help center yet")).to_have_count(0)


def test_the_corrected_address_starts_from_the_orders(agent, help_center):
    agent.goto(help_center("/portal/requests/new/address-problem/?order=NW-1014"))
    address = agent.locator("#corrected_address-field")
    expect(address.get_by_label("Country code")).to_have_value("FR")
    expect(address.get_by_label("First name")).not_to_have_value("")
    expect(address.get_by_label("Address line 1")).not_to_have_value("")
    address.get_by_label("Address line 1").fill("12 rue de la République")
    expect(agent.get_by_text("saved at")).to_be_visible()
    agent.reload()
    expect(address.get_by_label("Address line 1")).to_have_value("12 rue de la République")


def test_the_list_tells_requests_apart_and_old_ones_are_archived(agent, help_center):
    new_something_else(agent, help_center, "Refund for the torn poster")
    new_something_else(agent, help_center, "Invoice copy for March")
    agent.goto(help_center("/portal/requests/"))
    poster = agent.get_by_role("row").filter(has_text="Something else · Refund for the torn poster")
    expect(poster).to_have_count(1)
    expect(agent.get_by_role("row").filter(has_text="Invoice copy for March")).to_have_count(1)

    number = poster.get_by_role("cell").first.inner_text()
    poster.get_by_role("button", name=f"Archive request #{number}").click()
    expect(agent.get_by_text(f"Request #{number} is archived")).to_be_visible()
    expect(agent.get_by_role("row").filter(has_text="Refund for the torn poster")).to_have_count(0)

    agent.get_by_role("link", name=re.compile(r"Archived \(\d+\)")).click()
    archived = agent.get_by_role("row").filter(has_text="Refund for the torn poster")
    expect(archived).to_have_count(1)
    archived.get_by_role("button", name=f"Bring back request #{number}").click()
    expect(agent.get_by_text(f"Request #{number} is back on the list")).to_be_visible()
    agent.goto(help_center("/portal/requests/"))
    expect(agent.get_by_role("row").filter(has_text="Refund for the torn poster")).to_have_count(1)


def test_a_file_has_one_name_in_the_form_the_preview_and_the_email(agent, help_center, tmp_path):
    new_something_else(agent, help_center, "Checkout page broken")
    agent.get_by_label("What you need").fill("The checkout shows an error; see the screenshot.")
    agent.locator("#attachments-field input[type=file]").set_input_files(
        {"name": "Screen Shot 12.png", "mimeType": "image/png", "buffer": png(10, 20, 30)}
    )
    stored = agent.locator("#attachments-field .request-files li")
    expect(stored).to_contain_text("Screen-Shot-12.png")
    expect(stored).to_contain_text("from Screen Shot 12.png")
    agent.get_by_role("button", name="Check and preview").click()
    expect(agent.locator(".request-attachments li")).to_contain_text("Screen-Shot-12.png")
    expect(agent.locator("#request-body")).to_contain_text(
        "Attachments: attached: Screen-Shot-12.png"
    )
    with agent.expect_download() as download:
        agent.get_by_role("button", name="Download the .eml").click()
    saved = tmp_path / "request.eml"
    download.value.save_as(saved)
    message = email.message_from_bytes(saved.read_bytes(), policy=policy.default)
    assert [part.get_filename() for part in message.iter_attachments()] == ["Screen-Shot-12.png"]


def test_the_email_is_signed_with_the_agents_display_name(agent, fresh_browser, help_center):
    name, password = "bea", "bea-password-0123"
    agent.goto(help_center("/portal/admin/agents"))
    form = agent.locator("form", has=agent.get_by_role("button", name="Create account"))
    form.get_by_label("Name", exact=True).fill(name)
    form.get_by_label("Signs requests as (optional)").fill("Bea Lopez")
    form.get_by_label("Password").fill(password)
    form.get_by_label("Once more").fill(password)
    form.get_by_role("button", name="Create account").click()
    expect(agent.get_by_role("cell", name="Bea Lopez", exact=True)).to_be_visible()

    page = fresh_browser.new_page()
    sign_in(page, help_center, name, password)
    page.goto(help_center("/portal/requests/new/something-else/"))
    page.get_by_label("Subject").fill("Signed by name")
    page.get_by_label("What you need").fill("Please send the invoice again.")
    page.get_by_role("button", name="Check and preview").click()
    expect(page.locator("#request-body")).to_contain_text("Kind regards,\nBea Lopez")


def test_the_archived_list_and_a_preview_pass_axe(agent, help_center):
    new_something_else(agent, help_center, "Checked by axe")
    agent.get_by_label("What you need").fill("Nothing more.")
    agent.get_by_role("button", name="Check and preview").click()
    expect(agent.get_by_role("heading", level=1)).to_have_text("Preview: Something else")
    assert serious_violations(agent) == []
    agent.goto(help_center("/portal/requests/?archived=1"))
    expect(agent.get_by_role("heading", level=1)).to_have_text("Archived requests")
    assert serious_violations(agent) == []
