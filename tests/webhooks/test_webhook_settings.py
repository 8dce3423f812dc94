"""GELATO_WEBHOOK_SECRET: the sandbox's published value by default, required for the receiver in
live mode, and kept out of every log line and stored text like the other secrets."""

import logging

import pytest

from portal import ConfigError, create_app
from portal.config import SANDBOX_WEBHOOK_SECRET, load_config
from tests.conftest import SECRET_KEY
from tests.webhooks.conftest import SECRET, item_status, post


def config(environ, tmp_path):
    return load_config(environ, instance_path=tmp_path)


def test_the_sandbox_has_a_published_secret_and_live_mode_none(tmp_path):
    assert config({}, tmp_path).gelato_webhook_secret == SANDBOX_WEBHOOK_SECRET
    live = config({"GELATO_API_KEY": "live-key", "SECRET_KEY": SECRET_KEY}, tmp_path)
    assert live.gelato_webhook_secret is None
    chosen = config({"GELATO_WEBHOOK_SECRET": SECRET}, tmp_path)
    assert chosen.gelato_webhook_secret == SECRET
    assert SECRET in chosen.secrets
    assert SECRET not in repr(chosen)


def test_a_short_secret_stops_the_start(environ):
    with pytest.raises(ConfigError) as error:
        create_app({**environ, "GELATO_WEBHOOK_SECRET": "short"})
    assert "GELATO_WEBHOOK_SECRET is too short (5 characters)" in str(error.value)
    assert "short'" not in str(error.value)


def test_live_mode_without_a_secret_refuses_every_call(environ, gelato):
    app = create_app({**environ, "GELATO_API_KEY": "live-key"}, gelato=gelato)
    client = app.test_client()
    for secret in (None, "", SANDBOX_WEBHOOK_SECRET):
        assert post(client, item_status("o-1", "failed", 1), secret=secret).status_code == 403
    assert app.extensions["store"].events.count() == 0
    app.extensions["store"].close()


def test_a_refused_call_is_logged_without_what_it_sent(client, caplog):
    with caplog.at_level(logging.WARNING, logger="portal"):
        post(client, item_status("o-1", "failed", 1), secret="guess-" + SECRET)
    assert "Webhook call refused" in caplog.text
    assert SECRET not in caplog.text
