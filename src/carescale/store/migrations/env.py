"""Alembic environment for carescale's store. Run programmatically by
``carescale.store.core.migrate`` (no alembic.ini): the caller passes an open connection in
``config.attributes["connection"]``."""

from __future__ import annotations

from alembic import context

from carescale.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # pragma: no cover - 'alembic' command line, for developers
        from sqlalchemy import create_engine

        from carescale.store.config import database_url

        with create_engine(database_url()).connect() as conn:
            config.attributes["connection"] = conn
            run_migrations_online()
            return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover
    raise SystemExit("carescale's migrations run online only (carescale.store.open_store)")
run_migrations_online()
