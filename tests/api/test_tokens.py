"""Personal API tokens: made and revoked by their agent in the portal or on the command line,
shown once, refused once revoked or expired, and never written anywhere after they are made."""

import logging
import re
from datetime import timedelta

import pytest

from portal import audit
from portal.api import tokens
from portal.api.blueprint import refusal
from portal.api.models import Me
from portal.api.operations import Operation
from portal.store import utcnow
from tests.conftest import form_token


def make_in_portal(client, **fields):
    page = client.get("/portal/account/tokens/").get_data(as_text=True)
    data = {"csrf_token": form_token(page), "name": "Helpdesk", "scope": "read", **fields}
    return client.post("/portal/account/tokens/", data=data)


def shown_token(html):
    return re.search(r'<code id="new-token">([^<]+)</code>', html).group(1)


def test_an_agent_makes_a_token_in_the_portal_and_sees_it_once(agent_client, bearer):
    made = make_in_portal(agent_client, name="Gorgias sidebar")
    assert made.status_code == 201
    assert made.headers["Cache-Control"] == "no-store"
    token = shown_token(made.get_data(as_text=True))
    assert tokens.TOKEN_SHAPE.fullmatch(token)

    later = agent_client.get("/portal/account/tokens/").get_data(as_text=True)
    assert "Gorgias sidebar" in later
    assert token not in later
    assert token[4:12] not in later  # not even its start

    me = agent_client.get("/api/v1/me", headers=bearer(token))
    assert me.status_code == 200
    assert Me.model_validate(me.json).agent == "ana"


def test_the_token_page_answers_bad_input_beside_its_field_and_keeps_it(agent_client):
    refused = make_in_portal(agent_client, name="Zendesk", expires="2001-01-01")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert 'id="token-expires-error"' in html
    assert "must be in the future" in html
    assert 'value="Zendesk"' in html

    nameless = make_in_portal(agent_client, name="   ").get_data(as_text=True)
    assert 'id="token-name-error"' in nameless


def test_the_portal_navigation_links_to_the_token_page(agent_client):
    assert 'href="/portal/account/tokens/"' in agent_client.get("/portal/").get_data(as_text=True)


def test_a_revoked_token_is_refused(agent_client, client, bearer):
    token = shown_token(make_in_portal(agent_client).get_data(as_text=True))
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    [listed] = agent_client.application.extensions["store"].tokens.list()
    page = agent_client.get("/portal/account/tokens/").get_data(as_text=True)
    agent_client.post(
        f"/portal/account/tokens/{listed.id}/revoke", data={"csrf_token": form_token(page)}
    )

    answer = client.get("/api/v1/me", headers=bearer(token))
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert "revoked" in answer.json["detail"]
    assert "revoked" in agent_client.get("/portal/account/tokens/").get_data(as_text=True)


def test_an_agent_cannot_revoke_another_agents_token(agent_client, make_token, app):
    make_token("bea", name="Bea's script")
    [theirs] = app.extensions["store"].tokens.list()
    page = agent_client.get("/portal/account/tokens/").get_data(as_text=True)
    answer = agent_client.post(
        f"/portal/account/tokens/{theirs.id}/revoke",
        data={"csrf_token": form_token(page)},
        follow_redirects=True,
    )
    assert f"There is no token {theirs.id}" in answer.get_data(as_text=True)
    assert app.extensions["store"].tokens.by_id(theirs.id).revoked_at is None


def test_an_expired_token_is_refused(client, make_token, bearer, app):
    make_token()  # ana's account
    store = app.extensions["store"]
    two_days_ago = utcnow() - timedelta(days=2)
    new = tokens.create_token(
        store,
        app.config["SECRET_KEY"],
        store.accounts.by_name("ana"),
        name="Yesterday's",
        scope="read",
        expires_at=two_days_ago + timedelta(days=1),
        actor="ana",
        now=two_days_ago,
    )
    answer = client.get("/api/v1/me", headers=bearer(new.secret))
    assert answer.status_code == 401
    assert "expired" in answer.json["detail"]
    assert tokens.describe(store.tokens.by_id(new.token.id), utcnow()) == "expired"


def test_a_disabled_agents_tokens_stop_working(client, make_token, bearer, app):
    from portal import agents

    token = make_token()
    agents.set_disabled(app.extensions["store"], "ana", True, actor="lead")
    answer = client.get("/api/v1/me", headers=bearer(token))
    assert answer.status_code == 401
    assert "disabled" in answer.json["detail"]


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Basic YW5hOnB3", "Bearer ghc_" + "A" * 43, "Bearer not-a-token"],
)
def test_a_call_without_a_known_token_is_refused(client, header):
    answer = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json["type"] == "/reference/api/#not-authenticated"


def test_a_signed_in_session_does_not_open_the_api(agent_client):
    """A cookie the browser sends on its own authorises nothing: no API call rides a session."""
    assert agent_client.get("/portal/").status_code == 200
    assert agent_client.get("/api/v1/me").status_code == 401
    assert agent_client.get("/api/v1/orders?q=NW-1002").status_code == 401


