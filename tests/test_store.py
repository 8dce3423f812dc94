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


def test_the_tables_module_says_what_the_newest_migration_leaves(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from portal.store import metadata

    store = Store.from_url(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    store.upgrade()
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    store.close()
