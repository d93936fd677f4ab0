"""Alembic environment: the models' metadata, the URL from the config."""

from __future__ import annotations

from alembic import context

from shuangsuiji.db import Base, selection_checks
from shuangsuiji.db.session import make_engine
from shuangsuiji.models import tenants  # noqa: F401 - registers every table

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        context.configure(connection=connectable, target_metadata=target_metadata,
                          render_as_batch=True, include_object=selection_checks.include_object(
                              connectable.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True, include_object=selection_checks.include_object(
                              connection.dialect.name))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"),
                      target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
