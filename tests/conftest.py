import pytest

from portal import create_app

SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"


@pytest.fixture
def environ(tmp_path):
    """Settings of a sandbox app with its own database; tests add or change entries."""
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'helpcenter.sqlite3'}",
        "SECRET_KEY": SECRET_KEY,
    }


@pytest.fixture
def app(environ):
    app = create_app(environ)
    app.config["TESTING"] = True
    yield app
    app.extensions["store"].close()


@pytest.fixture
def client(app):
    return app.test_client()
