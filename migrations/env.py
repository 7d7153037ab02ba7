"""Alembic environment, after Alembic's async template.

The database URL comes from ``server.migrate`` (the ``inkroom`` command) or, when ``alembic`` is
run by hand, from the ``INKROOM_DATABASE`` setting.
"""

import asyncio

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from server.config import Settings
from server.tables import metadata

config = context.config


def database_url() -> str:
    url: str = config.attributes.get("database_url") or Settings().database_url
    return url


def configure(**options: object) -> None:
    # Batch mode lets SQLite alter tables by copying them.
    context.configure(target_metadata=metadata, render_as_batch=True, **options)


def run_migrations_offline() -> None:
    configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    engine = create_async_engine(database_url(), poolclass=pool.NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
