"""What the orders tests share: reading an action form as a browser sends it, an agent's browser
over real HTTP, finding demo orders by status, and sending one form many times at once. The app,
its sandbox, the sandbox server and the app server are the fixtures of ``tests/conftest.py``."""

import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from portal import agents
from portal.orders import placing, rules
from tests.conftest import form_token


def form_fields(html):
    """Every input of the page's action form with its value, as a browser would send them."""
    form = re.search(r'<form method="post" class="portal-form".*?</form>', html, re.DOTALL)
    inputs = re.findall(r"<input[^>]*>", form.group(0) if form else html)
    fields = {}
    for tag in inputs:
        if ('type="checkbox"' in tag or 'type="radio"' in tag) and "checked" not in tag:
            continue
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value:
            fields[name.group(1)] = value.group(1)
    fields.pop("order", None)  # the order search box above the form
    return fields


def orders_by_status(gelato):
    """The Gelato id of one demo order in each fulfillment status."""
    found = {}
    for order in gelato.search_orders(limit=100):
        found.setdefault(order.fulfillment_status, order.id)
    return found


def reorder_at_once(gelato, store, original, *, key, times=20):
    """Send one reorder form ``times`` times at once, as double clicks and several agents do.

    Each submission's new order id, or None where it found the form already being processed.
    """

    def submit(_):
        try:
            placed = placing.place_once(
                gelato,
                store,
                key=key,
                action=rules.REORDER,
                original=original,
                address=original.shipping_address,
                shipment_method_uid=None,
                actor="t",
            )
        except placing.ActionInProgress:
            return None
        return placed.order.id

    with ThreadPoolExecutor(times) as pool:
        return list(pool.map(submit, range(times)))


def add_fault(gelato_server, **fault) -> None:
    """A fault on the sandbox server, in its control API's camelCase (``method`` and ``path``
    included, which ``SandboxProcess.add_fault`` cannot pass on)."""
    gelato_server.control.post("/faults", json=fault).raise_for_status()


class WebAgent:
    """An agent's browser without JavaScript, over real HTTP: it keeps its session cookie and
    sends each form with the fields its page holds, as a browser does."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, follow_redirects=True, timeout=60.0)

    def sign_in(self, name: str, password: str) -> None:
        page = self.http.get("/portal/sign-in").text
        answer = self.http.post(
            "/portal/sign-in",
            data={"csrf_token": form_token(page), "name": name, "password": password},
        )
        assert "Signed in as" in answer.text, answer.text

    def get(self, path: str) -> httpx.Response:
        return self.http.get(path)

    def post(self, path: str, data: dict) -> httpx.Response:
        return self.http.post(path, data=data)

    def review(self, path: str, **changes) -> httpx.Response:
        """Open an action form, change fields, and press Review."""
        page = self.get(path).text
        return self.post(path, {**form_fields(page), **changes, "step": "review"})

    def confirm(self, path: str, review_html: str, **extra) -> httpx.Response:
        """Tick "I understand" on a review page and press Confirm."""
        fields = {**form_fields(review_html), "step": "confirm", "understood_charge": "y"}
        return self.post(path, {**fields, **extra})

    def press(self, html: str, button: str) -> httpx.Response:
        """Press the one-click form whose button says ``button`` (CSRF token and hidden fields
        as the page gives them)."""
        for form in re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S):
            action, body = form
            if button in body:
                fields = dict(
                    re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', body)
                )
                return self.post(action, fields)
        raise AssertionError(f"no button {button!r} on the page")

    def close(self) -> None:
        self.http.close()


def web_agent(app_server, name: str, role: str = "agent") -> WebAgent:
    password = f"{name}-password-0123"
    agents.create_agent(app_server.app.extensions["store"], name, password, role, actor="tests")
    browser = WebAgent(app_server.url)
    browser.sign_in(name, password)
    return browser


@pytest.fixture
def ana(app_server):
    """Agent Ana's browser, signed in to the app served over HTTP."""
    browser = web_agent(app_server, "ana")
    yield browser
    browser.close()


@pytest.fixture
def bo(app_server):
    """Her colleague Bo's browser, signed in to the same app."""
    browser = web_agent(app_server, "bo")
    yield browser
    browser.close()