def test_a_read_token_cannot_act_and_an_agent_cannot_read_the_audit_log(app, make_token):
    store = app.extensions["store"]
    make_token("ana", scope="read")
    make_token("lead", scope="act", role="admin")
    read, act = sorted(store.tokens.list(), key=lambda t: t.agent_name)
    acting = Operation("POST", "/x", "api.x", "", "", "", Me, scope="act")
    admins = Operation("GET", "/y", "api.y", "", "", "", Me, scope="read", admin=True)
    ana, lead = store.accounts.by_name("ana"), store.accounts.by_name("lead")
    assert "read scope" in refusal(acting, read, ana)
    assert refusal(acting, act, lead) is None
    assert "admins" in refusal(admins, read, ana)
    assert refusal(admins, act, lead) is None


def test_an_agent_reads_the_audit_log_through_the_api_only_as_admin(client, make_token, bearer):
    assert client.get("/api/v1/audit", headers=bearer(make_token())).status_code == 403
    admin = make_token("lead", role="admin")
    assert client.get("/api/v1/audit", headers=bearer(admin)).status_code == 200


def test_the_command_line_makes_lists_and_revokes_tokens(app, make_token, client, bearer):
    make_token("ana")  # the account
    runner = app.test_cli_runner()
    made = runner.invoke(
        args=["tokens", "create", "ana", "--name", "Script", "--scope", "act"],
    )
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[0]
    assert tokens.TOKEN_SHAPE.fullmatch(token)
    assert "not shown again" in made.stderr
    assert client.get("/api/v1/me", headers=bearer(token)).json["token"]["scope"] == "act"

    listed = runner.invoke(args=["tokens", "list", "ana"])
    assert "Script\tact\tactive" in listed.output
    assert token not in listed.output
    number = next(line.split("\t")[0] for line in listed.output.splitlines() if "Script" in line)

    revoked = runner.invoke(args=["tokens", "revoke", number])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    again = runner.invoke(args=["tokens", "revoke", number])
    assert again.exit_code == 1
    assert "revoked already" in again.output

    nobody = runner.invoke(args=["tokens", "create", "nobody", "--name", "x"])
    assert nobody.exit_code == 1
    assert "no account named nobody" in nobody.output


def test_every_use_is_audited_under_the_agent_without_the_token(
    app, admin_client, make_token, bearer, client
):
    token = make_token(name="Zendesk")
    client.get("/api/v1/orders?q=NW-1009", headers=bearer(token))
    client.get("/api/v1/orders/no-such-order", headers=bearer(token))
    store = app.extensions["store"]
    calls = store.audit.list(action=audit.API_CALL)
    assert [(c.actor, c.outcome) for c in calls] == [("ana", "refused"), ("ana", "succeeded")]
    assert '"via": "API token 1 (Zendesk)"' in calls[1].request
    assert '"status": 200' in calls[1].request
    assert calls[1].order_reference is None  # a search names no one order
    made = store.audit.list(action=audit.TOKEN_CREATED)[0]
    assert made.actor == "ana"

    everything = " ".join(str(entry) for entry in store.audit.list(limit=1000))
    assert token not in everything
    log_page = admin_client.get("/portal/admin/audit").get_data(as_text=True)
    assert "API call" in log_page
    assert token not in log_page
    assert token not in admin_client.get("/portal/admin/audit.csv").get_data(as_text=True)


def test_a_token_pasted_into_a_query_is_not_audited(app, make_token, bearer, client):
    token = make_token()
    client.get(f"/api/v1/lookup?q={token}", headers=bearer(token))
    everything = " ".join(str(entry) for entry in app.extensions["store"].audit.list())
    assert token not in everything


def test_no_log_line_holds_a_token(app, make_token, bearer, client, caplog):
    caplog.set_level(logging.DEBUG)
    token = make_token()
    client.get("/api/v1/me", headers=bearer(token))
    client.get("/api/v1/me", headers=bearer(token[:-1] + "x"))  # unknown: logged
    store = app.extensions["store"]
    store.tokens.revoke(store.tokens.list()[0].id, utcnow())
    client.get("/api/v1/me", headers=bearer(token))
    assert "unknown token" in caplog.text
    assert token not in caplog.text
    assert token[:-1] not in caplog.text


def test_only_a_keyed_hash_of_the_token_is_stored(app, make_token):
    token = make_token()
    with app.extensions["store"].engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT * FROM api_tokens").fetchall()
    assert token not in str(rows)
    assert tokens.token_hash(app.config["SECRET_KEY"], token) in str(rows)
    assert tokens.token_hash("another-secret-key", token) not in str(rows)


def test_every_api_route_but_the_document_needs_a_token(app, agent_client):
    """Listed from the app's routes, so a route added later is covered without touching this."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        url = re.sub(r"<(?:int:)?[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = agent_client.open(url, method=method)  # signed in: the session is no help
            assert answer.status_code == 401, (method, url)
            assert answer.mimetype == "application/problem+json", (method, url)
            assert "needs a token" in answer.json["detail"]
