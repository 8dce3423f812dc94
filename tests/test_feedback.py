"""'Was this page helpful?' answers are kept by the help center itself, and its one public
endpoint takes only what the articles' widget sends."""

import json
import re

import pytest

from portal import create_app
from tests.conftest import SECRET_KEY


def test_feedback_from_an_article_is_stored(app, client):
    response = client.post(
        "/api/feedback",
        json={"page": "/contact/", "helpful": 0, "comment": "Missing chat hours"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 201
    [row] = app.extensions["store"].feedback.list()
    assert (row.page, row.helpful, row.comment) == (
        "/contact/",
        False,
        "Missing chat hours",
    )


def test_feedback_from_another_site_is_refused(app, client):
    response = client.post(
        "/api/feedback", json={"page": "/", "helpful": 1}, headers={"Origin": "https://evil.test"}
    )
    assert response.status_code == 403
    assert app.extensions["store"].feedback.list() == []


def test_feedback_must_be_json(client):
    response = client.post("/api/feedback", data={"page": "/", "helpful": "1"})
    assert response.status_code == 415


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"page": "contact", "helpful": 1}, "page"),
        ({"page": "/", "helpful": "yes"}, "helpful"),
        ({"page": "/", "helpful": 1, "comment": "x" * 2001}, "comment"),
    ],
)
def test_bad_feedback_names_the_field(client, body, field):
    response = client.post("/api/feedback", json=body)
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


# The one public endpoint takes only what the widget sends


def answer(client, body=None, **kwargs):
    return client.post("/api/feedback", json=body or {"page": "/contact/", "helpful": 1}, **kwargs)


def test_only_pages_of_the_built_site_that_ask_are_accepted(app, client):
    invented = answer(client, {"page": "/buy-cheap-watches/", "helpful": 1})
    assert invented.status_code == 400
    assert "page" in invented.get_json()["fields"]
    frame = answer(client, {"page": "/portal-shell/", "helpful": 1})  # built, but never asks
    assert frame.status_code == 400
    # The address as a browser may show it, file name and all, is the same page.
    assert answer(client, {"page": "/contact/index.html", "helpful": 0}).status_code == 201
    assert [entry.page for entry in app.extensions["store"].feedback.list()] == ["/contact/"]


def test_answers_from_one_address_are_limited_and_told_when_to_retry(app, client):
    statuses = [answer(client).status_code for _ in range(25)]
    assert statuses == [201] * 20 + [429] * 5  # FEEDBACK_PER_ADDRESS's default
    refused = answer(client)
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "Too many answers from your address" in refused.get_json()["error"]
    assert len(app.extensions["store"].feedback.list()) == 20


@pytest.fixture
def limited(environ):
    return {**environ, "FEEDBACK_PER_ADDRESS": "2", "FEEDBACK_WINDOW_MINUTES": "1"}


def test_every_process_counts_the_same_answers(limited, gelato):
    first, second = (create_app(limited, gelato=gelato) for _ in range(2))
    try:
        assert answer(first.test_client()).status_code == 201
        assert answer(second.test_client()).status_code == 201
        assert answer(first.test_client()).status_code == 429
        assert answer(second.test_client()).status_code == 429
    finally:
        for app in (first, second):
            app.extensions["store"].close()


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(limited, gelato):
    app = create_app({**limited, "TRUSTED_PROXIES": "1"}, gelato=gelato)
    client = app.test_client()
    try:
        for _ in range(2):
            assert answer(client, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 201
        assert answer(client, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
        assert answer(client, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 201
    finally:
        app.extensions["store"].close()


def test_without_a_trusted_proxy_a_forged_address_dodges_nothing(limited, gelato):
    app = create_app(limited, gelato=gelato)
    client = app.test_client()
    try:
        statuses = [
            answer(client, headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(3)
        ]
        assert statuses == [201, 201, 429]
    finally:
        app.extensions["store"].close()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[" * 8_000 + b"]" * 8_000, "nothing nested"),
        (b'{"page": "/", "helpful": 1, "comment": {"a": [1]}}', "nothing nested"),
        (b'{"page": "/", "helpful": 1, "comment": "' + b"x" * 17_000 + b'"}', "at most 16 KB"),
        (b'{"page": "/", "helpful": 1, "comment": "\xff"}', "UTF-8"),
        (b'{"page": "/", "helpful": ', "not valid JSON"),
        (b'["/", 1]', "Send a JSON object"),
        (b'{"page": "/", "helpful": 1' + b"9" * 5000 + b"}", "not valid JSON"),
    ],
    ids=["deep", "nested", "large", "not-utf8", "truncated", "array", "huge-number"],
)
def test_bodies_the_widget_never_sends_are_refused_with_a_message(client, caplog, body, message):
    response = client.post("/api/feedback", data=body, content_type="application/json")
    assert response.status_code == 400
    assert message in json.dumps(response.get_json())
    assert not [record for record in caplog.records if record.levelname == "ERROR"]


# The admin list


def test_the_admin_list_pages_through_every_answer_and_filters(app, admin_client):
    store = app.extensions["store"]
    store.feedback.record("/contact/", False, "The chat hours are missing")
    for n in range(60):
        store.feedback.record("/", True, f"spam {n}")
    html = admin_client.get("/portal/admin/feedback").get_data(as_text=True)
    assert html.count("spam ") == 50
    assert "The chat hours are missing" not in html  # buried on the next page, not lost
    older = re.search(r'href="(/portal/admin/feedback\?before=\d+)"', html).group(1)
    html = admin_client.get(older).get_data(as_text=True)
    assert html.count("spam ") == 10
    assert "The chat hours are missing" in html

    not_helpful = admin_client.get("/portal/admin/feedback?helpful=no").get_data(as_text=True)
    assert "The chat hours are missing" in not_helpful
    assert "spam " not in not_helpful
    contact = admin_client.get("/portal/admin/feedback?page=/contact/").get_data(as_text=True)
    assert "The chat hours are missing" in contact
    assert "spam " not in contact
    assert '<option value="/contact/" selected>' in contact
    both = admin_client.get("/portal/admin/feedback?page=/contact/&helpful=yes")
    assert "No answers match." in both.get_data(as_text=True)


def test_bad_feedback_filters_are_explained(admin_client):
    html = admin_client.get("/portal/admin/feedback?helpful=maybe&page=x").get_data(as_text=True)
    assert "Unknown answer" in html
    assert "Page: a path such as /contact/." in html


def test_the_limit_holds_on_postgresql_across_processes(postgres_url, gelato):
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    settings = {
        "DATABASE_URL": postgres_url,
        "SECRET_KEY": SECRET_KEY,
        "FEEDBACK_PER_ADDRESS": "3",
    }
    first, second = (create_app(settings, gelato=gelato) for _ in range(2))
    try:
        statuses = [answer(app.test_client()).status_code for app in (first, second) * 2]
        assert statuses == [201, 201, 201, 429]
    finally:
        for app in (first, second):
            app.extensions["store"].close()
