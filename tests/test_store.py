"""The schema is created and upgraded at start, safely when several workers start together."""

import subprocess
import sys

from sqlalchemy import inspect

from portal.config import PROJECT_ROOT
from portal.store import Store


def test_schema_is_created_on_a_new_database(tmp_path):
    store = Store.from_url(f"sqlite:///{tmp_path / 'new' / 'db.sqlite3'}")
    store.upgrade()
    tables = set(inspect(store.engine).get_table_names())
    assert {"alembic_version", "page_feedback"} <= tables
    store.upgrade()  # a second start finds nothing to do
    store.close()


def test_workers_starting_together_upgrade_one_database_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    code = f"from portal.store import Store; Store.from_url({url!r}).upgrade()"
    workers = [
        subprocess.Popen([sys.executable, "-c", code], cwd=PROJECT_ROOT, stderr=subprocess.PIPE)
        for _ in range(4)
    ]
    errors = [worker.communicate()[1].decode() for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0, 0], errors
