"""One help center and one browser, shared by every browser test.

The server is the app's real process, started as the README does (``python app.py``) on a free
port of 127.0.0.1, in sandbox mode with a database of its own. The browser is Debian's Chromium,
driven by Playwright; no browser is ever downloaded. Where Chromium is missing the tests are
skipped with the command that installs it, except under CI, where that is a failure.

Pages open in browser contexts kept for the session, one per palette, signed in as the sandbox's
demo admin or not, so the theme's assets come from the cache as in an agent's own browser; a test
that signs in or out gets a context of its own. A test fails if any page it opened logged an error
to the console or threw.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from portal.agents import DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD
from portal.config import PROJECT_ROOT, SETTINGS
from tests.conftest import SECRET_KEY, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: The help center's GELATO_WEBHOOK_SECRET: what a test posting Gelato's events sends.
WEBHOOK_SECRET = "browser-tests-webhook-secret"
#: Playwright's names for the palettes, and the Material scheme each one selects.
PALETTES = {"light": "default", "dark": "slate"}

# What a page shows may take longer than Playwright's default 5 s on a busy 2-core machine (the
# search index is built, a draft saved); a missing element still fails, only later.
expect.set_options(timeout=15_000)


class HelpCenter(NamedTuple):
    url: str
    log: Path
    #: The day it started on: its sandbox counts the demo orders' dates back from it.
    started_on: date

    def days_ago(self, days: int) -> str:
        """What a page says of a demo order's date ``days`` before the sandbox's day, however
        many midnights the tests ran past since."""
        return f"{days + (date.today() - self.started_on).days} days ago"

    def __call__(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="session")
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    message = (
        f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
        "(apt-get install -y chromium)."
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def help_center(chromium, tmp_path_factory) -> Iterator[HelpCenter]:
    """The app's own process on a free port, with its own SQLite database, in sandbox mode."""
    home = tmp_path_factory.mktemp("help-center")
    port = free_port()
    # Nothing from the developer's settings leaks in: sandbox defaults, a database of its own.
    settings = {setting.name for setting in SETTINGS}
    environ = {name: value for name, value in os.environ.items() if name not in settings}
    environ.update(
        HOST="127.0.0.1",
        PORT=str(port),
        DATABASE_URL=f"sqlite:///{home / 'helpcenter.sqlite3'}",
        SECRET_KEY=SECRET_KEY,
        # The secret its sandbox's webhooks carry, set so that tests can post events of their own.
        GELATO_WEBHOOK_SECRET=WEBHOOK_SECRET,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    log = home / "server.log"
    url = f"http://127.0.0.1:{port}"
    while True:
        started_on = date.today()
        with log.open("w") as output:
            server = subprocess.Popen(
                [sys.executable, "app.py"],
                cwd=PROJECT_ROOT,
                env=environ,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_until_up(url, server, log)
        except BaseException:
            _stop(server)
            raise
        if date.today() == started_on:
            break
        # It started across midnight: its sandbox may count from either day. Once more.
        _stop(server)
    try:
        yield HelpCenter(url, log, started_on)
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=10)


#: Seconds the help center may take to start: its two workers load the app while the other test
#: processes keep both cores busy.
START_TIMEOUT = 120


def _wait_until_up(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the help center did not start:\n{log.read_text()}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the help center did not answer within {START_TIMEOUT} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def browser(chromium) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def sign_in(page: Page, help_center: HelpCenter, name: str, password: str) -> None:
    page.goto(help_center("/portal/sign-in"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


class Problems(list):
    """What the pages of one test logged as errors, or threw."""

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.append(f"{page.url}: uncaught {error}"))

    def _console(self, message) -> None:
        if message.type != "error":
            return
        page_url = message.page.url if message.page else "?"
        # A page asked for on purpose that answers 404 logs its own status; a missing asset
        # (another address) still counts.
        if message.text.startswith("Failed to load resource") and (
            message.location.get("url") == page_url
        ):
            return
        self.append(f"{page_url}: {message.text}")

    def check(self) -> None:
        assert self == [], "the pages logged errors:\n" + "\n".join(self)


class Contexts:
    """Browser contexts kept for the whole session, one per palette, signed in or not: pages of
    later tests take the theme's assets from the cache, as an agent's own browser does."""

    def __init__(self, browser: Browser, help_center: HelpCenter):
        self.browser = browser
        self.help_center = help_center
        self.open: dict[tuple[str, bool], BrowserContext] = {}
        self.cookies: list | None = None

    def get(self, palette: str, *, signed_in: bool) -> BrowserContext:
        key = (palette, signed_in)
        if key not in self.open:
            context = new_context(self.browser, palette)
            if signed_in:
                context.add_cookies(self.demo_admin_cookies())
            self.open[key] = context
        return self.open[key]

    def demo_admin_cookies(self) -> list:
        """Signed in once through the form; cookies only (the palette is each context's own)."""
        if self.cookies is None:
            context = new_context(self.browser, "light")
            sign_in(context.new_page(), self.help_center, DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD)
            self.cookies = context.cookies()
            context.close()
        return self.cookies

    def close(self) -> None:
        for context in self.open.values():
            context.close()


def new_context(browser: Browser, palette: str) -> BrowserContext:
    return browser.new_context(color_scheme=palette, viewport={"width": 1280, "height": 900})


@pytest.fixture(scope="session")
def contexts(browser, help_center) -> Iterator[Contexts]:
    contexts = Contexts(browser, help_center)
    yield contexts
    contexts.close()


@contextmanager
def watched_page(context: BrowserContext) -> Iterator[Page]:
    problems = Problems()
    page = context.new_page()
    problems.watch(page)
    try:
        yield page
    finally:
        page.close()
    problems.check()


@pytest.fixture
def palette(request) -> str:
    """The light palette, unless a test is parametrised with others (``indirect``)."""
    return getattr(request, "param", "light")


@pytest.fixture
def visitor(contexts, palette) -> Iterator[Page]:
    """A page of a browser that is not signed in to the portal."""
    with watched_page(contexts.get(palette, signed_in=False)) as page:
        yield page


@pytest.fixture
def agent(contexts, palette) -> Iterator[Page]:
    """A page of a browser signed in as the sandbox's demo admin."""
    with watched_page(contexts.get(palette, signed_in=True)) as page:
        yield page


@pytest.fixture
def fresh_browser(browser, palette) -> Iterator[BrowserContext]:
    """A browser of its own (no cookies, empty cache), for a test that signs in or out."""
    context = new_context(browser, palette)
    problems = Problems()
    context.on("page", problems.watch)
    try:
        yield context
    finally:
        context.close()
    problems.check()
