"""The schema is created and upgraded at start, safely when several workers start together."""

from sqlalchemy import inspect

from portal.store import Store
from tests.conftest import upgrade_in_workers_at_once


def test_schema_is_created_on_a_new_database(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'new' / 'db.sqlite3'}")
    store.upgrade()
    tables = set(inspect(store.engine).get_table_names())
    assert {"alembic_version", "page_feedback"} <= tables
    store.upgrade()  # a second start finds nothing to do
    store.close()


def test_workers_starting_together_upgrade_one_database_once(tmp_path):
    upgrade_in_workers_at_once(f"sqlite:///{tmp_path / 'shared.sqlite3'}")
