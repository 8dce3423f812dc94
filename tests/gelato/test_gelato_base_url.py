"""GELATO_API_URL: the app runs unchanged against the sandbox served as its own process (or any
Gelato-compatible stand-in), and a fault there reaches the agent as Gelato's outage."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from portal import ConfigError, create_app
from portal.gelato.sandbox import DEMO_API_KEY
from tests.conftest import form_token

ORDER_REFERENCE = "NW-1004"


@contextmanager
def signed_in_browser(base_url: str) -> Iterator[httpx.Client]:
    """An httpx client signed in to the app as the sandbox's demo admin, through the form."""
    with httpx.Client(base_url=base_url, timeout=20.0) as browser:
        page = browser.get("/portal/sign-in")
        response = browser.post(
            "/portal/sign-in",
            data={
                "csrf_token": form_token(page.text),
                "name": "demo",
                "password": "gelato-sandbox",
            },
        )
        assert response.status_code == 302, response.text
        yield browser


def test_the_app_reaches_the_sandbox_server_through_the_setting(app_server, gelato_server):
    with signed_in_browser(app_server.url) as browser:
        found = browser.get("/portal/orders/", params={"order": ORDER_REFERENCE})
        assert found.status_code == 302
        page = browser.get(found.headers["location"])
    assert page.status_code == 200
    assert ORDER_REFERENCE in page.text
    paths = [call["path"] for call in gelato_server.calls()]
    assert "/v4/orders:search" in paths  # the lookup crossed the wire to the server


def test_an_outage_at_the_sandbox_server_is_the_portals_gelato_unavailable(
    app_server, gelato_server
):
    # Gelato answers 503 and asks for more patience than the client's retry budget allows: the
    # client gives up at once rather than keeping the agent waiting.
    gelato_server.add_fault(kind="status", status=503, retryAfter=60, times=None)
    with signed_in_browser(app_server.url) as browser:
        page = browser.get("/portal/orders/", params={"order": ORDER_REFERENCE})
    assert page.status_code == 503
    assert "Gelato could not be reached or did not answer in time" in page.text
    assert "Nothing you typed is lost" in page.text
    assert [call["outcome"] for call in gelato_server.calls()] == [503]

    gelato_server.clear_faults()
    with signed_in_browser(app_server.url) as browser:
        assert browser.get("/portal/orders/", params={"order": ORDER_REFERENCE}).status_code == 302


def test_without_a_key_the_app_sends_the_sandbox_demo_key(gelato_server_app):
    gelato = gelato_server_app.extensions["gelato"]
    assert gelato.is_sandbox
    assert gelato._http.headers["X-API-KEY"] == DEMO_API_KEY
    assert gelato_server_app.config["HELP_CENTER"].is_sandbox


def test_with_a_key_the_app_is_live_against_the_given_address(environ):
    app = create_app(
        {**environ, "GELATO_API_KEY": "live-key", "GELATO_API_URL": "https://gw.example/"}
    )
    try:
        gelato = app.extensions["gelato"]
        assert not gelato.is_sandbox
        assert gelato.base_urls == {"order": "https://gw.example", "shipment": "https://gw.example"}
    finally:
        app.extensions["gelato"].close()
        app.extensions["store"].close()


def test_unset_means_gelatos_own_services(environ):
    app = create_app({**environ, "GELATO_API_KEY": "live-key"})
    try:
        assert app.extensions["gelato"].base_urls == {
            "order": "https://order.gelatoapis.com",
            "shipment": "https://shipment.gelatoapis.com",
        }
    finally:
        app.extensions["gelato"].close()
        app.extensions["store"].close()


@pytest.mark.parametrize(
    ("url", "key", "problem"),
    [
        ("127.0.0.1:8765", None, "must be an http:// or https:// address"),
        ("ftp://gelato.example", None, "must be an http:// or https:// address"),
        ("http://", None, "must be an http:// or https:// address"),
        ("http://gelato.example/?x=1", None, "must be an http:// or https:// address"),
        ("http://gelato.example", "live-key", "must start with https://"),
    ],
)
def test_a_bad_address_stops_the_start_with_its_reason(environ, url, key, problem):
    settings = {**environ, "GELATO_API_URL": url}
    if key:
        settings["GELATO_API_KEY"] = key
    with pytest.raises(ConfigError) as caught:
        create_app(settings)
    assert problem in str(caught.value)
    assert "live-key" not in str(caught.value)


def test_plain_http_with_a_key_is_accepted_on_this_machine(environ):
    app = create_app(
        {**environ, "GELATO_API_KEY": "live-key", "GELATO_API_URL": "http://127.0.0.1:9"}
    )
    try:
        assert app.extensions["gelato"].base_urls["order"] == "http://127.0.0.1:9"
    finally:
        app.extensions["gelato"].close()
        app.extensions["store"].close()


def test_the_readme_says_how_to_point_the_app_at_the_sandbox_server():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `GELATO_API_URL` |"))
    assert "python -m portal.gelato.sandbox --port" in row
    assert "A live deployment leaves it unset" in row
