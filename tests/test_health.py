from datetime import datetime

from sqlalchemy import create_engine

from portal.store import Store


def test_health_reports_mode_database_and_site_build_time(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["mode"] == "sandbox"
    assert body["database"] == {"reachable": True, "writable": True}
    assert datetime.fromisoformat(body["site"]["built_at"]).tzinfo is not None


def test_health_is_503_when_the_database_goes_away(app, client):
    app.extensions["store"] = Store(
        create_engine(
            "postgresql+psycopg://user@127.0.0.1:9/gone", connect_args={"connect_timeout": 1}
        )
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == {"reachable": False, "writable": False}
    assert response.get_json()["status"] == "unavailable"
