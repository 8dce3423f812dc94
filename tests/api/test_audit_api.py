"""The audit log read through the API: filtered and paged like the admin page."""

import pytest


def test_the_audit_log_is_filtered_and_paged(app, make_token, bearer, client):
    store = app.extensions["store"]
    admin = bearer(make_token("lead", role="admin"))
    for _ in range(3):  # each call is recorded once it is answered
        client.get("/api/v1/me", headers=admin)

    page = client.get("/api/v1/audit?action=api_call&limit=2", headers=admin).json
    assert [e["action"] for e in page["entries"]] == ["api_call", "api_call"]
    assert page["entries"][0]["actor"] == "lead"
    assert page["entries"][0]["action_label"] == "API call"
    assert page["next_before"] == page["entries"][-1]["id"]

    older = client.get(f"/api/v1/audit?action=api_call&before={page['next_before']}", headers=admin)
    ids = [e["id"] for e in older.json["entries"]]
    assert ids
    assert max(ids) < page["next_before"]
    assert older.json["next_before"] is None

    made = client.get("/api/v1/audit?action=api_token_created&actor=lead", headers=admin).json
    assert len(made["entries"]) == 1
    assert made["entries"][0]["request"]["name"] == "Helpdesk"
    assert store.audit.list(action="api_token_created")[0].id == made["entries"][0]["id"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("action=no_such_action", "action"),
        ("outcome=maybe", "outcome"),
        ("since=yesterday", "since"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("before=-1", "before"),
        ("colour=red", "colour"),
    ],
)
def test_bad_filters_are_answered_beside_their_field(make_token, bearer, client, query, field):
    answer = client.get(f"/api/v1/audit?{query}", headers=bearer(make_token("lead", role="admin")))
    assert answer.status_code == 422
    assert answer.json["type"] == "/reference/api/#invalid-input"
    assert [(e["location"], e["field"]) for e in answer.json["errors"]] == [("query", field)]
    assert answer.json["errors"][0]["message"]
