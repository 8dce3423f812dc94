"""'Was this page helpful?' answers are kept by the help center itself."""

import pytest


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
