"""A misconfigured help center refuses to start and says exactly what to fix."""

import os
import subprocess
import sys

import pytest

from portal import ConfigError, create_app
from portal.config import PROJECT_ROOT, SETTINGS


def problems(environ):
    with pytest.raises(ConfigError) as error:
        create_app(environ)
    return str(error.value)


def test_live_mode_without_secret_key_refuses_to_start(environ):
    del environ["SECRET_KEY"]
    message = problems({**environ, "GELATO_API_KEY": "live-key"})
    assert "SECRET_KEY is not set" in message
    assert "Live mode" in message


def test_every_bad_setting_is_named_at_once(environ):
    message = problems(
        {
            **environ,
            "SECRET_KEY": "short",
            "DATABASE_URL": "mysql://db/helpcenter",
            "SUPPORT_EMAIL": "support-at-example",
            "PORT": "eighty",
            "LOG_LEVEL": "chatty",
        }
    )
    for setting in ["SECRET_KEY", "DATABASE_URL", "SUPPORT_EMAIL", "PORT", "LOG_LEVEL"]:
        assert f"- {setting}" in message


def test_missing_site_names_the_command_that_builds_it(environ, tmp_path):
    message = problems({**environ, "SITE_DIR": str(tmp_path / "nowhere")})
    assert "SITE_DIR" in message
    assert "make site" in message


def test_unreachable_database_is_reported_as_such(environ):
    message = problems({**environ, "DATABASE_URL": "postgresql://user@127.0.0.1:9/helpcenter"})
    assert "DATABASE_URL: the database cannot be reached" in message


def test_sandbox_mode_needs_no_settings_and_keeps_its_generated_key(tmp_path, monkeypatch):
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    first = create_app(environ)
    second = create_app(environ)
    assert first.config["HELP_CENTER"].mode == "sandbox"
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_python_app_py_exits_with_the_message(environ):
    env = {**os.environ, **environ, "GELATO_API_KEY": "live-key"}
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "live-key" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_readme_documents_every_setting():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"| `{setting.name}` |" in readme
