"""Alembic runs inside the app (Store.upgrade), on the connection it is handed."""

from alembic import context

from portal.store.tables import metadata

context.configure(
    connection=context.config.attributes["connection"],
    target_metadata=metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
    # SQLite runs DDL inside transactions too. Alembic assumes it does not and commits after each
    # migration, which would release the lock Store.upgrade holds while another worker waits.
    transactional_ddl=True,
)
with context.begin_transaction():
    context.run_migrations()
