"""Every kind of page passes axe-core with no serious or critical violation, in both palettes.

Each page is opened once, checked in the light palette, switched to the dark one with the theme's
own toggle and checked again; pages opened by a browser that prefers dark are checked too.

axe-core is the copy bundled with the pinned axe-playwright-python package: nothing is fetched
while the tests run.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from playwright.sync_api import expect

from tests.browser.conftest import PALETTES

ORDER_PASSED = "df10e91d-8f3a-534b-be4b-13d102ecd2c8"  # NW-1004: every action still open
ORDER_DELIVERED = "a6885746-5f4e-5c9f-9368-d3b091b7f90f"  # NW-1009

ARTICLES = {
    "home": "/",
    "article": "/actions/cancel-order/",
    "article with a checklist": "/support/damaged-product/",
    "article with code": "/support/api-submission-failure/",
    "site 404": "/no-such-article/",
}

PORTAL_PAGES = {
    "portal home": "/portal/",
    "action start": "/portal/actions/cancel-order/",
    "order search, split order": "/portal/orders/?order=NW-1019",
    "order search, nothing found": "/portal/orders/?order=NW-9999",
    "order page, late": "/portal/orders/?order=NW-1008",
    "order page, delivered": f"/portal/orders/{ORDER_DELIVERED}/",
    "cancel form": f"/portal/orders/{ORDER_PASSED}/cancel",
    "address form": f"/portal/orders/{ORDER_PASSED}/address",
    "shipping method form": f"/portal/orders/{ORDER_PASSED}/shipping-method",
    "reorder form": f"/portal/orders/{ORDER_DELIVERED}/reorder",
    "request form": f"/portal/requests/new/damaged-product/?order={ORDER_DELIVERED}",
    "request list": "/portal/requests/",
    "admin": "/portal/admin/",
    "admin audit": "/portal/admin/audit",
    "admin agents": "/portal/admin/agents",
    "admin feedback": "/portal/admin/feedback",
    "api tokens": "/portal/account/tokens/",
    "portal 404": "/portal/no-such-page",
}

#: What the palette changes. Every other rule reads the markup, the same in both palettes, so the
#: dark palette is checked for these alone (the light one for every rule).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]


def serious_violations(page, rules: list[str] | None = None) -> list[str]:
    """axe's serious and critical findings on the page as it is now, one line per rule.

    axe is put into a document the first time it is checked there; a later check of the same
    document (the other palette, a step of a form shown by script) runs it again.
    """
    if not page.evaluate("() => 'axe' in window"):
        page.evaluate(AXE_SCRIPT)
    options = {"resultTypes": ["violations"]}
    if rules:
        options["runOnly"] = {"type": "rule", "values": rules}
    violations = page.evaluate(
        "options => axe.run(document, options).then((results) => results.violations)", options
    )
    found = []
    for violation in violations:
        if violation["impact"] in ("serious", "critical"):
            targets = [" ".join(node["target"]) for node in violation["nodes"]]
            found.append(
                f"{violation['id']} ({violation['help']}), {len(targets)} elements: "
                + ", ".join(targets[:6])
            )
    return found


#: Markup the HTML checker rejects, as the page has it once its scripts ran.
INVALID_MARKUP = """() => [
  ...[...document.querySelectorAll("input[type=checkbox][autocomplete]")].map(
    (e) => `autocomplete on checkbox #${e.id}`),
  ...[...document.querySelectorAll("[tabindex='']")].map((e) => `empty tabindex on #${e.id}`),
  ...[...document.querySelectorAll("label[for]")].filter((e) => !document.getElementById(e.htmlFor))
    .map((e) => `label for missing #${e.htmlFor}`),
]"""


def check(page, palette: str) -> None:
    """The page in ``palette``, which it must show: every rule in the light one, the colour
    rules in the dark one."""
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", PALETTES[palette])
    assert page.evaluate(INVALID_MARKUP) == [], page.url
    found = serious_violations(page, COLOUR_RULES if palette == "dark" else None)
    assert not found, f"{page.url} ({palette} palette):\n" + "\n".join(found)


def switch_palette(page, palette: str) -> None:
    """Switch the page to ``palette`` with the header's toggle (its option chosen from script, so
    that an open search dialog stays open), the browser's preference set to match; the page is
    not loaded again."""
    page.emulate_media(color_scheme=palette)
    scheme = PALETTES[palette]
    page.locator(f"input[name=__palette][data-md-color-scheme={scheme}]").evaluate(
        "option => option.click()"
    )
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", scheme)


def check_both_palettes(page) -> None:
    """The page opened in the light palette, checked in it and then in the dark one; it is left
    in the light one (the toggle's choice is kept for the browser's later pages)."""
    check(page, "light")
    switch_palette(page, "dark")
    try:
        check(page, "dark")
    finally:
        switch_palette(page, "light")


@pytest.mark.parametrize("path", ARTICLES.values(), ids=ARTICLES.keys())
def test_articles(visitor, help_center, path):
    visitor.goto(help_center(path))
    check_both_palettes(visitor)


def test_search_results(visitor, help_center):
    visitor.goto(help_center("/?q=cancel+order"))
    visitor.locator(".md-search-result__item").first.wait_for()
    check_both_palettes(visitor)


def test_sign_in(visitor, help_center):
    visitor.goto(help_center("/portal/sign-in"))
    check_both_palettes(visitor)


@pytest.mark.parametrize("path", PORTAL_PAGES.values(), ids=PORTAL_PAGES.keys())
def test_portal_pages(agent, help_center, path):
    agent.goto(help_center(path))
    check_both_palettes(agent)


@pytest.mark.parametrize("palette", ["dark"], indirect=True)
@pytest.mark.parametrize("path", ["/", "/portal/sign-in"], ids=["article", "portal"])
def test_a_browser_that_prefers_dark_opens_pages_in_the_dark_palette(visitor, help_center, path):
    visitor.goto(help_center(path))
    check(visitor, "dark")


def test_form_with_errors_and_review(agent, help_center):
    """Messages beside fields, then the review step of a change."""
    agent.goto(help_center(f"/portal/orders/{ORDER_PASSED}/address"))
    agent.get_by_label("City").fill("")
    agent.get_by_role("button", name="Review").click()
    agent.locator(".portal-field__error").first.wait_for()
    check_both_palettes(agent)
    agent.get_by_label("City").fill("Berlin")
    agent.get_by_role("button", name="Review").click()
    agent.get_by_role("heading", name="Review").wait_for()
    check_both_palettes(agent)


def test_request_with_problems_and_preview(agent, help_center):
    """A request checked too early (the checklist and messages), then its preview."""
    agent.goto(help_center("/portal/requests/new/something-else/"))
    agent.get_by_role("button", name="Check and preview").click()
    agent.get_by_text("Not complete yet").wait_for()
    check_both_palettes(agent)
    agent.get_by_label("Subject").fill("Invoice copy")
    agent.get_by_label("What you need").fill("A copy of last month's invoice, please.")
    agent.get_by_role("button", name="Check and preview").click()
    agent.get_by_role("heading", name="The email").wait_for()
    check_both_palettes(agent)
